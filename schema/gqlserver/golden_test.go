package gqlserver_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden (read them by hand before committing)")

// TestGoldenQueries runs every query in testdata/queries against the finance
// sample over real HTTP and compares the JSON with testdata/golden.
func TestGoldenQueries(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, nil)
	files, err := filepath.Glob(filepath.Join("testdata", "queries", "*.graphql"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".graphql")
		t.Run(name, func(t *testing.T) {
			data := mustData(t, hs.URL, readFile(t, f), nil)
			var buf bytes.Buffer
			require.NoError(t, json.Indent(&buf, data, "", "  "))
			buf.WriteByte('\n')
			golden := filepath.Join("testdata", "golden", name+".json")
			if *update {
				require.NoError(t, os.WriteFile(golden, buf.Bytes(), 0o644))
			}
			require.Equal(t, readFile(t, golden), buf.String())
			// Determinism: the same query answers byte-identically again.
			again := mustData(t, hs.URL, readFile(t, f), nil)
			require.JSONEq(t, string(data), string(again))
		})
	}
}
