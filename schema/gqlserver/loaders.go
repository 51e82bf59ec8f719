package gqlserver

import (
	"context"

	"github.com/reachgraph/reachgraph/schema/gqlserver/model"
)

// Entity fields read the snapshot's records from the in-memory index the
// session holds (graph.Index), a map lookup per id: there is nothing to batch,
// so no dataloader delays a list by a collection window.

// groupsOf returns the direct groups of an identity or group.
func (s *Server) groupsOf(ctx context.Context, sc model.Scope, member string) ([]*model.Group, error) {
	v, err := s.views.get(ctx, sc.Snapshot)
	if err != nil {
		return nil, err
	}
	ids := v.idx.GroupsOf(member)
	gs := make([]*model.Group, 0, len(ids))
	for _, id := range ids {
		gs = append(gs, toGroup(sc, mustGroup(v, id)))
	}
	return gs, nil
}

// identityIn returns the identity with this id on the scope's snapshot; an
// unknown id is an error.
func (s *Server) identityIn(ctx context.Context, sc model.Scope, id string) (*model.Identity, error) {
	v, err := s.views.get(ctx, sc.Snapshot)
	if err != nil {
		return nil, err
	}
	x, ok := v.idx.Identity(id)
	if !ok {
		return nil, userErrorf("unknown identity %q", id)
	}
	return toIdentity(sc, x), nil
}
