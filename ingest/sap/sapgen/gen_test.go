package sapgen_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest/sap/sapgen"
)

// The same options and seed give the same files; another seed does not.
func TestGenerateDeterministic(t *testing.T) {
	o := sapgen.Options{Seed: 7, Users: 50, Roles: 20, Rows: 2000, CompanyCodes: 3}
	read := func(dir string) map[string]string {
		out := map[string]string{}
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			require.NoError(t, err)
			out[e.Name()] = string(b)
		}
		return out
	}
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	n, err := sapgen.Generate(context.Background(), a, o)
	require.NoError(t, err)
	require.InDelta(t, 2000, n, 100)
	_, err = sapgen.Generate(context.Background(), b, o)
	require.NoError(t, err)
	o.Seed = 8
	_, err = sapgen.Generate(context.Background(), c, o)
	require.NoError(t, err)
	require.Equal(t, read(a), read(b))
	require.NotEqual(t, read(a)["AGR_1251.txt"], read(c)["AGR_1251.txt"])
	require.Equal(t, n+1, strings.Count(read(a)["AGR_1251.txt"], "\n"), "header + rows")
}
