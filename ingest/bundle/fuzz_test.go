package bundle_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
)

// checkLoad loads path and checks the properties every reader must keep on
// any input: it never panics; it either commits or returns a validation error
// (never both, never an I/O error for a readable file); and what it accepts
// writes out as JSON that reads back to the same records.
func checkLoad(t *testing.T, path string) (accepted bool) {
	t.Helper()
	st, _, err := load(t, ingest.Options{}, path)
	if err != nil {
		require.True(t, errors.Is(err, ingest.ErrInvalid), "unexpected error kind: %v", err)
		require.Zero(t, st.calls, "a failed load must not reach the store")
		return false
	}
	require.Equal(t, 1, st.committed)
	var buf bytes.Buffer
	w := bundle.NewJSONWriter(&buf, "fuzz", collected)
	require.NoError(t, st.data.WriteTo(w))
	require.NoError(t, w.Close())
	again, _, err := load(t, ingest.Options{}, write(t, t.TempDir(), "again.json", buf.String()))
	require.NoError(t, err, "JSONWriter output must load:\n%s", buf.String())
	require.Equal(t, records(st.data), records(again.data))
	return true
}

func addFileSeeds(f *testing.F, paths ...string) {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(b)
	}
}

func FuzzJSON(f *testing.F) {
	addFileSeeds(f, "testdata/small.json")
	for _, s := range []string{
		`{}`, `{"format":"reachgraph/v1","source":"s","systems":[{"id":"a"}]}`,
		`{"format":"reachgraph/v1","source":"s","systems":[{"id":"\ud83e\uddfe\u0000"}]}`,
		`{"systems":[[[[]]]], "grants": null}`, `{"a":1e5,"b":-0.5,"c":[true,false,null]}`, `[`, `{"x":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		accepted := checkLoad(t, write(t, t.TempDir(), "b.json", string(data)))
		if !json.Valid(data) {
			require.False(t, accepted, "accepted invalid JSON")
		}
	})
}

func FuzzYAML(f *testing.F) {
	addFileSeeds(f, "testdata/small.yaml")
	for _, s := range []string{
		"format: reachgraph/v1\nsource: s\n", "a: &a [*a]\n", "- x\n", "systems: [{id: a, <<: {x: 1}}]\n",
		"format: reachgraph/v1\nsource: s\nidentities:\n  - {id: a, type: human, tags: {k: [1]}}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkLoad(t, write(t, t.TempDir(), "b.yaml", string(data)))
	})
}

// csvSections are the files FuzzCSV writes its input into.
var csvSections = []string{"systems.csv", "resources.csv", "identities.csv", "groups.csv", "memberships.csv", "grants.csv", "credentials.csv", "delegations.csv", "bundle.csv"}

func FuzzCSV(f *testing.F) {
	for i, name := range csvSections {
		b, err := os.ReadFile(filepath.Join("testdata/small_csv", name))
		require.NoError(f, err)
		f.Add(uint8(i), b)
	}
	f.Add(uint8(5), []byte("principal,action,resource\n\"a\"\"b\",read,\"x\ny\"\n"))
	f.Add(uint8(2), []byte("id,type,tags\nz,human,a=b;c=d=e;\n"))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		dir := t.TempDir()
		for _, name := range csvSections { // a valid bundle around the fuzzed file
			b, err := os.ReadFile(filepath.Join("testdata/small_csv", name))
			require.NoError(t, err)
			write(t, dir, name, string(b))
		}
		write(t, dir, csvSections[int(which)%len(csvSections)], string(data))
		checkLoad(t, dir)
	})
}

// The fixture itself passes the fuzz properties.
func TestFuzzPropertiesOnFixtures(t *testing.T) {
	for _, p := range []string{"testdata/small.json", "testdata/small.yaml", "testdata/small_csv"} {
		require.True(t, checkLoad(t, p), p)
	}
}
