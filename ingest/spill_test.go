package ingest_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/ingest/k8srbac"
	"github.com/reachgraph/reachgraph/ingest/link"
	"github.com/reachgraph/reachgraph/ingest/sap"
	"github.com/reachgraph/reachgraph/ingest/vault"
)

// held keeps a load's validated records in memory (inputs this small never
// reach the 64 MiB budget).
func held(o ingest.Options) ingest.Options { return o }

// bufferModes are the two ways a load holds its validated records; tests
// that drop, amend or add records run in both.
var bufferModes = map[string]func(ingest.Options) ingest.Options{"held": held, "spilled": ingest.SpillEverything}

// TestSpilledLoadSameAsHeld: with every record in its own chunk on disk, the
// finance sample and the multi-platform estate (placeholders superseded,
// records amended and added by the links) give the same snapshot, record for
// record, as a load that holds them in memory.
func TestSpilledLoadSameAsHeld(t *testing.T) {
	asOf := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	estate := "../testdata/estate"
	loads := map[string]func(ingest.Options) (*graph.Dataset, error){
		"finance": func(opts ingest.Options) (*graph.Dataset, error) {
			st := &storetest.Capture{}
			opts.Readers = ingest.Readers{Bundle: bundle.Read}
			_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: "../testdata/finance/bundle.yaml"}}, opts)
			return st.Data, err
		},
		"estate": func(opts ingest.Options) (*graph.Dataset, error) {
			st := &storetest.Capture{}
			vr := vault.New("")
			opts.Readers = ingest.Readers{Bundle: bundle.Read, AWSIAM: awsiam.Read, SAP: sap.Read, Vault: vr.Read,
				K8sRBAC: k8srbac.NewReader(filepath.Join(estate, "k8s-config.yaml"))}
			opts.Link = link.Config{Files: []string{filepath.Join(estate, "links.yaml")}, SecretWritten: vr.KVUpdated}.LinkFunc()
			opts.CollectedAt = asOf
			srcs := []ingest.Source{{Path: filepath.Join(estate, "k8s")}, {Path: filepath.Join(estate, "aws", "authorization-details.json")},
				{Path: filepath.Join(estate, "sap")}, {Path: filepath.Join(estate, "vault")}, {Path: filepath.Join(estate, "people.yaml")}}
			_, err := ingest.Load(context.Background(), st, srcs, opts)
			return st.Data, err
		},
	}
	for name, load := range loads {
		t.Run(name, func(t *testing.T) {
			opts := ingest.Options{Now: func() time.Time { return asOf }, TempDir: t.TempDir()}
			want, err := load(opts)
			require.NoError(t, err)
			require.Greater(t, len(want.IdentityList), 10)
			got, err := load(ingest.SpillEverything(opts))
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
}

// TestSpillDirMissing: a load that must spill into a directory that cannot
// take the file fails naming it, and stores nothing.
func TestSpillDirMissing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gone")
	st := &storetest.Capture{}
	opts := ingest.SpillEverything(ingest.Options{Readers: ingest.Readers{Bundle: bundle.Read}, TempDir: dir})
	_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: "../testdata/finance/bundle.yaml"}}, opts)
	require.ErrorContains(t, err, "ingest: records to a temporary file in "+dir)
	require.Nil(t, st.Data)
}
