//go:build linux

package session_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// A session that uses the stored projection in place reads the mapped
// store file in WhoCanEach's workers. When the file is truncated under it
// (by another program), a worker's fault comes back to the caller as a
// panic carrying the fault (which the CLI turns into exit 2) instead of
// ending the process in a worker.
func TestWhoCanEachFaultInWorker(t *testing.T) {
	path := t.TempDir() + "/stored.db"
	tierSStore(t, path, memstore.WithDerived(projection.StoredName, projection.Derive))
	s := openSession(t, path, session.WithInPlaceUnchecked())
	q := session.WhoCan{Action: schema.ActionApprove, Kind: "journal_entry"}
	require.Greater(t, len(resourcesOfKind(s.Projection(), q.Kind)), 64, "enough resources that the workers run ahead")

	var recovered any
	calls := 0
	func() {
		defer func() { recovered = recover() }()
		_ = s.WhoCanEach(context.Background(), time.Time{}, q, func(analysis.Access) error {
			if calls++; calls == 1 {
				// From here on, every page of the file past the first faults.
				require.NoError(t, os.Truncate(path, int64(os.Getpagesize())))
			}
			return nil
		})
	}()
	err, ok := recovered.(error)
	require.True(t, ok, "want a panic carrying the fault, got %v after %d accesses", recovered, calls)
	var fault interface{ Addr() uintptr }
	require.True(t, errors.As(err, &fault), "want a fault, got %v", err)
}
