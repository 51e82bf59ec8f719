package ingest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/ingest"
)

// entry is one record a fake source hands over, with Add or, when ph is set,
// with AddPlaceholder.
type entry struct {
	rec ingest.Record
	ph  bool
}

func reg(r ingest.Record) entry { return entry{rec: r} }
func ph(r ingest.Record) entry  { return entry{rec: r, ph: true} }

// ident is an identity record with a name, to tell declarations apart.
func ident(index int, id, name string) ingest.Record {
	return rec("identities", index, fld("id", str(id)), fld("type", str("human")), fld("name", str(name)))
}

// credFor is a credential of identity id.
func credFor(index int, cid, id string) ingest.Record {
	return rec("credentials", index, fld("id", str(cid)), fld("identity", str(id)), fld("type", str("access_key")))
}

// src is one fake source: its file name and its records (after a header).
type src struct {
	name    string
	entries []entry
}

// feedEntries is a ReadFunc handing each path's entries to the loader.
func feedEntries(byPath map[string][]entry) ingest.ReadFunc {
	return func(_ context.Context, path string, in *ingest.Input) error {
		f, err := in.Open(path)
		if err != nil {
			return err
		}
		f.Header(header("t"), 0)
		for _, e := range byPath[path] {
			r := e.rec
			if e.ph {
				f.AddPlaceholder(&r)
			} else {
				f.Add(&r)
			}
		}
		return f.Close()
	}
}

// loadSources loads srcs (each a file of its own, in a fresh directory, with
// the same content for the same name) into st and returns the paths.
func loadSources(t *testing.T, st graph.Ingester, srcs ...src) ([]string, graph.SnapshotMeta, error) {
	t.Helper()
	return loadSourcesWith(t, st, held, srcs...)
}

// loadSourcesWith is loadSources with the record buffers held in memory
// (held) or spilled (ingest.SpillEverything).
func loadSourcesWith(t *testing.T, st graph.Ingester, mode func(ingest.Options) ingest.Options, srcs ...src) ([]string, graph.SnapshotMeta, error) {
	t.Helper()
	byPath := map[string][]entry{}
	var sources []ingest.Source
	var paths []string
	for _, s := range srcs {
		p := tempFile(t, s.name, "input "+s.name+"\n")
		byPath[p] = s.entries
		paths = append(paths, p)
		sources = append(sources, ingest.Source{Path: p, Format: ingest.FormatAWSIAM})
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	meta, err := ingest.Load(context.Background(), st, sources,
		mode(ingest.Options{Readers: ingest.Readers{AWSIAM: feedEntries(byPath)}, Now: func() time.Time { return now }}))
	return paths, meta, err
}

func identityNames(d *graph.Dataset) []string {
	return ids(d.IdentityList, func(i graph.Identity) string { return i.ID + "=" + i.Name })
}

// TestPlaceholderSupersededByRegular: a regular declaration of the same id
// wins whether it comes in a later source, an earlier source, or later or
// earlier in the same file; the placeholder is dropped without a problem.
func TestPlaceholderSupersededByRegular(t *testing.T) {
	report := func(entries ...entry) src { return src{name: "report.csv", entries: entries} }
	details := func(entries ...entry) src { return src{name: "details.json", entries: entries} }
	tests := []struct {
		name string
		srcs []src
		want []string
	}{
		{
			name: "regular in a later source",
			srcs: []src{
				report(ph(ident(0, "bob", "report bob")), reg(credFor(0, "k1", "bob")), ph(ident(1, "carol", "report carol"))),
				details(reg(ident(0, "alice", "Alice")), reg(ident(1, "bob", "Bob"))),
			},
			want: []string{"carol=report carol", "alice=Alice", "bob=Bob"},
		},
		{
			name: "regular in an earlier source",
			srcs: []src{
				details(reg(ident(0, "alice", "Alice")), reg(ident(1, "bob", "Bob"))),
				report(ph(ident(0, "bob", "report bob")), reg(credFor(0, "k1", "bob")), ph(ident(1, "carol", "report carol"))),
			},
			want: []string{"alice=Alice", "bob=Bob", "carol=report carol"},
		},
		{
			name: "same file, placeholder first",
			srcs: []src{report(ph(ident(0, "bob", "report bob")), reg(credFor(0, "k1", "bob")), reg(ident(1, "bob", "Bob")))},
			want: []string{"bob=Bob"},
		},
		{
			name: "same file, regular first",
			srcs: []src{report(reg(ident(0, "bob", "Bob")), ph(ident(1, "bob", "report bob")), reg(credFor(0, "k1", "bob")))},
			want: []string{"bob=Bob"},
		},
	}
	for _, tt := range tests {
		for name, mode := range bufferModes {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				st := &fakeStore{}
				_, _, err := loadSourcesWith(t, st, mode, tt.srcs...)
				require.NoError(t, err)
				require.True(t, st.committed)
				require.Equal(t, tt.want, identityNames(st.data))
				require.Len(t, st.data.CredentialList, 1)
			})
		}
	}
}

// TestPlaceholderFirstOfSeveralKept: of placeholders with one id the first in
// load order is kept, across files and within one.
func TestPlaceholderFirstOfSeveralKept(t *testing.T) {
	st := &fakeStore{}
	_, _, err := loadSources(t, st,
		src{name: "a.csv", entries: []entry{ph(ident(0, "bob", "first")), ph(ident(1, "bob", "second"))}},
		src{name: "b.csv", entries: []entry{ph(ident(0, "bob", "third")), ph(ident(1, "dan", "dan"))}},
	)
	require.NoError(t, err)
	require.Equal(t, []string{"bob=first", "dan=dan"}, identityNames(st.data))
}

// TestPlaceholderKindConflict: a placeholder and a declaration of another kind
// with the same id are a duplicate id, whichever comes first; the problem is
// at the later one and names the earlier one.
func TestPlaceholderKindConflict(t *testing.T) {
	system := rec("systems", 0, fld("id", str("x")))
	tests := []struct {
		name  string
		first []entry
		then  []entry
		want  func(a string) ingest.Problem
	}{
		{
			name:  "placeholder, then a regular record of another kind",
			first: []entry{ph(ingest.Record{Section: "identities", Pointer: "/Users/4", Fields: []ingest.Field{fld("id", str("x")), fld("type", str("human"))}})},
			then:  []entry{reg(system)},
			want: func(a string) ingest.Problem {
				return ingest.Problem{Pointer: "/systems/0/id", Msg: `duplicate id "x" (already used by a placeholder Identity in ` + a + ` at /Users/4/id)`}
			},
		},
		{
			name:  "placeholder with lines, then a regular record of another kind",
			first: []entry{ph(ingest.Record{Section: "identities", Line: 7, Fields: []ingest.Field{fld("id", str("x")), fld("type", str("human"))}})},
			then:  []entry{reg(system)},
			want: func(a string) ingest.Problem {
				return ingest.Problem{Pointer: "/systems/0/id", Msg: `duplicate id "x" (already used by a placeholder Identity in ` + a + ` at line 7)`}
			},
		},
		{
			name:  "regular record, then a placeholder of another kind",
			first: []entry{reg(system)},
			then:  []entry{ph(ident(2, "x", "x"))},
			want: func(a string) ingest.Problem {
				return ingest.Problem{Pointer: "/identities/2/id", Msg: `duplicate id "x" of a placeholder Identity (already used by a System in ` + a + `)`}
			},
		},
		{
			name:  "placeholders of two kinds",
			first: []entry{ph(rec("groups", 1, fld("id", str("x"))))},
			then:  []entry{ph(ident(2, "x", "x"))},
			want: func(a string) ingest.Problem {
				return ingest.Problem{Pointer: "/identities/2/id", Msg: `duplicate id "x" of a placeholder Identity (already used by a placeholder Group in ` + a + ` at /groups/1/id)`}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &fakeStore{}
			paths, _, err := loadSources(t, st, src{name: "a.json", entries: tt.first}, src{name: "b.json", entries: tt.then})
			var ve *ingest.ValidationError
			require.ErrorAs(t, err, &ve)
			want := tt.want(paths[0])
			want.File = paths[1]
			require.Equal(t, []ingest.Problem{want}, ve.Problems)
			require.Zero(t, st.calls)
		})
	}
}

// TestPlaceholderResolvesReference: a credential of a user nobody else
// declares loads when the user is a placeholder, and fails without it.
func TestPlaceholderResolvesReference(t *testing.T) {
	details := src{name: "details.json", entries: []entry{reg(ident(0, "alice", "Alice"))}}

	st := &fakeStore{}
	_, _, err := loadSources(t, st, details, src{name: "report.csv", entries: []entry{reg(credFor(0, "k1", "carol"))}})
	require.Equal(t, []string{`f: /credentials/0/identity: "carol" does not exist (want the id of an Identity)`}, messages(t, err))

	st = &fakeStore{}
	_, _, err = loadSources(t, st, details, src{name: "report.csv", entries: []entry{reg(credFor(0, "k1", "carol")), ph(ident(0, "carol", "carol"))}})
	require.NoError(t, err)
	require.Equal(t, []string{"alice=Alice", "carol=carol"}, identityNames(st.data))
	require.Equal(t, "carol", st.data.CredentialList[0].Identity)
}

// TestPlaceholderIsValidated: a placeholder's bad fields are problems at its
// position, whether it is kept or superseded.
func TestPlaceholderIsValidated(t *testing.T) {
	bad := ingest.Record{Section: "identities", Line: 3, Fields: []ingest.Field{
		{Name: "id", Value: txt("bob"), Line: 3}, {Name: "type", Value: txt("robot"), Line: 3}, {Name: "statuz", Value: txt("active"), Line: 3},
	}}
	for _, superseded := range []bool{false, true} {
		var details []entry
		if superseded {
			details = []entry{reg(ident(0, "bob", "Bob"))}
		}
		st := &fakeStore{}
		_, _, err := loadSources(t, st, src{name: "report.csv", entries: []entry{ph(bad)}}, src{name: "details.json", entries: details})
		msgs := messages(t, err)
		require.Len(t, msgs, 2, "superseded: %v: %q", superseded, msgs)
		require.True(t, strings.HasPrefix(msgs[0], `f:3: unknown type "robot" (allowed: human, `), msgs[0])
		require.Equal(t, `f:3: unknown field "statuz" (did you mean "status"?)`, msgs[1])
		require.Zero(t, st.calls)
	}
}

// TestPlaceholderSupersededLeavesNoParentLink: a superseded placeholder
// resource's parent does not count in the cycle check.
func TestPlaceholderSupersededLeavesNoParentLink(t *testing.T) {
	res := func(index int, id, parent string) ingest.Record {
		r := rec("resources", index, fld("id", str(id)), fld("system", str("sap")))
		if parent != "" {
			r.Fields = append(r.Fields, fld("parent", str(parent)))
		}
		return r
	}
	st := &fakeStore{}
	_, _, err := loadSources(t, st,
		src{name: "a.json", entries: []entry{reg(rec("systems", 0, fld("id", str("sap")))), ph(res(0, "r1", "r2"))}},
		src{name: "b.json", entries: []entry{reg(res(0, "r2", "r1")), reg(res(1, "r1", ""))}},
	)
	require.NoError(t, err)
	require.Equal(t, []graph.Resource{{ID: "r2", System: "sap", Parent: "r1"}, {ID: "r1", System: "sap"}}, st.data.ResourceList)
}

// TestPlaceholderSnapshotIDAsPlainLoad: a load with placeholders (kept and
// dropped, dropped out of input order) stores exactly what a load of the kept
// records alone stores, with the same snapshot id.
func TestPlaceholderSnapshotIDAsPlainLoad(t *testing.T) {
	withPlaceholders := []src{
		{name: "report.csv", entries: []entry{
			ph(ident(0, "p1", "report p1")), ph(ident(1, "p2", "report p2")), ph(ident(2, "p3", "report p3")),
			reg(credFor(0, "k1", "p1")), reg(credFor(1, "k2", "p2")), reg(credFor(2, "k3", "p3")),
			ph(ident(3, "p2", "again p2")),
		}},
		{name: "details.json", entries: []entry{
			reg(ident(0, "p3", "P3")), reg(ident(1, "alice", "Alice")), reg(ident(2, "p1", "P1")),
			ph(ident(3, "alice", "report alice")),
		}},
	}
	plain := []src{
		{name: "report.csv", entries: []entry{
			reg(ident(1, "p2", "report p2")),
			reg(credFor(0, "k1", "p1")), reg(credFor(1, "k2", "p2")), reg(credFor(2, "k3", "p3")),
		}},
		{name: "details.json", entries: []entry{
			reg(ident(0, "p3", "P3")), reg(ident(1, "alice", "Alice")), reg(ident(2, "p1", "P1")),
		}},
	}
	load := func(srcs []src) (graph.SnapshotMeta, *graph.Dataset) {
		st, err := memstore.OpenTemp(t.TempDir())
		require.NoError(t, err)
		defer st.Close()
		_, meta, err := loadSources(t, st, srcs...)
		require.NoError(t, err)
		r, err := st.Snapshot(context.Background(), meta.ID)
		require.NoError(t, err)
		d, err := graph.ReadAll(context.Background(), r)
		require.NoError(t, err)
		return meta, d
	}
	gotMeta, got := load(withPlaceholders)
	wantMeta, want := load(plain)
	require.Equal(t, []string{"p2=report p2", "p3=P3", "alice=Alice", "p1=P1"}, identityNames(got))
	require.Equal(t, identityNames(want), identityNames(got))
	require.Equal(t, want.CredentialList, got.CredentialList)
	require.Equal(t, wantMeta.ID, gotMeta.ID)
	require.Equal(t, wantMeta.Counts, gotMeta.Counts)
}

func TestPlaceholderOnEdgeSectionPanics(t *testing.T) {
	require.PanicsWithValue(t, "ingest: AddPlaceholder on section grants: only node sections (records with an id) can be placeholders", func() {
		_, _, _ = loadSources(t, &fakeStore{}, src{name: "a.json", entries: []entry{
			ph(rec("grants", 0, fld("principal", str("g")), fld("action", str("read")), fld("resource", str("je")))),
		}})
	})
}
