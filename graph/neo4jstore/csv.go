package neo4jstore

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
)

// The CSV files of a bulk import are written a record at a time by typed
// cells: each property of a record kind has a function that prints its
// field straight into the file, with the conventions of the query rows
// (rows.go): an unset value (empty string, zero time, empty list, nil
// SOXScope) is an empty unquoted field, which the importer leaves out;
// booleans and integers are always written; strings are always quoted,
// quotes doubled. The columns still come from the schema (nodeProps,
// edgeProps), so a property without a cell fails the export at once.

// csvWriter writes the cells of one file.
type csvWriter struct {
	w        *bufio.Writer
	snapshot []byte // the snapshot column, quoted
	row      int    // the number of the row being written (its seq)
	buf      []byte // scratch for numbers and times
	err      error  // the first value that could not be written
}

// escaped writes s with its quotes doubled.
func (c *csvWriter) escaped(s string) {
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		c.w.WriteString(s[:i+1])
		c.w.WriteByte('"')
		s = s[i+1:]
	}
	c.w.WriteString(s)
}

// str writes s quoted, even when it is empty.
func (c *csvWriter) str(s string) {
	c.w.WriteByte('"')
	c.escaped(s)
	c.w.WriteByte('"')
}

// optStr writes s quoted, or nothing when it is empty.
func (c *csvWriter) optStr(s string) {
	if s != "" {
		c.str(s)
	}
}

func (c *csvWriter) boolean(b bool) {
	c.w.WriteString(strconv.FormatBool(b))
}

func (c *csvWriter) optBool(b *bool) {
	if b != nil {
		c.boolean(*b)
	}
}

func (c *csvWriter) integer(n int64) {
	c.buf = strconv.AppendInt(c.buf[:0], n, 10)
	c.w.Write(c.buf)
}

// instant writes t in UTC, even when it is zero.
func (c *csvWriter) instant(t time.Time) {
	c.buf = t.UTC().AppendFormat(c.buf[:0], time.RFC3339Nano)
	c.w.Write(c.buf)
}

// when writes t in UTC, or nothing when it is zero.
func (c *csvWriter) when(t time.Time) {
	if !t.IsZero() {
		c.instant(t)
	}
}

// stringList writes ss as one quoted field, elements separated by
// ArrayDelimiter, even when it is empty.
func (c *csvWriter) stringList(ss []string) {
	for _, s := range ss {
		if strings.IndexByte(s, ArrayDelimiter) >= 0 || s == "" {
			c.fail(fmt.Errorf("list element %q is empty or holds U+001F, which the importer cannot carry", s))
			return
		}
	}
	c.w.WriteByte('"')
	for i, s := range ss {
		if i > 0 {
			c.w.WriteByte(ArrayDelimiter)
		}
		c.escaped(s)
	}
	c.w.WriteByte('"')
}

// list writes ss as stringList does, or nothing when it is empty.
func (c *csvWriter) list(ss []string) {
	if len(ss) > 0 {
		c.stringList(ss)
	}
}

// tags writes the keys of m sorted (values false) or their values in that
// order (values true), as list does.
func (c *csvWriter) tags(m map[string]string, values bool) {
	if len(m) == 0 {
		return
	}
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	if values {
		for i, k := range ks {
			ks[i] = m[k]
		}
	}
	c.stringList(ks)
}

// value writes a value of a query row (rows.go): nil as nothing, and the
// types the rows hold.
func (c *csvWriter) value(v any) {
	switch v := v.(type) {
	case nil:
	case string:
		c.str(v)
	case bool:
		c.boolean(v)
	case int64:
		c.integer(v)
	case time.Time:
		c.instant(v)
	case []string:
		c.stringList(v)
	default:
		c.fail(fmt.Errorf("value of type %T", v))
	}
}

func (c *csvWriter) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// col is one CSV column of records of type T: its header and its cell.
type col[T any] struct {
	header string
	cell   func(c *csvWriter, r *T)
}

// snapshotCell writes the snapshot id.
func snapshotCell[T any](c *csvWriter, _ *T) { c.w.Write(c.snapshot) }

// seqCell writes the row's number in the file (its position in write order).
func seqCell[T any](c *csvWriter, _ *T) { c.integer(int64(c.row)) }

// newlines passes what is written to w on, counting the LFs and noting
// any CR in it: a file of n rows and a header whose fields hold no newline
// has exactly n+1 LFs (the row ends) and no CR. It looks at the buffer
// each time it is flushed, not at every field.
type newlines struct {
	w  io.Writer
	lf int
	cr bool
}

func (nl *newlines) Write(p []byte) (int, error) {
	nl.lf += bytes.Count(p, []byte{'\n'})
	nl.cr = nl.cr || bytes.IndexByte(p, '\r') >= 0
	return nl.w.Write(p)
}

// writeCSV writes one CSV file: the header row, then the cells of rows,
// each vetted by check first when it is set (its error, or one rows yields,
// ends the export; the directory is then left part-written). It reports
// whether a field holds a CR or LF: the importer must then parse the file
// as multiline (multilineArgs).
func writeCSV[T any](x *csvExport, name string, cols []col[T], rows iter.Seq2[*T, error], check func(*T) error) (multiline bool, err error) {
	f, err := os.Create(filepath.Join(x.dir, name))
	if err != nil {
		return false, err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	nl := &newlines{w: f}
	c := &csvWriter{w: bufio.NewWriterSize(nl, 1<<20)}
	c.snapshot = []byte(`"` + strings.ReplaceAll(x.snapshot, `"`, `""`) + `"`)
	for i, col := range cols {
		if i > 0 {
			c.w.WriteByte(',')
		}
		c.w.WriteString(col.header)
	}
	c.w.WriteByte('\n')
	n := 0
	for r, err := range rows {
		if err != nil {
			return false, fmt.Errorf("neo4jstore: bulk import %s: %w", name, err)
		}
		if check != nil {
			if err := check(r); err != nil {
				return false, err
			}
		}
		c.row = n
		n++
		for j, col := range cols {
			if j > 0 {
				c.w.WriteByte(',')
			}
			col.cell(c, r)
			if c.err != nil {
				return false, fmt.Errorf("neo4jstore: bulk import %s column %s: %w", name, col.header, c.err)
			}
		}
		c.w.WriteByte('\n')
	}
	if err := c.w.Flush(); err != nil {
		return false, err
	}
	return nl.cr || nl.lf != n+1, nil
}

// column is one CSV column of query rows: its header and the row key it
// prints (the snapshot column prints the snapshot id).
type column struct{ header, key string }

// mapFile writes a file of query rows (the few of the :Derived and
// :Snapshot nodes), as writeCSV does.
func (x *csvExport) mapFile(name string, columns []column, rows rowSource) (bool, error) {
	cols := make([]col[map[string]any], len(columns))
	for i, k := range columns {
		cols[i] = col[map[string]any]{k.header, func(c *csvWriter, r *map[string]any) { c.value((*r)[k.key]) }}
		if k.key == "snapshot" {
			cols[i].cell = snapshotCell[map[string]any]
		}
	}
	return writeCSV(x, name, cols, func(yield func(*map[string]any, error) bool) {
		for i := range rows.n {
			row := rows.at(i)
			if !yield(&row, nil) {
				return
			}
		}
	}, nil)
}

// cells maps each property of records of type T to its cell.
type cells[T any] map[string]func(c *csvWriter, r *T)

// of returns the cell of property p.
func (cs cells[T]) of(p string) func(c *csvWriter, r *T) {
	cell, ok := cs[p]
	if !ok {
		panic(fmt.Sprintf("neo4jstore: no CSV cell for property %q of %T", p, *new(T)))
	}
	return cell
}

// The cells of each record kind, as systemRow … delegationRow (rows.go)
// give its properties.
var (
	systemCells = cells[graph.System]{
		"id":        func(c *csvWriter, r *graph.System) { c.str(r.ID) },
		"name":      func(c *csvWriter, r *graph.System) { c.optStr(r.Name) },
		"kind":      func(c *csvWriter, r *graph.System) { c.optStr(r.Kind) },
		"sox_scope": func(c *csvWriter, r *graph.System) { c.boolean(r.SOXScope) },
		"owner":     func(c *csvWriter, r *graph.System) { c.optStr(r.Owner) },
	}
	resourceCells = cells[graph.Resource]{
		"id":        func(c *csvWriter, r *graph.Resource) { c.str(r.ID) },
		"system":    func(c *csvWriter, r *graph.Resource) { c.optStr(r.System) },
		"parent":    func(c *csvWriter, r *graph.Resource) { c.optStr(r.Parent) },
		"name":      func(c *csvWriter, r *graph.Resource) { c.optStr(r.Name) },
		"kind":      func(c *csvWriter, r *graph.Resource) { c.optStr(r.Kind) },
		"sox_scope": func(c *csvWriter, r *graph.Resource) { c.optBool(r.SOXScope) },
	}
	identityCells = cells[graph.Identity]{
		"id":                    func(c *csvWriter, r *graph.Identity) { c.str(r.ID) },
		"name":                  func(c *csvWriter, r *graph.Identity) { c.optStr(r.Name) },
		"type":                  func(c *csvWriter, r *graph.Identity) { c.optStr(string(r.Type)) },
		"status":                func(c *csvWriter, r *graph.Identity) { c.optStr(string(r.Status)) },
		"owners_business":       func(c *csvWriter, r *graph.Identity) { c.optStr(r.Owners.Business) },
		"owners_technical":      func(c *csvWriter, r *graph.Identity) { c.optStr(r.Owners.Technical) },
		"purpose":               func(c *csvWriter, r *graph.Identity) { c.optStr(r.Purpose) },
		"nonhuman_rationale":    func(c *csvWriter, r *graph.Identity) { c.optStr(r.NonhumanRationale) },
		"shared":                func(c *csvWriter, r *graph.Identity) { c.boolean(r.Shared) },
		"break_glass":           func(c *csvWriter, r *graph.Identity) { c.boolean(r.BreakGlass) },
		"vendor":                func(c *csvWriter, r *graph.Identity) { c.optStr(r.Vendor) },
		"created_at":            func(c *csvWriter, r *graph.Identity) { c.when(r.CreatedAt) },
		"last_used_at":          func(c *csvWriter, r *graph.Identity) { c.when(r.LastUsedAt) },
		"compensating_controls": func(c *csvWriter, r *graph.Identity) { c.list(r.CompensatingControls) },
		"same_as":               func(c *csvWriter, r *graph.Identity) { c.list(r.SameAs) },
		"tags_keys":             func(c *csvWriter, r *graph.Identity) { c.tags(r.Tags, false) },
		"tags_values":           func(c *csvWriter, r *graph.Identity) { c.tags(r.Tags, true) },
	}
	groupCells = cells[graph.Group]{
		"id":     func(c *csvWriter, r *graph.Group) { c.str(r.ID) },
		"name":   func(c *csvWriter, r *graph.Group) { c.optStr(r.Name) },
		"type":   func(c *csvWriter, r *graph.Group) { c.optStr(string(r.Type)) },
		"system": func(c *csvWriter, r *graph.Group) { c.optStr(r.System) },
	}
	credentialCells = cells[graph.Credential]{
		"id":              func(c *csvWriter, r *graph.Credential) { c.str(r.ID) },
		"identity":        func(c *csvWriter, r *graph.Credential) { c.optStr(r.Identity) },
		"type":            func(c *csvWriter, r *graph.Credential) { c.optStr(string(r.Type)) },
		"systems":         func(c *csvWriter, r *graph.Credential) { c.list(r.Systems) },
		"created_at":      func(c *csvWriter, r *graph.Credential) { c.when(r.CreatedAt) },
		"last_rotated_at": func(c *csvWriter, r *graph.Credential) { c.when(r.LastRotatedAt) },
		"valid_from":      func(c *csvWriter, r *graph.Credential) { c.when(r.ValidFrom) },
		"expires_at":      func(c *csvWriter, r *graph.Credential) { c.when(r.ExpiresAt) },
		"last_used_at":    func(c *csvWriter, r *graph.Credential) { c.when(r.LastUsedAt) },
		"rotation_days":   func(c *csvWriter, r *graph.Credential) { c.integer(int64(r.RotationDays)) },
		"revoked":         func(c *csvWriter, r *graph.Credential) { c.boolean(r.Revoked) },
		"vaulted":         func(c *csvWriter, r *graph.Credential) { c.boolean(r.Vaulted) },
		"stored_in":       func(c *csvWriter, r *graph.Credential) { c.optStr(r.StoredIn) },
	}
	membershipCells = cells[graph.Membership]{
		"member":     func(c *csvWriter, r *graph.Membership) { c.str(r.Member) },
		"group":      func(c *csvWriter, r *graph.Membership) { c.str(r.Group) },
		"valid_from": func(c *csvWriter, r *graph.Membership) { c.when(r.ValidFrom) },
		"expires_at": func(c *csvWriter, r *graph.Membership) { c.when(r.ExpiresAt) },
		"native":     func(c *csvWriter, r *graph.Membership) { c.optStr(r.Native) },
	}
	grantCells = cells[graph.Grant]{
		"principal":    func(c *csvWriter, r *graph.Grant) { c.str(r.Principal) },
		"action":       func(c *csvWriter, r *graph.Grant) { c.optStr(string(r.Action)) },
		"resource":     func(c *csvWriter, r *graph.Grant) { c.str(r.Resource) },
		"native":       func(c *csvWriter, r *graph.Grant) { c.optStr(r.Native) },
		"conditional":  func(c *csvWriter, r *graph.Grant) { c.boolean(r.Conditional) },
		"last_used_at": func(c *csvWriter, r *graph.Grant) { c.when(r.LastUsedAt) },
		"valid_from":   func(c *csvWriter, r *graph.Grant) { c.when(r.ValidFrom) },
		"expires_at":   func(c *csvWriter, r *graph.Grant) { c.when(r.ExpiresAt) },
	}
	delegationCells = cells[graph.Delegation]{
		"from":       func(c *csvWriter, r *graph.Delegation) { c.str(r.From) },
		"to":         func(c *csvWriter, r *graph.Delegation) { c.str(r.To) },
		"kind":       func(c *csvWriter, r *graph.Delegation) { c.optStr(string(r.Kind)) },
		"system":     func(c *csvWriter, r *graph.Delegation) { c.optStr(r.System) },
		"native":     func(c *csvWriter, r *graph.Delegation) { c.optStr(r.Native) },
		"valid_from": func(c *csvWriter, r *graph.Delegation) { c.when(r.ValidFrom) },
		"expires_at": func(c *csvWriter, r *graph.Delegation) { c.when(r.ExpiresAt) },
	}
)

// The endpoint ids of each relationship record, in the order of edgeEnds.
func membershipEnds(r *graph.Membership) (from, to string) { return r.Member, r.Group }
func grantEnds(r *graph.Grant) (from, to string)           { return r.Principal, r.Resource }
func delegationEnds(r *graph.Delegation) (from, to string) { return r.From, r.To }
