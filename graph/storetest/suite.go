package storetest

import (
	"context"
	"errors"
	"iter"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
)

// Run runs the conformance suite against the backend that newStore creates.
// newStore must return a fresh, empty store each time it is called; every
// subtest gets its own. Run closes each store when its subtest ends and fails
// the subtest if Close fails; a backend may close it again from its own
// t.Cleanup, which runs later. The suite never skips anything: a backend
// passes all of it or does not conform.
func Run(t *testing.T, newStore func(t *testing.T) graph.Store) {
	open := func(t *testing.T) graph.Store {
		t.Helper()
		s := newStore(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	t.Run("EmptyStore", func(t *testing.T) { testEmptyStore(t, open(t)) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open) })
	t.Run("IngestedAt", func(t *testing.T) { testIngestedAt(t, open) })
	t.Run("CallbackErrorStoresNothing", func(t *testing.T) { testCallbackError(t, open) })
	t.Run("CanceledIngestStoresNothing", func(t *testing.T) { testCanceledIngest(t, open(t)) })
	t.Run("SameContentTwice", func(t *testing.T) { testSameContentTwice(t, open(t)) })
	t.Run("TwoSnapshots", func(t *testing.T) { testTwoSnapshots(t, open(t)) })
	t.Run("EarlyBreak", func(t *testing.T) { testEarlyBreak(t, open(t)) })
	t.Run("CanceledRead", func(t *testing.T) { testCanceledRead(t, open(t)) })
	t.Run("ReaderSurvivesNewSnapshot", func(t *testing.T) { testReaderSurvivesNewSnapshot(t, open(t)) })
	t.Run("ReadDuringIngest", func(t *testing.T) { testReadDuringIngest(t, open(t)) })
}

func testEmptyStore(t *testing.T, s graph.Store) {
	ctx := context.Background()
	list, err := s.Snapshots(ctx)
	require.NoError(t, err)
	require.Empty(t, list)
	for _, id := range []graph.SnapshotID{"", "s-", "s-0123456789abcdef0123456789abcdef"} {
		_, err := s.Snapshot(ctx, id)
		require.ErrorIs(t, err, graph.ErrSnapshotNotFound, "id %q", id)
	}
}

func testRoundTrip(t *testing.T, open func(*testing.T) graph.Store) {
	tests := []struct {
		name string
		data *graph.Dataset
	}{
		{name: "every field set", data: EveryFieldSet()},
		{name: "every field unset", data: EveryFieldUnset()},
		{name: "non-UTC times and empty collections", data: Denormalized()},
		{name: "special ids", data: SpecialIDsDataset()},
		{name: "no records", data: &graph.Dataset{Info: graph.SnapshotMeta{Source: "empty"}}},
		{name: "many records", data: Synthetic(30000, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			got := Ingest(t, s, tc.data)
			want := WantMeta(tc.data, got)
			require.Equal(t, want, got, "Ingest result")

			list, err := s.Snapshots(context.Background())
			require.NoError(t, err)
			require.Equal(t, []graph.SnapshotMeta{want}, list, "Snapshots")

			read := ReadSnapshot(t, s, got.ID)
			require.Equal(t, want, read.Info, "Reader.Meta")
			RequireRecords(t, Normalize(tc.data), read)
		})
	}
}

func testIngestedAt(t *testing.T, open func(*testing.T) graph.Store) {
	zone := time.FixedZone("minus-7", -7*3600)
	given := time.Date(2026, time.November, 2, 3, 4, 5, 6, zone)
	tests := []struct {
		name  string
		given time.Time
	}{
		{name: "zero is set by the store", given: time.Time{}},
		{name: "given is kept in UTC", given: given},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			d := EveryFieldUnset()
			d.Info.IngestedAt = tc.given
			before := time.Now()
			got := Ingest(t, s, d)
			after := time.Now()
			require.Equal(t, time.UTC, got.IngestedAt.Location())
			if tc.given.IsZero() {
				require.False(t, got.IngestedAt.Before(before.Add(-time.Second)), "IngestedAt %s before ingest", got.IngestedAt)
				require.False(t, got.IngestedAt.After(after.Add(time.Second)), "IngestedAt %s after ingest", got.IngestedAt)
			} else {
				require.Equal(t, tc.given.UTC(), got.IngestedAt)
			}
			list, err := s.Snapshots(context.Background())
			require.NoError(t, err)
			require.Len(t, list, 1)
			require.Equal(t, got.IngestedAt, list[0].IngestedAt)
		})
	}
}

var errCallback = errors.New("storetest: callback failed on purpose")

func testCallbackError(t *testing.T, open func(*testing.T) graph.Store) {
	tests := []struct {
		name     string
		existing *graph.Dataset // ingested first, nil for an empty store
	}{
		{name: "empty store", existing: nil},
		{name: "store with a snapshot", existing: EveryFieldUnset()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			var want []graph.SnapshotMeta
			if tc.existing != nil {
				want = append(want, Ingest(t, s, tc.existing))
			}
			d := Synthetic(5000, 2)
			_, err := s.Ingest(context.Background(), d.Info, func(w graph.Writer) error {
				if err := d.WriteTo(w); err != nil {
					return err
				}
				return errCallback
			})
			require.ErrorIs(t, err, errCallback)

			list, err := s.Snapshots(context.Background())
			require.NoError(t, err)
			require.ElementsMatch(t, want, list)
			_, err = s.Snapshot(context.Background(), SnapshotID(d))
			require.ErrorIs(t, err, graph.ErrSnapshotNotFound)
		})
	}
}

func testCanceledIngest(t *testing.T, s graph.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	d := EveryFieldSet()
	_, err := s.Ingest(ctx, d.Info, func(w graph.Writer) error {
		cancel()
		return d.WriteTo(w)
	})
	require.ErrorIs(t, err, context.Canceled)
	list, err := s.Snapshots(context.Background())
	require.NoError(t, err)
	require.Empty(t, list)
}

func testSameContentTwice(t *testing.T, s graph.Store) {
	first := EveryFieldSet()
	firstMeta := Ingest(t, s, first)

	again := EveryFieldSet()
	again.Info.IngestedAt = first.Info.IngestedAt.Add(24 * time.Hour) // not part of the content id
	againMeta := Ingest(t, s, again)
	require.Equal(t, firstMeta, againMeta, "the existing snapshot is returned unchanged")

	list, err := s.Snapshots(context.Background())
	require.NoError(t, err)
	require.Equal(t, []graph.SnapshotMeta{firstMeta}, list)
}

func testTwoSnapshots(t *testing.T, s graph.Store) {
	ctx := context.Background()
	a, b := EveryFieldSet(), SpecialIDsDataset()
	metaA, metaB := Ingest(t, s, a), Ingest(t, s, b)
	require.NotEqual(t, metaA.ID, metaB.ID)

	list, err := s.Snapshots(ctx)
	require.NoError(t, err)
	require.Equal(t, []graph.SnapshotMeta{metaA, metaB}, list, "oldest first")

	common := 0
	for common < len(metaA.ID) && metaA.ID[common] == metaB.ID[common] {
		common++
	}
	unique := metaA.ID[:common+1]
	lookups := []struct {
		name string
		id   graph.SnapshotID
		want graph.SnapshotMeta
		data *graph.Dataset
	}{
		{name: "newest by default", id: "", want: metaB, data: b},
		{name: "full id of the older", id: metaA.ID, want: metaA, data: a},
		{name: "full id of the newer", id: metaB.ID, want: metaB, data: b},
		{name: "unique prefix", id: unique, want: metaA, data: a},
	}
	for _, tc := range lookups {
		t.Run(tc.name, func(t *testing.T) {
			got := ReadSnapshot(t, s, tc.id)
			require.Equal(t, tc.want, got.Info)
			RequireRecords(t, Normalize(tc.data), got)
		})
	}

	failures := []struct {
		name    string
		id      graph.SnapshotID
		wantErr error
	}{
		{name: "shared prefix", id: metaA.ID[:common], wantErr: graph.ErrAmbiguousSnapshot},
		{name: "unknown id", id: "s-does-not-exist", wantErr: graph.ErrSnapshotNotFound},
		{name: "id with a suffix", id: metaA.ID + "0", wantErr: graph.ErrSnapshotNotFound},
		{name: "special characters", id: `"}) MATCH (n) RETURN n //`, wantErr: graph.ErrSnapshotNotFound},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Snapshot(ctx, tc.id)
			require.ErrorIs(t, err, tc.wantErr)
			msg := err.Error()
			require.True(t, strings.Contains(msg, string(tc.id)) || strings.Contains(msg, strconv.Quote(string(tc.id))),
				"the error %q names the id %q", msg, tc.id)
		})
	}
}

// iterators returns, for every record kind, a function that iterates r and
// stops after limit records (limit < 0: never), returning how many it saw and
// the first error.
func iterators(r graph.Reader) map[string]func(ctx context.Context, limit int) (int, error) {
	return map[string]func(context.Context, int) (int, error){
		"systems":     func(ctx context.Context, n int) (int, error) { return count(r.Systems(ctx), n) },
		"resources":   func(ctx context.Context, n int) (int, error) { return count(r.Resources(ctx), n) },
		"identities":  func(ctx context.Context, n int) (int, error) { return count(r.Identities(ctx), n) },
		"groups":      func(ctx context.Context, n int) (int, error) { return count(r.Groups(ctx), n) },
		"memberships": func(ctx context.Context, n int) (int, error) { return count(r.Memberships(ctx), n) },
		"grants":      func(ctx context.Context, n int) (int, error) { return count(r.Grants(ctx), n) },
		"credentials": func(ctx context.Context, n int) (int, error) { return count(r.Credentials(ctx), n) },
		"delegations": func(ctx context.Context, n int) (int, error) { return count(r.Delegations(ctx), n) },
	}
}

func count[T any](seq iter.Seq2[T, error], limit int) (int, error) {
	n := 0
	for _, err := range seq {
		if err != nil {
			return n, err
		}
		n++
		if n == limit {
			break
		}
	}
	return n, nil
}

func testEarlyBreak(t *testing.T, s graph.Store) {
	d := Synthetic(30000, 3)
	meta := Ingest(t, s, d)
	r, err := s.Snapshot(context.Background(), meta.ID)
	require.NoError(t, err)
	counts := d.Meta().Counts
	want := map[string]int{"systems": counts.Systems, "resources": counts.Resources, "identities": counts.Identities,
		"groups": counts.Groups, "memberships": counts.Memberships, "grants": counts.Grants,
		"credentials": counts.Credentials, "delegations": counts.Delegations}
	for name, it := range iterators(r) {
		t.Run(name, func(t *testing.T) {
			for _, limit := range []int{1, want[name] / 2} {
				if limit < 1 {
					continue
				}
				n, err := it(context.Background(), limit)
				require.NoError(t, err)
				require.Equal(t, limit, n, "break after %d", limit)
			}
		})
	}
	// The reader is still fully usable after every iterator was abandoned.
	RequireRecords(t, Normalize(d), ReadSnapshot(t, s, meta.ID))
}

func testCanceledRead(t *testing.T, s graph.Store) {
	meta := Ingest(t, s, EveryFieldSet())
	r, err := s.Snapshot(context.Background(), meta.ID)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, it := range iterators(r) {
		t.Run(name, func(t *testing.T) {
			_, err := it(ctx, -1)
			require.ErrorIs(t, err, context.Canceled)
		})
	}
}

func testReaderSurvivesNewSnapshot(t *testing.T, s graph.Store) {
	a := Synthetic(20000, 4)
	metaA := Ingest(t, s, a)
	r, err := s.Snapshot(context.Background(), "")
	require.NoError(t, err)

	// Start reading A, commit B half-way through, then finish reading A.
	ctx := context.Background()
	var got []graph.Membership
	for m, err := range r.Memberships(ctx) {
		require.NoError(t, err)
		got = append(got, m)
		if len(got) == len(a.MembershipList)/2 {
			Ingest(t, s, Synthetic(20000, 5))
		}
	}
	require.Equal(t, a.MembershipList, got)

	require.Equal(t, metaA, r.Meta())
	d, err := graph.ReadAll(ctx, r)
	require.NoError(t, err)
	RequireRecords(t, Normalize(a), d)
}

func testReadDuringIngest(t *testing.T, s graph.Store) {
	ctx := context.Background()
	a := Synthetic(20000, 6)
	metaA := Ingest(t, s, a)

	b := Synthetic(20000, 7)
	writing, release := make(chan struct{}), make(chan struct{})
	type result struct {
		meta graph.SnapshotMeta
		err  error
	}
	done := make(chan result, 1)
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	defer unblock() // never leave the ingest blocked when a require fails
	go func() {
		meta, err := s.Ingest(ctx, b.Info, func(w graph.Writer) error {
			if err := b.WriteTo(w); err != nil {
				return err
			}
			close(writing)
			<-release
			return nil
		})
		done <- result{meta: meta, err: err}
	}()

	<-writing
	list, err := s.Snapshots(ctx)
	require.NoError(t, err)
	require.Equal(t, []graph.SnapshotMeta{metaA}, list, "the ingest in progress is not visible")
	RequireRecords(t, Normalize(a), ReadSnapshot(t, s, ""))
	unblock()

	res := <-done
	require.NoError(t, res.err)
	list, err = s.Snapshots(ctx)
	require.NoError(t, err)
	require.Equal(t, []graph.SnapshotMeta{metaA, res.meta}, list)
	RequireRecords(t, Normalize(b), ReadSnapshot(t, s, ""))
}
