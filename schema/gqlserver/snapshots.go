package gqlserver

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
)

// maxCachedViews bounds the snapshot views kept in memory; the least recently
// used one is dropped first. The cache is also bounded in bytes (Options.
// MaxCacheBytes), whichever bound comes first.
const maxCachedViews = 4

// view is one snapshot held open: its session (projection, engines,
// findings) and its records by id (for the entity fields). The records are
// read when the view is built.
type view struct {
	sess *session.Session
	meta graph.SnapshotMeta
	idx  *graph.Index
	used uint64
}

// engine returns the engine over v at asOf (zero: the snapshot's as_of).
func (v *view) engine(asOf time.Time) *reach.Engine { return v.sess.Engine(asOf) }

// views caches snapshot views by snapshot id. Snapshots are immutable and
// content-addressed, so a cached view never goes stale; a new ingest lands
// under a new id.
type views struct {
	st graph.Store
	// maxBytes bounds the estimated memory of the cached views (their
	// projections, records and cached findings, session.Bytes); the most
	// recently used view is always kept. 0 means no byte bound.
	maxBytes int64
	// opened, when set, observes how long opening a snapshot took.
	opened prometheus.Observer

	mu    sync.Mutex
	byID  map[graph.SnapshotID]*view
	clock uint64
	// building serialises builds so concurrent requests for the same new
	// snapshot build it once.
	building sync.Mutex
}

func newViews(st graph.Store) *views {
	return &views{st: st, byID: map[graph.SnapshotID]*view{}}
}

// get resolves id (an id, a unique prefix, or "" for the newest) and returns
// its view, building and caching it on first use. Errors wrap
// graph.ErrSnapshotNotFound or graph.ErrAmbiguousSnapshot.
func (vs *views) get(ctx context.Context, id graph.SnapshotID) (*view, error) {
	if v := vs.lookup(id); v != nil {
		return v, nil
	}
	r, err := vs.st.Snapshot(ctx, id)
	if err != nil {
		return nil, err
	}
	if v := vs.lookup(r.Meta().ID); v != nil {
		return v, nil
	}
	vs.building.Lock()
	defer vs.building.Unlock()
	if v := vs.lookup(r.Meta().ID); v != nil {
		return v, nil
	}
	start := time.Now()
	v, err := buildView(ctx, vs.st, r.Meta().ID)
	if err == nil && vs.opened != nil {
		vs.opened.Observe(time.Since(start).Seconds())
	}
	if err != nil {
		return nil, err
	}
	vs.put(v)
	return v, nil
}

// lookup returns the cached view with exactly this id; "" never matches, as
// the newest snapshot may change under a concurrent ingest.
func (vs *views) lookup(id graph.SnapshotID) *view {
	if id == "" {
		return nil
	}
	vs.mu.Lock()
	defer vs.mu.Unlock()
	v := vs.byID[id]
	if v != nil {
		vs.clock++
		v.used = vs.clock
	}
	return v
}

func (vs *views) put(v *view) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.clock++
	v.used = vs.clock
	vs.byID[v.meta.ID] = v
	vs.evictLocked()
}

// evictLocked drops the least recently used views until the cache is within
// its count and byte bounds (the most recently used one stays).
func (vs *views) evictLocked() {
	for len(vs.byID) > 1 && (len(vs.byID) > maxCachedViews || vs.maxBytes > 0 && vs.bytesLocked() > vs.maxBytes) {
		old := slices.MinFunc(mapValues(vs.byID), func(a, b *view) int { return cmp.Compare(a.used, b.used) })
		delete(vs.byID, old.meta.ID)
	}
}

// bytesLocked estimates the memory of the cached views.
func (vs *views) bytesLocked() int64 {
	var n int64
	for _, v := range vs.byID {
		n += v.sess.Bytes()
	}
	return n
}

// trim applies the bounds again: cached findings grow a view after it was put.
func (vs *views) trim() {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.evictLocked()
}

// len is the number of cached views.
func (vs *views) len() int {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return len(vs.byID)
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func buildView(ctx context.Context, st graph.Store, id graph.SnapshotID) (*view, error) {
	sess, err := session.Open(ctx, st, id, session.WithRecords())
	if err != nil {
		return nil, err
	}
	idx, err := sess.Records(ctx)
	if err != nil {
		return nil, err
	}
	return &view{sess: sess, meta: sess.Meta(), idx: idx}, nil
}
