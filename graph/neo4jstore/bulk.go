package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/spill"
	recspool "github.com/reachgraph/reachgraph/graph/spool"
	"github.com/reachgraph/reachgraph/schema"
)

// ArrayDelimiter separates list elements inside one CSV field of a bulk
// import (U+001F, the ASCII unit separator): ids and names may hold any
// printable character, so the usual ';' would split them.
const ArrayDelimiter = '\x1f'

// ImportArgsFile is the neo4j-admin argument file BulkImport writes in its
// directory: `neo4j-admin database import full neo4j @DIR/import.args`.
const ImportArgsFile = "import.args"

// BulkImport is a graph.Ingester that writes a snapshot as the CSV files of
// `neo4j-admin database import full` instead of sending it to a server:
// the offline importer builds a new database from them far faster than
// transactions can (docs/neo4j.md). The database it builds holds exactly
// what Store.Ingest would have written for the same records — the same
// labels, relationship types, properties, `snapshot`/`seq` numbering,
// derived edges and a complete :Snapshot node — so a Store opened on it
// reads the snapshot back unchanged (Open creates the constraints and
// indexes, which the importer does not).
type BulkImport struct {
	// Dir receives the files; it is created, and must be empty if it exists.
	Dir string
	// Derived is data computed from the snapshot's records and imported
	// with it (Options.Derived): the CLI stores the projection.
	Derived map[string]graph.DeriveFunc
}

var _ graph.Ingester = BulkImport{}

// Ingest implements graph.Ingester: it refuses a directory that is not
// empty before reading anything, spools fn's records (graph/spool: encoded,
// 64 MiB of them in memory and the rest in an unnamed temporary file next
// to the directory, so memory does not grow with the estate beyond the
// node ids and the derived data's computation), checks them as
// Store.Ingest does (ErrDanglingReference) plus that no node id is declared
// twice, and writes one CSV file per label and relationship type, with a
// header row, and ImportArgsFile listing them with the importer options
// (multiline parsing only for the files with a field that holds a newline,
// multilineArgs). Nodes are numbered for the importer (`--id-type=integer`:
// it links relationships to their nodes by number far faster than by
// string id; the id is an ordinary `id` property), in an id space of the
// snapshot's own (`:ID(<snapshot id>)`), so the files of several snapshots
// import together into one database: list the --nodes and --relationships
// lines of every directory's ImportArgsFile, and join their
// --multiline-fields lists. The directory is made only once the records
// have been read whole; records that fail, there or while the files are
// written (a dangling reference), leave nothing behind.
// It returns the snapshot's metadata, id included.
func (b BulkImport) Ingest(ctx context.Context, meta graph.SnapshotMeta, fn func(w graph.Writer) error) (graph.SnapshotMeta, error) {
	dir, err := filepath.Abs(b.Dir)
	if err != nil {
		return graph.SnapshotMeta{}, err
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return graph.SnapshotMeta{}, fmt.Errorf("neo4jstore: bulk import directory %s is not empty", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return graph.SnapshotMeta{}, err
	}
	spillDir := ExistingParent(dir)
	sp := recspool.New(meta, recspool.Options{Chunk: spoolChunk, Budget: spoolBudget, Dir: spillDir, What: "records", Op: "bulk import"})
	defer sp.Close()
	if meta, err = sp.Fill(ctx, meta, fn); err != nil {
		return graph.SnapshotMeta{}, err
	}
	r := sp.Reader(meta)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return graph.SnapshotMeta{}, err
	}
	if ents, err := os.ReadDir(dir); err != nil {
		return graph.SnapshotMeta{}, err
	} else if len(ents) > 0 {
		return graph.SnapshotMeta{}, fmt.Errorf("neo4jstore: bulk import directory %s is not empty", dir)
	}
	x := &csvExport{dir: dir, spillDir: spillDir, snapshot: string(meta.ID), derive: b.Derived, now: time.Now}
	if err := x.write(ctx, meta, r); err != nil {
		return graph.SnapshotMeta{}, errors.Join(err, undo(dir, spillDir))
	}
	return meta, nil
}

// undo removes what a failed export wrote (a dangling reference is found
// while the files are written): the directories made for it, from the one
// below spillDir (the nearest that existed) down, or, when dir existed
// (empty), everything in it.
func undo(dir, spillDir string) error {
	if spillDir == "" {
		return nil
	}
	if dir == spillDir {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		var errs []error
		for _, e := range ents {
			errs = append(errs, os.RemoveAll(filepath.Join(dir, e.Name())))
		}
		return errors.Join(errs...)
	}
	top := dir
	for filepath.Dir(top) != spillDir && filepath.Dir(top) != top {
		top = filepath.Dir(top)
	}
	return os.RemoveAll(top)
}

// spoolChunk and spoolBudget size the spool of an ingest's records (the
// bulk import's, and by default the Bolt ingest's: Options.SpoolBudget): the
// embedded store's chunk, and 64 MiB of them in memory (a tier-S estate
// whole); for a bulk import the rest wait in an unnamed temporary file next to the import
// directory (ExistingParent), where the files go, until they are written.
// The derived data spills there too.
const (
	spoolChunk  = 256 << 10
	spoolBudget = 64 << 20
)

// ExistingParent is dir, or its nearest ancestor that exists ("" when none
// does): where a bulk import's temporary files go, on the disk its files
// will take, as the directory itself is only made once the records are
// known to be good.
func ExistingParent(dir string) string {
	for d := dir; ; {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
		up := filepath.Dir(d)
		if up == d {
			return ""
		}
		d = up
	}
}

// csvExport writes the files of one bulk import.
type csvExport struct {
	dir      string
	spillDir string // where the derived data spills ("" for $TMPDIR)
	snapshot string
	bases    [len(importKinds) + 1]int64 // the number of each kind's first node (countBases)
	nodes    *nodeTable                  // every declared node id (readNodes), once the node files are written
	derive   map[string]graph.DeriveFunc // derived data (derived.go)
	now      func() time.Time            // the :Snapshot node's claimed_at and committed_at
}

// importKinds are the node kinds in the order their files are written and
// numbered (nodeTable).
var importKinds = [...]schema.NodeKind{schema.KindSystem, schema.KindResource, schema.KindIdentity, schema.KindGroup, schema.KindCredential}

// csvFile is one file of records to write: its label or relationship type,
// and what writes it under a file name (and reports, as writeCSV does,
// whether a field holds a newline).
type csvFile struct {
	kind  string
	write func(name string) (bool, error)
}

// write writes every file of the snapshot read from r (its records read
// kind by kind, several kinds at once) and ImportArgsFile.
func (x *csvExport) write(ctx context.Context, meta graph.SnapshotMeta, r graph.Reader) error {
	x.bases = countBases(meta.Counts)
	nodes := []csvFile{
		nodeFile(x, schema.KindSystem, r.Systems(ctx), systemCells),
		nodeFile(x, schema.KindResource, r.Resources(ctx), resourceCells),
		nodeFile(x, schema.KindIdentity, r.Identities(ctx), identityCells),
		nodeFile(x, schema.KindGroup, r.Groups(ctx), groupCells),
		nodeFile(x, schema.KindCredential, r.Credentials(ctx), credentialCells),
	}
	edges := []csvFile{
		edgeFile(x, schema.EdgeMemberOf, r.Memberships(ctx), membershipCells, membershipEnds),
		edgeFile(x, schema.EdgeGrant, r.Grants(ctx), grantCells, grantEnds),
		edgeFile(x, schema.EdgeCanActAs, r.Delegations(ctx), delegationCells, delegationEnds),
	}
	// Two phases of steps, each written concurrently. The first writes
	// the node files (numbered by the counts alone) while the derived data
	// is computed, which holds the most memory (the projection); the second
	// numbers the node ids (nodeTable, a few hundred megabytes at tier L)
	// only then, and writes the relationships and the derived parts. Step
	// i of the files writes paths[i], named by args[i] (in this order in
	// ImportArgsFile), and sets multiline[i] when a field holds a newline.
	var first, second []func(context.Context) error
	var args, paths []string
	var multiline []bool
	step := func(phase *[]func(context.Context) error, option, kind, name string, write func() (bool, error)) {
		i, path := len(paths), filepath.Join(x.dir, name)
		args, paths = append(args, option+"="+kind+"="+path), append(paths, path)
		*phase = append(*phase, func(ctx context.Context) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var err error
			multiline[i], err = write()
			return err
		})
	}
	for _, n := range nodes {
		name := "nodes-" + n.kind + ".csv"
		step(&first, "--nodes", n.kind, name, func() (bool, error) { return n.write(name) })
	}
	for _, e := range edges {
		name := "rels-" + e.kind + ".csv"
		step(&second, "--relationships", e.kind, name, func() (bool, error) { return e.write(name) })
	}
	for _, de := range derivedEdges {
		name := "rels-" + string(de.Edge) + ".csv"
		step(&second, "--relationships", string(de.Edge), name, func() (bool, error) { return x.derived(ctx, name, de, r) })
	}
	if len(x.derive) > 0 {
		pool := derivedPool("bulk import", x.spillDir)
		defer pool.Close()
		var data []spilledDerived
		first = append(first, func(ctx context.Context) error {
			var err error
			data, err = deriveSpilled(ctx, x.derive, r, pool)
			return err
		})
		name := "nodes-" + derivedLabel + ".csv"
		step(&second, "--nodes", derivedLabel, name, func() (bool, error) { return x.derivedData(name, data, pool) })
	}
	metaName := "nodes-" + snapshotLabel + ".csv"
	step(&first, "--nodes", snapshotLabel, metaName, func() (bool, error) { return x.meta(metaName, meta) })
	multiline = make([]bool, len(paths))
	if err := concurrently(ctx, first); err != nil {
		return err
	}
	nodeIDs, err := readNodes(ctx, r)
	if err != nil {
		return err
	}
	if nodeIDs.dups > 0 {
		return fmt.Errorf("neo4jstore: bulk import: %d node ids declared more than once", nodeIDs.dups)
	}
	x.nodes = nodeIDs
	if err := concurrently(ctx, second); err != nil {
		return err
	}
	var withNewlines []string
	for i, path := range paths {
		if multiline[i] {
			withNewlines = append(withNewlines, path)
		}
	}
	opts := append([]string{"--id-type=integer", "--array-delimiter=U+001F"}, multilineArgs(withNewlines)...)
	opts = append(opts, "--skip-duplicate-nodes=false", "--skip-bad-relationships=false")
	args = append(opts, args...)
	var sb strings.Builder
	for _, a := range args {
		sb.WriteString(strconv.Quote(a))
		sb.WriteByte('\n')
	}
	return os.WriteFile(filepath.Join(x.dir, ImportArgsFile), []byte(sb.String()), 0o644)
}

// multilineArgs returns the importer options that parse files (paths) as
// holding fields that span lines, and no others: none when there are none.
// `--multiline-fields=true` would parse every file on one thread
// (neo4j-admin 5.26 reads fields as it cuts chunks, EagerParserChunker);
// the v2 form names the files, and only those are cut by a chunker that
// follows quotes (MultiLineChunker), the others at the nearest newline as
// without the option. The importer takes one --multiline-fields: to import
// several directories together, join their lists with commas.
func multilineArgs(paths []string) []string {
	if len(paths) == 0 {
		return nil
	}
	return []string{"--multiline-fields-format=v2", "--multiline-fields=" + strings.Join(paths, ",")}
}

// rowSource is a few query rows made one at a time (the :Derived parts,
// the :Snapshot node): their number, and row i.
type rowSource struct {
	n  int
	at func(i int) map[string]any
}

// seq yields the rows in order.
func (rs rowSource) seq() iter.Seq2[map[string]any, error] {
	return func(yield func(map[string]any, error) bool) {
		for i := range rs.n {
			if !yield(rs.at(i), nil) {
				return
			}
		}
	}
}

// lazyRows converts records to query rows one at a time as they are read,
// numbering them in write order (seq).
func lazyRows[T any](recs iter.Seq2[T, error], row func(T) map[string]any) iter.Seq2[map[string]any, error] {
	return func(yield func(map[string]any, error) bool) {
		i := int64(0)
		for r, err := range recs {
			if err != nil {
				yield(nil, err)
				return
			}
			m := row(r)
			m["seq"] = i
			i++
			if !yield(m, nil) {
				return
			}
		}
	}
}

// nodeFile writes the nodes of kind, records rows, numbered as the node
// table numbers them (from the counts alone: countBases): `:ID`, id, snapshot, seq and the properties, each
// written by its cell of props.
func nodeFile[T any](x *csvExport, kind schema.NodeKind, rows iter.Seq2[T, error], props cells[T]) csvFile {
	base := x.bases[slices.Index(importKinds[:], kind)]
	return csvFile{kind: string(kind), write: func(name string) (bool, error) {
		cols := []col[T]{{":ID(" + x.snapshot + ")", func(c *csvWriter, _ *T) { c.integer(base + int64(c.row)) }},
			{"id", props.of("id")}, {"snapshot", snapshotCell[T]}, {"seq:long", seqCell[T]}}
		for _, p := range nodeProps(kind)[1:] { // "id" is above
			cols = append(cols, col[T]{p + typeSuffix(nodeSection(kind).Fields, p), props.of(p)})
		}
		return writeCSV(x, name, cols, pointers(rows), nil)
	}}
}

// edgeFile writes the relationships of kind, records rows, after the checks
// of Store.Ingest; ends returns a record's endpoint ids.
func edgeFile[T any](x *csvExport, kind schema.EdgeKind, rows iter.Seq2[T, error], props cells[T], ends func(*T) (from, to string)) csvFile {
	return csvFile{kind: string(kind), write: func(name string) (bool, error) {
		from, to := edgeEnds(kind)
		// check runs before the cells of each row: it leaves the ends'
		// numbers for them.
		var a, b importNode
		check := func(r *T) error {
			f, t := ends(r)
			var aok, bok bool
			a, aok = x.nodes.lookup(f)
			b, bok = x.nodes.lookup(t)
			if !aok || !bok || !refers(from, a.kind) || !refers(to, b.kind) {
				return fmt.Errorf("%w: %s %s=%q %s=%q", ErrDanglingReference, kind, from.Name, f, to.Name, t)
			}
			return nil
		}
		cols := []col[T]{{":START_ID(" + x.snapshot + ")", func(c *csvWriter, _ *T) { c.integer(a.num) }},
			{":END_ID(" + x.snapshot + ")", func(c *csvWriter, _ *T) { c.integer(b.num) }},
			{"snapshot", snapshotCell[T]}, {"seq:long", seqCell[T]}}
		for _, p := range edgeProps(kind) {
			cols = append(cols, col[T]{p + typeSuffix(edgeSection(kind).Fields, p), props.of(p)})
		}
		return writeCSV(x, name, cols, pointers(rows), check)
	}}
}

// pointers yields a pointer to each record of seq, the same variable each
// time (one allocation per file, not per row).
func pointers[T any](seq iter.Seq2[T, error]) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		var cur T
		for r, err := range seq {
			if err != nil {
				yield(nil, err)
				return
			}
			cur = r
			if !yield(&cur, nil) {
				return
			}
		}
	}
}

// derived writes the relationships of derived edge de whose targets are
// declared, as batchWriter.derived creates them, from the records of r.
func (x *csvExport) derived(ctx context.Context, name string, de derivedEdge, r graph.Reader) (bool, error) {
	type pair struct{ a, b int64 }
	ends, err := derivedEndsOf(ctx, de, r)
	if err != nil {
		return false, fmt.Errorf("neo4jstore: bulk import: %w", err)
	}
	rows := func(yield func(*pair, error) bool) {
		var p pair
		for e, err := range ends {
			if err != nil {
				yield(nil, err)
				return
			}
			id, target := e[0], e[1]
			if target == "" {
				continue
			}
			t, ok := x.nodes.lookup(target)
			if !ok {
				continue
			}
			from, _ := x.nodes.lookup(id)
			p = pair{from.num, t.num}
			if de.Reverse {
				p.a, p.b = p.b, p.a
			}
			if !yield(&p, nil) {
				return
			}
		}
	}
	cols := []col[pair]{
		{":START_ID(" + x.snapshot + ")", func(c *csvWriter, r *pair) { c.integer(r.a) }},
		{":END_ID(" + x.snapshot + ")", func(c *csvWriter, r *pair) { c.integer(r.b) }},
		{"snapshot", snapshotCell[pair]},
	}
	return writeCSV(x, name, cols, rows, nil)
}

// derivedEndsOf yields, for derived edge de, each record's id and the id
// its field de.Field refers to ("" for none), from the records of r.
func derivedEndsOf(ctx context.Context, de derivedEdge, r graph.Reader) (iter.Seq2[[2]string, error], error) {
	switch {
	case de.Node == schema.KindCredential && de.Field == "identity":
		return derivedEnds(r.Credentials(ctx), func(c *graph.Credential) (string, string) { return c.ID, c.Identity }), nil
	case de.Node == schema.KindCredential && de.Field == "stored_in":
		return derivedEnds(r.Credentials(ctx), func(c *graph.Credential) (string, string) { return c.ID, c.StoredIn }), nil
	case de.Node == schema.KindResource && de.Field == "system":
		return derivedEnds(r.Resources(ctx), func(c *graph.Resource) (string, string) { return c.ID, c.System }), nil
	case de.Node == schema.KindResource && de.Field == "parent":
		return derivedEnds(r.Resources(ctx), func(c *graph.Resource) (string, string) { return c.ID, c.Parent }), nil
	}
	return nil, fmt.Errorf("derived edge %s from %s.%s", de.Edge, de.Node, de.Field)
}

// derivedEnds yields the id and the referenced id of every record of seq.
func derivedEnds[T any](seq iter.Seq2[T, error], ends func(*T) (id, target string)) iter.Seq2[[2]string, error] {
	return func(yield func([2]string, error) bool) {
		for r, err := range seq {
			if err != nil {
				yield([2]string{}, err)
				return
			}
			if id, target := ends(&r); !yield([2]string{id, target}, nil) {
				return
			}
		}
	}
}

// derivedData writes the :Derived nodes of the derived data computed over
// the records (derived.go), held in parts by pool (in memory up to
// derivedBudget, in a temporary file beyond: deriveSpilled), not whole.
// They need no import id, as no relationship refers to them.
func (x *csvExport) derivedData(name string, data []spilledDerived, pool *spill.Pool) (bool, error) {
	cols := []column{{"snapshot", "snapshot"}, {"name", "name"}, {"part:long", "part"}, {"parts:long", "parts"},
		{"size:long", "size"}, {"sha256", "sha256"}, {"data", "data"}}
	var readErr error
	multiline, err := x.mapFile(name, cols, spilledRows(data, pool, &readErr))
	if err == nil {
		err = readErr
	}
	return multiline, err
}

// meta writes the complete :Snapshot node (no import id: no relationship
// refers to it).
func (x *csvExport) meta(name string, m graph.SnapshotMeta) (bool, error) {
	props := metaProps(m)
	now := x.now().UTC()
	row := map[string]any{"id": string(m.ID), "complete": true, "claimed_at": now, "committed_at": now}
	cols := []column{{"id", "id"}, {"complete:boolean", "complete"},
		{"claimed_at:datetime", "claimed_at"}, {"committed_at:datetime", "committed_at"}}
	for _, k := range []string{"source", "collected_at", "ingested_at", "files_names", "files_sha256",
		"counts_systems", "counts_resources", "counts_identities", "counts_groups", "counts_memberships",
		"counts_grants", "counts_credentials", "counts_delegations"} {
		v := props[k]
		if ss, ok := v.([]string); ok && len(ss) == 0 {
			v = nil
		}
		row[k] = v
		suffix := ""
		switch v.(type) {
		case time.Time:
			suffix = ":datetime"
		case int64:
			suffix = ":long"
		case []string:
			suffix = ":string[]"
		}
		if strings.HasPrefix(k, "counts_") {
			suffix = ":long"
		}
		cols = append(cols, column{k + suffix, k})
	}
	return x.mapFile(name, cols, rowSource{n: 1, at: func(int) map[string]any { return row }})
}

// typeSuffix returns the importer type of property p of a section with
// fields fs ("" for strings).
func typeSuffix(fs []schema.Field, p string) string {
	for _, f := range fs {
		switch {
		case f.Name == p:
			return fieldType(f.Type)
		case f.Type == schema.TStringMap && (p == f.Name+"_keys" || p == f.Name+"_values"):
			return ":string[]"
		case f.Type == schema.TObject && strings.HasPrefix(p, f.Name+"_"):
			for _, sub := range f.Sub {
				if f.Name+"_"+sub.Name == p {
					return fieldType(sub.Type)
				}
			}
		}
	}
	panic(fmt.Sprintf("neo4jstore: no field for property %q", p))
}

func fieldType(t schema.FieldType) string {
	switch t {
	case schema.TBool:
		return ":boolean"
	case schema.TInt:
		return ":long"
	case schema.TTime:
		return ":datetime"
	case schema.TRefList, schema.TStringList:
		return ":string[]"
	}
	return ""
}
