package sap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// ConfigName is the optional configuration file of an extract directory.
const ConfigName = "sap.yaml"

// Read is the ingest.ReadFunc of the sap format: path is a directory of
// table extracts (TABLE.txt, .tsv or .csv, any case) and an optional
// sap.yaml. Other files are ignored. Every problem names the table file,
// the line and the column; with any problem nothing is emitted.
func Read(ctx context.Context, path string, in *ingest.Input) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		in.NoHeader(path, "an SAP extract is a directory of table files (USR02.txt, AGR_USERS.txt, AGR_1251.txt …)")
		return nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return err
	}
	r := &reader{ctx: ctx, in: in, dir: path, x: newExtract(), intern: map[string]string{}}
	tables := map[string]string{}
	var cfgFile string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		name := e.Name()
		if strings.EqualFold(name, ConfigName) {
			cfgFile = filepath.Join(path, name)
			continue
		}
		ext := strings.ToLower(filepath.Ext(name))
		table := strings.ToUpper(strings.TrimSuffix(name, filepath.Ext(name)))
		if _, known := tableSpecs[table]; known && (ext == ".txt" || ext == ".tsv" || ext == ".csv") {
			if prev, dup := tables[table]; dup {
				in.Problemf(filepath.Join(path, name), "table %s is also in %s: keep one file per table", table, filepath.Base(prev))
				r.problems++
				continue
			}
			tables[table] = filepath.Join(path, name)
		}
	}
	if err := r.config(cfgFile); err != nil {
		return err
	}
	for _, table := range sortedKeys(tables) {
		if err := r.table(table, tables[table]); err != nil {
			return err
		}
	}
	for _, table := range sortedKeys(tableSpecs) {
		if _, ok := tables[table]; !ok && tableSpecs[table].needed {
			in.Problemf(path, "missing table %s (%s.txt, .tsv or .csv)", table, table)
			r.problems++
		}
	}
	return r.finish()
}

// reader is the state of one Read.
type reader struct {
	ctx      context.Context
	in       *ingest.Input
	dir      string
	x        *Extract
	cfg      *Config
	fm       *FunctionMap
	first    *ingest.File
	problems int
	interest *interest         // rows worth keeping, from the function map
	intern   map[string]string // one copy of each repeated value, across tables
}

func (r *reader) open(name string) (*ingest.File, error) {
	f, err := r.in.Open(name)
	if err == nil && r.first == nil {
		r.first = f
	}
	return f, err
}

// config reads sap.yaml (when there is one) and builds the function map.
func (r *reader) config(name string) error {
	builtin, err := Builtin()
	if err != nil {
		return err
	}
	r.fm = builtin
	if name == "" {
		return nil
	}
	f, err := r.open(name)
	if err != nil {
		return err
	}
	cfg, probs, err := ParseConfig(f)
	if err != nil {
		return err
	}
	for _, p := range probs {
		f.Problem(p.Line, "", p.Msg)
		r.problems++
	}
	if cfg != nil {
		r.cfg = cfg
		r.fm = builtin.Merge(cfg.Functions)
	}
	return nil
}

// table streams one table file into the extract.
func (r *reader) table(table, name string) error {
	spec := tableSpecs[table]
	f, err := r.open(name)
	if err != nil {
		return err
	}
	r.x.Tables[table] = f.Name()
	tf := newTableFile(f, strings.EqualFold(filepath.Ext(name), ".csv"))
	line, err := tf.readHeader()
	if errors.Is(err, io.EOF) {
		f.Problemf(line, "", "table %s: empty file (want a header line of technical field names: %s)", table, strings.Join(spec.required, ", "))
		r.problems++
		return nil
	}
	if err != nil {
		return readErr(f, table, line, err, &r.problems)
	}
	idx, missing := spec.columns(tf.header)
	for _, c := range missing {
		f.Problemf(line, "", "table %s: missing required column %s (header has %s)", table, c, strings.Join(tf.header, ", "))
		r.problems++
	}
	if len(missing) > 0 {
		return nil
	}
	if r.interest == nil {
		r.interest = newInterest(r.fm)
	}
	sink := &rowSink{x: r.x, interest: r.interest, intern: r.intern, bad: func(line int, col, msg string) {
		f.Problemf(line, "", "table %s column %s: %s", table, col, msg)
		r.problems++
	}}
	return r.rows(f, tf, table, idx, sink)
}

// rows reads the data lines of a table.
func (r *reader) rows(f *ingest.File, tf *tableFile, table string, idx []int, sink *rowSink) error {
	var cells []string
	get := func(i int) string {
		if idx[i] < 0 || idx[i] >= len(cells) {
			return ""
		}
		return cells[idx[i]]
	}
	for n := 0; ; n++ {
		if n%65536 == 0 {
			if err := r.ctx.Err(); err != nil {
				return err
			}
		}
		var line int
		var err error
		cells, line, err = tf.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if err := readErr(f, table, line, err, &r.problems); err != nil || f.Full() {
				return err
			}
			continue
		}
		if len(cells) < len(tf.header) || !emptyFrom(cells, len(tf.header)) {
			f.Problemf(line, "", "table %s: %d cells, the header has %d columns", table, len(cells), len(tf.header))
			r.problems++
			if f.Full() {
				return nil
			}
			continue
		}
		sink.add(table, line, get)
		if r.problems > 0 && f.Full() {
			return nil
		}
	}
}

// readErr reports a malformed line (and returns nil) or returns an I/O error.
func readErr(f *ingest.File, table string, line int, err error, problems *int) error {
	var re *rowError
	if errors.As(err, &re) {
		f.Problemf(re.line, "", "table %s: %s", table, re.msg)
		*problems++
		return nil
	}
	return fmt.Errorf("%s: %w", f.Name(), err)
}

// emptyFrom reports whether every cell from index i on is empty (trailing
// separators some downloads write).
func emptyFrom(cells []string, i int) bool {
	for ; i < len(cells); i++ {
		if cells[i] != "" {
			return false
		}
	}
	return true
}

// finish transforms and emits the extract when it had no problem.
func (r *reader) finish() error {
	if r.first == nil {
		r.in.NoHeader(r.dir, "no SAP table file in the directory (USR02.txt, AGR_USERS.txt, AGR_1251.txt …)")
		return nil
	}
	if r.problems > 0 {
		r.in.NoHeader(r.dir, fmt.Sprintf("SAP extract %s has %d problem(s); nothing was stored", r.dir, r.problems))
		return nil
	}
	res := Transform(r.x, r.cfg, r.fm)
	header := []ingest.Field{str("format", schema.FormatV1), str("source", res.Label)}
	if !res.CollectedAt.IsZero() {
		header = append(header, str("collected_at", res.CollectedAt.UTC().Format(time.RFC3339)))
	}
	r.first.Header(header, 0)
	Emit(r.first, res)
	return nil
}
