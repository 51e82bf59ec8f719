package ingest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
)

// TestOpenData: a source that is not a file (a database URL) is recorded
// under its name verbatim with the SHA-256 of the data given, and its
// problems are shown under that name.
func TestOpenData(t *testing.T) {
	const url = "postgres://audit@db1:5432/finance?sslmode=require"
	data := []byte(`{"roles":[]}`)
	read := func(valid bool) ingest.ReadFunc {
		return func(_ context.Context, path string, in *ingest.Input) error {
			f := in.OpenData(path, data)
			f.Header([]ingest.Field{{Name: "format", Value: str("reachgraph/v1")}, {Name: "source", Value: str("pg")}}, 0)
			if !valid {
				f.Problem(0, "", "catalog unreadable")
			}
			f.Add(&ingest.Record{Section: "systems", Fields: []ingest.Field{{Name: "id", Value: str("postgres:db1")}}})
			return nil
		}
	}
	st := &fakeStore{}
	meta, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: url}}, ingest.Options{Readers: ingest.Readers{Postgres: read(true)}})
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	require.Len(t, meta.Files, 1)
	require.Equal(t, url, meta.Files[0].Name)
	require.Equal(t, hex.EncodeToString(sum[:]), meta.Files[0].SHA256)

	_, err = ingest.Load(context.Background(), &fakeStore{}, []ingest.Source{{Path: url}}, ingest.Options{Readers: ingest.Readers{Postgres: read(false)}})
	require.ErrorIs(t, err, ingest.ErrInvalid)
	require.Contains(t, err.Error(), url+": catalog unreadable")
}
