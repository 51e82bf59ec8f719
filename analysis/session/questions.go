package session

import (
	"context"
	"errors"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/iam"
)

// criticalActions are the actions that count towards critical access (R8).
var criticalActions = func() []schema.Action {
	var out []schema.Action
	for _, a := range schema.Actions {
		if a.Critical() {
			out = append(out, a)
		}
	}
	return out
}()

// MaxPathsK caps Paths' k.
const MaxPathsK = 50

// WhoCan asks who can perform Action on one resource (Resource) or on every
// resource of a kind (Kind, optionally only in System).
type WhoCan struct {
	Action        schema.Action
	Resource      string
	Kind          string
	System        string
	EffectiveOnly bool
}

// WhoCan answers q at asOf (zero: the snapshot's default). Exactly one of
// Resource and Kind must be set, System only with Kind; an unknown resource,
// kind or system is an *UnknownError with suggestions, never an empty answer.
// Under a budget (WithBudget) a kind is answered resource by resource and
// stops with the answer so far and ErrBudgetExceeded when the budget runs out.
func (s *Session) WhoCan(ctx context.Context, asOf time.Time, q WhoCan) ([]analysis.Access, error) {
	var out []analysis.Access
	err := s.WhoCanEach(ctx, asOf, q, func(a analysis.Access) error {
		out = append(out, a)
		return nil
	})
	if err != nil && !errors.Is(err, ErrBudgetExceeded) {
		return nil, err
	}
	return out, err
}

// Reach answers what q.Identity can do at asOf; an unknown identity is an
// *UnknownError.
func (s *Session) Reach(ctx context.Context, asOf time.Time, q reach.ReachQuery) ([]analysis.Access, error) {
	if err := s.check("identity", q.Identity, projection.Identity); err != nil {
		return nil, err
	}
	accs, err := s.Engine(asOf).Reach(ctx, q)
	if err != nil {
		return nil, err
	}
	return charged(ctx, accs)
}

// Paths returns up to k (1 to MaxPathsK) shortest authorization paths from
// identity from to (resource, a) at asOf.
func (s *Session) Paths(ctx context.Context, asOf time.Time, from, resource string, a schema.Action, k int) ([]analysis.Path, error) {
	if k < 1 || k > MaxPathsK {
		return nil, invalidf("k must be 1 to %d, got %d", MaxPathsK, k)
	}
	if err := s.check("identity", from, projection.Identity); err != nil {
		return nil, err
	}
	if err := s.checkTarget(resource); err != nil {
		return nil, err
	}
	ps, err := s.Engine(asOf).Paths(ctx, from, resource, a, k)
	if ps == nil && err == nil {
		ps = []analysis.Path{}
	}
	return ps, err
}

// WhoCanNative answers who can make the AWS IAM request (action on the ARN
// resource) at asOf, with R8 judged on the most specific resource covering
// the ARN. A malformed action or ARN is ErrInvalidQuestion.
func (s *Session) WhoCanNative(ctx context.Context, asOf time.Time, action, resource string, effectiveOnly bool) ([]analysis.Access, error) {
	match, class, err := iam.Request(action, resource)
	if err != nil {
		return nil, invalidf("%v", err)
	}
	e := s.Engine(asOf)
	scope := e.MostSpecific(func(id string) bool { return iam.CoversARN(id, resource) })
	accs, err := e.WhoCanNative(ctx, reach.NativeQuery{Match: match, Resource: resource, Native: action, Action: class,
		EffectiveOnly: effectiveOnly, Scope: scope})
	if err != nil {
		return nil, err
	}
	return charged(ctx, accs)
}

// checkTarget checks that id is a resource or a system.
func (s *Session) checkTarget(id string) error {
	if n, ok := s.proj.Lookup(id); ok {
		if k := s.proj.Kind(n); k == projection.Resource || k == projection.System {
			return nil
		}
	}
	return &UnknownError{What: "resource", ID: id, Suggestions: suggest(id, s.ids(projection.System, projection.Resource))}
}

// check checks that id is a node of kind k.
func (s *Session) check(what, id string, k projection.Kind) error {
	if n, ok := s.proj.Lookup(id); ok && s.proj.Kind(n) == k {
		return nil
	}
	return &UnknownError{What: what, ID: id, Suggestions: suggest(id, s.ids(k))}
}

// ids iterates the ids of the nodes of the given kinds.
func (s *Session) ids(kinds ...projection.Kind) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for _, k := range kinds {
			lo, hi := s.proj.Range(k)
			for n := lo; n < hi; n++ {
				if !yield(s.proj.ID(n)) {
					return
				}
			}
		}
	}
}

func isNotFound(err error) bool { return errors.Is(err, graph.ErrSnapshotNotFound) }
