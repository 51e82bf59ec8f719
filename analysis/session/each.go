package session

import (
	"context"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// WhoCanEach answers q as WhoCan does, but hands each access to fn as soon
// as its resource is answered instead of collecting them: a kind is answered
// resource by resource, in the same order as WhoCan, and only one resource's
// accesses are held at a time, so a caller that writes them out (the CLI's
// `whocan --kind`) runs in memory independent of the answer's size. Every
// check of q (action, resource, kind, system) happens before fn is first
// called. It stops with fn's error when fn fails, and under a budget with
// ErrBudgetExceeded after the accesses the budget paid for.
func (s *Session) WhoCanEach(ctx context.Context, asOf time.Time, q WhoCan, fn func(analysis.Access) error) error {
	if !q.Action.Valid() { // before building an engine
		return &schema.EnumError{What: "action", Value: string(q.Action), Allowed: schema.Strings(schema.Actions)}
	}
	e := s.Engine(asOf)
	rs, err := s.whoCanTargets(e, q)
	if err != nil {
		return err
	}
	if len(rs) < 2 {
		return eachAnswer(ctx, q, fn, func(r string) ([]analysis.Access, error) {
			return e.WhoCan(ctx, reach.WhoCanQuery{Resource: r, Action: q.Action, EffectiveOnly: q.EffectiveOnly})
		}, rs)
	}
	// A kind has many resources: the next ones are answered on other
	// goroutines (one per core) while the caller writes the current one out
	// (the question and the output each take about a core at a million
	// identities). The answers come back in order, at most aheadOf
	// resources ahead; a panic there is raised again here, and every
	// goroutine has ended when this returns.
	type answer struct {
		accs []analysis.Access
		err  error
	}
	wctx, cancel := context.WithCancel(ctx)
	var slots [aheadOf]chan answer // resource i's answer goes to slots[i%aheadOf]
	for i := range slots {
		slots[i] = make(chan answer, 1)
	}
	tokens := make(chan struct{}, aheadOf) // one per resource claimed and not yet written out
	var next atomic.Int64
	workers := min(runtime.GOMAXPROCS(0), len(rs))
	panics := make(chan any, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			// A stored projection used in place is the mapped store file: a
			// page of it that vanished is a panic re-raised in the caller,
			// not the end of the process (SetPanicOnFault is per goroutine).
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			defer func() {
				if p := recover(); p != nil {
					panics <- p
					cancel()
				}
			}()
			for {
				select {
				case tokens <- struct{}{}:
				case <-wctx.Done():
					return
				}
				i := int(next.Add(1) - 1)
				if i >= len(rs) {
					return
				}
				accs, err := e.WhoCan(wctx, reach.WhoCanQuery{Resource: rs[i], Action: q.Action, EffectiveOnly: q.EffectiveOnly})
				slots[i%aheadOf] <- answer{accs, err} // never blocks: its previous answer was taken before this token
			}
		})
	}
	defer func() {
		cancel()
		wg.Wait()
		select {
		case p := <-panics:
			panic(p)
		default:
		}
	}()
	at := 0
	return eachAnswer(ctx, q, fn, func(string) ([]analysis.Access, error) {
		var a answer
		select {
		case a = <-slots[at%aheadOf]:
		case <-wctx.Done():
			select {
			case p := <-panics:
				panic(p)
			default:
			}
			return nil, context.Cause(wctx)
		}
		at++
		<-tokens
		return a.accs, a.err
	}, rs)
}

// aheadOf is how many resources of a kind are answered ahead of the output.
const aheadOf = 64

// eachAnswer hands the accesses of each resource of rs, as next answers
// them, to fn in order, charging them to the request's budget.
func eachAnswer(ctx context.Context, q WhoCan, fn func(analysis.Access) error,
	next func(r string) ([]analysis.Access, error), rs []string) error {
	for _, r := range rs {
		if q.Kind != "" && budgetOf(ctx).exhausted() {
			return ErrBudgetExceeded
		}
		accs, err := next(r)
		if err != nil {
			return err
		}
		accs, cerr := charged(ctx, accs)
		for _, a := range accs {
			if err := fn(a); err != nil {
				return err
			}
		}
		if cerr != nil {
			return cerr
		}
	}
	return nil
}

// whoCanTargets checks q and returns the resources it asks about: q.Resource,
// or every resource of q.Kind (in q.System when set).
func (s *Session) whoCanTargets(e *reach.Engine, q WhoCan) ([]string, error) {
	switch {
	case (q.Resource == "") == (q.Kind == ""):
		return nil, invalidf("give exactly one of resource and kind")
	case q.System != "" && q.Kind == "":
		return nil, invalidf("system goes with kind only")
	}
	if q.Resource != "" {
		if err := s.checkTarget(q.Resource); err != nil {
			return nil, err
		}
		return []string{q.Resource}, nil
	}
	if _, ok := slices.BinarySearch(s.Kinds(), q.Kind); !ok {
		return nil, &UnknownError{What: "kind", ID: q.Kind, Suggestions: suggest(q.Kind, slices.Values(s.Kinds()))}
	}
	if q.System != "" {
		if err := s.check("system", q.System, projection.System); err != nil {
			return nil, err
		}
	}
	return e.KindResources(q.Kind, q.System)
}
