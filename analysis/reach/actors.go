package reach

import (
	"cmp"
	"slices"

	"github.com/reachgraph/reachgraph/graph/projection"
)

// Actor returns the ids of every identity of the actor (R7) the identity
// belongs to, sorted; same_as is symmetric and transitive. It returns
// ErrUnknownNode for an unknown identity.
func (e *Engine) Actor(identity string) ([]string, error) {
	x, err := e.identityNode(identity)
	if err != nil {
		return nil, err
	}
	var out []string
	rep := e.p.Actor(x)
	lo, hi := e.p.Range(projection.Identity)
	for n := lo; n < hi; n++ {
		if e.p.Actor(n) == rep {
			out = append(out, e.p.ID(n))
		}
	}
	slices.Sort(out)
	return out, nil
}

// Actors returns every actor made of more than one identity, each sorted, the
// list sorted by its first id. same_as never grants access (it is not an
// act-as hop); actors only group identities for segregation-of-duties checks.
func (e *Engine) Actors() [][]string {
	groups := map[int32][]string{}
	lo, hi := e.p.Range(projection.Identity)
	for n := lo; n < hi; n++ {
		groups[e.p.Actor(n)] = append(groups[e.p.Actor(n)], e.p.ID(n))
	}
	var out [][]string
	for _, g := range groups {
		if len(g) > 1 {
			slices.Sort(g)
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b []string) int { return cmp.Compare(a[0], b[0]) })
	return out
}

// InSOXScope reports whether a resource or system is in SOX scope (R8).
func (e *Engine) InSOXScope(resource string) (bool, error) {
	r, err := e.resourceNode(resource)
	if err != nil {
		return false, err
	}
	return e.p.Sox(r), nil
}
