package bundle_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
)

// copyCSVDir copies testdata/small_csv into a temporary directory, with
// extra appended to identities.csv.
func copyCSVDir(t *testing.T, extra string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "csv")
	require.NoError(t, os.Mkdir(dir, 0o700))
	entries, err := os.ReadDir("testdata/small_csv")
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata/small_csv", e.Name()))
		require.NoError(t, err)
		if e.Name() == "identities.csv" {
			data = append(data, extra...)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600))
	}
	return dir
}

// TestInputLimits: every cap of the limit table (ingest.Limits, set small
// here) turns an oversized input into one located problem — the file and,
// where the reader knows it, the line — and nothing is stored.
func TestInputLimits(t *testing.T) {
	yamlHead := "format: reachgraph/v1\nsource: t\ncollected_at: 2026-10-31T00:00:00Z\n"
	jsonHead := `{"format": "reachgraph/v1", "source": "t", "collected_at": "2026-10-31T00:00:00Z",` + "\n"
	long := strings.Repeat("x", 300)
	for _, c := range []struct {
		name   string
		limits ingest.Limits
		path   func(t *testing.T, dir string) string
		want   string // with PATH for the input's path
	}{
		{name: "CSV cell", limits: ingest.Limits{ValueBytes: 256},
			path: func(t *testing.T, _ string) string { return copyCSVDir(t, "zed,"+long+",human,,,,,,,,,,,,,\n") },
			want: "PATH/identities.csv:7: name: the value is 300 bytes, more than the 256 bytes limit for one value"},
		{name: "CSV record", limits: ingest.Limits{RecordBytes: 1024},
			path: func(t *testing.T, _ string) string {
				return copyCSVDir(t, "zed,\""+strings.Repeat("y\n", 600<<10)+"\",human,,,,,,,,,,,,,\n")
			},
			want: "PATH/identities.csv:7: the CSV record starting on this line is larger than the 1 KiB limit"},
		{name: "YAML file (a long line)", limits: ingest.Limits{YAMLBytes: 4096},
			path: func(t *testing.T, dir string) string {
				return write(t, dir, "b.yaml", yamlHead+"systems:\n  - {id: a, name: "+strings.Repeat("z", 8192)+"}\n")
			},
			want: "PATH: larger than the 4 KiB limit for a YAML bundle (use JSON or CSV for larger inputs); nothing after it was read"},
		{name: "YAML scalar", limits: ingest.Limits{ValueBytes: 256},
			path: func(t *testing.T, dir string) string {
				return write(t, dir, "b.yaml", yamlHead+"systems:\n  - id: a\n    name: "+long+"\n")
			},
			want: "PATH:6: name: the value is 300 bytes, more than the 256 bytes limit for one value"},
		{name: "JSON file", limits: ingest.Limits{FileBytes: 4096},
			path: func(t *testing.T, dir string) string {
				var b strings.Builder
				for i := range 1000 {
					fmt.Fprintf(&b, `{"id": "s%d"},`, i)
				}
				return write(t, dir, "b.json", jsonHead+`"systems": [`+b.String()+`{"id": "b"}]}`)
			},
			want: "PATH: larger than the 4 KiB limit for an input file; nothing after it was read"},
		// A regular file already larger than the cap is refused before it
		// is read: its zero bytes past the head would otherwise be a syntax
		// error after the head was parsed.
		{name: "JSON file larger than the cap on disk", limits: ingest.Limits{FileBytes: 4096},
			path: func(t *testing.T, dir string) string {
				p := write(t, dir, "b.json", jsonHead+`"systems": [{"id": "a"},`)
				require.NoError(t, os.Truncate(p, 1<<20))
				return p
			},
			want: "PATH: larger than the 4 KiB limit for an input file; nothing after it was read"},
		{name: "JSON record", limits: ingest.Limits{RecordBytes: 1024},
			path: func(t *testing.T, dir string) string {
				return write(t, dir, "b.json", jsonHead+`"systems": [`+"\n"+`{"id": "a", "name": "`+strings.Repeat("w", 300<<10)+`"}]}`)
			},
			want: "PATH:3: /systems/0: invalid JSON: a single record or value is larger than the 1 KiB limit"},
		{name: "JSON string", limits: ingest.Limits{ValueBytes: 256},
			path: func(t *testing.T, dir string) string {
				return write(t, dir, "b.json", jsonHead+`"systems": [{"id": "a", "name": "`+long+`"}]}`)
			},
			want: "PATH: /systems/0/name: the value is 300 bytes, more than the 256 bytes limit for one value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := c.path(t, t.TempDir())
			msgs, _ := problems(t, ingest.Options{Limits: c.limits}, p)
			require.Equal(t, []string{strings.ReplaceAll(c.want, "PATH", filepath.ToSlash(p))}, msgs)
		})
	}
}
