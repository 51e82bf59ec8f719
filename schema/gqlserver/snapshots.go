package gqlserver

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
)

// maxCachedViews bounds the snapshot views kept in memory; the least recently
// used one is dropped first.
const maxCachedViews = 4

// maxEnginesPerView bounds the engines (one per as-of instant) kept per view.
const maxEnginesPerView = 16

// view is one snapshot held in memory: its projection (for the engine) and an
// index of its records by id (for the entity fields). It is immutable once
// built, except for the lazily filled engine and critical-access caches.
type view struct {
	meta graph.SnapshotMeta
	proj *projection.Projection
	idx  *index

	mu       sync.Mutex
	engines  map[int64]*reach.Engine
	critical map[int64]map[string]bool // as-of → identities with critical access
	used     uint64

	// ruleMu serialises rule evaluation on this view, so concurrent requests
	// for the same instant evaluate once; it guards data and findings.
	ruleMu   sync.Mutex
	data     *graph.Dataset            // every record, read on the first findings request
	findings map[int64][]rules.Finding // as-of → built-in findings, sorted; never mutated
}

// engine returns the engine over v at asOf (zero: the snapshot's as_of).
func (v *view) engine(asOf time.Time) *reach.Engine {
	if asOf.IsZero() {
		asOf = v.meta.AsOf()
	}
	k := asOf.UnixNano()
	v.mu.Lock()
	defer v.mu.Unlock()
	if e, ok := v.engines[k]; ok {
		return e
	}
	if len(v.engines) >= maxEnginesPerView {
		clear(v.engines)
	}
	e := reach.New(v.proj, asOf)
	v.engines[k] = e
	return e
}

// criticalIdentities returns the identities authorized for at least one
// critical access (R8) at the engine's instant, computed once per instant from
// the in-scope resources (fewer than identities in practice).
func (v *view) criticalIdentities(e *reach.Engine) (map[string]bool, error) {
	k := e.AsOf().UnixNano()
	v.mu.Lock()
	got, ok := v.critical[k]
	v.mu.Unlock()
	if ok {
		return got, nil
	}
	out := map[string]bool{}
	targets := make([]string, 0, len(v.idx.resourceIDs)+len(v.idx.systemIDs))
	targets = append(targets, v.idx.systemIDs...)
	targets = append(targets, v.idx.resourceIDs...)
	for _, id := range targets {
		sox, err := e.InSOXScope(id)
		if err != nil {
			return nil, err
		}
		if !sox {
			continue
		}
		for _, a := range criticalActions {
			accs, err := e.WhoCan(reach.WhoCanQuery{Resource: id, Action: a})
			if err != nil {
				return nil, err
			}
			for _, acc := range accs {
				out[acc.Identity] = true
			}
		}
	}
	v.mu.Lock()
	if len(v.critical) >= maxEnginesPerView {
		clear(v.critical)
	}
	v.critical[k] = out
	v.mu.Unlock()
	return out, nil
}

// views caches snapshot views by snapshot id. Snapshots are immutable and
// content-addressed, so a cached view never goes stale; a new ingest lands
// under a new id.
type views struct {
	st graph.Store

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
	v, err := buildView(ctx, r)
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
	for len(vs.byID) > maxCachedViews {
		old := slices.MinFunc(mapValues(vs.byID), func(a, b *view) int { return cmp.Compare(a.used, b.used) })
		delete(vs.byID, old.meta.ID)
	}
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

func buildView(ctx context.Context, r graph.Reader) (*view, error) {
	p, err := projection.Build(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("project snapshot %s: %w", r.Meta().ID, err)
	}
	idx, err := buildIndex(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("index snapshot %s: %w", r.Meta().ID, err)
	}
	return &view{meta: r.Meta(), proj: p, idx: idx, engines: map[int64]*reach.Engine{}, critical: map[int64]map[string]bool{},
		findings: map[int64][]rules.Finding{}}, nil
}
