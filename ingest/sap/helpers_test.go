package sap_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/reach/reachtest"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/sap"
	"github.com/reachgraph/reachgraph/schema"
)

const sample = "../../testdata/sap"

// asOf is the sample's collected_at.
var asOf = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// loadDir ingests dir with the sap reader; err is Load's error.
func loadDir(t *testing.T, dir string) (*storetest.Capture, error) {
	t.Helper()
	st := &storetest.Capture{}
	_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: dir, Format: ingest.FormatSAP}}, ingest.Options{
		Readers: ingest.Readers{SAP: sap.Read},
		Now:     func() time.Time { return asOf },
	})
	return st, err
}

func load(t *testing.T, dir string) *graph.Dataset {
	t.Helper()
	st, err := loadDir(t, dir)
	require.NoError(t, err)
	return st.Data
}

func engine(t *testing.T, d *graph.Dataset, at time.Time) *reach.Engine {
	t.Helper()
	return reachtest.Engine(t, d, at)
}

// who answers whocan on the sample: user name → "effective" or "latent".
func who(t *testing.T, e *reach.Engine, a schema.Action, res string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for id, w := range whoRaw(t, e, a, res) {
		out[strings.TrimPrefix(id, "sap:PRD:100:user:")] = w
	}
	return out
}

// whoRaw answers whocan: identity id → "effective" or "latent".
func whoRaw(t *testing.T, e *reach.Engine, a schema.Action, res string) map[string]string {
	t.Helper()
	acc, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: a, Resource: res})
	require.NoError(t, err)
	out := map[string]string{}
	for _, x := range acc {
		word := "latent"
		if x.Effective {
			word = "effective"
		}
		out[x.Identity] = word
	}
	return out
}

// writeDir writes files (name → content) into a new directory.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
	}
	return dir
}

// copySample copies the sample into a new directory, replacing files.
func copySample(t *testing.T, replace map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(sample)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(sample, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600))
	}
	for name, content := range replace {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
	}
	return dir
}

func grantsOf(d *graph.Dataset, principal string) []graph.Grant {
	var out []graph.Grant
	for _, g := range d.GrantList {
		if g.Principal == principal {
			out = append(out, g)
		}
	}
	return out
}

func findGrant(d *graph.Dataset, principal string, a schema.Action, res string) *graph.Grant {
	for i, g := range d.GrantList {
		if g.Principal == principal && g.Action == a && g.Resource == res {
			return &d.GrantList[i]
		}
	}
	return nil
}

func removeFile(t *testing.T, dir, name string) {
	t.Helper()
	require.NoError(t, os.Remove(filepath.Join(dir, name)))
}
