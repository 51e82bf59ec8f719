package ingest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// base is a small valid graph the validation cases add records to.
func base() []ingest.Record {
	return []ingest.Record{
		rec("systems", 0, fld("id", str("sap")), fld("sox_scope", boolv("true"))),
		rec("resources", 0, fld("id", str("je")), fld("system", str("sap")), fld("kind", str("journal_entry"))),
		rec("identities", 0, fld("id", str("alice")), fld("type", str("human"))),
		rec("groups", 0, fld("id", str("g")), fld("type", str("role"))),
	}
}

func TestValidationProblems(t *testing.T) {
	tests := []struct {
		name string
		recs []ingest.Record
		want []string
	}{
		{
			name: "unknown field with suggestion",
			recs: []ingest.Record{rec("grants", 0, fld("principal", str("g")), fld("acton", str("read")), fld("action", str("read")), fld("resource", str("je")))},
			want: []string{`f: /grants/0/acton: unknown field "acton" (did you mean "action"?)`},
		},
		{
			name: "missing required field",
			recs: []ingest.Record{rec("grants", 3, fld("principal", str("g")), fld("action", str("read")))},
			want: []string{`f: /grants/3: missing required field "resource"`},
		},
		{
			name: "null counts as missing",
			recs: []ingest.Record{rec("identities", 1, fld("id", str("bob")), fld("type", null()))},
			want: []string{`f: /identities/1: missing required field "type"`},
		},
		{
			name: "unknown enum value lists the allowed ones",
			recs: []ingest.Record{rec("grants", 12, fld("principal", str("g")), fld("action", str("aprove")), fld("resource", str("je")))},
			want: []string{`f: /grants/12/action: unknown action "aprove" (allowed: read, write, approve, export, admin)`},
		},
		{
			name: "bad times",
			recs: []ingest.Record{
				rec("grants", 0, fld("principal", str("g")), fld("action", str("read")), fld("resource", str("je")), fld("expires_at", str("2026-13-01T00:00:00Z"))),
				rec("grants", 1, fld("principal", str("g")), fld("action", str("read")), fld("resource", str("je")), fld("last_used_at", str("2026-10-31"))),
				rec("grants", 2, fld("principal", str("g")), fld("action", str("read")), fld("resource", str("je")), fld("last_used_at", num("1700000000"))),
			},
			want: []string{
				`f: /grants/0/expires_at: invalid time "2026-13-01T00:00:00Z" (want RFC 3339, e.g. 2026-10-31T00:00:00Z)`,
				`f: /grants/1/last_used_at: invalid time "2026-10-31" (want RFC 3339, e.g. 2026-10-31T00:00:00Z)`,
				`f: /grants/2/last_used_at: expected an RFC 3339 time such as 2026-10-31T00:00:00Z, got a number "1700000000"`,
			},
		},
		{
			name: "bad integers",
			recs: []ingest.Record{
				rec("credentials", 0, fld("id", str("c1")), fld("identity", str("alice")), fld("type", str("password")), fld("rotation_days", txt("ninety"))),
				rec("credentials", 1, fld("id", str("c2")), fld("identity", str("alice")), fld("type", str("password")), fld("rotation_days", num("1.5"))),
				rec("credentials", 2, fld("id", str("c3")), fld("identity", str("alice")), fld("type", str("password")), fld("rotation_days", str("90"))),
			},
			want: []string{
				`f: /credentials/0/rotation_days: expected a whole number, got text "ninety"`,
				`f: /credentials/1/rotation_days: expected a whole number, got a number "1.5"`,
				`f: /credentials/2/rotation_days: expected a whole number, got a string "90"`,
			},
		},
		{
			name: "booleans must be real booleans",
			recs: []ingest.Record{
				rec("systems", 1, fld("id", str("s1")), fld("sox_scope", str("true"))),
				rec("systems", 2, fld("id", str("s2")), fld("sox_scope", txt("yes"))),
				rec("systems", 3, fld("id", str("s3")), fld("sox_scope", txt("false"))),
			},
			want: []string{
				`f: /systems/1/sox_scope: expected true or false, got a string "true"`,
				`f: /systems/2/sox_scope: expected true or false, got text "yes"`,
			},
		},
		{
			name: "lists",
			recs: []ingest.Record{
				rec("identities", 1, fld("id", str("bob")), fld("type", str("human")), fld("same_as", str("alice"))),
				rec("identities", 2, fld("id", str("carol")), fld("type", str("human")), fld("compensating_controls", txt("review;;pam"))),
				rec("identities", 3, fld("id", str("dave")), fld("type", str("human")), fld("same_as", list(str("alice"), list()))),
			},
			want: []string{
				`f: /identities/1/same_as: expected a list, got a string "alice"`,
				`f: /identities/2/compensating_controls/1: empty item (lists are ";"-separated)`,
				`f: /identities/3/same_as/1: expected a string, got a list`,
			},
		},
		{
			name: "tags",
			recs: []ingest.Record{
				rec("identities", 1, fld("id", str("bob")), fld("type", str("human")), fld("tags", txt("env=prod;oops"))),
				rec("identities", 2, fld("id", str("carol")), fld("type", str("human")), fld("tags", obj(fld("env", list())))),
				rec("identities", 3, fld("id", str("dave")), fld("type", str("human")), fld("tags", str("env=prod"))),
			},
			want: []string{
				`f: /identities/1/tags: expected key=value pairs separated by ";", got "oops"`,
				`f: /identities/2/tags/env: expected a string, got a list`,
				`f: /identities/3/tags: expected a map of strings, got a string "env=prod"`,
			},
		},
		{
			name: "owners object",
			recs: []ingest.Record{
				rec("identities", 1, fld("id", str("bob")), fld("type", str("human")), fld("owners", obj(fld("busines", str("x"))))),
				rec("identities", 2, fld("id", str("carol")), fld("type", str("human")), fld("owners", str("x"))),
			},
			want: []string{
				`f: /identities/1/owners/busines: unknown field "owners.busines" (allowed: business, technical)`,
				`f: /identities/2/owners: expected an object with fields business, technical, got a string "x"`,
			},
		},
		{
			name: "empty ids",
			recs: []ingest.Record{
				rec("systems", 1, fld("id", str(""))),
				rec("memberships", 0, fld("member", str("")), fld("group", str("g"))),
			},
			want: []string{
				`f: /systems/1/id: must not be empty`,
				`f: /memberships/0/member: must not be empty`,
			},
		},
		{
			name: "duplicate field",
			recs: []ingest.Record{rec("systems", 1, fld("id", str("s1")), fld("id", str("s2")))},
			want: []string{`f: /systems/1/id: duplicate field "id"`},
		},
		{
			name: "duplicate id across node kinds",
			recs: []ingest.Record{
				rec("identities", 1, fld("id", str("sap")), fld("type", str("bot"))),
				rec("credentials", 0, fld("id", str("alice")), fld("identity", str("alice")), fld("type", str("token"))),
			},
			want: []string{
				`f: /identities/1/id: duplicate id "sap" (already used by a System in FILE)`,
				`f: /credentials/0/id: duplicate id "alice" (already used by an Identity in FILE)`,
			},
		},
		{
			name: "dangling and wrong-kind references",
			recs: []ingest.Record{
				rec("grants", 0, fld("principal", str("g")), fld("action", str("read")), fld("resource", str("nope"))),
				rec("memberships", 0, fld("member", str("alice")), fld("group", str("alice"))),
				rec("memberships", 1, fld("member", str("alice")), fld("group", str("alice"))),
				rec("credentials", 0, fld("id", str("c1")), fld("identity", str("alice")), fld("type", str("token")), fld("systems", list(str("sap"), str("je")))),
				rec("delegations", 0, fld("from", str("sap")), fld("to", str("ghost")), fld("kind", str("run_as"))),
			},
			want: []string{
				`f: /memberships/0/group: "alice" is an Identity, not a Group`,
				`f: /memberships/1/group: "alice" is an Identity, not a Group`,
				`f: /credentials/0/systems/1: "je" is a Resource, not a System`,
				`f: /delegations/0/from: "sap" is a System, not an Identity or Group`,
				`f: /grants/0/resource: "nope" does not exist (want the id of a System or Resource)`,
				`f: /delegations/0/to: "ghost" does not exist (want the id of an Identity)`,
			},
		},
		{
			name: "references may point forward and to every allowed kind",
			recs: []ingest.Record{
				rec("grants", 0, fld("principal", str("g2")), fld("action", str("admin")), fld("resource", str("sap"))),
				rec("grants", 1, fld("principal", str("alice")), fld("action", str("write")), fld("resource", str("later"))),
				rec("memberships", 0, fld("member", str("g2")), fld("group", str("g"))),
				rec("groups", 1, fld("id", str("g2"))),
				rec("resources", 1, fld("id", str("later")), fld("system", str("sap")), fld("parent", str("je"))),
			},
			want: nil,
		},
		{
			name: "parent chains that cycle",
			recs: []ingest.Record{
				rec("resources", 1, fld("id", str("r1")), fld("system", str("sap")), fld("parent", str("r2"))),
				rec("resources", 2, fld("id", str("r2")), fld("system", str("sap")), fld("parent", str("r1"))),
				rec("resources", 3, fld("id", str("r3")), fld("system", str("sap")), fld("parent", str("r3"))),
				rec("resources", 4, fld("id", str("r4")), fld("system", str("sap")), fld("parent", str("r1"))),
			},
			want: []string{
				`f: /resources/1/parent: resource parent chain is a cycle: "r1" → "r2" → "r1"`,
				`f: /resources/3/parent: resource parent chain is a cycle: "r3" → "r3"`,
			},
		},
		{
			name: "unknown section",
			recs: []ingest.Record{rec("grant", 0, fld("principal", str("g")))},
			want: []string{`f: /grant/0: unknown section "grant" (did you mean "grants"?)`},
		},
		{
			name: "explicit pointers from foreign documents",
			recs: []ingest.Record{{Section: "grants", Pointer: "/UserDetailList/3", Fields: []ingest.Field{
				fld("principal", str("alice")), fld("action", str("own")), fld("resource", str("je")),
			}}},
			want: []string{`f: /UserDetailList/3/action: unknown action "own" (allowed: read, write, approve, export, admin)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, err := run(t, ingest.Options{}, "b.json", doc{header: header("t"), recs: append(base(), tt.recs...)})
			if tt.want == nil {
				require.NoError(t, err)
				require.True(t, st.committed)
				return
			}
			require.ErrorIs(t, err, ingest.ErrInvalid)
			require.Zero(t, st.calls, "a failed load must not reach the store")
			got := messages(t, err)
			for i := range tt.want {
				tt.want[i] = replaceFile(tt.want[i], err)
			}
			require.Equal(t, tt.want, got)
		})
	}
}

// replaceFile puts the input's file name where a message says FILE.
func replaceFile(s string, err error) string {
	var ve *ingest.ValidationError
	if !asValidation(err, &ve) || len(ve.Problems) == 0 {
		return s
	}
	return stringsReplace(s, "FILE", ve.Problems[0].File)
}

func TestLineMessagesNameTheField(t *testing.T) {
	recs := []ingest.Record{
		{Section: "grants", Line: 7, Fields: []ingest.Field{
			{Name: "principal", Value: txt("g"), Line: 7},
			{Name: "action", Value: txt("aprove"), Line: 8},
			{Name: "resource", Value: txt("je"), Line: 9},
			{Name: "expires_at", Value: txt("soon"), Line: 10},
		}},
		{Section: "identities", Line: 12, Fields: []ingest.Field{
			{Name: "id", Value: txt("bob"), Line: 12},
			{Name: "type", Value: txt("human"), Line: 12},
			{Name: "same_as", Value: list(ingest.Value{Kind: ingest.String, Text: "alice", Line: 13}, ingest.Value{Kind: ingest.String, Text: "ghost", Line: 14}), Line: 12},
		}},
		{Section: "grants", Line: 20},
	}
	_, _, err := run(t, ingest.Options{}, "b.yaml", doc{header: header("t"), recs: append(base(), recs...)})
	require.Equal(t, []string{
		`f:8: unknown action "aprove" (allowed: read, write, approve, export, admin)`,
		`f:10: expires_at: invalid time "soon" (want RFC 3339, e.g. 2026-10-31T00:00:00Z)`,
		`f:14: same_as[1]: "ghost" does not exist (want the id of an Identity)`,
		`f:20: missing required field "principal"`,
		`f:20: missing required field "action"`,
		`f:20: missing required field "resource"`,
	}, messages(t, err))
}

func TestSecretsRejectedWithoutEcho(t *testing.T) {
	const secret = "hunter2-Sup3rS3cret"
	tests := []struct {
		name string
		recs []ingest.Record
		hdr  []ingest.Field
		want string
	}{
		{
			name: "credential password",
			recs: []ingest.Record{rec("credentials", 0, fld("id", str("c1")), fld("identity", str("alice")), fld("type", str("password")), fld("password", str(secret)))},
			want: `f: /credentials/0/password: field "password" carries a secret; reachgraph never stores secret values: remove it from the input (the value is not shown)`,
		},
		{
			name: "private key in any case",
			recs: []ingest.Record{rec("credentials", 0, fld("id", str("c1")), fld("identity", str("alice")), fld("type", str("ssh_key")), fld("Private-Key", str(secret)))},
			want: `f: /credentials/0/Private-Key: field "Private-Key" carries a secret; reachgraph never stores secret values: remove it from the input (the value is not shown)`,
		},
		{
			name: "token on an identity",
			recs: []ingest.Record{rec("identities", 1, fld("id", str("bot")), fld("type", str("bot")), fld("token", str(secret)))},
			want: `f: /identities/1/token: field "token" carries a secret; reachgraph never stores secret values: remove it from the input (the value is not shown)`,
		},
		{
			name: "secret inside owners",
			recs: []ingest.Record{rec("identities", 1, fld("id", str("bot")), fld("type", str("bot")), fld("owners", obj(fld("secret", str(secret)))))},
			want: `f: /identities/1/owners/secret: field "owners.secret" carries a secret; reachgraph never stores secret values: remove it from the input (the value is not shown)`,
		},
		{
			name: "secret as a tag",
			recs: []ingest.Record{rec("identities", 1, fld("id", str("bot")), fld("type", str("bot")), fld("tags", txt("env=prod;client_secret="+secret)))},
			want: `f: /identities/1/tags/client_secret: tag "client_secret" names a secret; reachgraph never stores secret values: remove it from the input (the value is not shown)`,
		},
		{
			name: "secret in the header",
			hdr:  append(header("t"), fld("value", str(secret))),
			want: `f: /value: field "value" carries a secret; reachgraph never stores secret values: remove it from the input (the value is not shown)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := tt.hdr
			if hdr == nil {
				hdr = header("t")
			}
			_, _, err := run(t, ingest.Options{}, "b.json", doc{header: hdr, recs: append(base(), tt.recs...)})
			require.Equal(t, []string{tt.want}, messages(t, err))
			require.NotContains(t, err.Error(), secret)
		})
	}
}

func TestHeaderProblems(t *testing.T) {
	tests := []struct {
		name string
		hdr  []ingest.Field
		want []string
	}{
		{name: "empty header", hdr: []ingest.Field{}, want: []string{`f: missing required field "format"`, `f: missing required field "source"`}},
		{name: "wrong format", hdr: []ingest.Field{fld("format", str("reachgraph/v2")), fld("source", str("x"))},
			want: []string{`f: /format: unknown format "reachgraph/v2" (allowed: reachgraph/v1)`}},
		{name: "empty source", hdr: []ingest.Field{fld("format", str("reachgraph/v1")), fld("source", str(""))},
			want: []string{`f: /source: must not be empty`}},
		{name: "bad collected_at", hdr: append(header("x"), fld("collected_at", str("yesterday"))),
			want: []string{`f: /collected_at: invalid time "yesterday" (want RFC 3339, e.g. 2026-10-31T00:00:00Z)`}},
		{name: "unknown top-level field", hdr: append(header("x"), fld("sytems", list())),
			want: []string{`f: /sytems: unknown field "sytems" (did you mean "systems"?)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := run(t, ingest.Options{}, "b.json", doc{header: tt.hdr})
			require.Equal(t, tt.want, messages(t, err))
		})
	}
}

func TestMissingHeaderReported(t *testing.T) {
	_, _, err := run(t, ingest.Options{}, "b.json", doc{recs: base()})
	msgs := messages(t, err)
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0], "missing bundle header: format, source, collected_at")
}

func TestDefaultsAndConversion(t *testing.T) {
	recs := append(base(),
		rec("groups", 1, fld("id", str("plain"))),
		rec("identities", 1, fld("id", str("bob")), fld("type", str("service_account")),
			fld("owners", obj(fld("business", str("cfo")))), fld("tags", txt("b=2;a=1=x")),
			fld("created_at", str("2026-10-30T23:00:00-02:00")), fld("same_as", txt("alice")),
			fld("shared", boolv("true")), fld("status", str(""))),
		rec("credentials", 0, fld("id", str("c1")), fld("identity", str("bob")), fld("type", str("api_key")),
			fld("rotation_days", num("90")), fld("systems", list(str("sap"))), fld("vaulted", txt("true"))),
		rec("resources", 1, fld("id", str("je2")), fld("system", str("sap")), fld("sox_scope", boolv("false"))),
	)
	st, meta, err := run(t, ingest.Options{}, "b.json", doc{header: header("t"), recs: recs})
	require.NoError(t, err)
	d := st.data
	require.Equal(t, "group", string(d.GroupList[1].Type))
	require.Equal(t, "role", string(d.GroupList[0].Type))
	bob := d.IdentityList[1]
	require.Equal(t, "active", string(bob.Status))
	require.Equal(t, "cfo", bob.Owners.Business)
	require.Equal(t, map[string]string{"a": "1=x", "b": "2"}, bob.Tags)
	require.Equal(t, "2026-10-31T01:00:00Z", bob.CreatedAt.Format("2006-01-02T15:04:05Z07:00"))
	require.Equal(t, []string{"alice"}, bob.SameAs)
	require.True(t, bob.Shared)
	require.Equal(t, 90, d.CredentialList[0].RotationDays)
	require.True(t, d.CredentialList[0].Vaulted)
	require.Nil(t, d.ResourceList[0].SOXScope)
	require.NotNil(t, d.ResourceList[1].SOXScope)
	require.False(t, *d.ResourceList[1].SOXScope)
	require.Equal(t, 1, len(meta.Files))
}

func TestDelegationKindDefaultsToOther(t *testing.T) {
	docs := map[string]doc{"a.json": {header: header("src"), recs: []ingest.Record{
		rec("identities", 0, fld("id", str("a")), fld("type", str("human"))),
		rec("identities", 1, fld("id", str("b")), fld("type", str("service_account"))),
		rec("delegations", 0, fld("from", str("a")), fld("to", str("b"))),
	}}}
	path := tempFile(t, "a.json", "a")
	st := &fakeStore{}
	_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: path}},
		ingest.Options{Readers: ingest.Readers{Bundle: feed(map[string]doc{path: docs["a.json"]})}})
	require.NoError(t, err)
	require.Len(t, st.data.DelegationList, 1)
	require.Equal(t, schema.DelegOther, st.data.DelegationList[0].Kind)
}
