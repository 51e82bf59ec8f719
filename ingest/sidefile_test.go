package ingest_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
)

type lineProblem struct {
	Line int
	Msg  string
}

// parseLines is a side-file parser for the test: every line "bad" is a
// problem, any other text is the value.
func parseLines(f *ingest.File) (string, []lineProblem, error) {
	b, err := io.ReadAll(f)
	if err != nil {
		return "", nil, err
	}
	var probs []lineProblem
	for i, l := range strings.Split(string(b), "\n") {
		if l == "bad" {
			probs = append(probs, lineProblem{Line: i + 1, Msg: "bad line"})
		}
	}
	return string(b), probs, nil
}

// TestParseSideFile: a clean side file gives its value; one with problems
// gives every problem at its line, the source's reason, and no value, and
// the load stores nothing; a missing one is an I/O error.
func TestParseSideFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(good, []byte("ok\n"), 0o600))
	require.NoError(t, os.WriteFile(bad, []byte("ok\nbad\nbad\n"), 0o600))

	var got string
	var gotOK bool
	read := func(side string) ingest.ReadFunc {
		return func(_ context.Context, path string, in *ingest.Input) error {
			v, ok, err := ingest.ParseSideFile(in, side, path, "invalid test configuration", parseLines,
				func(f *ingest.File, p lineProblem) { f.Problem(p.Line, "", p.Msg) })
			got, gotOK = v, ok
			return err
		}
	}
	load := func(side string) (*fakeStore, error) {
		st := &fakeStore{}
		_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: "src", Format: ingest.FormatVault}},
			ingest.Options{Readers: ingest.Readers{Vault: read(side)}})
		return st, err
	}

	_, _ = load(good)
	require.True(t, gotOK)
	require.Equal(t, "ok\n", got)

	st, err := load(bad)
	require.ErrorIs(t, err, ingest.ErrInvalid)
	require.False(t, gotOK)
	require.Empty(t, got)
	require.False(t, st.committed)
	for _, want := range []string{bad + ":2: bad line", bad + ":3: bad line", "src: invalid test configuration"} {
		require.Contains(t, err.Error(), want)
	}
	require.NotContains(t, err.Error(), "missing bundle header")

	_, err = load(filepath.Join(dir, "absent.yaml"))
	require.Error(t, err)
	require.NotErrorIs(t, err, ingest.ErrInvalid)
	require.False(t, gotOK)
}
