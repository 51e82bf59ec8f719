package gqlserver

import (
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema/gqlserver/model"
)

// resourceByID returns the resource, nil when the id is not a resource.
// SOX scope is the effective one (R8), from the projection.
func resourceByID(v *view, sc model.Scope, id string) *model.Resource {
	r, ok := v.idx.Resource(id)
	if !ok {
		return nil
	}
	sox, err := v.engine(sc.AsOf).InSOXScope(id)
	if err != nil {
		bug("resource %q indexed but not projected: %v", id, err)
	}
	return toResource(sc, r, sox)
}

func resourcesByID(v *view, sc model.Scope, ids []string) []*model.Resource {
	out := make([]*model.Resource, 0, len(ids))
	for _, id := range ids {
		out = append(out, resourceByID(v, sc, id))
	}
	return out
}

// systemByID returns the system, nil when the id is not a system.
func systemByID(v *view, sc model.Scope, id string) *model.System {
	s, ok := v.idx.System(id)
	if !ok {
		return nil
	}
	return toSystem(sc, s)
}

// target returns the resource or system with this id, nil when neither.
func target(v *view, sc model.Scope, id string) model.Target {
	if r := resourceByID(v, sc, id); r != nil {
		return r
	}
	if s := systemByID(v, sc, id); s != nil {
		return s
	}
	return nil
}

// maxPathsK caps paths(k).
const maxPathsK = 50

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// mustIdentity returns an identity the index listed; its absence is a bug.
func mustIdentity(v *view, id string) graph.Identity {
	x, ok := v.idx.Identity(id)
	if !ok {
		bug("identity %q listed but not indexed in %s", id, v.meta.ID)
	}
	return x
}

// mustGroup returns a group the index listed; its absence is a bug.
func mustGroup(v *view, id string) graph.Group {
	x, ok := v.idx.Group(id)
	if !ok {
		bug("group %q listed but not indexed in %s", id, v.meta.ID)
	}
	return x
}

// nodeByID returns the identity, group, resource, system or credential with
// this id, nil when none has it (ids are unique across kinds).
func nodeByID(v *view, sc model.Scope, id string) model.Node {
	if x, ok := v.idx.Identity(id); ok {
		return toIdentity(sc, x)
	}
	if x, ok := v.idx.Group(id); ok {
		return toGroup(sc, x)
	}
	if t := target(v, sc, id); t != nil {
		return t.(model.Node)
	}
	if c, ok := v.idx.Credential(id); ok {
		return toCredential(c)
	}
	return nil
}
