package rules

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"cel.dev/cel-go/cel"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// Snapshot is what the rules read: the engine (reach, actors, as_of) and the
// full records of the same snapshot (owners, purpose, flags the projection
// does not keep).
type Snapshot struct {
	Engine *reach.Engine
	Data   *graph.Dataset
	// Index is Data indexed by id; nil means Evaluate indexes Data itself.
	// A caller that evaluates one snapshot several times passes it in so the
	// records are indexed once.
	Index *graph.Index
	// Grants, when set, streams the snapshot's grants, and Data's are not
	// read: the rules read grant records only for unused grants, once, so
	// a caller may leave them out of Data (graph.ReadNodes) and stream them
	// from the store.
	Grants func(context.Context) iter.Seq2[graph.Grant, error]
}

// index holds the records of a snapshot by id. Accesses are not kept: each
// actor's are computed, used by every rule and dropped (see Evaluate).
type index struct {
	s       Snapshot
	asOf    time.Time
	recs    *graph.Index
	actorOf map[string][]string // identity → its actor, for actors of more than one identity
	// res are the facts selectors and variables read of each resource and
	// system, looked up once per access instead of in three maps.
	res map[string]*resFacts
	// resAt are the same facts by node of the engine's projection (systems
	// and resources come first there), for accesses that carry their
	// resource's node (factsOf).
	resAt []*resFacts
	opts  options
	seed  maphash.Seed // splits the unused grants into batches by principal
	// capped counts the accesses whose shortest paths toxic rules did not
	// all see (WithPathLimitNotice).
	capped atomic.Int64
}

// Option tunes Evaluate.
type Option func(*options)

type options struct {
	noMemo   bool
	progress func(done, total int)
	capped   func(accesses, limit int)
}

// WithPathLimitNotice has Stream call fn once, at the end, when toxic rules
// that read the path were not run on every shortest path of some accesses:
// accesses is how many had more than limit other shortest paths and did not
// match on the ones seen. Findings about them may then depend on the order
// the records were ingested in.
func WithPathLimitNotice(fn func(accesses, limit int)) Option {
	return func(o *options) { o.capped = fn }
}

// WithoutMemo evaluates every toxic-path predicate in full on every path,
// instead of checking its guards first (cel.go) and remembering results per
// value of the fields it reads (memo.go); the findings are the same, only
// slower. For comparisons in tests and benchmarks.
func WithoutMemo() Option { return func(o *options) { o.noMemo = true } }

// ident is one identity's accesses (from one Reach) during evaluation.
type ident struct {
	id       string
	accesses []analysis.Access
	// once are the outcomes identityOutcomes decided (nil when none).
	once []outcome
}

// NewSnapshot reads every record of r into memory and pairs it with e.
func NewSnapshot(ctx context.Context, e *reach.Engine, r graph.Reader) (Snapshot, error) {
	d, ok := r.(*graph.Dataset)
	if !ok {
		var err error
		if d, err = graph.ReadAll(ctx, r); err != nil {
			return Snapshot{}, err
		}
	}
	return Snapshot{Engine: e, Data: d}, nil
}

func newIndex(s Snapshot) *index {
	x := &index{s: s, asOf: s.Engine.AsOf(), recs: s.Index, actorOf: map[string][]string{}, seed: maphash.MakeSeed()}
	if x.recs == nil {
		x.recs = graph.NewIndex(s.Data)
	}
	x.res = make(map[string]*resFacts, len(s.Data.ResourceList)+len(s.Data.SystemList))
	facts := make([]resFacts, len(s.Data.ResourceList)+len(s.Data.SystemList))
	add := func(id, kind, sys string) {
		f := &facts[len(x.res)]
		sox, _ := s.Engine.InSOXScope(id)
		*f = resFacts{kind: kind, sys: sys, sox: sox}
		x.res[id] = f
	}
	for _, r := range s.Data.ResourceList {
		if _, dup := x.res[r.ID]; !dup {
			add(r.ID, r.Kind, r.System)
		}
	}
	for _, sy := range s.Data.SystemList {
		if _, dup := x.res[sy.ID]; !dup {
			add(sy.ID, "system", sy.ID)
		}
	}
	for _, a := range s.Engine.Actors() {
		for _, id := range a {
			x.actorOf[id] = a
		}
	}
	if p := s.Engine.Projection(); p != nil {
		_, hi := p.Range(projection.Resource)
		x.resAt = make([]*resFacts, hi)
		for id, f := range x.res {
			if n, ok := p.Lookup(id); ok && n < hi {
				x.resAt[n] = f
			}
		}
	}
	return x
}

// factsOf returns the facts of access a's resource (nil when it has none):
// by its node when the access carries it, else by its id.
func (x *index) factsOf(a *analysis.Access) *resFacts {
	if n := int(a.ResourceNode) - 1; n >= 0 && n < len(x.resAt) {
		return x.resAt[n]
	}
	return x.res[a.Resource]
}

// soxOf reports whether access a's resource is in SOX scope.
func (x *index) soxOf(a *analysis.Access) bool {
	f := x.factsOf(a)
	return f != nil && f.sox
}

// resFacts are what rules read of a resource (or a system): its kind,
// system and SOX scope, and, per action (schema.Actions), the SoD
// functions an access with that action on it belongs to (plan.sodFns).
type resFacts struct {
	kind, sys string
	sox       bool
	fns       []fnSet
}

// indexSoD fills each resource's SoD functions per action.
func (x *index) indexSoD(pl *plan) {
	words := (len(pl.sodFns) + 63) / 64
	if words == 0 {
		return
	}
	for id, f := range x.res {
		f.fns = make([]fnSet, len(schema.Actions))
		sets := make(fnSet, words*len(schema.Actions))
		for ai, act := range schema.Actions {
			fns := sets[ai*words : (ai+1)*words : (ai+1)*words]
			sa := sodAccess{a: &analysis.Access{Resource: id, Action: act}, kind: f.kind, sys: f.sys, sox: f.sox}
			for fi := range pl.sodFns {
				if x.matches(pl.sodFns[fi].Select, &sa) {
					fns[fi/64] |= 1 << (fi % 64)
				}
			}
			if slices.ContainsFunc(fns, func(w uint64) bool { return w != 0 }) {
				f.fns[ai] = fns // nil: in no function
			}
		}
	}
}

func (x *index) actor(id string) []string {
	if a, ok := x.actorOf[id]; ok {
		return a
	}
	return []string{id}
}

// hasEffectiveCritical reports whether the identity holds effective critical access.
func (i *ident) hasEffectiveCritical() bool {
	return i != nil && slices.ContainsFunc(i.accesses, func(a analysis.Access) bool { return a.Effective && a.Critical })
}

// toxicRule is a compiled toxic_path rule.
type toxicRule struct {
	r   Rule
	prg cel.Program
	// guards are the conjuncts checked before the predicate runs (cel.go).
	guards []guard
	// critical is set when access.critical is one of the guards: accesses
	// that are not critical cannot match.
	critical bool
	// refs are the fields it reads, when memoize is set (memo.go).
	refs    refs
	memoize bool
	// perIdentity forgets the remembered results at each identity.
	perIdentity bool
	// identityOnly is set when the predicate reads identity fields alone:
	// it runs once per identity.
	identityOnly bool
	// readsPath is set when the predicate may depend on which shortest path
	// it is given: it then also runs on the access's alternates.
	readsPath bool
}

// maxAlternates is how many other shortest paths per access toxic rules
// that read the path are run on, besides the evidence path.
const maxAlternates = 32

// plan is what Evaluate runs per actor.
type plan struct {
	rs  *Ruleset
	sod []Rule
	// sodFns are the functions the SoD rules name, each once; sodBits are
	// the indexes in sodFns of each SoD rule's functions A and B.
	sodFns  []Function
	sodBits [][2]int
	sodIdx  map[string]int
	toxic   []toxicRule
	hygiene []Rule
	reachQ  reach.ReachQuery // Actions and CriticalOnly; Identity set per call
	// identityOnly is set when a toxic rule reads identity fields alone.
	identityOnly bool
	// uncritical are the toxic rules whose guards do not require
	// access.critical (indexes in toxic).
	uncritical []int
}

func newPlan(rs *Ruleset) (*plan, error) {
	pl := &plan{rs: rs}
	acts := map[schema.Action]bool{}
	critical, all := false, false
	for _, r := range rs.Rules {
		if r.Disabled {
			continue
		}
		switch r.Kind {
		case KindSoD:
			pl.sod = append(pl.sod, r)
			pl.sodBits = append(pl.sodBits, [2]int{pl.sodFn(r.SoD.A), pl.sodFn(r.SoD.B)})
			for _, fn := range []string{r.SoD.A, r.SoD.B} {
				for _, s := range rs.Functions[fn].Select {
					for _, a := range s.Actions {
						acts[a] = true
					}
				}
			}
		case KindToxicPath:
			prg, ast, err := compile(r.When)
			if err != nil {
				return nil, fmt.Errorf("rules: %s: %w", r.ID, err)
			}
			t := toxicRule{r: r, prg: prg, guards: guards(ast)}
			t.critical = requires(t.guards, gAccessCritical)
			t.refs, t.memoize = referenced(ast)
			// A predicate reading the hops is keyed by the whole path: its
			// results repeat within one identity (accesses under one
			// granted node share the path) but hardly across identities,
			// so they are remembered for one identity at a time.
			t.perIdentity = slices.Contains(t.refs.path, "hops") || slices.Contains(t.refs.path, "edges")
			t.identityOnly = t.memoize && len(t.refs.access) == 0 && len(t.refs.path) == 0
			// A predicate that reads the path (or whose reads are not
			// known) is also run on each access's other shortest paths.
			t.readsPath = !t.memoize || len(t.refs.path) > 0
			if t.readsPath {
				pl.reachQ.Alternates = maxAlternates
			}
			pl.identityOnly = pl.identityOnly || t.identityOnly
			if !t.critical {
				pl.uncritical = append(pl.uncritical, len(pl.toxic))
			}
			pl.toxic = append(pl.toxic, t)
			all = all || !t.critical
			critical = true
		case KindHygiene:
			pl.hygiene = append(pl.hygiene, r)
			critical = true // severities and latent_critical read critical accesses
		}
	}
	if critical {
		for _, a := range schema.Actions {
			if a.Critical() {
				acts[a] = true
			}
		}
	}
	if !all {
		for _, a := range schema.Actions {
			if acts[a] {
				pl.reachQ.Actions = append(pl.reachQ.Actions, a)
			}
		}
		pl.reachQ.CriticalOnly = len(pl.sod) == 0
		if len(pl.reachQ.Actions) == 0 {
			pl.reachQ.Actions = []schema.Action{schema.ActionAdmin}
		}
	}
	return pl, nil
}

// sodFn returns the index in sodFns of the function named name, adding it
// when it is new.
func (pl *plan) sodFn(name string) int {
	if pl.sodIdx == nil {
		pl.sodIdx = map[string]int{}
	}
	i, ok := pl.sodIdx[name]
	if !ok {
		i = len(pl.sodFns)
		pl.sodIdx[name] = i
		pl.sodFns = append(pl.sodFns, pl.rs.Functions[name])
	}
	return i
}

// Evaluate runs every enabled rule of rs over the snapshot and returns the
// findings sorted (see Sort), without suppressions applied. It is Stream
// with every batch kept; the result does not depend on the order actors
// are evaluated in.
func Evaluate(ctx context.Context, s Snapshot, rs *Ruleset, opts ...Option) ([]Finding, error) {
	var out []Finding
	var mu sync.Mutex
	err := Stream(ctx, s, rs, func(fs []Finding) error {
		mu.Lock()
		out = append(out, fs...)
		mu.Unlock()
		return nil
	}, opts...)
	if err != nil {
		return nil, err
	}
	Sort(out)
	return out, nil
}

// Stream runs every enabled rule of rs over the snapshot and hands the
// findings to emit in batches, each complete (fix, unique id) but in no
// particular order, without suppressions applied: one batch per actor, and
// one for the unused grants. Each actor's accesses are computed once (Reach,
// limited to the actions the rules can match), read by every rule and
// dropped with its batch, so memory does not grow with the findings unless
// emit keeps them. Actors are evaluated in parallel on GOMAXPROCS workers
// and emit is called from them, concurrently. Workers check ctx between
// actors; when ctx ends first, or emit fails, Stream returns that error.
//
// Findings that would share an id are told apart within their batch
// (Disambiguate): two findings with one id have the same rule, identity and
// actor, so they come from the same actor's batch.
func Stream(ctx context.Context, s Snapshot, rs *Ruleset, emit func([]Finding) error, opts ...Option) error {
	x := newIndex(s)
	for _, o := range opts {
		o(&x.opts)
	}
	pl, err := newPlan(rs)
	if err != nil {
		return err
	}
	x.indexSoD(pl)
	var units [][]string
	for _, id := range x.recs.IdentityIDs() {
		if a := x.actor(id); a[0] == id {
			units = append(units, a)
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	memos := sync.Pool{New: func() any { return newMemo(len(pl.toxic)) }}
	var finished atomic.Int64
	batch := func(fs []Finding) error {
		if err := x.fixes(fs); err != nil {
			return err
		}
		Disambiguate(fs)
		if len(fs) == 0 {
			return nil
		}
		return emit(fs)
	}
	// The unused-grant rules read the grants first, then make their
	// findings in batches that the workers take after the actors, so that
	// no core idles while one makes them (a twentieth of the tier-M report).
	var tail []func() error
	for _, r := range pl.hygiene {
		if r.Check != CheckUnusedGrant {
			continue
		}
		st, err := x.staleGrants(ctx, rs.Settings, r)
		if err != nil {
			return err
		}
		defer st.close()
		for b := range st.buckets {
			tail = append(tail, func() error { return x.unusedBatch(ctx, st, b, batch) })
		}
	}
	workers(runtime.GOMAXPROCS(0), len(units)+len(tail), func() bool { return ctx.Err() != nil }, func(i int) {
		if i >= len(units) {
			if err := tail[i-len(units)](); err != nil {
				cancel(err)
			}
			return
		}
		mm := memos.Get().(*memo)
		fs, err := x.evalActor(ctx, pl, units[i], mm)
		memos.Put(mm)
		if err == nil {
			err = batch(fs)
		}
		if err != nil {
			cancel(err)
			return
		}
		if p := x.opts.progress; p != nil {
			p(int(finished.Add(1)), len(units))
		}
	})
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if n := x.capped.Load(); n > 0 && x.opts.capped != nil {
		x.opts.capped(int(n), maxAlternates)
	}
	return context.Cause(ctx)
}

// evalActor runs every rule on one actor and its identities.
func (x *index) evalActor(ctx context.Context, pl *plan, actor []string, mm *memo) ([]Finding, error) {
	members := make([]*ident, len(actor))
	for k, id := range actor {
		q := pl.reachQ
		q.Identity = id
		m := &ident{id: id}
		if !x.opts.noMemo || q.Alternates > 0 {
			facts := x.identityFacts(id)
			if !x.opts.noMemo {
				m.once = x.identityOutcomes(pl, id, &facts, mm)
				q.PathsFor = func(a *analysis.Access) bool { return x.wantsPaths(pl, &facts, m.once, a) }
			}
			if q.Alternates > 0 {
				q.AlternatesFor = func(a *analysis.Access) bool { return x.wantsAlternates(pl.toxic, &facts, a) }
			}
		}
		accs, err := x.s.Engine.Reach(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("rules: reach %s: %w", id, err)
		}
		m.accesses = accs
		members[k] = m
	}
	var out []Finding
	emit := func(r Rule, fs []Finding) {
		for i := range fs {
			x.finish(r, &fs[i])
		}
		out = append(out, fs...)
	}
	if len(pl.sod) > 0 {
		all, held := x.sodAccesses(pl, members, mm.sod[:0])
		for k, r := range pl.sod {
			emit(r, x.sod(pl, k, actor, all, held))
		}
		clear(all) // the next actor reuses the array; keep no access alive
		mm.sod = all[:0]
	}
	for _, m := range members {
		fs, err := x.toxic(pl.toxic, pl.rs.Settings, m, mm)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
		for _, r := range pl.hygiene {
			emit(r, x.hygiene(pl.rs.Settings, r, m))
		}
	}
	return out, nil
}

// wantsPaths reports whether some rule may read access a's evidence (its
// paths and authentication), so that Reach renders it: a critical access
// (hygiene findings show one as context), an access in an SoD function (a
// conflict shows the paths of its two sides), or one that passes the guards
// of a toxic rule not already known to fail for the identity (once, from
// identityOutcomes). Most of an estate's accesses are none of these, and
// their evidence is most of what a search allocates.
func (x *index) wantsPaths(pl *plan, facts *identityFacts, once []outcome, a *analysis.Access) bool {
	if a.Critical {
		return true
	}
	if len(pl.sod) > 0 {
		if fns, _ := x.sodFnsOf(a); fns != nil {
			return true
		}
	}
	sox := func() bool { return x.soxOf(a) }
	for _, ri := range pl.uncritical {
		if once != nil && once[ri] == fails {
			continue
		}
		if passAccess(pl.toxic[ri].guards, facts, a, sox) {
			return true
		}
	}
	return false
}

// identityOutcomes decides, before an identity's accesses are searched, the
// toxic rules that read identity fields alone (`"x" in identity.tags`):
// their outcome is the same on every access, and when it fails no access
// needs its evidence for them. The outcomes, per rule (unknown for the
// others), seed the toxic evaluation's memo (memo.once); nil when no rule
// reads identity fields alone. A predicate that errs stays unknown: the
// evaluation meets the error again and reports it with the access.
func (x *index) identityOutcomes(pl *plan, id string, facts *identityFacts, mm *memo) []outcome {
	if !pl.identityOnly {
		return nil
	}
	if mm.idVars == nil {
		mm.idVars = map[string]any{"identity": mm.idScope.vars}
	}
	mm.idScope = identityScope{x: x, id: id}
	stub := analysis.Access{Identity: id}
	out := make([]outcome, len(pl.toxic))
	for ri := range pl.toxic {
		t := &pl.toxic[ri]
		if !t.identityOnly {
			continue
		}
		if !passAccess(t.guards, facts, &stub, func() bool { return false }) {
			out[ri] = fails
			continue
		}
		mm.once[ri] = unknown
		if ok, err := x.evalToxic(t, ri, mm, mm.idVars, &stub, nil, pl.rs.Settings); err == nil {
			out[ri] = fails
			if ok {
				out[ri] = holds
			}
		}
	}
	mm.idScope = identityScope{} // keep no variables alive
	return out
}

// identityScope builds one identity's variables on first use
// (identityOutcomes).
type identityScope struct {
	x  *index
	id string
	iv map[string]any
}

func (s *identityScope) vars() any {
	if s.iv == nil {
		s.iv = s.x.identityVars(s.id)
	}
	return s.iv
}

// wantsAlternates reports whether toxic rules will look at access a's other
// shortest paths: some rule whose guards the access passes reads the path,
// or, for an effective access (which may be exercised with several
// credentials, each its own finding), any rule whose guards it passes.
func (x *index) wantsAlternates(trs []toxicRule, facts *identityFacts, a *analysis.Access) bool {
	sox := func() bool { return x.soxOf(a) }
	for i := range trs {
		t := &trs[i]
		if !t.readsPath && !a.Effective {
			continue
		}
		if x.opts.noMemo || passAccess(t.guards, facts, a, sox) {
			return true
		}
	}
	return false
}

// finish fills a finding's rule fields, actor, frameworks and id.
func (x *index) finish(r Rule, f *Finding) {
	f.Rule, f.Title, f.Category = r.ID, r.Title, r.Category
	if f.Severity == "" {
		f.Severity = r.Severity
	}
	if len(f.Actor) == 0 {
		f.Actor = x.actor(f.Identity)
	}
	f.Frameworks = x.frameworks(r, f)
	if f.Paths == nil {
		f.Paths = []analysis.Path{}
	}
	f.setID()
}

// frameworks returns the rule's references, plus its AI RMF ones when the
// identity, an actor member or an identity on a path is an ai_agent.
func (x *index) frameworks(r Rule, f *Finding) []string {
	out := slices.Clone(r.Frameworks)
	ai := func(id string) bool { i, _ := x.recs.Identity(id); return i.Type == schema.IdentityAIAgent }
	hit := slices.ContainsFunc(f.Actor, ai) || ai(f.Identity)
	for _, p := range f.Paths {
		for _, h := range p {
			hit = hit || ai(h.From) || ai(h.To)
		}
	}
	if hit {
		out = append(out, r.AIFrameworks...)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// ---------------------------------------------------------------- SoD

// sodAccess is an access with the resource facts selectors read and the
// set of SoD functions (plan.sodFns) it belongs to.
type sodAccess struct {
	a         *analysis.Access
	kind, sys string
	sox       bool
	key       string
	fns       fnSet
}

// fnSet is a set of indexes in plan.sodFns.
type fnSet []uint64

func (f fnSet) has(i int) bool { return f[i/64]&(1<<(i%64)) != 0 }

func (x *index) matches(sel []Selector, a *sodAccess) bool {
	for _, s := range sel {
		if !slices.Contains(s.Actions, a.a.Action) ||
			(len(s.Kinds) > 0 && !slices.Contains(s.Kinds, a.kind)) ||
			slices.Contains(s.NotKinds, a.kind) ||
			(len(s.IDs) > 0 && !slices.Contains(s.IDs, a.a.Resource)) ||
			(len(s.Systems) > 0 && !slices.Contains(s.Systems, a.sys)) ||
			(s.SOX != nil && a.sox != *s.SOX) {
			continue
		}
		return true
	}
	return false
}

// sodAccesses returns the actor's accesses that belong to at least one SoD
// function, each with the functions it belongs to, in (identity, resource,
// action) order, and the union of those functions: one pass over the
// accesses for all the SoD rules, which then skip an actor that lacks one
// of their two functions without looking at its accesses. When no rule has
// both its functions held, the accesses are not listed (nothing reads them).
// The list is appended to out (an empty slice to reuse, or nil).
func (x *index) sodAccesses(pl *plan, members []*ident, out []sodAccess) ([]sodAccess, fnSet) {
	held := make(fnSet, (len(pl.sodFns)+63)/64)
	for _, m := range members {
		for i := range m.accesses {
			a := &m.accesses[i]
			fns, f := x.sodFnsOf(a)
			if fns == nil {
				continue
			}
			for w := range fns {
				held[w] |= fns[w]
			}
			out = append(out, sodAccess{a: a, kind: f.kind, sys: f.sys, sox: f.sox, fns: fns})
		}
	}
	if !slices.ContainsFunc(pl.sodBits, func(b [2]int) bool { return held.has(b[0]) && held.has(b[1]) }) {
		clear(out)
		return out[:0], held
	}
	for i := range out {
		a := out[i].a
		out[i].key = a.Identity + "\x00" + a.Resource + "\x00" + string(a.Action)
	}
	// lessPair order: identity, resource, action (as strings).
	slices.SortFunc(out, func(p, q sodAccess) int { return strings.Compare(p.key, q.key) })
	return out, held
}

// sodFnsOf returns the SoD functions access a belongs to (nil if none) and
// its resource's facts.
func (x *index) sodFnsOf(a *analysis.Access) (fnSet, *resFacts) {
	f := x.factsOf(a)
	if f == nil || f.fns == nil {
		return nil, nil
	}
	ai := slices.Index(schema.Actions, a.Action)
	if ai < 0 {
		return nil, nil
	}
	return f.fns[ai], f
}

// sod finds one actor's conflict for SoD rule k of the plan: the best pair
// is effective before latent, then the first in (identity, resource,
// action) order.
func (x *index) sod(pl *plan, k int, actor []string, all []sodAccess, held fnSet) []Finding {
	r := pl.sod[k]
	ia, ib := pl.sodBits[k][0], pl.sodBits[k][1]
	if !held.has(ia) || !held.has(ib) {
		return nil
	}
	fa, fb := pl.sodFns[ia], pl.sodFns[ib]
	var as, bs []*sodAccess
	for i := range all {
		if all[i].fns.has(ia) {
			as = append(as, &all[i])
		}
		if all[i].fns.has(ib) {
			bs = append(bs, &all[i])
		}
	}
	ba, bb := bestPair(as, bs, r.SoD.SameSystem)
	if ba == nil {
		return nil
	}
	a, b := *ba.a, *bb.a
	eff := a.Effective && b.Effective
	f := Finding{Identity: a.Identity, Actor: actor, Resource: a.Resource, Action: a.Action, Effective: eff,
		Conflict: &Conflict{
			A: Side{Function: r.SoD.A, Identity: a.Identity, Resource: a.Resource, Action: a.Action, Effective: a.Effective},
			B: Side{Function: r.SoD.B, Identity: b.Identity, Resource: b.Resource, Action: b.Action, Effective: b.Effective},
		},
		Paths: append(firstPaths(a), firstPaths(b)...),
	}
	word := "effective"
	if !eff {
		word = "latent"
		f.Severity = r.latentSeverity()
	}
	who := a.Identity
	if len(actor) > 1 {
		who = "actor " + strings.Join(actor, " + ")
	}
	f.Message = fmt.Sprintf("%s conflict: %s can %s (%s %s on %s) and %s (%s %s on %s)", word, who,
		strings.ToLower(fa.Title), a.Identity, a.Action, a.Resource, strings.ToLower(fb.Title), b.Identity, b.Action, b.Resource)
	return []Finding{f}
}

// bestPair returns the conflict an SoD rule reports among the accesses of
// its two functions (each list in (identity, resource, action) order): the
// pair with the fewest latent sides, then the first a, then the first b,
// never one access twice (the same resource and action) and, for a
// same-system rule, both on one system; nil when there is none.
func bestPair(as, bs []*sodAccess, sameSystem bool) (ba, bb *sodAccess) {
	// The best pair is the least in (rank, a's order, b's order), rank
	// being how many sides are latent. For one a and one rank the valid b
	// are B's effective or latent accesses (of a's system, for a
	// same-system rule) other than a's own resource and action, so the
	// first of those is found by skipping at most the accesses that share
	// them — no pair loop.
	type sides struct{ eff, lat []*sodAccess }
	split := func(xs []*sodAccess, into *sides) {
		for _, b := range xs {
			if b.a.Effective {
				into.eff = append(into.eff, b)
			} else {
				into.lat = append(into.lat, b)
			}
		}
	}
	var every sides
	var bySys map[string]*sides
	if sameSystem {
		bySys = map[string]*sides{}
		for _, b := range bs {
			sd := bySys[b.sys]
			if sd == nil {
				sd = &sides{}
				bySys[b.sys] = sd
			}
			split([]*sodAccess{b}, sd)
		}
	} else {
		split(bs, &every)
	}
	first := func(cands []*sodAccess, a *sodAccess) *sodAccess {
		for _, b := range cands {
			if b.a.Resource != a.a.Resource || b.a.Action != a.a.Action {
				return b
			}
		}
		return nil
	}
	for want := 0; want <= 2 && ba == nil; want++ {
		for _, a := range as {
			l := &every
			if bySys != nil {
				if l = bySys[a.sys]; l == nil {
					continue
				}
			}
			var cands []*sodAccess
			switch {
			case want == 0 && a.a.Effective:
				cands = l.eff
			case want == 1 && a.a.Effective:
				cands = l.lat
			case want == 1:
				cands = l.eff
			case want == 2 && !a.a.Effective:
				cands = l.lat
			}
			if b := first(cands, a); b != nil {
				ba, bb = a, b
				break
			}
		}
	}
	return ba, bb
}

func firstPaths(a analysis.Access) []analysis.Path {
	if len(a.Paths) == 0 {
		return nil
	}
	return []analysis.Path{a.Paths[0]}
}

// ---------------------------------------------------------------- toxic paths

func (x *index) identityVars(id string) map[string]any {
	i, ok := x.recs.Identity(id)
	if !ok {
		return map[string]any{"id": id, "type": "", "human": false, "nonhuman": false, "ai_agent": false,
			"status": "", "active": false, "shared": false, "break_glass": false, "vendor": "", "vendor_managed": false,
			"business_owner": "", "technical_owner": "", "owned": false, "purpose": "", "rationale": "",
			"compensating_controls": []any{}, "tags": map[string]any{}}
	}
	tags := make(map[string]any, len(i.Tags))
	for k, v := range i.Tags {
		tags[k] = v
	}
	cc := make([]any, len(i.CompensatingControls))
	for k, c := range i.CompensatingControls {
		cc[k] = c
	}
	return map[string]any{"id": i.ID, "type": string(i.Type), "human": i.Type == schema.IdentityHuman,
		"nonhuman": i.Type.NonHuman(), "ai_agent": i.Type == schema.IdentityAIAgent, "status": string(i.Status),
		"active": i.Status == schema.StatusActive, "shared": i.Shared, "break_glass": i.BreakGlass, "vendor": i.Vendor,
		"vendor_managed": i.Vendor != "", "business_owner": i.Owners.Business, "technical_owner": i.Owners.Technical,
		"owned": i.Owners.Business != "" || i.Owners.Technical != "", "purpose": i.Purpose,
		"rationale": i.NonhumanRationale, "compensating_controls": cc, "tags": tags}
}

// fieldOf is identityVars(id)[f] read from the record i of id (ok false
// when id is not an identity) without building the variables.
func (x *index) fieldOf(i *graph.Identity, ok bool, id, f string) any {
	if !ok {
		return x.identityVars(id)[f]
	}
	switch f {
	case "id":
		return i.ID
	case "type":
		return string(i.Type)
	case "human":
		return i.Type == schema.IdentityHuman
	case "nonhuman":
		return i.Type.NonHuman()
	case "ai_agent":
		return i.Type == schema.IdentityAIAgent
	case "status":
		return string(i.Status)
	case "active":
		return i.Status == schema.StatusActive
	case "shared":
		return i.Shared
	case "break_glass":
		return i.BreakGlass
	case "vendor":
		return i.Vendor
	case "vendor_managed":
		return i.Vendor != ""
	case "business_owner":
		return i.Owners.Business
	case "technical_owner":
		return i.Owners.Technical
	case "owned":
		return i.Owners.Business != "" || i.Owners.Technical != ""
	case "purpose":
		return i.Purpose
	case "rationale":
		return i.NonhumanRationale
	}
	return x.identityVars(id)[f] // lists and maps
}

// rotationLimit is the rotation interval in days that applies to c.
func rotationLimit(c graph.Credential, st Settings) int {
	if c.RotationDays > 0 {
		return c.RotationDays
	}
	return st.RotationDays
}

// ageDays is the whole days from t to asOf; -1 when t is zero.
func ageDays(t, asOf time.Time) int {
	if t.IsZero() {
		return -1
	}
	return int(asOf.Sub(t) / (24 * time.Hour))
}

func lastRotated(c graph.Credential) time.Time {
	if !c.LastRotatedAt.IsZero() {
		return c.LastRotatedAt
	}
	return c.CreatedAt
}

// pastRotation reports whether a static credential has gone unrotated for
// longer than its rotation interval.
func (x *index) pastRotation(c graph.Credential, st Settings) bool {
	age := ageDays(lastRotated(c), x.asOf)
	return c.Type.Static() && age >= 0 && age > rotationLimit(c, st)
}

func (x *index) expired(c graph.Credential) bool {
	return !c.ExpiresAt.IsZero() && !c.ExpiresAt.After(x.asOf)
}

func (x *index) credVars(id string, st Settings) map[string]any {
	c, ok := x.recs.Credential(id)
	if !ok {
		return nil
	}
	return map[string]any{"id": c.ID, "identity": c.Identity, "type": string(c.Type), "static": c.Type.Static(),
		"vaulted": c.Vaulted, "revoked": c.Revoked, "expired": x.expired(c), "past_rotation": x.pastRotation(c, st),
		"rotation_age_days": int64(ageDays(lastRotated(c), x.asOf)), "last_used_age_days": int64(ageDays(c.LastUsedAt, x.asOf))}
}

// pathVars builds the path variables from its summary (memo.go), so the
// memo keys and the variables are made of the same parts.
func (x *index) pathVars(ps *pathSummary, st Settings) map[string]any {
	edges, hops := make([]any, len(ps.hops)), make([]any, len(ps.hops))
	for i, h := range ps.hops {
		edges[i] = string(h.Edge)
		hops[i] = map[string]any{"from": h.From, "edge": string(h.Edge), "to": h.To,
			"action": string(h.Action), "kind": string(h.Kind), "system": h.System, "native": h.Native, "conditional": h.Conditional}
	}
	idents := make([]any, len(ps.identities))
	for i, id := range ps.identities {
		idents[i] = x.identityVars(id)
	}
	creds := make([]any, len(ps.credentials))
	for i, id := range ps.credentials {
		creds[i] = x.credVars(id, st)
	}
	auth := map[string]any{"via": "", "system": "", "credential": "", "credential_type": ""}
	if au := ps.auth; au != nil {
		typ := ""
		if c, ok := x.recs.Credential(au.Credential); ok {
			typ = string(c.Type) // fixed per credential id, so the memo key (the id) covers it
		}
		auth = map[string]any{"via": au.Via, "system": au.System, "credential": au.Credential, "credential_type": typ}
	}
	return map[string]any{"edges": edges, "hops": hops, "length": int64(ps.length), "through_exposure": ps.exposure,
		"through_delegation": ps.delegation, "identities": idents, "credentials": creds,
		"credential_past_rotation": ps.stale, "authentication": auth}
}

func (x *index) accessVars(a analysis.Access) map[string]any {
	var kind, sys string
	var sox bool
	if f := x.factsOf(&a); f != nil {
		kind, sys, sox = f.kind, f.sys, f.sox
	}
	return map[string]any{"resource": a.Resource, "action": string(a.Action), "critical": a.Critical,
		"effective": a.Effective, "authorized": a.Authorized, "resource_kind": kind, "system": sys, "sox": sox}
}

// lazyVars builds the access and path variables of the toxic predicates on
// first use, once per access and per path. One lives in each worker's memo
// and is reset for every access and path, so the functions the predicates'
// variables call are made once per worker rather than once per path.
type lazyVars struct {
	x  *index
	st Settings
	a  *analysis.Access
	p  analysis.Path
	au *analysis.Authentication

	av  map[string]any
	sum *pathSummary
	// sums are the summaries (and path variables) of the current identity's
	// paths so far, by path: the accesses of one answer share their paths
	// (one per grant that covers them), so each path is summarized once per
	// identity, not once per access. newIdentity forgets them.
	sums map[pathRef]*pathSummary
}

// pathRef is a path by identity: its hops' array, length and
// authentication. Two refs are equal only for the same path; equal paths
// held apart get two refs (and two summaries, with the same content).
type pathRef struct {
	hops *analysis.Hop
	n    int
	au   *analysis.Authentication
}

func (l *lazyVars) setAccess(a *analysis.Access) { l.a, l.av = a, nil }

func (l *lazyVars) setPath(p analysis.Path, au *analysis.Authentication) {
	l.p, l.au, l.sum = p, au, nil
}

// newIdentity starts the paths of another identity.
func (l *lazyVars) newIdentity() { clear(l.sums) }

func (l *lazyVars) access() any {
	if l.av == nil {
		l.av = l.x.accessVars(*l.a)
	}
	return l.av
}

func (l *lazyVars) summary() *pathSummary {
	if l.sum == nil {
		ref := pathRef{hops: unsafe.SliceData(l.p), n: len(l.p), au: l.au}
		s := l.sums[ref]
		if s == nil {
			s = &pathSummary{}
			l.x.summarize(s, l.a, l.p, l.au, l.st)
			if l.sums == nil {
				l.sums = map[pathRef]*pathSummary{}
			}
			s.ord = len(l.sums)
			l.sums[ref] = s
		}
		l.sum = s
	}
	return l.sum
}

func (l *lazyVars) path() any {
	s := l.summary()
	if s.vars == nil {
		s.vars = l.x.pathVars(s, l.st)
	}
	return s.vars
}

// match is one access a rule matched, with the path that is its evidence
// and the authentication that path is exercised with (effective access).
type match struct {
	a  *analysis.Access
	p  analysis.Path
	au *analysis.Authentication
}

// group is the matches one finding stands for.
type group struct {
	key, cred, node string
	ms              []match
}

// groupKey is the finding an access belongs to: the credential it is
// exercised with (on path p, authentication au) when effective through one,
// else the node its grant is on when effective (through a delegation), else
// (latent) the identity alone.
func groupKey(a *analysis.Access, p analysis.Path, au *analysis.Authentication) (key, cred, node string) {
	if au != nil && au.Credential != "" {
		return "c\x00" + au.Credential, au.Credential, ""
	}
	if !a.Effective {
		return "l", "", ""
	}
	node = a.Resource
	if len(p) > 0 {
		node = p[len(p)-1].To
	}
	return "n\x00" + node, "", node
}

// toxic evaluates the toxic_path rules on every access of one identity and
// each of its paths; the first path that matches is the evidence. Matches are
// grouped per rule by the credential the access is exercised with (effective
// access through a credential) or else by the node the path's final grant
// lands on, so one finding stands for an (identity, credential) or an
// (identity, granted node) and lists the accesses it covers. A group with no
// effective access gets the rule's latent severity. Variables are built
// lazily, once per identity, access and path, and shared by the rules;
// accesses that are not critical are skipped by rules that require
// access.critical.
func (x *index) toxic(trs []toxicRule, st Settings, m *ident, mm *memo) ([]Finding, error) {
	if len(trs) == 0 {
		return nil, nil
	}
	id := m.id
	for ri := range trs {
		if trs[ri].perIdentity && len(mm.results[ri]) > 0 {
			mm.results[ri] = map[string]bool{}
		}
		mm.once[ri] = unknown
		if m.once != nil {
			mm.once[ri] = m.once[ri] // identityOutcomes
		}
	}
	mm.lazy.newIdentity() // the paths' numbers (pathSummary.ord) start again with the memos above
	facts := x.identityFacts(id)
	var iv map[string]any
	identity := func() any {
		if iv == nil {
			iv = x.identityVars(id)
		}
		return iv
	}
	var groups []map[string]*group
	var orders [][]*group
	lv := &mm.lazy
	lv.x, lv.st = x, st
	if mm.vars == nil {
		mm.vars = map[string]any{"access": lv.access, "path": lv.path}
		mm.summary = lv.summary
	}
	vars, summary := mm.vars, mm.summary
	vars["identity"] = identity
	for ai := range m.accesses {
		a := &m.accesses[ai]
		if a.PathsSkipped {
			continue // wantsPaths: no rule's guards pass (TestMemoizedEqualsPlain compares with every path rendered)
		}
		sox := func() bool { return x.soxOf(a) }
		// live are the rules whose guards hold and that may still match this
		// access on a path of a finding (group) they have not matched yet.
		live := mm.live[:0]
		for ri := range trs {
			if trs[ri].identityOnly && mm.once[ri] == fails {
				continue // decided for the identity (identityOutcomes or an earlier access)
			}
			if x.opts.noMemo || passAccess(trs[ri].guards, &facts, a, sox) {
				live = append(live, ri)
				mm.matched[ri] = mm.matched[ri][:0]
			}
		}
		mm.live = live
		if len(live) == 0 {
			continue
		}
		lv.setAccess(a)
		// The evidence path first, then the access's other shortest paths:
		// a predicate over "a path" holds when it holds on any of them,
		// whichever one the search met first, and an access exercised
		// with several credentials belongs to the finding of each. Per
		// rule, the first matching path of each finding is its evidence.
		n := max(len(a.Paths), 1)
		for pi := 0; pi < n+len(a.Alternates) && len(live) > 0; pi++ {
			var p analysis.Path
			au := a.Authentication
			switch {
			case pi < len(a.Paths):
				p = a.Paths[pi]
			case pi >= n:
				p, au = a.Alternates[pi-n].Path, a.Alternates[pi-n].Authentication
			}
			alternate := pi >= n
			key, cred, node := groupKey(a, p, au)
			lv.setPath(p, au)
			for k := 0; k < len(live); {
				ri := live[k]
				t := &trs[ri]
				if slices.Contains(mm.matched[ri], key) {
					k++
					continue
				}
				// A rule that does not read the path gives every path the
				// answer it gave the evidence.
				ok := alternate && !t.readsPath
				if !ok && (x.opts.noMemo || passPath(t.guards, p)) {
					var err error
					if ok, err = x.evalToxic(t, ri, mm, vars, a, summary, st); err != nil {
						return nil, fmt.Errorf("rules: %s on %s %s %s: %w", t.r.ID, id, a.Action, a.Resource, err)
					}
				}
				if !ok {
					k++
					continue
				}
				if groups == nil {
					groups, orders = make([]map[string]*group, len(trs)), make([][]*group, len(trs))
				}
				if groups[ri] == nil {
					groups[ri] = map[string]*group{}
				}
				g := groups[ri][key]
				if g == nil {
					g = &group{key: key, cred: cred, node: node}
					groups[ri][key] = g
					orders[ri] = append(orders[ri], g)
				}
				g.ms = append(g.ms, match{a: a, p: p, au: au})
				mm.matched[ri] = append(mm.matched[ri], key)
				if !a.Effective || len(a.Alternates) == 0 { // no other finding to belong to
					live = slices.Delete(live, k, k+1)
					continue
				}
				k++
			}
			if pi == n-1 { // past the evidence: a rule that does not read the path and has not matched never will
				live = slices.DeleteFunc(live, func(ri int) bool { return !trs[ri].readsPath && len(mm.matched[ri]) == 0 })
			}
		}
		if a.AlternatesCapped && slices.ContainsFunc(live, func(ri int) bool { return trs[ri].readsPath }) {
			x.capped.Add(1)
		}
	}
	var out []Finding
	for ri := range orders {
		for _, g := range orders[ri] {
			f := toxicFinding(trs[ri].r, id, g)
			x.finish(trs[ri].r, &f)
			out = append(out, f)
		}
	}
	return out, nil
}

// evalToxic runs one toxic rule's predicate on the current variables,
// through the worker's memo when the rule is memoized.
func (x *index) evalToxic(t *toxicRule, ri int, mm *memo, vars map[string]any,
	a *analysis.Access, summary func() *pathSummary, st Settings) (bool, error) {
	if !t.memoize || x.opts.noMemo {
		return eval(t.prg, vars)
	}
	if t.identityOnly && mm.once[ri] != unknown {
		return mm.once[ri] == holds, nil
	}
	if len(t.refs.identity) > 0 && (mm.idKeys[ri] == nil || mm.idKeyOf[ri] != a.Identity) {
		mm.idKeys[ri], mm.idKeyOf[ri] = t.refs.idKey(mm.idKeys[ri][:0], x, a.Identity), a.Identity
	}
	mm.buf = t.refs.accessKey(append(mm.buf[:0], mm.idKeys[ri]...), x, a, summary, st)
	res := mm.results[ri]
	if ok, hit := res[string(mm.buf)]; hit {
		return ok, nil
	}
	ok, err := eval(t.prg, vars)
	if err == nil {
		if len(res) >= maxMemo {
			clear(res)
		}
		res[string(mm.buf)] = ok
	}
	if err == nil && t.identityOnly {
		mm.once[ri] = fails
		if ok {
			mm.once[ri] = holds
		}
	}
	return ok, err
}

// identityFacts are the fields of identity id the guards read, as
// identityVars gives them (all false for an id that is not an identity).
func (x *index) identityFacts(id string) identityFacts {
	i, ok := x.recs.Identity(id)
	if !ok {
		return identityFacts{}
	}
	return identityFacts{human: i.Type == schema.IdentityHuman, nonhuman: i.Type.NonHuman(),
		aiAgent: i.Type == schema.IdentityAIAgent, active: i.Status == schema.StatusActive, shared: i.Shared,
		breakGlass: i.BreakGlass, vendorManaged: i.Vendor != "",
		owned: i.Owners.Business != "" || i.Owners.Technical != ""}
}

// toxicFinding is the finding of one toxic rule for one group of matching
// (access, path) pairs of an identity: a credential, a node, or the latent
// ones together (groupKey).
func toxicFinding(r Rule, id string, g *group) Finding {
	best := g.ms[0]
	eff := false
	for _, mt := range g.ms {
		eff = eff || mt.a.Effective
		if betterMatch(*mt.a, *best.a, g.node) {
			best = mt
		}
	}
	f := Finding{Identity: id, Effective: eff, Credential: g.cred}
	f.summarize(g.ms, best)
	a := best.a
	acts := f.Accesses[0].Actions
	more := len(f.Accesses) + f.AccessesOmitted - 1
	switch {
	case g.key == "l":
		f.Message = fmt.Sprintf("%s: %s could %s %s", r.Title, id, joinActions(acts), f.Accesses[0].Resource)
		if more > 0 {
			f.Message += fmt.Sprintf(" and %d more resource(s)", more)
		}
	case g.cred == "":
		f.Resource, f.Action = a.Resource, a.Action
		f.Message = fmt.Sprintf("%s: %s can %s %s", r.Title, id, joinActions(acts), f.Accesses[0].Resource)
		if more > 0 {
			f.Message += fmt.Sprintf(" (and %d resource(s) under it)", more)
		}
	default:
		f.Message = fmt.Sprintf("%s: %s can %s %s", r.Title, id, joinActions(acts), f.Accesses[0].Resource)
		if more > 0 {
			f.Message += fmt.Sprintf(" and %d more resource(s)", more)
		}
		f.Message += " with credential " + g.cred
	}
	if best.au != nil && f.Credential == "" {
		f.Credential = best.au.Credential
	}
	if a.Effective {
		f.Authentication = best.au
	}
	if !eff {
		f.Severity = r.latentSeverity()
		f.Message += " (latent)"
	}
	return f
}

// summaryMaps are summarize's sets, reused (cleared) from finding to
// finding.
type summaryMaps struct {
	byRes    map[string]int
	seenPath map[string]bool
	seenRef  map[pathRef]bool // paths are shared: most repeats are the same path
	buf      []byte
}

var summaryScratch = sync.Pool{New: func() any { return newSummaryMaps() }}

func newSummaryMaps() *summaryMaps {
	return &summaryMaps{byRes: map[string]int{}, seenPath: map[string]bool{}, seenRef: map[pathRef]bool{}}
}

// put clears the sets and returns them to the pool; sets that grew large
// are dropped instead (clearing a map costs its capacity, every time).
func (sc *summaryMaps) put() {
	if len(sc.byRes) > 512 || len(sc.seenRef) > 512 || len(sc.seenPath) > 512 {
		sc = newSummaryMaps()
	} else {
		clear(sc.byRes)
		clear(sc.seenPath)
		clear(sc.seenRef)
	}
	summaryScratch.Put(sc)
}

func joinActions(as []schema.Action) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, "/")
}

// Caps on what one finding lists.
const (
	maxPaths    = 3
	maxAccesses = 20
)

// summarize fills Accesses (per resource, best's first), Paths (distinct
// evidence, best's first) with their caps, and the fix target (best).
func (f *Finding) summarize(ms []match, best match) {
	sc := summaryScratch.Get().(*summaryMaps)
	defer sc.put()
	var accs []Covered
	omitted := 0
	add := func(m match) {
		i, ok := sc.byRes[m.a.Resource]
		if !ok {
			i = -1 // past the cap: only counted
			if len(accs) < maxAccesses {
				i = len(accs)
				accs = append(accs, Covered{Resource: m.a.Resource})
			} else {
				omitted++
			}
			sc.byRes[m.a.Resource] = i
		}
		if i >= 0 {
			if !slices.Contains(accs[i].Actions, m.a.Action) {
				accs[i].Actions = append(accs[i].Actions, m.a.Action)
			}
			accs[i].Effective = accs[i].Effective || m.a.Effective
		}
		if ref := (pathRef{hops: unsafe.SliceData(m.p), n: len(m.p)}); m.p != nil && !sc.seenRef[ref] {
			sc.seenRef[ref] = true
			sc.buf = appendPathKey(sc.buf[:0], m.p)
			if !sc.seenPath[string(sc.buf)] {
				sc.seenPath[string(sc.buf)] = true
				if len(f.Paths) < maxPaths {
					f.Paths = append(f.Paths, m.p)
				} else {
					f.PathsOmitted++
				}
			}
		}
	}
	add(best)
	for _, m := range ms {
		if m.a != best.a {
			add(m)
		}
	}
	for i := range accs {
		slices.SortFunc(accs[i].Actions, func(p, q schema.Action) int {
			return cmp.Compare(slices.Index(actionStrength, p), slices.Index(actionStrength, q))
		})
	}
	if omitted > 0 {
		f.AccessesOmitted = omitted
	}
	f.Accesses = accs
	f.target = target{identity: best.a.Identity, resource: best.a.Resource, action: best.a.Action}
}

// appendPathKey appends a key telling p apart from any other path to b.
func appendPathKey(b []byte, p analysis.Path) []byte {
	for _, h := range p {
		b = append(append(b, h.From...), 0)
		b = append(append(b, h.Edge...), 0)
		b = append(append(b, h.To...), 0)
		b = append(append(b, h.Action...), 0)
		b = append(append(b, h.Native...), 1)
	}
	return b
}

// actionStrength orders actions for picking a group's representative.
var actionStrength = []schema.Action{schema.ActionAdmin, schema.ActionApprove, schema.ActionExport, schema.ActionWrite, schema.ActionRead}

// betterMatch reports whether a should represent a group over b: effective
// first, then the granted node itself, then the stronger action.
func betterMatch(a, b analysis.Access, target string) bool {
	if a.Effective != b.Effective {
		return a.Effective
	}
	if (a.Resource == target) != (b.Resource == target) {
		return a.Resource == target
	}
	if a.Resource != b.Resource {
		return a.Resource < b.Resource
	}
	return slices.Index(actionStrength, a.Action) < slices.Index(actionStrength, b.Action)
}

// fixes adds a Fix to every critical finding with evidence paths: the minimum
// cut and choke points of the authorization paths behind its access (for an
// SoD conflict, of the side with the smaller cut).
// The findings of one batch are one actor's, so their cuts start from the
// same few identities: one Cutter serves them all.
func (x *index) fixes(fs []Finding) error {
	c := x.s.Engine.Cutter()
	defer c.Close()
	for i := range fs {
		if fs[i].Severity == schema.SeverityCritical && len(fs[i].Paths) > 0 {
			if err := x.fix(c, &fs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (x *index) fix(c *reach.Cutter, f *Finding) error {
	var ts []target
	switch {
	case f.Conflict != nil:
		ts = []target{{f.Conflict.A.Identity, f.Conflict.A.Resource, f.Conflict.A.Action},
			{f.Conflict.B.Identity, f.Conflict.B.Resource, f.Conflict.B.Action}}
	case f.target.resource != "":
		ts = []target{f.target}
	case f.Resource != "" && f.Action != "":
		ts = []target{{f.Identity, f.Resource, f.Action}}
	}
	var best *reach.Fix
	for _, t := range ts {
		fx, err := c.Cut(t.identity, t.resource, t.action)
		if errors.Is(err, reach.ErrUnknownNode) {
			continue // a group principal (unused grant) or a system-level target
		}
		if err != nil {
			return fmt.Errorf("rules: fix for %s: %w", f.ID, err)
		}
		if len(fx.Cut) > 0 && (best == nil || len(fx.Cut) < len(best.Cut)) {
			best = &fx
		}
	}
	f.Fix = best
	return nil
}
