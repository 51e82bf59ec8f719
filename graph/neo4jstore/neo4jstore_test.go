package neo4jstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/neo4jstore"
	"github.com/reachgraph/reachgraph/graph/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) graph.Store { return openEmpty(t) })
}

// TestConformanceSpooledToDisk: the same with the ingest's records in its
// temporary file past the first kilobyte (Options.SpoolBudget), which the
// file's directory does not show.
func TestConformanceSpooledToDisk(t *testing.T) {
	uri := serverURI(t)
	dir := t.TempDir()
	storetest.Run(t, func(t *testing.T) graph.Store {
		wipe(t)
		o := testOptions()
		o.SpoolBudget, o.SpoolDir = 1<<10, dir
		s, err := neo4jstore.Open(context.Background(), uri, o)
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "the spool file has no name")

	// Where the file cannot be made, the ingest fails naming the directory
	// and stores nothing: the records did go to the file.
	s := openEmpty(t)
	o := testOptions()
	o.SpoolBudget, o.SpoolDir = 1<<10, filepath.Join(dir, "gone")
	gone, err := neo4jstore.Open(context.Background(), uri, o)
	require.NoError(t, err)
	t.Cleanup(func() { _ = gone.Close() })
	d := storetest.Synthetic(500, 3)
	_, err = gone.Ingest(context.Background(), d.Info, d.WriteTo)
	require.ErrorContains(t, err, "records to a temporary file in "+o.SpoolDir)
	list, err := s.Snapshots(context.Background())
	require.NoError(t, err)
	require.Empty(t, list)
}

func TestFailedIngestLeavesNothing(t *testing.T) {
	errLate := errors.New("late failure")
	tests := []struct {
		name    string
		write   func(d *graph.Dataset) func(graph.Writer) error
		wantErr error
	}{
		{
			name: "callback fails after writing",
			write: func(d *graph.Dataset) func(graph.Writer) error {
				return func(w graph.Writer) error {
					if err := d.WriteTo(w); err != nil {
						return err
					}
					return errLate
				}
			},
			wantErr: errLate,
		},
		{
			// Nodes are written to the server before the dangling grant is
			// found, so this exercises the clean-up of partial rows.
			name: "write fails half-way",
			write: func(d *graph.Dataset) func(graph.Writer) error {
				return func(w graph.Writer) error {
					if err := d.WriteTo(w); err != nil {
						return err
					}
					return w.PutGrant(graph.Grant{Principal: "nobody", Resource: "nothing"})
				}
			},
			wantErr: neo4jstore.ErrDanglingReference,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openEmpty(t)
			kept := storetest.Ingest(t, s, storetest.EveryFieldUnset())
			d := storetest.Synthetic(3000, 9)
			_, err := s.Ingest(context.Background(), d.Info, tc.write(d))
			require.ErrorIs(t, err, tc.wantErr)

			list, err := s.Snapshots(context.Background())
			require.NoError(t, err)
			require.Equal(t, []graph.SnapshotMeta{kept}, list)
			recs := query(t, rawDriver(t), "MATCH (n) WHERE n.snapshot <> $kept RETURN count(n) AS n", map[string]any{"kept": string(kept.ID)})
			n, _ := recs[0].Get("n")
			require.Zero(t, n, "rows of the failed snapshot remain")
			recs = query(t, rawDriver(t), "MATCH (s:Snapshot) RETURN count(s) AS n", nil)
			n, _ = recs[0].Get("n")
			require.EqualValues(t, 1, n, "metadata nodes")
		})
	}
}

func TestLeftoversOfAKilledIngestAreReplaced(t *testing.T) {
	s := openEmpty(t)
	d := storetest.EveryFieldSet()
	id := storetest.SnapshotID(d)
	// What a process killed mid-write leaves: a reservation and some rows.
	query(t, rawDriver(t), "CREATE (:Snapshot {id: $id, complete: false}) CREATE (:System {snapshot: $id, id: 'sap', seq: 0})",
		map[string]any{"id": string(id)})
	list, err := s.Snapshots(context.Background())
	require.NoError(t, err)
	require.Empty(t, list, "an incomplete snapshot is not listed")
	_, err = s.Snapshot(context.Background(), id)
	require.ErrorIs(t, err, graph.ErrSnapshotNotFound)

	meta := storetest.Ingest(t, s, d)
	require.Equal(t, id, meta.ID)
	storetest.RequireRecords(t, storetest.Normalize(d), storetest.ReadSnapshot(t, s, id))
}

func TestOpenErrorsHidePasswords(t *testing.T) {
	tests := []struct {
		name    string
		uri     string
		wantErr error
	}{
		{name: "unparsable", uri: "bolt://neo4j:hunter2@db:7687/%zz", wantErr: neo4jstore.ErrInvalidURI},
		{name: "unreachable", uri: "bolt://neo4j:hunter2@127.0.0.1:1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := neo4jstore.Open(context.Background(), tc.uri, neo4jstore.Options{})
			require.Error(t, err)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			}
			require.NotContains(t, err.Error(), "hunter2")
		})
	}
}
