package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

func TestDeclared(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	require.NoError(t, os.WriteFile(a, nil, 0o644))
	require.NoError(t, os.WriteFile(b, nil, 0o644))
	var seen [][]string
	declare := func(in *ingest.Input, path, source string) error {
		f, err := in.Open(path)
		if err != nil {
			return err
		}
		f.Header(header("src"+source), 0)
		for _, id := range []string{"k8s:c:sa:ns/b", "k8s:c:sa:ns/a", "k8s:c:sa:other/x"} {
			f.Add(&ingest.Record{Section: "identities", Fields: []ingest.Field{fld("id", str(id+source)), fld("type", str("workload"))}})
		}
		f.AddPlaceholder(&ingest.Record{Section: "identities", Fields: []ingest.Field{fld("id", str("k8s:c:sa:ns/placeholder")), fld("type", str("workload"))}})
		f.Add(&ingest.Record{Section: "groups", Fields: []ingest.Field{fld("id", str("k8s:c:sa:ns/group"+source))}})
		return f.Close()
	}
	first := func(_ context.Context, path string, in *ingest.Input) error { return declare(in, path, "") }
	second := func(_ context.Context, path string, in *ingest.Input) error {
		seen = append(seen, in.Declared(schema.KindIdentity, "k8s:c:sa:ns/"), in.Declared(schema.KindIdentity, "nope"))
		return declare(in, path, "-2")
	}
	st := &fakeStore{}
	_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: a, Format: ingest.FormatBundle}, {Path: b, Format: ingest.FormatSAP}},
		ingest.Options{Readers: ingest.Readers{Bundle: first, SAP: second}})
	require.NoError(t, err)
	// sorted, identities only, placeholders and later sources left out
	require.Equal(t, [][]string{{"k8s:c:sa:ns/a", "k8s:c:sa:ns/b"}, nil}, seen)
}
