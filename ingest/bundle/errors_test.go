package bundle_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
)

const secretValue = "hunter2-Sup3rS3cret"

const allowedTypes = "(allowed: human, service_account, application, api_client, workload, bot, ai_agent)"
const allowedActions = "(allowed: read, write, approve, export, admin)"
const secretMsg = "reachgraph never stores secret values: remove it from the input (the value is not shown)"

// The same mistakes in each syntax, each reported at its exact position.

func TestYAMLProblems(t *testing.T) {
	path := write(t, t.TempDir(), "b.yaml", `format: reachgraph/v1
source: t
systems:
  - id: sap
    sox_scope: yes
identities:
  - id: bob
    type: robot
    password: `+secretValue+`
grants:
  - {principal: bob, action: aprove, resource: sap, acton: x}
  - principal: bob
    action: read
    resource: nope
resources:
  - {id: r1, system: sap, parent: r2}
  - {id: r2, system: sap, parent: r1}
  - {id: sap, system: sap}
credentials:
  - id: c1
    identity: bob
    type: token
    systems:
      - sap
      - r1
    created_at: 2026-10-31
`)
	msgs, ve := problems(t, ingest.Options{}, path)
	require.Equal(t, []string{
		path + `:5: sox_scope: expected true or false, got a string "yes"`,
		path + `:8: unknown type "robot" ` + allowedTypes,
		path + `:9: field "password" carries a secret; ` + secretMsg,
		path + `:11: unknown action "aprove" ` + allowedActions,
		path + `:11: unknown field "acton" (did you mean "action"?)`,
		path + `:14: resource: "nope" does not exist (want the id of a System or Resource)`,
		path + `:16: parent: resource parent chain is a cycle: "r1" → "r2" → "r1"`,
		path + `:18: duplicate id "sap" (already used by a System in ` + path + `)`,
		path + `:25: systems[1]: "r1" is a Resource, not a System`,
		path + `:26: created_at: invalid time "2026-10-31" (want RFC 3339, e.g. 2026-10-31T00:00:00Z)`,
	}, msgs)
	require.NotContains(t, ve.Error(), secretValue)
}

func TestJSONProblems(t *testing.T) {
	path := write(t, t.TempDir(), "b.json", `{"format": "reachgraph/v1", "source": "t",
"systems": [{"id": "sap", "sox_scope": "yes"}],
"identities": [{"id": "bob", "type": "robot", "password": "`+secretValue+`"}],
"grants": [
  {"principal": "bob", "action": "aprove", "resource": "sap", "acton": "x"},
  {"principal": "bob", "action": "read", "resource": "nope"}
],
"resources": [{"id": "r1", "system": "sap", "parent": "r2"}, {"id": "r2", "system": "sap", "parent": "r1"}, {"id": "sap", "system": "sap"}],
"credentials": [{"id": "c1", "identity": "bob", "type": "token", "systems": ["sap", "r1"], "created_at": "2026-10-31",
  "tags": {"a/b~c": "x"}}]
}`)
	msgs, ve := problems(t, ingest.Options{}, path)
	require.Equal(t, []string{
		path + `: /systems/0/sox_scope: expected true or false, got a string "yes"`,
		path + `: /identities/0/type: unknown type "robot" ` + allowedTypes,
		path + `: /identities/0/password: field "password" carries a secret; ` + secretMsg,
		path + `: /grants/0/action: unknown action "aprove" ` + allowedActions,
		path + `: /grants/0/acton: unknown field "acton" (did you mean "action"?)`,
		path + `: /resources/2/id: duplicate id "sap" (already used by a System in ` + path + `)`,
		path + `: /credentials/0/created_at: invalid time "2026-10-31" (want RFC 3339, e.g. 2026-10-31T00:00:00Z)`,
		path + `: /credentials/0/tags: unknown field "tags"`,
		path + `: /credentials/0/systems/1: "r1" is a Resource, not a System`,
		path + `: /grants/1/resource: "nope" does not exist (want the id of a System or Resource)`,
		path + `: /resources/0/parent: resource parent chain is a cycle: "r1" → "r2" → "r1"`,
	}, msgs)
	require.NotContains(t, ve.Error(), secretValue)
}

func TestCSVProblems(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "bundle.csv", "format,source\nreachgraph/v1,t\n")
	write(t, dir, "systems.csv", "id,sox_scope\nsap,yes\n")
	write(t, dir, "identities.csv", "id,type,password\nbob,robot,"+secretValue+"\n")
	write(t, dir, "grants.csv", "principal,action,resource,acton\nbob,aprove,sap,x\nbob,read,nope,\n")
	write(t, dir, "resources.csv", "id,system,parent\nr1,sap,r2\nr2,sap,r1\nsap,sap,\n")
	write(t, dir, "credentials.csv", "id,identity,type,systems,created_at\nc1,bob,token,sap;r1,2026-10-31\n")
	f := func(name string) string { return filepath.Join(dir, name) }
	msgs, ve := problems(t, ingest.Options{}, dir)
	require.Equal(t, []string{
		f("systems.csv") + `:2: sox_scope: expected true or false, got text "yes"`,
		f("resources.csv") + `:2: parent: resource parent chain is a cycle: "r1" → "r2" → "r1"`,
		f("resources.csv") + `:4: duplicate id "sap" (already used by a System in ` + f("systems.csv") + `)`,
		f("identities.csv") + `:1: column "password" carries a secret; ` + secretMsg,
		f("identities.csv") + `:2: unknown type "robot" ` + allowedTypes,
		f("grants.csv") + `:1: unknown column "acton" (did you mean "action"?)`,
		f("grants.csv") + `:2: unknown action "aprove" ` + allowedActions,
		f("grants.csv") + `:3: resource: "nope" does not exist (want the id of a System or Resource)`,
		f("credentials.csv") + `:2: created_at: invalid time "2026-10-31" (want RFC 3339, e.g. 2026-10-31T00:00:00Z)`,
		f("credentials.csv") + `:2: systems[1]: "r1" is a Resource, not a System`,
	}, msgs)
	require.NotContains(t, ve.Error(), secretValue)
}

func TestCSVDirectoryProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // with DIR for the directory
	}{
		{
			name:  "missing bundle.csv and unknown files",
			files: map[string]string{"grant.csv": "x\n", "Systems.csv": "id\n", "notes.txt": "ignored"},
			want: []string{
				"DIR/Systems.csv: unknown CSV file (did you mean \"systems.csv\"?) (allowed: bundle.csv, systems.csv, resources.csv, identities.csv, groups.csv, memberships.csv, grants.csv, credentials.csv, delegations.csv)",
				"DIR/grant.csv: unknown CSV file (did you mean \"grants.csv\"?) (allowed: bundle.csv, systems.csv, resources.csv, identities.csv, groups.csv, memberships.csv, grants.csv, credentials.csv, delegations.csv)",
				"DIR/bundle.csv: missing bundle.csv: a CSV bundle needs it, with the header format,source,collected_at and one row",
			},
		},
		{
			name: "missing required column reported once",
			files: map[string]string{
				"bundle.csv":     "format,source\nreachgraph/v1,t\n",
				"identities.csv": "id,type\nalice,human\n",
				"grants.csv":     "principal,resource\nalice,x\nalice,y\nalice,z\n",
			},
			want: []string{
				`DIR/grants.csv:1: missing required column "action"`,
				`DIR/grants.csv:2: resource: "x" does not exist (want the id of a System or Resource)`,
				`DIR/grants.csv:3: resource: "y" does not exist (want the id of a System or Resource)`,
				`DIR/grants.csv:4: resource: "z" does not exist (want the id of a System or Resource)`,
			},
		},
		{
			name: "header file problems",
			files: map[string]string{
				"bundle.csv": "format,source,collected_at\nreachgraph/v1,,2026-10-31\nreachgraph/v1,u,\n",
			},
			want: []string{
				`DIR/bundle.csv:2: collected_at: invalid time "2026-10-31" (want RFC 3339, e.g. 2026-10-31T00:00:00Z)`,
				`DIR/bundle.csv:2: missing required field "source"`,
				`DIR/bundle.csv:3: more than one data row; bundle.csv has exactly one`,
			},
		},
		{
			name:  "empty header file",
			files: map[string]string{"bundle.csv": ""},
			want:  []string{`DIR/bundle.csv:1: missing required field "format"`, `DIR/bundle.csv:1: missing required field "source"`},
		},
		{
			name: "row shape, quoting and encoding",
			files: map[string]string{
				"bundle.csv":  "\uFEFFformat,source\nreachgraph/v1,t\n",
				"systems.csv": "id,name\nsap,SAP,extra\nbad\"quote,x\n\"multi\nline\",\xff\xfe\nok,fine\n",
			},
			want: []string{
				`DIR/systems.csv:2: row has 3 cells, the header has 2`,
				`DIR/systems.csv:3: invalid CSV: bare " in non-quoted-field (column 4)`,
				`DIR/systems.csv:4: name: invalid UTF-8`,
			},
		},
		{
			name: "duplicate columns and lists",
			files: map[string]string{
				"bundle.csv":     "format,source\nreachgraph/v1,t\n",
				"identities.csv": "id,type,id,tags,owner_business,owners_technical\nbob,human,x,a=1;b,o,\n",
			},
			want: []string{
				`DIR/identities.csv:1: duplicate column "id"`,
				`DIR/identities.csv:1: unknown column "owners_technical" (did you mean "owner_technical"?)`,
				`DIR/identities.csv:2: tags: expected key=value pairs separated by ";", got "b"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				write(t, dir, name, content)
			}
			msgs, _ := problems(t, ingest.Options{}, dir)
			for i := range tt.want {
				tt.want[i] = strings.ReplaceAll(tt.want[i], "DIR", filepath.ToSlash(dir))
			}
			require.Equal(t, tt.want, msgs)
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		want    string // with PATH for the file
	}{
		{name: "json bad object", file: "b.json", content: "{\"format\": \"reachgraph/v1\", \"source\": \"t\",\n\"grants\": [\n{\"principal\": \"a\",,}]}",
			want: `PATH:3: /grants/0: invalid JSON: invalid character ',', expected a string for an object key`},
		{name: "json truncated", file: "b.json", content: `{"format": "reachgraph/v1", "grants": [{"principal": "a"`,
			want: `PATH:1: /grants/0: invalid JSON: unexpected end of input, expected ',' or '}' after an object value`},
		{name: "json trailing data", file: "b.json", content: "{\"format\": \"reachgraph/v1\", \"source\": \"t\"}\n\n x",
			want: `PATH:3: invalid JSON: invalid character 'x' after the bundle object`},
		{name: "json trailing comma after a section", file: "b.json", content: `{"format": "reachgraph/v1", "systems": [{"id": "a"}],`,
			want: `PATH:1: invalid JSON: unexpected end of input, expected an object key`},
		{name: "yaml invalid utf-8 in a quoted string", file: "b.yaml", content: "format: reachgraph/v1\nsource: \"a\xffb\"\n",
			want: `PATH:2: invalid YAML: invalid leading UTF-8 octet`},
		{name: "yaml truncated utf-8", file: "b.yaml", content: "format: reachgraph/v1\nsource: ok\nsystems:\n  - {id: \"\xc3\"}\n",
			want: `PATH:4: invalid YAML: invalid trailing UTF-8 octet`},
		{name: "yaml control character", file: "b.yaml", content: "format: reachgraph/v1\nsource: ok\n\nsystems:\n  - {id: a, name: \"x\x01y\"}\n",
			want: `PATH:5: invalid YAML: control characters are not allowed`},
		{name: "json not an object", file: "b.json", content: "[1, 2]",
			want: `PATH:1: invalid JSON: a bundle is a JSON object; found '['`},
		{name: "json empty", file: "b.json", content: "  \n",
			want: `PATH:2: invalid JSON: empty document, expected a JSON object`},
		{name: "json bad escape", file: "b.json", content: `{"format": "reachgraph/v1", "source": "a\qb"}`,
			want: `PATH:1: /source: invalid JSON: invalid escape "\\q" in a string`},
		{name: "json raw control character", file: "b.json", content: "{\"source\": \"a\tb\"}",
			want: `PATH:1: /source: invalid JSON: invalid control character 0x09 in a string (escape it)`},
		{name: "json bad number", file: "b.json", content: `{"systems": [{"id": "x", "sox_scope": 01}]}`,
			want: `PATH:1: /systems/0: invalid JSON: invalid character '1', expected ',' or '}' after an object value`},
		{name: "json too deep", file: "b.json", content: `{"systems": [` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `]}`,
			want: `PATH:1: /systems/0: invalid JSON: nesting deeper than 256 levels`},
		{name: "json invalid utf-8", file: "b.json", content: "{\"source\": \"a\xffb\"}",
			want: `PATH:1: /source: invalid JSON: invalid UTF-8 in a string`},
		{name: "yaml syntax", file: "b.yaml", content: "format: reachgraph/v1\nsource: [t\ngrants:\n",
			want: `PATH:2: invalid YAML: did not find expected ',' or ']'`},
		{name: "yaml scanner error", file: "b.yaml", content: "format: reachgraph/v1\nsource: t\nsystems:\n\t- id: a\n",
			want: `PATH:4: invalid YAML: found character that cannot start any token`},
		{name: "yaml two documents", file: "b.yaml", content: "format: reachgraph/v1\nsource: t\n---\nsource: u\n",
			want: `PATH:3: more than one YAML document; a bundle is one document`},
		{name: "yaml not a mapping", file: "b.yaml", content: "- a\n- b\n",
			want: `PATH:1: a bundle is a YAML mapping with format, source and the sections; found a list`},
		{name: "yaml empty", file: "b.yaml", content: "# nothing\n",
			want: `PATH: empty document, expected a YAML mapping with format, source and the sections`},
		{name: "yaml invalid utf-8", file: "b.yaml", content: "format: reachgraph/v1\nsource: \xff\n",
			want: `PATH:2: invalid YAML: invalid leading UTF-8 octet`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(t, t.TempDir(), tt.file, tt.content)
			msgs, _ := problems(t, ingest.Options{}, path)
			require.Equal(t, []string{strings.ReplaceAll(tt.want, "PATH", path)}, msgs)
		})
	}
}

// A syntax error stops the file; references into the unread rest must not be
// reported as dangling, nor the header as missing.
func TestSyntaxErrorSuppressesWholeFileChecks(t *testing.T) {
	path := write(t, t.TempDir(), "b.json", `{"grants": [{"principal": "later", "action": "read", "resource": "later"}], "systems": [{"id": "x",, }]}`)
	msgs, _ := problems(t, ingest.Options{}, path)
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0], "/systems/0: invalid JSON")
}

func TestSectionShapeProblems(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		want    []string
	}{
		{name: "json section not a list", file: "b.json", content: `{"format": "reachgraph/v1", "source": "t", "grants": {"a": 1}, "systems": null}`,
			want: []string{`PATH: /grants: expected a list of grants`}},
		{name: "json element not an object", file: "b.json", content: `{"format": "reachgraph/v1", "source": "t", "systems": [{"id": "a"}, 7, "x"]}`,
			want: []string{`PATH: /systems/1: expected an object, got a number`, `PATH: /systems/2: expected an object, got a string`}},
		{name: "json section twice", file: "b.json", content: `{"format": "reachgraph/v1", "source": "t", "systems": [], "systems": [{"id": "a"}]}`,
			want: []string{`PATH: /systems: section "systems" given twice`}},
		{name: "json unknown key with a big value is skipped", file: "b.json", content: `{"format": "reachgraph/v1", "source": "t", "sytems": [{"id": "a", "x": [1, {"y": "]"}]}], "secret": "s"}`,
			want: []string{`PATH: /sytems: unknown field "sytems" (did you mean "systems"?)`, `PATH: /secret: field "secret" carries a secret; ` + secretMsg}},
		{name: "yaml section not a list", file: "b.yaml", content: "format: reachgraph/v1\nsource: t\ngrants: {a: 1}\nsystems:\n",
			want: []string{`PATH:3: expected a list of grants, found a mapping`}},
		{name: "yaml element not a mapping", file: "b.yaml", content: "format: reachgraph/v1\nsource: t\nsystems:\n  - id: a\n  - just text\n",
			want: []string{`PATH:5: expected an object in systems, found a scalar "just text"`}},
		{name: "yaml merge keys", file: "b.yaml", content: "format: reachgraph/v1\nsource: t\nsystems:\n  - &s {id: a}\n  - <<: *s\n    id: b\n",
			want: []string{`PATH:5: merge keys (<<) are not supported; write the fields out`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(t, t.TempDir(), tt.file, tt.content)
			msgs, _ := problems(t, ingest.Options{}, path)
			for i := range tt.want {
				tt.want[i] = strings.ReplaceAll(tt.want[i], "PATH", path)
			}
			require.Equal(t, tt.want, msgs)
		})
	}
}

func TestYAMLAliases(t *testing.T) {
	path := write(t, t.TempDir(), "b.yaml", `format: reachgraph/v1
source: t
systems:
  - &sap {id: sap, kind: erp}
identities:
  - {id: a, type: human, tags: &tags {env: prod}}
  - {id: b, type: human, tags: *tags}
`)
	d := mustLoad(t, path)
	require.Equal(t, map[string]string{"env": "prod"}, d.IdentityList[1].Tags)

	// Aliases that multiply the work are cut off, not followed: each system
	// would drag in 1000 fields of 1000 items (10^8 nodes from 10^4 written).
	var b strings.Builder
	b.WriteString("format: reachgraph/v1\nsource: t\nl: &l [" + strings.Repeat("x, ", 999) + "x]\nm: &m {")
	for i := range 1000 {
		fmt.Fprintf(&b, "f%d: *l, ", i)
	}
	b.WriteString("}\nsystems: [" + strings.Repeat("*m, ", 99) + "*m]\n")
	path = write(t, t.TempDir(), "laughs.yaml", b.String())
	_, ve := problems(t, ingest.Options{}, path)
	require.Contains(t, ve.Error(), "aliases expand to too many nodes; write the data out")
}

func TestAllProblemsOfAFileTogetherUpToTheCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("format: reachgraph/v1\nsource: t\nsystems:\n  - {id: sap}\ngrants:\n")
	for range 130 {
		b.WriteString("  - {principal: sap, action: own, resource: sap}\n")
	}
	path := write(t, t.TempDir(), "b.yaml", b.String())
	tests := []struct {
		name        string
		max         int
		wantShown   int
		wantOmitted int
	}{
		{name: "default", max: 0, wantShown: 100, wantOmitted: 160},
		{name: "custom", max: 10, wantShown: 10, wantOmitted: 250},
		{name: "unlimited", max: -1, wantShown: 260, wantOmitted: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, ve := problems(t, ingest.Options{MaxProblemsPerFile: tt.max}, path)
			require.Len(t, msgs, tt.wantShown)
			require.Equal(t, tt.wantOmitted, ve.Omitted)
			require.Equal(t, path+`:6: unknown action "own" `+allowedActions, msgs[0])
		})
	}
}

// TestWindowProblems: a bad validity window bound is reported at its field,
// in every syntax.
func TestWindowProblems(t *testing.T) {
	dir := t.TempDir()
	yamlPath := write(t, dir, "w.yaml", `format: reachgraph/v1
source: t
identities: [{id: bob, type: human}]
groups: [{id: g}]
memberships:
  - {member: bob, group: g, valid_from: tomorrow}
delegations:
  - {from: g, to: bob, expires_at: 2026-10-31}
`)
	msgs, _ := problems(t, ingest.Options{}, yamlPath)
	require.Equal(t, []string{
		yamlPath + `:6: valid_from: invalid time "tomorrow" (want RFC 3339, e.g. 2026-10-31T00:00:00Z)`,
		yamlPath + `:8: expires_at: invalid time "2026-10-31" (want RFC 3339, e.g. 2026-10-31T00:00:00Z)`,
	}, msgs)
	jsonPath := write(t, dir, "w.json", `{"format": "reachgraph/v1", "source": "t",
 "identities": [{"id": "bob", "type": "human"}], "groups": [{"id": "g"}],
 "grants": [{"principal": "g", "action": "read", "resource": "s", "valid_from": "soon"}],
 "systems": [{"id": "s"}]}`)
	msgs, _ = problems(t, ingest.Options{}, jsonPath)
	require.Equal(t, []string{
		jsonPath + `: /grants/0/valid_from: invalid time "soon" (want RFC 3339, e.g. 2026-10-31T00:00:00Z)`,
	}, msgs)
}
