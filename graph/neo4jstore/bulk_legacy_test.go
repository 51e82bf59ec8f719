package neo4jstore

// The CSV export as it was before it wrote rows with typed writers: a
// map[string]any per row, each cell printed by writeValue. Kept, for the
// tests only, as the reference the export must match byte for byte
// (TestBulkExportMatchesMapExport). Only the names changed (legacy…;
// rowSource is legacyRows, which keeps the per-row check it had), and the
// :Snapshot node's claimed_at/committed_at take x.now instead of the clock
// so that two exports can be compared.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// legacyExport is csvExport as it was.
type legacyExport struct {
	dir      string
	snapshot string
	kinds    map[string]schema.NodeKind
	derive   map[string]graph.DeriveFunc
	now      time.Time
}

func (x *legacyExport) write(ctx context.Context, meta graph.SnapshotMeta, d *graph.Dataset) error {
	if n := len(d.SystemList) + len(d.ResourceList) + len(d.IdentityList) + len(d.GroupList) + len(d.CredentialList); n != len(x.kinds) {
		return fmt.Errorf("neo4jstore: bulk import: %d node ids declared more than once", n-len(x.kinds))
	}
	nodes := []struct {
		kind schema.NodeKind
		rows legacyRows
	}{
		{schema.KindSystem, legacyLazy(d.SystemList, systemRow)},
		{schema.KindResource, legacyLazy(d.ResourceList, resourceRow)},
		{schema.KindIdentity, legacyLazy(d.IdentityList, identityRow)},
		{schema.KindGroup, legacyLazy(d.GroupList, groupRow)},
		{schema.KindCredential, legacyLazy(d.CredentialList, credentialRow)},
	}
	edges := []struct {
		kind schema.EdgeKind
		rows legacyRows
	}{
		{schema.EdgeMemberOf, legacyLazy(d.MembershipList, membershipRow)},
		{schema.EdgeGrant, legacyLazy(d.GrantList, grantRow)},
		{schema.EdgeCanActAs, legacyLazy(d.DelegationList, delegationRow)},
	}
	// One file per step, written concurrently; args[i] names step i's file.
	var steps []func(context.Context) error
	var args []string
	step := func(arg string, write func() error) {
		args = append(args, arg)
		steps = append(steps, func(ctx context.Context) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return write()
		})
	}
	for _, n := range nodes {
		name := "nodes-" + string(n.kind) + ".csv"
		step("--nodes="+string(n.kind)+"="+filepath.Join(x.dir, name), func() error { return x.nodes(name, n.kind, n.rows) })
	}
	for _, e := range edges {
		name := "rels-" + string(e.kind) + ".csv"
		step("--relationships="+string(e.kind)+"="+filepath.Join(x.dir, name), func() error { return x.edges(name, e.kind, e.rows) })
	}
	for _, de := range derivedEdges {
		name := "rels-" + string(de.Edge) + ".csv"
		step("--relationships="+string(de.Edge)+"="+filepath.Join(x.dir, name), func() error { return x.derived(name, de, d) })
	}
	if len(x.derive) > 0 {
		name := "nodes-" + derivedLabel + ".csv"
		step("--nodes="+derivedLabel+"="+filepath.Join(x.dir, name), func() error { return x.derivedData(ctx, name, meta, d) })
	}
	metaName := "nodes-" + snapshotLabel + ".csv"
	step("--nodes="+snapshotLabel+"="+filepath.Join(x.dir, metaName), func() error { return x.meta(metaName, meta) })
	if err := concurrently(ctx, steps); err != nil {
		return err
	}
	args = append([]string{
		"--id-type=string",
		"--array-delimiter=U+001F",
		"--multiline-fields=true",
		"--skip-duplicate-nodes=false",
		"--skip-bad-relationships=false",
	}, args...)
	var sb strings.Builder
	for _, a := range args {
		sb.WriteString(strconv.Quote(a))
		sb.WriteByte('\n')
	}
	return os.WriteFile(filepath.Join(x.dir, ImportArgsFile), []byte(sb.String()), 0o644)
}

// legacyColumn is one CSV column: its header and the row key it prints.
type legacyColumn struct{ header, key string }

// nodes writes the nodes of kind: `id:ID`, snapshot, seq and the properties.
func (x *legacyExport) nodes(name string, kind schema.NodeKind, rows legacyRows) error {
	cols := []legacyColumn{{"id:ID(" + x.snapshot + ")", "id"}, {"snapshot", "snapshot"}, {"seq:long", "seq"}}
	for _, p := range nodeProps(kind)[1:] { // "id" is the :ID column
		cols = append(cols, legacyColumn{p + typeSuffix(nodeSection(kind).Fields, p), p})
	}
	return x.file(name, cols, rows)
}

// edges writes the relationships of kind, after the checks of Store.Ingest.
func (x *legacyExport) edges(name string, kind schema.EdgeKind, rows legacyRows) error {
	from, to := edgeEnds(kind)
	rows.check = func(row map[string]any) error { // as each row is written: one map per row
		a, aok := x.kinds[row[from.Name].(string)]
		b, bok := x.kinds[row[to.Name].(string)]
		if !aok || !bok || !refers(from, a) || !refers(to, b) {
			return fmt.Errorf("%w: %s %s=%q %s=%q", ErrDanglingReference, kind, from.Name, row[from.Name], to.Name, row[to.Name])
		}
		return nil
	}
	cols := []legacyColumn{{":START_ID(" + x.snapshot + ")", from.Name}, {":END_ID(" + x.snapshot + ")", to.Name},
		{"snapshot", "snapshot"}, {"seq:long", "seq"}}
	for _, p := range edgeProps(kind) {
		cols = append(cols, legacyColumn{p + typeSuffix(edgeSection(kind).Fields, p), p})
	}
	return x.file(name, cols, rows)
}

// derived writes the relationships of derived edge de whose targets are
// declared, as batchWriter.derived creates them.
func (x *legacyExport) derived(name string, de derivedEdge, d *graph.Dataset) error {
	var rows []map[string]any
	add := func(id, target string) {
		if target == "" {
			return
		}
		if _, ok := x.kinds[target]; !ok {
			return
		}
		a, b := id, target
		if de.Reverse {
			a, b = b, a
		}
		rows = append(rows, map[string]any{"a": a, "b": b})
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
		return fmt.Errorf("neo4jstore: bulk import: derived edge %s from %s.%s", de.Edge, de.Node, de.Field)
	}
	src := legacyRows{n: len(rows), at: func(i int) map[string]any { return rows[i] }}
	return x.file(name, []legacyColumn{{":START_ID(" + x.snapshot + ")", "a"}, {":END_ID(" + x.snapshot + ")", "b"}, {"snapshot", "snapshot"}}, src)
}

// derivedData computes the derived data and writes its :Derived nodes
// (derived.go), while the other files are written; they need no import id,
// as no relationship refers to them.
func (x *legacyExport) derivedData(ctx context.Context, name string, meta graph.SnapshotMeta, d *graph.Dataset) error {
	data, err := derive(ctx, x.derive, meta, d)
	if err != nil {
		return err
	}
	cols := []legacyColumn{{"snapshot", "snapshot"}, {"name", "name"}, {"part:long", "part"}, {"parts:long", "parts"},
		{"size:long", "size"}, {"sha256", "sha256"}, {"data", "data"}}
	return x.file(name, cols, legacyOf(derivedRows(data)))
}

// meta writes the complete :Snapshot node (its own id space, so it cannot
// collide with a node id).
func (x *legacyExport) meta(name string, m graph.SnapshotMeta) error {
	props := metaProps(m)
	now := x.now.UTC()
	row := map[string]any{"snapshot:ID(Snapshot)": string(m.ID), "id": string(m.ID), "complete": true,
		"claimed_at": now, "committed_at": now}
	cols := []legacyColumn{{":ID(Snapshot)", "snapshot:ID(Snapshot)"}, {"id", "id"}, {"complete:boolean", "complete"},
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
		cols = append(cols, legacyColumn{k + suffix, k})
	}
	return x.file(name, cols, legacyRows{n: 1, at: func(int) map[string]any { return row }})
}

// typeSuffix returns the importer type of property p of a section with

func (x *legacyExport) file(name string, cols []legacyColumn, rows legacyRows) (err error) {
	f, err := os.Create(filepath.Join(x.dir, name))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	w := bufio.NewWriterSize(f, 1<<20)
	for i, c := range cols {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(c.header)
	}
	w.WriteByte('\n')
	for r := range rows.n {
		row := rows.at(r)
		if rows.check != nil {
			if err := rows.check(row); err != nil {
				return err
			}
		}
		for i, c := range cols {
			if i > 0 {
				w.WriteByte(',')
			}
			v := row[c.key]
			if c.key == "snapshot" {
				v = x.snapshot
			}
			if err := legacyWriteValue(w, v); err != nil {
				return fmt.Errorf("neo4jstore: bulk import %s column %s: %w", name, c.header, err)
			}
		}
		w.WriteByte('\n')
	}
	return w.Flush()
}

func legacyWriteValue(w *bufio.Writer, v any) error {
	switch v := v.(type) {
	case nil:
	case string:
		legacyQuoted(w, v)
	case bool:
		w.WriteString(strconv.FormatBool(v))
	case int64:
		w.WriteString(strconv.FormatInt(v, 10))
	case time.Time:
		w.WriteString(v.UTC().Format(time.RFC3339Nano))
	case []string:
		for _, s := range v {
			if strings.ContainsRune(s, ArrayDelimiter) || s == "" {
				return fmt.Errorf("list element %q is empty or holds U+001F, which the importer cannot carry", s)
			}
		}
		legacyQuoted(w, strings.Join(v, string(ArrayDelimiter)))
	default:
		return fmt.Errorf("value of type %T", v)
	}
	return nil
}

func legacyQuoted(w *bufio.Writer, s string) {
	w.WriteByte('"')
	w.WriteString(strings.ReplaceAll(s, `"`, `""`))
	w.WriteByte('"')
}

// legacyRows is rowSource as it was, with the check that vetted each row.
type legacyRows struct {
	n     int
	at    func(i int) map[string]any
	check func(row map[string]any) error
}

// legacyLazy is lazyRows as it was.
func legacyLazy[T any](list []T, row func(T) map[string]any) legacyRows {
	return legacyRows{n: len(list), at: func(i int) map[string]any {
		m := row(list[i])
		m["seq"] = int64(i)
		return m
	}}
}

func legacyOf(r rowSource) legacyRows { return legacyRows{n: r.n, at: r.at} }

// legacyNumbered rewrites the files of a legacy export in dir as the
// export numbers nodes for the importer (`--id-type=integer`): a node
// file's `id:ID(S)` column becomes `:ID(S)`, the node's number (counted
// across the node files in the order the argument file lists them), then
// an `id` column with the same cell; relationship ends become the numbers
// of the nodes they named; the :Snapshot node loses its `:ID(Snapshot)`
// column; the argument file says `--id-type=integer`. Every other byte is
// kept, so that the typed export can be compared with the map one byte for
// byte across the change of id type.
func legacyNumbered(t *testing.T, dir string) {
	t.Helper()
	args, err := os.ReadFile(filepath.Join(dir, ImportArgsFile))
	require.NoError(t, err)
	nums := map[string]int64{}
	var files []string
	var rels []bool
	for _, line := range strings.Split(strings.TrimSuffix(string(args), "\n"), "\n") {
		a, err := strconv.Unquote(line)
		require.NoError(t, err, line)
		for _, opt := range []string{"--nodes=", "--relationships="} {
			if rest, ok := strings.CutPrefix(a, opt); ok {
				_, path, ok := strings.Cut(rest, "=")
				require.True(t, ok, a)
				files, rels = append(files, path), append(rels, opt == "--relationships=")
			}
		}
	}
	rewrite := func(path string, rel bool) {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		records := csvRecords(t, b)
		var out []byte
		header := string(records[0])
		switch {
		case rel:
			out = append(out, records[0]...)
			for _, r := range records[1:] {
				from, rest := csvField(t, r)
				to, rest := csvField(t, rest)
				a, aok := nums[from]
				z, zok := nums[to]
				require.True(t, aok && zok, "%s: %q -> %q", path, from, to)
				out = fmt.Appendf(out, "%d,%d,%s", a, z, rest)
			}
		case strings.HasPrefix(header, "id:ID("):
			out = append(out, header[len("id"):strings.Index(header, ",")]+",id"+header[strings.Index(header, ","):]...)
			for _, r := range records[1:] {
				id, _ := csvField(t, r)
				_, dup := nums[id]
				require.False(t, dup, "%s: %q declared twice", path, id)
				nums[id] = int64(len(nums))
				out = fmt.Appendf(out, "%d,%s", nums[id], r)
			}
		case strings.HasPrefix(header, ":ID(Snapshot),"):
			for _, r := range records {
				_, rest := csvField(t, r)
				out = append(out, rest...)
			}
		default:
			return
		}
		require.NoError(t, os.WriteFile(path, out, 0o644))
	}
	for i, path := range files {
		if !rels[i] {
			rewrite(path, false)
		}
	}
	for i, path := range files {
		if rels[i] {
			rewrite(path, true)
		}
	}
	n := strings.Count(string(args), `"--id-type=string"`)
	require.Equal(t, 1, n, "the legacy argument file names the string id type once")
	require.NoError(t, os.WriteFile(filepath.Join(dir, ImportArgsFile),
		[]byte(strings.Replace(string(args), `"--id-type=string"`, `"--id-type=integer"`, 1)), 0o644))
}

// csvRecords splits a CSV file into its records, each with its line end: a
// newline inside a quoted field does not end one.
func csvRecords(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	quoted, start := false, 0
	for i, c := range b {
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\n' && !quoted:
			out = append(out, b[start:i+1])
			start = i + 1
		}
	}
	require.False(t, quoted, "a quote is left open")
	require.Equal(t, len(b), start, "the last record ends with a newline")
	return out
}

// csvField returns the value of a record's first field (unquoted) and the
// record after the comma that ends it.
func csvField(t *testing.T, r []byte) (string, []byte) {
	t.Helper()
	if len(r) == 0 || r[0] != '"' {
		i := bytes.IndexByte(r, ',')
		require.GreaterOrEqual(t, i, 0, "%q", r)
		return string(r[:i]), r[i+1:]
	}
	var v []byte
	for i := 1; i < len(r); i++ {
		if r[i] != '"' {
			v = append(v, r[i])
			continue
		}
		if i+1 < len(r) && r[i+1] == '"' {
			v = append(v, '"')
			i++
			continue
		}
		require.True(t, i+1 < len(r) && r[i+1] == ',', "%q", r)
		return string(v), r[i+2:]
	}
	t.Fatalf("unterminated field in %q", r)
	return "", nil
}
