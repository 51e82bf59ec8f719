package neo4jstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
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

// Ingest implements graph.Ingester: it spools fn's records, checks them as
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
// --multiline-fields lists.
// It returns the snapshot's metadata, id included.
func (b BulkImport) Ingest(ctx context.Context, meta graph.SnapshotMeta, fn func(w graph.Writer) error) (graph.SnapshotMeta, error) {
	meta, d, err := spool(ctx, meta, fn)
	if err != nil {
		return graph.SnapshotMeta{}, err
	}
	dir, err := filepath.Abs(b.Dir)
	if err != nil {
		return graph.SnapshotMeta{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return graph.SnapshotMeta{}, err
	}
	if ents, err := os.ReadDir(dir); err != nil {
		return graph.SnapshotMeta{}, err
	} else if len(ents) > 0 {
		return graph.SnapshotMeta{}, fmt.Errorf("neo4jstore: bulk import directory %s is not empty", dir)
	}
	x := &csvExport{dir: dir, snapshot: string(meta.ID), nodes: importNodes(d), derive: b.Derived, now: time.Now}
	if err := x.write(ctx, meta, d); err != nil {
		return graph.SnapshotMeta{}, err
	}
	return meta, nil
}

// csvExport writes the files of one bulk import.
type csvExport struct {
	dir      string
	snapshot string
	nodes    map[string]importNode       // every declared node id (importNodes)
	derive   map[string]graph.DeriveFunc // derived data (derived.go)
	now      func() time.Time            // the :Snapshot node's claimed_at and committed_at
}

// importNode is a declared node: its kind and its number for the importer.
type importNode struct {
	kind schema.NodeKind
	num  int64
}

// importKinds are the node kinds in the order their files are written and
// numbered: the nodes of importKinds[k] come after those of the kinds
// before it, each kind in record order.
var importKinds = [...]schema.NodeKind{schema.KindSystem, schema.KindResource, schema.KindIdentity, schema.KindGroup, schema.KindCredential}

// importBase returns the number of the first node of kind.
func importBase(d *graph.Dataset, kind schema.NodeKind) int64 {
	n := [...]int{len(d.SystemList), len(d.ResourceList), len(d.IdentityList), len(d.GroupList), len(d.CredentialList)}
	var base int64
	for k, kk := range importKinds {
		if kk == kind {
			return base
		}
		base += int64(n[k])
	}
	panic("neo4jstore: no node kind " + string(kind))
}

// importNodes numbers the declared nodes of d (importKinds); an id declared
// twice keeps its first declaration, as nodeKinds does (write refuses it).
func importNodes(d *graph.Dataset) map[string]importNode {
	m := make(map[string]importNode, nodeCount(d))
	var num int64
	eachNode(d, func(id string, k schema.NodeKind) {
		if _, ok := m[id]; !ok {
			m[id] = importNode{kind: k, num: num}
		}
		num++
	})
	return m
}

// csvFile is one file of records to write: its label or relationship type,
// and what writes it under a file name (and reports, as writeCSV does,
// whether a field holds a newline).
type csvFile struct {
	kind  string
	write func(name string) (bool, error)
}

func (x *csvExport) write(ctx context.Context, meta graph.SnapshotMeta, d *graph.Dataset) error {
	if n := nodeCount(d); n != len(x.nodes) {
		return fmt.Errorf("neo4jstore: bulk import: %d node ids declared more than once", n-len(x.nodes))
	}
	nodes := []csvFile{
		nodeFile(x, schema.KindSystem, importBase(d, schema.KindSystem), d.SystemList, systemCells),
		nodeFile(x, schema.KindResource, importBase(d, schema.KindResource), d.ResourceList, resourceCells),
		nodeFile(x, schema.KindIdentity, importBase(d, schema.KindIdentity), d.IdentityList, identityCells),
		nodeFile(x, schema.KindGroup, importBase(d, schema.KindGroup), d.GroupList, groupCells),
		nodeFile(x, schema.KindCredential, importBase(d, schema.KindCredential), d.CredentialList, credentialCells),
	}
	edges := []csvFile{
		edgeFile(x, schema.EdgeMemberOf, d.MembershipList, membershipCells, membershipEnds),
		edgeFile(x, schema.EdgeGrant, d.GrantList, grantCells, grantEnds),
		edgeFile(x, schema.EdgeCanActAs, d.DelegationList, delegationCells, delegationEnds),
	}
	// One file per step, written concurrently; step i writes paths[i],
	// named by args[i], and sets multiline[i] when a field holds a newline.
	var steps []func(context.Context) error
	var args, paths []string
	var multiline []bool
	step := func(option, kind, name string, write func() (bool, error)) {
		i, path := len(paths), filepath.Join(x.dir, name)
		args, paths = append(args, option+"="+kind+"="+path), append(paths, path)
		steps = append(steps, func(ctx context.Context) error {
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
		step("--nodes", n.kind, name, func() (bool, error) { return n.write(name) })
	}
	for _, e := range edges {
		name := "rels-" + e.kind + ".csv"
		step("--relationships", e.kind, name, func() (bool, error) { return e.write(name) })
	}
	for _, de := range derivedEdges {
		name := "rels-" + string(de.Edge) + ".csv"
		step("--relationships", string(de.Edge), name, func() (bool, error) { return x.derived(name, de, d) })
	}
	if len(x.derive) > 0 {
		name := "nodes-" + derivedLabel + ".csv"
		step("--nodes", derivedLabel, name, func() (bool, error) { return x.derivedData(ctx, name, meta, d) })
	}
	metaName := "nodes-" + snapshotLabel + ".csv"
	step("--nodes", snapshotLabel, metaName, func() (bool, error) { return x.meta(metaName, meta) })
	multiline = make([]bool, len(steps))
	if err := concurrently(ctx, steps); err != nil {
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

// rowSource yields the query rows of one kind one at a time (a tier-M
// estate's rows would not fit in memory at once): their number, and row i.
type rowSource struct {
	n  int
	at func(i int) map[string]any
}

// lazyRows converts records to query rows one at a time, numbering them in
// write order.
func lazyRows[T any](list []T, row func(T) map[string]any) rowSource {
	return rowSource{n: len(list), at: func(i int) map[string]any {
		m := row(list[i])
		m["seq"] = int64(i)
		return m
	}}
}

// nodeFile writes the nodes of kind, records list, numbered from base
// (importNodes): `:ID`, id, snapshot, seq and the properties, each written
// by its cell of props.
func nodeFile[T any](x *csvExport, kind schema.NodeKind, base int64, list []T, props cells[T]) csvFile {
	return csvFile{kind: string(kind), write: func(name string) (bool, error) {
		cols := []col[T]{{":ID(" + x.snapshot + ")", func(c *csvWriter, _ *T) { c.integer(base + int64(c.row)) }},
			{"id", props.of("id")}, {"snapshot", snapshotCell[T]}, {"seq:long", seqCell[T]}}
		for _, p := range nodeProps(kind)[1:] { // "id" is above
			cols = append(cols, col[T]{p + typeSuffix(nodeSection(kind).Fields, p), props.of(p)})
		}
		return writeCSV(x, name, cols, len(list), func(i int) *T { return &list[i] }, nil)
	}}
}

// edgeFile writes the relationships of kind, records list, after the checks
// of Store.Ingest; ends returns a record's endpoint ids.
func edgeFile[T any](x *csvExport, kind schema.EdgeKind, list []T, props cells[T], ends func(*T) (from, to string)) csvFile {
	return csvFile{kind: string(kind), write: func(name string) (bool, error) {
		from, to := edgeEnds(kind)
		// check runs before the cells of each row: it leaves the ends'
		// numbers for them.
		var a, b importNode
		check := func(r *T) error {
			f, t := ends(r)
			var aok, bok bool
			a, aok = x.nodes[f]
			b, bok = x.nodes[t]
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
		return writeCSV(x, name, cols, len(list), func(i int) *T { return &list[i] }, check)
	}}
}

// derived writes the relationships of derived edge de whose targets are
// declared, as batchWriter.derived creates them.
func (x *csvExport) derived(name string, de derivedEdge, d *graph.Dataset) (bool, error) {
	type pair struct{ a, b int64 }
	var rows []pair
	add := func(id, target string) {
		if target == "" {
			return
		}
		t, ok := x.nodes[target]
		if !ok {
			return
		}
		a, b := x.nodes[id].num, t.num
		if de.Reverse {
			a, b = b, a
		}
		rows = append(rows, pair{a, b})
	}
	switch {
	case de.Node == schema.KindCredential && de.Field == "identity":
		for _, r := range d.CredentialList {
			add(r.ID, r.Identity)
		}
	case de.Node == schema.KindCredential && de.Field == "stored_in":
		for _, r := range d.CredentialList {
			add(r.ID, r.StoredIn)
		}
	case de.Node == schema.KindResource && de.Field == "system":
		for _, r := range d.ResourceList {
			add(r.ID, r.System)
		}
	case de.Node == schema.KindResource && de.Field == "parent":
		for _, r := range d.ResourceList {
			add(r.ID, r.Parent)
		}
	default:
		return false, fmt.Errorf("neo4jstore: bulk import: derived edge %s from %s.%s", de.Edge, de.Node, de.Field)
	}
	cols := []col[pair]{
		{":START_ID(" + x.snapshot + ")", func(c *csvWriter, r *pair) { c.integer(r.a) }},
		{":END_ID(" + x.snapshot + ")", func(c *csvWriter, r *pair) { c.integer(r.b) }},
		{"snapshot", snapshotCell[pair]},
	}
	return writeCSV(x, name, cols, len(rows), func(i int) *pair { return &rows[i] }, nil)
}

// derivedData computes the derived data and writes its :Derived nodes
// (derived.go), while the other files are written; they need no import id,
// as no relationship refers to them.
// The data is held in parts, in memory up to derivedBudget and in a
// temporary file beyond (deriveSpilled), not whole.
func (x *csvExport) derivedData(ctx context.Context, name string, meta graph.SnapshotMeta, d *graph.Dataset) (bool, error) {
	pool := derivedPool("bulk import")
	defer pool.Close()
	data, err := deriveSpilled(ctx, x.derive, meta, d, pool)
	if err != nil {
		return false, err
	}
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
