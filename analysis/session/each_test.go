package session_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/schema"
)

// WhoCanEach hands out exactly WhoCan's answer, in its order; a failing
// callback stops it with that error; a bad question fails before any call.
func TestWhoCanEach(t *testing.T) {
	ctx := context.Background()
	s, err := session.Open(ctx, financeStore(t), "")
	require.NoError(t, err)
	for _, q := range []session.WhoCan{
		{Action: schema.ActionRead, Kind: "secret"},
		{Action: schema.ActionApprove, Kind: "journal_entry"},
		{Action: schema.ActionWrite, Resource: "sap:fi:je"},
	} {
		want, err := s.WhoCan(ctx, time.Time{}, q)
		require.NoError(t, err)
		require.NotEmpty(t, want, "%+v", q)
		var got []analysis.Access
		require.NoError(t, s.WhoCanEach(ctx, time.Time{}, q, func(a analysis.Access) error {
			got = append(got, a)
			return nil
		}))
		require.Equal(t, want, got, "%+v", q)
	}

	stop := errors.New("reader went away")
	before := runtime.NumGoroutine()
	calls := 0
	err = s.WhoCanEach(ctx, time.Time{}, session.WhoCan{Action: schema.ActionRead, Kind: "secret"}, func(analysis.Access) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	require.Equal(t, 2, calls)
	// The goroutine answering resources ahead has ended when WhoCanEach returns.
	require.LessOrEqual(t, runtime.NumGoroutine(), before)

	for _, q := range []session.WhoCan{
		{Action: "approves", Kind: "journal_entry"},
		{Action: schema.ActionApprove, Kind: "journal_entries"},
		{Action: schema.ActionApprove, Kind: "journal_entry", Resource: "sap:fi:je"},
	} {
		err := s.WhoCanEach(ctx, time.Time{}, q, func(analysis.Access) error {
			t.Fatalf("called for the bad question %+v", q)
			return nil
		})
		require.Error(t, err, "%+v", q)
	}
}
