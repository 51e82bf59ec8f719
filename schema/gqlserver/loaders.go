package gqlserver

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/vikstrous/dataloadgen"

	"github.com/reachgraph/reachgraph/schema/gqlserver/model"
)

// loaderWait is how long a loader collects keys before one batched fetch.
const loaderWait = 5 * time.Millisecond

// scopedKey is a loader key: an id within one snapshot at one instant.
type scopedKey struct {
	scope model.Scope
	id    string
}

// loaders are the per-request dataloaders: a list of N identities with their
// groups costs one batched fetch per level, not N lookups.
type loaders struct {
	identity *dataloadgen.Loader[scopedKey, *model.Identity]
	groupsOf *dataloadgen.Loader[scopedKey, []*model.Group]
}

func (s *Server) newLoaders() *loaders {
	return &loaders{
		identity: dataloadgen.NewLoader(s.fetchIdentities, dataloadgen.WithWait(loaderWait)),
		groupsOf: dataloadgen.NewLoader(s.fetchGroupsOf, dataloadgen.WithWait(loaderWait)),
	}
}

// batchViews resolves the view of every scope in keys once.
func (s *Server) batchViews(ctx context.Context, loader string, keys []scopedKey) (map[model.Scope]*view, map[model.Scope]error) {
	s.metrics.loaderBatches.With(prometheus.Labels{"loader": loader}).Inc()
	vs := map[model.Scope]*view{}
	errs := map[model.Scope]error{}
	for _, k := range keys {
		if _, ok := vs[k.scope]; ok {
			continue
		}
		if _, ok := errs[k.scope]; ok {
			continue
		}
		v, err := s.views.get(ctx, k.scope.Snapshot)
		if err != nil {
			errs[k.scope] = err
			continue
		}
		vs[k.scope] = v
	}
	return vs, errs
}

func (s *Server) fetchIdentities(ctx context.Context, keys []scopedKey) ([]*model.Identity, []error) {
	vs, verrs := s.batchViews(ctx, "identity", keys)
	out := make([]*model.Identity, len(keys))
	errs := make([]error, len(keys))
	for i, k := range keys {
		v, ok := vs[k.scope]
		if !ok {
			errs[i] = verrs[k.scope]
			continue
		}
		x, ok := v.idx.Identity(k.id)
		if !ok {
			errs[i] = userErrorf("unknown identity %q", k.id)
			continue
		}
		out[i] = toIdentity(k.scope, x)
	}
	return out, errs
}

func (s *Server) fetchGroupsOf(ctx context.Context, keys []scopedKey) ([][]*model.Group, []error) {
	vs, verrs := s.batchViews(ctx, "groups", keys)
	out := make([][]*model.Group, len(keys))
	errs := make([]error, len(keys))
	for i, k := range keys {
		v, ok := vs[k.scope]
		if !ok {
			errs[i] = verrs[k.scope]
			continue
		}
		ids := v.idx.GroupsOf(k.id)
		gs := make([]*model.Group, 0, len(ids))
		for _, id := range ids {
			gs = append(gs, toGroup(k.scope, mustGroup(v, id)))
		}
		out[i] = gs
	}
	return out, errs
}
