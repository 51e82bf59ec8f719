package neo4jstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/projection"
	recspool "github.com/reachgraph/reachgraph/graph/spool"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/schema"
)

// bothExports is a graph.Ingester that spools a snapshot once and exports
// it twice, with the typed writers (csvExport) and with the map rows of
// before (legacyExport, bulk_legacy_test.go), and requires the same error
// from both or, without one, the same files byte for byte. It counts the
// files it compared in *files.
type bothExports struct {
	t      *testing.T
	derive map[string]graph.DeriveFunc
	files  *int
}

// spilledReader reads d back as BulkImport.Ingest reads its records: from
// a spool whose chunks, past the first few, are in its temporary file.
func spilledReader(t *testing.T, meta graph.SnapshotMeta, d *graph.Dataset) graph.Reader {
	t.Helper()
	sp := recspool.New(meta, recspool.Options{Chunk: 512, Budget: 2 << 10, Dir: t.TempDir(), What: "records"})
	t.Cleanup(sp.Close)
	require.NoError(t, d.WriteTo(sp))
	require.NoError(t, sp.Finish())
	require.Equal(t, meta.ID, sp.Sum(), "the spool hashes the records as the dataset spool does")
	return sp.Reader(meta)
}

// bulkNow is the instant both exports write as the :Snapshot node's
// claimed_at and committed_at.
var bulkNow = time.Date(2026, time.November, 1, 12, 30, 15, 123456789, time.UTC)

func (b bothExports) Ingest(ctx context.Context, meta graph.SnapshotMeta, fn func(w graph.Writer) error) (graph.SnapshotMeta, error) {
	t := b.t
	t.Helper()
	meta, d, err := spool(ctx, meta, fn)
	require.NoError(t, err)
	root := t.TempDir()
	typed, maps := filepath.Join(root, "typed"), filepath.Join(root, "maps")
	require.NoError(t, os.Mkdir(typed, 0o755))
	require.NoError(t, os.Mkdir(maps, 0o755))
	kinds := nodeKinds(d)
	r := spilledReader(t, meta, d)
	errTyped := (&csvExport{dir: typed, snapshot: string(meta.ID), derive: b.derive,
		now: func() time.Time { return bulkNow }}).write(ctx, meta, r)
	errMaps := (&legacyExport{dir: maps, snapshot: string(meta.ID), kinds: kinds, derive: b.derive, now: bulkNow}).write(ctx, meta, d)
	if errMaps != nil || errTyped != nil {
		require.Error(t, errMaps, "%s: the map export succeeded where the typed one failed: %v", meta.Source, errTyped)
		require.Error(t, errTyped, "%s: the typed export succeeded where the map one failed: %v", meta.Source, errMaps)
		require.Equal(t, errMaps.Error(), errTyped.Error(), meta.Source)
		require.Equal(t, errors.Is(errMaps, ErrDanglingReference), errors.Is(errTyped, ErrDanglingReference))
		return meta, errTyped
	}
	legacyNumbered(t, maps)
	*b.files += sameFiles(t, meta.Source, maps, typed)
	require.Equal(t, filesWithNewlines(t, typed), multilineListed(t, typed),
		"%s: the files parsed as multiline are those with a field that holds a newline", meta.Source)
	return meta, nil
}

// sameFiles requires directories want and got to hold the same files with
// the same bytes (the argument file naming its own directory, and compared
// without its multiline options: the map export says
// --multiline-fields=true, the typed one lists files, multilineListed) and
// returns how many there are.
func sameFiles(t *testing.T, source, want, got string) int {
	t.Helper()
	names := func(dir string) []string {
		ents, err := os.ReadDir(dir)
		require.NoError(t, err)
		var out []string
		for _, e := range ents {
			out = append(out, e.Name())
		}
		return out
	}
	require.Equal(t, names(want), names(got), "%s: the files", source)
	for _, name := range names(want) {
		w, err := os.ReadFile(filepath.Join(want, name))
		require.NoError(t, err)
		g, err := os.ReadFile(filepath.Join(got, name))
		require.NoError(t, err)
		if name == ImportArgsFile {
			w = withoutMultiline(bytes.ReplaceAll(w, []byte(want), []byte("DIR")))
			g = withoutMultiline(bytes.ReplaceAll(g, []byte(got), []byte("DIR")))
		}
		if !bytes.Equal(w, g) {
			t.Fatalf("%s: %s differs from the map export's: %s", source, name, firstDifference(w, g))
		}
	}
	return len(names(want))
}

// withoutMultiline returns the lines of argument file args less the
// multiline options.
func withoutMultiline(args []byte) []byte {
	var out []byte
	for _, line := range bytes.SplitAfter(args, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte(`"--multiline-fields`)) {
			out = append(out, line...)
		}
	}
	return out
}

// importArgs returns the arguments of dir's ImportArgsFile.
func importArgs(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ImportArgsFile))
	require.NoError(t, err)
	var args []string
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		a, err := strconv.Unquote(line)
		require.NoError(t, err, line)
		args = append(args, a)
	}
	return args
}

// multilineListed returns the files dir's ImportArgsFile has the importer
// parse as multiline, sorted (nil for none), after checking the options'
// form: none, or `--multiline-fields-format=v2` then `--multiline-fields=`
// with a list of the files it imports.
func multilineListed(t *testing.T, dir string) []string {
	t.Helper()
	var listed, imported []string
	format := false
	for _, a := range importArgs(t, dir) {
		switch {
		case a == "--multiline-fields-format=v2":
			require.Nil(t, listed, "the format comes first")
			format = true
		case strings.HasPrefix(a, "--multiline-fields="):
			require.True(t, format, "%s without --multiline-fields-format=v2", a)
			require.Nil(t, listed, "one --multiline-fields")
			listed = strings.Split(strings.TrimPrefix(a, "--multiline-fields="), ",")
			require.NotEmpty(t, listed[0], a)
		case strings.HasPrefix(a, "--multiline"):
			t.Fatalf("unexpected option %s", a)
		case strings.HasPrefix(a, "--nodes=") || strings.HasPrefix(a, "--relationships="):
			_, path, _ := strings.Cut(strings.SplitN(a, "=", 2)[1], "=")
			imported = append(imported, path)
		}
	}
	require.Equal(t, format, listed != nil, "--multiline-fields-format=v2 without a list")
	require.Subset(t, imported, listed, "only files it imports")
	slices.Sort(listed)
	return listed
}

// filesWithNewlines reads every CSV file of dir (encoding/csv: the files
// are RFC 4180) and returns, sorted, the paths of those with a field that
// holds a CR or LF (nil for none).
func filesWithNewlines(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	require.NoError(t, err)
	require.NotEmpty(t, names)
	var out []string
	for _, name := range names {
		f, err := os.Open(name)
		require.NoError(t, err)
		r := csv.NewReader(f)
		r.ReuseRecord = true
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			require.NoError(t, err, name)
			if slices.ContainsFunc(rec, func(s string) bool { return strings.ContainsAny(s, "\r\n") }) {
				out = append(out, name)
				break
			}
		}
		require.NoError(t, f.Close())
	}
	return out
}

// firstDifference describes the first line where got differs from want.
func firstDifference(want, got []byte) string {
	wl, gl := bytes.SplitAfter(want, []byte("\n")), bytes.SplitAfter(got, []byte("\n"))
	for i := range max(len(wl), len(gl)) {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return fmt.Sprintf("line %d: want %q, got %q", i+1, w, g)
		}
	}
	return "same lines"
}

// exportDerived is the derived data both exports compute: the projection,
// data of several parts, and a derivation that fails (no row).
func exportDerived() map[string]graph.DeriveFunc {
	return map[string]graph.DeriveFunc{
		projection.StoredName: projection.Derive,
		"big": graph.DeriveData(func(_ context.Context, r graph.Reader) ([]byte, error) {
			out := make([]byte, 0, 2*derivedPart+5)
			sum := sha256.Sum256([]byte(r.Meta().ID))
			for len(out) < cap(out) {
				sum = sha256.Sum256(sum[:])
				out = append(out, sum[:min(len(sum), cap(out)-len(out))]...)
			}
			return out, nil
		}),
		"fails": graph.DeriveData(func(context.Context, graph.Reader) ([]byte, error) { return nil, errors.New("no") }),
	}
}

// awkward is a snapshot whose values test the CSV conventions: quotes,
// commas, CR/LF, unicode, empty ids and unset optional fields, times with
// nanoseconds in other zones, windows, lists and tags, references to
// undeclared nodes (no derived edge), and a metadata node with a
// collection time and files (collected is false: neither).
func awkward(collected bool) *graph.Dataset {
	zone := time.FixedZone("x", -(7*3600 + 30*60))
	t1 := time.Date(2025, time.March, 9, 23, 59, 59, 987654321, zone)
	t2 := time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
	t3 := time.Date(1999, time.December, 31, 12, 0, 0, 1000, time.FixedZone("y", 13*3600))
	yes, no := true, false
	d := &graph.Dataset{
		Info: graph.SnapshotMeta{Source: "awk,\"ward\"\nsource ✓", IngestedAt: t2},
		SystemList: []graph.System{
			{ID: `sys,"1"`, Name: "Ledger\nmain", SOXScope: true, Owner: "Zoë ✓"},
			{ID: "sys2"},
		},
		ResourceList: []graph.Resource{
			{ID: "r\r\n1", System: `sys,"1"`, Name: `a""b`, Kind: "journal_entry", SOXScope: &no},
			{ID: "r2", System: "sys2", Parent: "r\r\n1", SOXScope: &yes},
			{ID: "r3", System: "missing-system", Parent: "missing"},
			{ID: "日本語の資源", System: "sys2", Parent: "r2", Name: "\u202eRTL \U0001F600 e\u0301"},
		},
		IdentityList: []graph.Identity{
			{ID: "alice", Name: `Ålice "Al" O'Neil, Jr.`, Type: "human", Status: "active",
				Owners: graph.Owners{Business: "bob"}, Purpose: "multi\nline\r\npurpose", Shared: true, Vendor: "ACME, Inc.",
				CreatedAt: t1, CompensatingControls: []string{"c1", `quote"d`, "comma,sep", "日本語", "new\nline"},
				SameAs: []string{"bob"}, Tags: map[string]string{"b": "2", "a": `x"y`, "ü": "line\nbreak", ",": "\""}},
			{ID: "bob", NonhumanRationale: ",", BreakGlass: true, LastUsedAt: t3, Owners: graph.Owners{Technical: `"`}},
			{ID: ""},
		},
		GroupList: []graph.Group{
			{ID: "g,1", Type: "role", System: `sys,"1"`},
			{ID: "g2", Name: "\"\"\"", System: "nowhere"},
		},
		CredentialList: []graph.Credential{
			{ID: "k1", Identity: "alice", Type: "api_key", Systems: []string{`sys,"1"`, "sys2"}, CreatedAt: t3,
				LastRotatedAt: t1, ValidFrom: t1, ExpiresAt: t2, LastUsedAt: t2, RotationDays: 90, Revoked: true,
				Vaulted: true, StoredIn: "r2"},
			{ID: "k2", Identity: "ghost", StoredIn: "nowhere", RotationDays: -1},
			{ID: "k3"},
			{ID: "k4", Identity: "", StoredIn: "日本語の資源", Systems: []string{"a"}},
		},
		MembershipList: []graph.Membership{
			{Member: "alice", Group: "g,1", ValidFrom: t1, ExpiresAt: t2, Native: "AGR_USERS \"Z\"\n"},
			{Member: "g2", Group: "g,1", ExpiresAt: t3},
			{Member: "", Group: "g2"},
		},
		GrantList: []graph.Grant{
			{Principal: "alice", Action: "approve", Resource: "r\r\n1", Native: `perm,"x"`, Conditional: true,
				LastUsedAt: t3, ValidFrom: t1, ExpiresAt: t2},
			{Principal: "g2", Action: "read", Resource: `sys,"1"`, ValidFrom: t2},
			{Principal: "bob", Resource: "日本語の資源", Native: "\U0001F600"},
			{Principal: "", Action: "post", Resource: "r2", ExpiresAt: t1},
		},
		DelegationList: []graph.Delegation{
			{From: "alice", To: "bob", Kind: "assume_role", System: "sys2", Native: `{"Effect":"Allow",` + "\n}",
				ValidFrom: t1, ExpiresAt: t2},
			{From: "g2", To: "alice"},
			{From: "bob", To: "", System: "nowhere", ExpiresAt: t3},
		},
	}
	if collected {
		d.Info.CollectedAt = t1
		d.Info.Files = []graph.SourceFile{{Name: "a,b \"c\".yaml", SHA256: "00ff"}, {Name: "ü.csv", SHA256: "11ee"}}
	}
	return d
}

// TestBulkExportMatchesMapExport: the typed CSV writers write the files the
// map rows of before wrote, byte for byte — the finance sample, the rule
// fixtures, a synthetic graph, generated estates (tier S unless -short) and
// snapshots of awkward values, with derived data — and fail with the same
// errors on what the importer cannot carry or Store.Ingest refuses.
func TestBulkExportMatchesMapExport(t *testing.T) {
	ctx := context.Background()
	files := 0
	both := bothExports{t: t, derive: exportDerived(), files: &files}
	opts := ingest.Options{Now: func() time.Time { return bulkNow }}
	fixtures, err := filepath.Glob("../../testdata/rules/*/bundle.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, fixtures)
	for _, path := range append([]string{"../../testdata/finance/bundle.yaml"}, fixtures...) {
		_, err := bundle.Load(ctx, both, []ingest.Source{{Path: path}}, opts)
		require.NoError(t, err, path)
	}
	datasets := []*graph.Dataset{storetest.Synthetic(300, 7), awkward(true), awkward(false)}
	tiers := []string{"XS"}
	if !testing.Short() {
		tiers = append(tiers, "S")
	}
	for _, name := range tiers {
		tier, err := gen.TierByName(name)
		require.NoError(t, err)
		d := &graph.Dataset{Info: graph.SnapshotMeta{Source: "gen-" + name, CollectedAt: bulkNow}}
		require.NoError(t, gen.Generate(ctx, tier, 3, d, nil))
		datasets = append(datasets, d)
	}
	for _, d := range datasets {
		_, err := both.Ingest(ctx, d.Info, d.WriteTo)
		require.NoError(t, err, d.Info.Source)
	}
	without := bothExports{t: t, files: &files} // no derived data: no nodes-Derived.csv
	_, err = without.Ingest(ctx, awkward(true).Info, awkward(true).WriteTo)
	require.NoError(t, err)
	// 8 record files, 4 derived edges, :Derived, :Snapshot and the arguments.
	require.GreaterOrEqual(t, files, (len(fixtures)+1+len(datasets))*15)

	refused := map[string]func(d *graph.Dataset){
		"empty list element": func(d *graph.Dataset) { d.IdentityList[0].CompensatingControls = []string{"ok", ""} },
		"delimiter in list":  func(d *graph.Dataset) { d.CredentialList[0].Systems = []string{"a\x1fb"} },
		"empty tag value":    func(d *graph.Dataset) { d.IdentityList[0].Tags = map[string]string{"k": "", "j": "v"} },
		"empty tag key":      func(d *graph.Dataset) { d.IdentityList[1].Tags = map[string]string{"": "v"} },
		"dangling grant":     func(d *graph.Dataset) { d.GrantList[1].Resource = "nowhere" },
		"grant to a group":   func(d *graph.Dataset) { d.GrantList[2].Resource = "g2" },
		"dangling member":    func(d *graph.Dataset) { d.MembershipList[2].Member = "ghost" },
		"delegation to a group": func(d *graph.Dataset) {
			d.DelegationList[0].To = "g,1"
		},
		"node declared twice": func(d *graph.Dataset) { d.GroupList[1].ID = "alice" },
	}
	for _, name := range slices.Sorted(maps.Keys(refused)) {
		d := awkward(true)
		refused[name](d)
		_, err := both.Ingest(ctx, d.Info, d.WriteTo)
		require.Error(t, err, name)
		t.Logf("%s: %v", name, err)
	}
}

// TestBulkExportAwkwardValues pins what a few awkward values look like in
// the files, so that the comparison above is known to see them.
func TestBulkExportAwkwardValues(t *testing.T) {
	ctx := context.Background()
	d := awkward(true)
	meta, spooled, err := spool(ctx, d.Info, d.WriteTo)
	require.NoError(t, err)
	dir := t.TempDir()
	r := spilledReader(t, meta, spooled)
	x := &csvExport{dir: dir, snapshot: string(meta.ID), now: func() time.Time { return bulkNow }}
	require.NoError(t, x.write(ctx, meta, r))
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return string(b)
	}
	id := string(meta.ID)
	systems := read("nodes-" + string(schema.KindSystem) + ".csv")
	// Numbered for the importer in file order: the 2 systems 0-1, the 4
	// resources 2-5, the 3 identities 6-8, the groups, the credentials.
	require.Equal(t, ":ID("+id+"),id,snapshot,seq:long,name,kind,sox_scope:boolean,owner\n"+
		`0,"sys,""1""","`+id+`",0,"Ledger`+"\n"+`main",,true,"Zoë ✓"`+"\n"+
		`1,"sys2","`+id+`",1,,,false,`+"\n", systems)
	identities := read("nodes-" + string(schema.KindIdentity) + ".csv")
	require.Contains(t, identities, `"c1`+"\x1f"+`quote""d`+"\x1f"+`comma,sep`+"\x1f"+"日本語\x1fnew\nline\"")
	require.Contains(t, identities, `",`+"\x1f"+`a`+"\x1f"+`b`+"\x1f"+`ü","""`+"\x1f"+`x""y`+"\x1f"+`2`+"\x1f"+"line\nbreak\"")
	require.Contains(t, identities, "\n8,\"\",\""+id+"\",2,")
	grants := read("rels-" + string(schema.EdgeGrant) + ".csv")
	require.Contains(t, grants, `6,2,"`+id+`",0,"approve","perm,""x""",true,1999-12-30T23:00:00.000001Z,2025-03-10T07:29:59.987654321Z,2026-01-01T00:00:00Z`+"\n")
	require.Contains(t, grants, `7,5,"`+id+`",2,,"`+"\U0001F600"+`",false,,,`+"\n")
	require.True(t, strings.HasPrefix(read("nodes-"+snapshotLabel+".csv"),
		"id,complete:boolean,claimed_at:datetime,committed_at:datetime,source,collected_at:datetime,ingested_at:datetime,files_names:string[],files_sha256:string[],counts_"))
}

// TestCSVCellsCoverProperties: each record kind has a CSV cell for every
// property it stores and for nothing else.
func TestCSVCellsCoverProperties(t *testing.T) {
	keys := func(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }
	for kind, cs := range map[schema.NodeKind]map[string]bool{
		schema.KindSystem: set(systemCells), schema.KindResource: set(resourceCells), schema.KindIdentity: set(identityCells),
		schema.KindGroup: set(groupCells), schema.KindCredential: set(credentialCells),
	} {
		require.Equal(t, slices.Sorted(slices.Values(nodeProps(kind))), keys(cs), kind)
	}
	for kind, cs := range map[schema.EdgeKind]map[string]bool{
		schema.EdgeMemberOf: set(membershipCells), schema.EdgeGrant: set(grantCells), schema.EdgeCanActAs: set(delegationCells),
	} {
		from, to := edgeEnds(kind)
		require.Equal(t, slices.Sorted(slices.Values(append([]string{from.Name, to.Name}, edgeProps(kind)...))), keys(cs), kind)
	}
}

func set[T any](cs cells[T]) map[string]bool {
	out := map[string]bool{}
	for k := range cs {
		out[k] = true
	}
	return out
}

// TestBulkImportListsMultilineFiles: the argument file has the importer
// parse as multiline exactly the files with a field that holds a CR or LF
// — none for a snapshot without one, and the options then as they were
// less --multiline-fields=true — whether the newline is in an id (the
// node's file and those with a property naming it: relationships name
// their ends by import number), a name, a property of an edge only, the snapshot's
// metadata or the name of derived data.
func TestBulkImportListsMultilineFiles(t *testing.T) {
	ctx := context.Background()
	base := func() *graph.Dataset {
		return &graph.Dataset{Info: graph.SnapshotMeta{Source: "newlines"},
			SystemList:     []graph.System{{ID: "s1", Name: "Ledger"}},
			ResourceList:   []graph.Resource{{ID: "r1", System: "s1"}, {ID: "r2", System: "s1", Parent: "r1"}},
			IdentityList:   []graph.Identity{{ID: "alice", Tags: map[string]string{"k": "v"}}, {ID: "bob"}},
			GroupList:      []graph.Group{{ID: "g1", System: "s1"}},
			CredentialList: []graph.Credential{{ID: "k1", Identity: "alice", StoredIn: "r1"}},
			MembershipList: []graph.Membership{{Member: "alice", Group: "g1"}},
			GrantList:      []graph.Grant{{Principal: "g1", Action: "read", Resource: "r1"}},
			DelegationList: []graph.Delegation{{From: "alice", To: "bob"}},
		}
	}
	file := func(kind string) string {
		if strings.ToUpper(kind) == kind {
			return "rels-" + kind + ".csv"
		}
		return "nodes-" + kind + ".csv"
	}
	for _, tc := range []struct {
		name    string
		edit    func(d *graph.Dataset)
		derived map[string]graph.DeriveFunc
		want    []string // labels and relationship types
	}{
		{name: "none"},
		{name: "none, with derived data", derived: exportDerived()},
		{name: "system name", edit: func(d *graph.Dataset) { d.SystemList[0].Name = "Ledger\nmain" }, want: []string{"System"}},
		{name: "grant native only", edit: func(d *graph.Dataset) { d.GrantList[0].Native = "perm\r\nx" }, want: []string{"GRANT"}},
		{name: "delegation native CR", edit: func(d *graph.Dataset) { d.DelegationList[0].Native = "a\rb" }, want: []string{"CAN_ACT_AS"}},
		{name: "group id", edit: func(d *graph.Dataset) {
			d.GroupList[0].ID, d.MembershipList[0].Group, d.GrantList[0].Principal = "g\n1", "g\n1", "g\n1"
		}, want: []string{"Group"}},
		{name: "resource id", edit: func(d *graph.Dataset) {
			d.ResourceList[0].ID, d.ResourceList[1].Parent = "r\r1", "r\r1"
			d.CredentialList[0].StoredIn, d.GrantList[0].Resource = "r\r1", "r\r1"
		}, want: []string{"Resource", "Credential"}},
		{name: "tag value", edit: func(d *graph.Dataset) { d.IdentityList[0].Tags["k"] = "line\nbreak" }, want: []string{"Identity"}},
		{name: "snapshot source", edit: func(d *graph.Dataset) { d.Info.Source = "new\nlines" }, want: []string{"Snapshot"}},
		{name: "derived data name", derived: map[string]graph.DeriveFunc{"two\nlines": exportDerived()["big"]}, want: []string{"Derived"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := base()
			if tc.edit != nil {
				tc.edit(d)
			}
			dir := filepath.Join(t.TempDir(), "csv")
			_, err := BulkImport{Dir: dir, Derived: tc.derived}.Ingest(ctx, d.Info, d.WriteTo)
			require.NoError(t, err)
			var want []string
			for _, kind := range tc.want {
				want = append(want, filepath.Join(dir, file(kind)))
			}
			slices.Sort(want)
			require.Equal(t, want, filesWithNewlines(t, dir), "the dataset puts newlines in these files")
			require.Equal(t, want, multilineListed(t, dir))
			args := importArgs(t, dir)
			if want == nil {
				require.Equal(t, []string{"--id-type=integer", "--array-delimiter=U+001F",
					"--skip-duplicate-nodes=false", "--skip-bad-relationships=false"}, args[:4])
				require.True(t, strings.HasPrefix(args[4], "--nodes="), args[4])
			}
		})
	}
}
