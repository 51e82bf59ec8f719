package ingest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
)

// fakeStore is a graph.Ingester that records whether it was called and
// whether it committed; it honours the callback contract of graph/store.go.
type fakeStore struct {
	calls     int
	committed bool
	data      *graph.Dataset
	failPut   error // when set, every Put fails with it
}

func (s *fakeStore) Ingest(_ context.Context, meta graph.SnapshotMeta, fn func(graph.Writer) error) (graph.SnapshotMeta, error) {
	s.calls++
	d := &graph.Dataset{Info: meta}
	var w graph.Writer = d
	if s.failPut != nil {
		w = &failWriter{err: s.failPut}
	}
	if err := fn(w); err != nil {
		return graph.SnapshotMeta{}, err
	}
	s.committed, s.data = true, d
	meta.ID = "s-fake"
	return meta, nil
}

type failWriter struct {
	graph.Dataset
	err error
}

func (f *failWriter) PutSystem(graph.System) error { return f.err }

// doc is one fake input: a header and records, handed over by feed.
type doc struct {
	header []ingest.Field
	recs   []ingest.Record
}

// feed is a ReadFunc that opens the source file (so it is hashed) and hands
// the doc registered for its path to the loader.
func feed(docs map[string]doc) ingest.ReadFunc {
	return func(_ context.Context, path string, in *ingest.Input) error {
		f, err := in.Open(path)
		if err != nil {
			return err
		}
		d := docs[path]
		if d.header != nil {
			f.Header(d.header, 0)
		}
		for i := range d.recs {
			f.Add(&d.recs[i])
		}
		return f.Close()
	}
}

// tempFile writes content to a new file and returns its path.
func tempFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func header(source string) []ingest.Field {
	return []ingest.Field{fld("format", str("reachgraph/v1")), fld("source", str(source))}
}

func str(s string) ingest.Value   { return ingest.Value{Kind: ingest.String, Text: s} }
func txt(s string) ingest.Value   { return ingest.Value{Kind: ingest.Text, Text: s} }
func num(s string) ingest.Value   { return ingest.Value{Kind: ingest.Number, Text: s} }
func boolv(s string) ingest.Value { return ingest.Value{Kind: ingest.Bool, Text: s} }
func null() ingest.Value          { return ingest.Value{Kind: ingest.Null} }

func list(items ...ingest.Value) ingest.Value {
	return ingest.Value{Kind: ingest.List, Items: items}
}

func obj(fields ...ingest.Field) ingest.Value {
	return ingest.Value{Kind: ingest.Map, Fields: fields}
}

func fld(name string, v ingest.Value) ingest.Field { return ingest.Field{Name: name, Value: v} }

// rec builds a JSON-style record (positions are pointers /section/index).
func rec(section string, index int, fields ...ingest.Field) ingest.Record {
	return ingest.Record{Section: section, Index: index, Fields: fields}
}

// run loads one fake document from a file named name and returns the store
// and the error.
func run(t *testing.T, opts ingest.Options, name string, d doc) (*fakeStore, graph.SnapshotMeta, error) {
	t.Helper()
	path := tempFile(t, name, "fake input\n")
	opts.Readers.Bundle = feed(map[string]doc{path: d})
	st := &fakeStore{}
	meta, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: path, Format: ingest.FormatBundle}}, opts)
	return st, meta, err
}

// messages returns the problems of a validation error as "pointer: msg" or
// "line: msg" strings without the (temporary) file name.
func messages(t *testing.T, err error) []string {
	t.Helper()
	var ve *ingest.ValidationError
	require.True(t, errors.As(err, &ve), "want a *ValidationError, got %v", err)
	var out []string
	for _, p := range ve.Problems {
		p.File = "f"
		out = append(out, p.String())
	}
	return out
}

func asValidation(err error, ve **ingest.ValidationError) bool { return errors.As(err, ve) }

func stringsReplace(s, old, new string) string { return strings.ReplaceAll(s, old, new) }
