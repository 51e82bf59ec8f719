package opengraph_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/opengraph"
)

// td is the shared OpenGraph test data.
var td = filepath.Join("..", "..", "testdata", "opengraph")

// tryLoad ingests path with the opengraph reader and map file mapFile (""
// for none), returning the dataset (nil when nothing was stored), the
// warnings and the error.
func tryLoad(path, mapFile string) (*graph.Dataset, []string, error) {
	st := &storetest.Capture{}
	var warnings []string
	_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: path, Format: ingest.FormatOpenGraph}}, ingest.Options{
		Readers: ingest.Readers{OpenGraph: opengraph.NewReader(opengraph.Options{Map: mapFile, Warn: func(s string) { warnings = append(warnings, s) }})},
		Now:     func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) },
	})
	return st.Data, warnings, err
}

// problems ingests the payload text (written to a temporary file in.json)
// expecting invalid input, and returns the problems with the file name
// replaced by "in.json".
func problems(t *testing.T, payload, mapText string) []ingest.Problem {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "in.json")
	require.NoError(t, os.WriteFile(path, []byte(payload), 0o644))
	mapFile := ""
	if mapText != "" {
		mapFile = filepath.Join(dir, "map.yaml")
		require.NoError(t, os.WriteFile(mapFile, []byte(mapText), 0o644))
	}
	d, _, err := tryLoad(path, mapFile)
	require.Error(t, err)
	require.Nil(t, d, "nothing is stored")
	var ve *ingest.ValidationError
	require.True(t, errors.As(err, &ve), "want a validation error, got %v", err)
	out := make([]ingest.Problem, len(ve.Problems))
	for i, p := range ve.Problems {
		p.File = filepath.Base(p.File)
		out[i] = p
	}
	return out
}
