package gqlserver

import (
	"context"
	"slices"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
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

// index holds one snapshot's records by id, with the adjacency the entity
// fields need. Every id list is sorted.
type index struct {
	systems     map[string]graph.System
	resources   map[string]graph.Resource
	identities  map[string]graph.Identity
	groups      map[string]graph.Group
	credentials map[string][]graph.Credential // by owner identity, sorted by id

	identityIDs []string
	systemIDs   []string
	resourceIDs []string

	groupsOf     map[string][]string // member (identity or group) → groups
	members      map[string][]string // group → identity members
	memberGroups map[string][]string // group → group members
	children     map[string][]string // resource → child resources
	topLevel     map[string][]string // system → resources without parent
}

func buildIndex(ctx context.Context, r graph.Reader) (*index, error) {
	x := &index{
		systems: map[string]graph.System{}, resources: map[string]graph.Resource{},
		identities: map[string]graph.Identity{}, groups: map[string]graph.Group{},
		credentials: map[string][]graph.Credential{}, groupsOf: map[string][]string{},
		members: map[string][]string{}, memberGroups: map[string][]string{},
		children: map[string][]string{}, topLevel: map[string][]string{},
	}
	for s, err := range r.Systems(ctx) {
		if err != nil {
			return nil, err
		}
		x.systems[s.ID] = s
		x.systemIDs = append(x.systemIDs, s.ID)
	}
	for res, err := range r.Resources(ctx) {
		if err != nil {
			return nil, err
		}
		x.resources[res.ID] = res
		x.resourceIDs = append(x.resourceIDs, res.ID)
		if res.Parent != "" {
			x.children[res.Parent] = append(x.children[res.Parent], res.ID)
		} else {
			x.topLevel[res.System] = append(x.topLevel[res.System], res.ID)
		}
	}
	for id, err := range r.Identities(ctx) {
		if err != nil {
			return nil, err
		}
		x.identities[id.ID] = id
		x.identityIDs = append(x.identityIDs, id.ID)
	}
	for g, err := range r.Groups(ctx) {
		if err != nil {
			return nil, err
		}
		x.groups[g.ID] = g
	}
	for m, err := range r.Memberships(ctx) {
		if err != nil {
			return nil, err
		}
		x.groupsOf[m.Member] = append(x.groupsOf[m.Member], m.Group)
		if _, isGroup := x.groups[m.Member]; isGroup {
			x.memberGroups[m.Group] = append(x.memberGroups[m.Group], m.Member)
		} else {
			x.members[m.Group] = append(x.members[m.Group], m.Member)
		}
	}
	for c, err := range r.Credentials(ctx) {
		if err != nil {
			return nil, err
		}
		x.credentials[c.Identity] = append(x.credentials[c.Identity], c)
	}
	for _, cs := range x.credentials {
		slices.SortFunc(cs, func(a, b graph.Credential) int { return compareStrings(a.ID, b.ID) })
	}
	for _, l := range [][]string{x.identityIDs, x.systemIDs, x.resourceIDs} {
		slices.Sort(l)
	}
	for _, m := range []map[string][]string{x.groupsOf, x.members, x.memberGroups, x.children, x.topLevel} {
		for k, l := range m {
			slices.Sort(l)
			m[k] = slices.Compact(l)
		}
	}
	return x, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
