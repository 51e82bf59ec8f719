package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
)

// maxEngines bounds the engines (one per instant) a session keeps; the
// cache is cleared when full.
const maxEngines = 16

// maxFindings bounds the evaluations (one per ruleset and instant) a session
// caches: findings are the largest thing it holds.
const maxFindings = 4

// Session is one open snapshot. It is safe for concurrent use. Its records
// are read from the store on first use (or at Open with WithRecords), so the
// store must stay open while the session is used.
type Session struct {
	st   graph.Store
	meta graph.SnapshotMeta
	proj *projection.Projection
	// stored is true when proj was read from the store, false when it was
	// built from the records at Open.
	stored bool
	// release gives back the store's view proj lies in (WithInPlace); Close
	// calls it.
	release func()

	recsOnce  sync.Once
	recs      *graph.Index
	recsErr   error
	recsBytes atomic.Int64 // datasetBytes of the records once read
	nodesOnly bool         // recs has no edges (WithRuleRecords)

	kinds func() []string

	mu       sync.Mutex
	engines  map[int64]*reach.Engine
	critical map[int64]map[string]bool

	ruleMu   sync.Mutex // serialises rule evaluation, so one instant is evaluated once
	findings map[findingsKey]findingsEntry
}

// Option tunes Open.
type Option func(*options)

type options struct {
	records bool
	nodes   bool // with records: leave the edges out (WithRuleRecords)
	inPlace bool
	trust   bool // in place without checking the checksums
}

// WithInPlace uses the stored projection where the store keeps it (the
// embedded store: in its memory-mapped file, graph.DerivedViewer) instead
// of a copy: for a short-lived process asking one question. Its checksums
// are checked where it lies, so damage is still an error. The session must
// be closed (Close), which gives the view back; until then the store holds
// its file (the embedded store: no other process can commit to it).
func WithInPlace() Option { return func(o *options) { o.inPlace = true } }

// WithInPlaceUnchecked is WithInPlace without the checksums: the stored
// projection's structure is checked (every array's length and every
// adjacency's offsets), not its bytes, so a question reads only the pages
// it touches — on a large snapshot whose file is not in the page cache,
// seconds less. Damage in the bytes it does not check can give a wrong
// answer; the store's Verify (reachgraph verify-store) checks them.
func WithInPlaceUnchecked() Option { return func(o *options) { o.inPlace, o.trust = true, true } }

// WithRecords reads every record of the snapshot at Open and builds the
// projection from them, in one pass over the store: for callers that will
// need the records (reports, the GraphQL server's entity fields). Without
// it, Open reads only what the projection needs and the records are read on
// first use.
func WithRecords() Option { return func(o *options) { o.records = true } }

// WithRuleRecords is WithRecords for a caller that only evaluates rules
// (and reports on them): it reads every record but the edges (memberships,
// grants, delegations), which the rules take from the projection, and
// RuleSnapshot streams the grants from the store for the one rule that
// reads grant records (unused grants). Records then returns the records
// without their edges. The edges are most of a large estate's records: at
// 1M identities, leaving them out keeps about 1.5 GB out of memory. A
// snapshot stored without its projection is read whole (the projection is
// built from its edges).
func WithRuleRecords() Option { return func(o *options) { o.records, o.nodes = true, true } }

// Open opens snapshot id of st (an id, a unique prefix, or "" for the newest)
// and builds its projection. An id that matches no snapshot is an
// *UnknownError (What "snapshot") naming the closest ids; a store without
// snapshots returns graph.ErrSnapshotNotFound.
func Open(ctx context.Context, st graph.Store, id graph.SnapshotID, opts ...Option) (*Session, error) {
	var o options
	for _, fn := range opts {
		fn(&o)
	}
	r, err := st.Snapshot(ctx, id)
	if err != nil {
		return nil, snapshotError(ctx, st, id, err)
	}
	s := &Session{st: st, meta: r.Meta(), engines: map[int64]*reach.Engine{}, critical: map[int64]map[string]bool{},
		findings: map[findingsKey]findingsEntry{}}
	if s.proj, s.release, err = stored(ctx, r, o); err != nil {
		return nil, fmt.Errorf("open the stored projection of snapshot %s: %w", s.meta.ID, err)
	}
	s.stored = s.proj != nil
	var src graph.Reader = r
	if o.records {
		read := graph.ReadAll
		if s.nodesOnly = o.nodes && s.stored; s.nodesOnly {
			read = graph.ReadNodes
		}
		d, err := read(ctx, r)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("read snapshot %s: %w", s.meta.ID, err)
		}
		s.recsOnce.Do(func() { s.recs = graph.NewIndex(d); s.recsBytes.Store(datasetBytes(d)) })
		src = d
	}
	if s.proj == nil {
		if s.proj, err = projection.Build(ctx, src); err != nil {
			return nil, fmt.Errorf("project snapshot %s: %w", s.meta.ID, err)
		}
	}
	s.kinds = sync.OnceValue(s.resourceKinds)
	return s, nil
}

// stored returns the projection the store keeps for r's snapshot (the
// embedded store keeps it from ingest on), nil when there is none or it was
// written by a build with another layout. Damage is an error: a stored
// projection that fails its checks never answers, and is not silently
// replaced either. In place (WithInPlace), it lies in the store's view,
// which release gives back; release is nil otherwise.
func stored(ctx context.Context, r graph.Reader, o options) (p *projection.Projection, release func(), err error) {
	var parts [][]byte
	found := false
	if v, ok := r.(graph.DerivedViewer); ok && o.inPlace {
		parts, release, found, err = v.DerivedView(ctx, projection.StoredName, !o.trust)
	} else if dr, ok := r.(graph.DerivedReader); ok {
		var data []byte
		data, found, err = dr.Derived(ctx, projection.StoredName)
		parts = [][]byte{data}
	}
	if err != nil || !found {
		return nil, nil, err
	}
	if release != nil {
		p, err = projection.LoadParts(r.Meta(), parts)
	} else {
		p, err = projection.Load(r.Meta(), parts[0])
	}
	if err != nil && release != nil {
		release()
		release = nil
	}
	if errors.Is(err, projection.ErrLayout) {
		return nil, nil, nil
	}
	return p, release, err
}

// Close gives back what the session holds of the store (the view its
// projection lies in, WithInPlace); the session must not be used
// afterwards. Closing twice, or a session opened without WithInPlace, is
// a no-op.
func (s *Session) Close() {
	if s.release != nil {
		s.release()
		s.release = nil
	}
}

// snapshotError turns a failed lookup of id into an UnknownError with
// suggestions when the store has snapshots but none matches.
func snapshotError(ctx context.Context, st graph.Store, id graph.SnapshotID, err error) error {
	if id == "" {
		return err
	}
	metas, lerr := st.Snapshots(ctx)
	if lerr != nil || len(metas) == 0 {
		return err
	}
	if !isNotFound(err) {
		return err
	}
	ids := func(yield func(string) bool) {
		for _, m := range metas {
			if !yield(string(m.ID)) {
				return
			}
		}
	}
	return &UnknownError{What: "snapshot", ID: string(id), Suggestions: suggest(string(id), ids)}
}

// Meta returns the snapshot's metadata.
func (s *Session) Meta() graph.SnapshotMeta { return s.meta }

// ProjectionStored reports whether the projection was read from the store
// (kept with the snapshot since its ingest) rather than built from the
// records at Open, which takes seconds to minutes on a large snapshot.
func (s *Session) ProjectionStored() bool { return s.stored }

// Projection returns the snapshot's projection.
func (s *Session) Projection() *projection.Projection { return s.proj }

// AsOf returns the instant of analysis for asOf as asked: asOf itself (in
// UTC), or when it is zero the snapshot's collected_at, else its ingest time.
// It is the one place of that rule.
func (s *Session) AsOf(asOf time.Time) time.Time {
	if asOf.IsZero() {
		return s.meta.AsOf().UTC()
	}
	return asOf.UTC()
}

// Engine returns the engine at asOf (zero: the snapshot's default, see AsOf),
// built once per instant.
func (s *Session) Engine(asOf time.Time) *reach.Engine {
	at := s.AsOf(asOf)
	k := at.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.engines[k]; ok {
		return e
	}
	if len(s.engines) >= maxEngines {
		clear(s.engines)
	}
	e := reach.New(s.proj, at)
	s.engines[k] = e
	return e
}

// Records returns the snapshot's records indexed by id, read from the store
// on the first call (one read per session).
func (s *Session) Records(ctx context.Context) (*graph.Index, error) {
	s.recsOnce.Do(func() {
		r, err := s.st.Snapshot(ctx, s.meta.ID)
		if err != nil {
			s.recsErr = err
			return
		}
		d, err := graph.ReadAll(ctx, r)
		if err != nil {
			s.recsErr = fmt.Errorf("read snapshot %s: %w", s.meta.ID, err)
			return
		}
		s.recs = graph.NewIndex(d)
		s.recsBytes.Store(datasetBytes(d))
	})
	return s.recs, s.recsErr
}

// Kinds returns the distinct resource kinds of the snapshot, sorted ("" for
// resources without a kind is left out).
func (s *Session) Kinds() []string { return s.kinds() }

func (s *Session) resourceKinds() []string {
	seen := map[string]bool{}
	lo, hi := s.proj.Range(projection.Resource)
	for n := lo; n < hi; n++ {
		if k := s.proj.ResourceKind(n); k != "" {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// CriticalIdentities returns the identities authorized for at least one
// critical access (R8) at asOf, computed once per instant from the in-scope
// systems and resources. ctx is checked between resources.
func (s *Session) CriticalIdentities(ctx context.Context, asOf time.Time) (map[string]bool, error) {
	e := s.Engine(asOf)
	k := e.AsOf().UnixNano()
	s.mu.Lock()
	got, ok := s.critical[k]
	s.mu.Unlock()
	if ok {
		return got, nil
	}
	out := map[string]bool{}
	p := s.proj
	for _, kind := range []projection.Kind{projection.System, projection.Resource} {
		lo, hi := p.Range(kind)
		for n := lo; n < hi; n++ {
			if !p.Sox(n) {
				continue
			}
			for _, a := range criticalActions {
				accs, err := e.WhoCan(ctx, reach.WhoCanQuery{Resource: p.ID(n), Action: a})
				if err != nil {
					return nil, err
				}
				for _, acc := range accs {
					out[acc.Identity] = true
				}
			}
		}
	}
	s.mu.Lock()
	if len(s.critical) >= maxEngines {
		clear(s.critical)
	}
	s.critical[k] = out
	s.mu.Unlock()
	return out, nil
}
