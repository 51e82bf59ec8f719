package ingest_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
)

// TestLongIDRefused: an id over MaxIDBytes is a located problem (both stores
// accept the same ids), one at the limit is fine.
func TestLongIDRefused(t *testing.T) {
	for _, n := range []int{ingest.MaxIDBytes, ingest.MaxIDBytes + 1} {
		d := doc{header: header("t"), recs: []ingest.Record{
			rec("systems", 0, fld("id", str(strings.Repeat("x", n))), fld("name", str("S"))),
		}}
		_, _, err := run(t, ingest.Options{}, "b.json", d)
		if n <= ingest.MaxIDBytes {
			require.NoError(t, err)
			continue
		}
		require.ErrorIs(t, err, ingest.ErrInvalid)
		require.Equal(t, []string{fmt.Sprintf("f: /systems/0/id: an id of %d bytes: ids are at most %d bytes (every store indexes them; Neo4j refuses longer keys)", n, ingest.MaxIDBytes)},
			messages(t, err))
	}
}

// TestFileExactlyAtTheCap: a file exactly as large as the file cap is read to
// its end (a read past the cap used to answer "no bytes, no error" forever).
func TestFileExactlyAtTheCap(t *testing.T) {
	path := tempFile(t, "exact.txt", "0123456789")
	read := func(_ context.Context, p string, in *ingest.Input) error {
		f, err := in.Open(p)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		if string(b) != "0123456789" {
			return fmt.Errorf("read %q", b)
		}
		f.Header(header("t"), 0)
		return f.Close()
	}
	done := make(chan error, 1)
	go func() {
		_, err := ingest.Load(context.Background(), &fakeStore{}, []ingest.Source{{Path: path, Format: ingest.FormatBundle}},
			ingest.Options{Readers: ingest.Readers{Bundle: read}, Limits: ingest.Limits{FileBytes: 10}})
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("reading a file of exactly the cap did not end")
	}
}
