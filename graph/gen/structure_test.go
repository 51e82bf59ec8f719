package gen_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/schema"
)

// estate indexes a generated Dataset for the structure checks.
type estate struct {
	*graph.Dataset
	system   map[string]graph.System
	resource map[string]graph.Resource
	children map[string]int
	nested   map[string][]string // group → groups it is a member of
	member   map[string]int      // identity → memberships
}

func index(d *graph.Dataset) *estate {
	e := &estate{Dataset: d, system: map[string]graph.System{}, resource: map[string]graph.Resource{},
		children: map[string]int{}, nested: map[string][]string{}, member: map[string]int{}}
	for _, s := range d.SystemList {
		e.system[s.ID] = s
	}
	for _, r := range d.ResourceList {
		e.resource[r.ID] = r
		if r.Parent != "" {
			e.children[r.Parent]++
		}
	}
	groups := map[string]bool{}
	for _, g := range d.GroupList {
		groups[g.ID] = true
	}
	for _, m := range d.MembershipList {
		if groups[m.Member] {
			e.nested[m.Member] = append(e.nested[m.Member], m.Group)
		} else {
			e.member[m.Member]++
		}
	}
	return e
}

// chain is the number of resources from r up to its tree root, r included.
func (e *estate) chain(r graph.Resource) int {
	n := 1
	for r.Parent != "" {
		r = e.resource[r.Parent]
		n++
	}
	return n
}

// share is the fraction of n items for which keep holds.
func share[T any](list []T, keep func(T) bool) float64 {
	n := 0
	for _, x := range list {
		if keep(x) {
			n++
		}
	}
	return float64(n) / float64(len(list))
}

// cyclicGroups counts groups that lie on a MEMBER_OF cycle (Tarjan's SCC)
// and returns the size of the largest cycle component.
func (e *estate) cyclicGroups() (cyclic, largest int) {
	idx, low := map[string]int{}, map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	next := 0
	var visit func(v string)
	visit = func(v string) {
		idx[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range e.nested[v] {
			if _, seen := idx[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], idx[w])
			}
		}
		if low[v] == idx[v] {
			size := 0
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				size++
				if w == v {
					break
				}
			}
			if size > 1 {
				cyclic += size
				largest = max(largest, size)
			}
		}
	}
	for _, g := range e.GroupList {
		if _, seen := idx[g.ID]; !seen {
			visit(g.ID)
		}
	}
	return cyclic, largest
}

// principalSet is the number of groups reachable from identity id over
// MEMBER_OF (SPEC R1, the identity itself not counted).
func (e *estate) principalSet(id string, direct map[string][]string) int {
	seen := map[string]bool{}
	stack := slices.Clone(direct[id])
	for len(stack) > 0 {
		g := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[g] {
			continue
		}
		seen[g] = true
		stack = append(stack, e.nested[g]...)
	}
	return len(seen)
}

// nestingDepth is the longest simple MEMBER_OF path between groups starting
// at g, explored up to limit hops.
func (e *estate) nestingDepth(g string, limit int, path []string) int {
	if limit == 0 {
		return 0
	}
	best := 0
	for _, p := range e.nested[g] {
		if slices.Contains(path, p) {
			continue
		}
		best = max(best, 1+e.nestingDepth(p, limit-1, append(path, p)))
	}
	return best
}

func TestGenerateStructure(t *testing.T) {
	e := index(generate(t, mustTier(t, "S"), 17))
	nonHuman := func(i graph.Identity) bool { return i.Type.NonHuman() }
	tests := []struct {
		name string
		ok   func() bool
	}{
		{name: "20 to 200 systems, some in SOX scope, some not", ok: func() bool {
			sox := share(e.SystemList, func(s graph.System) bool { return s.SOXScope })
			return len(e.SystemList) >= 20 && len(e.SystemList) <= 200 && sox > 0 && sox < 1
		}},
		{name: "system kinds erp bank vault bi ci db cloud", ok: func() bool {
			kinds := map[string]bool{}
			for _, s := range e.SystemList {
				kinds[s.Kind] = true
			}
			for _, k := range []string{"erp", "bank", "vault", "bi", "ci", "db", "cloud"} {
				if !kinds[k] {
					return false
				}
			}
			return true
		}},
		{name: "vault resources are secret paths", ok: func() bool {
			n := 0
			for _, r := range e.ResourceList {
				if e.system[r.System].Kind == "vault" {
					n++
					if r.Kind != "secret" {
						return false
					}
				}
			}
			return n > 100
		}},
		{name: "resource chains are 1 to 4 long and most resources have a parent", ok: func() bool {
			depth := map[int]int{}
			for _, r := range e.ResourceList {
				depth[e.chain(r)]++
			}
			return depth[1]+depth[2]+depth[3]+depth[4] == len(e.ResourceList) && depth[3] > 0 && depth[4] > 0 &&
				depth[1] < len(e.ResourceList)/10
		}},
		{name: "well-known finance kinds present", ok: func() bool {
			kinds := map[string]bool{}
			for _, r := range e.ResourceList {
				kinds[r.Kind] = true
			}
			for _, k := range []string{"journal_entry", "vendor_master", "payment_run", "payment_release", "gl_account", "financial_report", "secret"} {
				if !kinds[k] || !slices.Contains(schema.WellKnownResourceKinds, k) {
					return false
				}
			}
			return true
		}},
		{name: "some resources override SOX scope", ok: func() bool {
			s := share(e.ResourceList, func(r graph.Resource) bool { return r.SOXScope != nil })
			return s > 0.01 && s < 0.06
		}},
		{name: "85 to 95 percent of identities non-human", ok: func() bool {
			s := share(e.IdentityList, nonHuman)
			return s >= 0.85 && s <= 0.95
		}},
		{name: "every non-human type present", ok: func() bool {
			types := map[schema.IdentityType]bool{}
			for _, i := range e.IdentityList {
				types[i.Type] = true
			}
			return len(types) == len(schema.IdentityTypes)
		}},
		{name: "about 3 percent disabled", ok: func() bool {
			s := share(e.IdentityList, func(i graph.Identity) bool { return i.Status == schema.StatusDisabled })
			return s > 0.02 && s < 0.04
		}},
		{name: "some non-human identities lack owner or purpose", ok: func() bool {
			noOwner := share(e.IdentityList, func(i graph.Identity) bool { return nonHuman(i) && i.Owners.Business == "" })
			noPurpose := share(e.IdentityList, func(i graph.Identity) bool { return nonHuman(i) && i.Purpose == "" })
			return noOwner > 0.05 && noOwner < 0.5 && noPurpose > 0.05 && noPurpose < 0.5
		}},
		{name: "a few shared and break-glass accounts", ok: func() bool {
			shared := share(e.IdentityList, func(i graph.Identity) bool { return i.Shared })
			bg := share(e.IdentityList, func(i graph.Identity) bool { return i.BreakGlass })
			return shared > 0 && shared < 0.03 && bg > 0 && bg < 0.01
		}},
		{name: "same_as links between people", ok: func() bool {
			return share(e.IdentityList, func(i graph.Identity) bool { return len(i.SameAs) > 0 }) > 0.002
		}},
		{name: "many roles", ok: func() bool {
			return share(e.GroupList, func(g graph.Group) bool { return g.Type == schema.GroupRole }) > 0.4
		}},
		{name: "groups nest at least four levels deep", ok: func() bool {
			deepest := 0
			for _, g := range e.GroupList[:200] {
				deepest = max(deepest, e.nestingDepth(g.ID, 4, []string{g.ID}))
			}
			return deepest >= 4
		}},
		{name: "some but not most groups lie on cycles, and cycles are small", ok: func() bool {
			n, largest := e.cyclicGroups()
			return n >= 4 && n < len(e.GroupList)/20 && largest <= 6
		}},
		{name: "principal sets average at most 8 groups", ok: func() bool {
			direct := map[string][]string{}
			for _, m := range e.MembershipList {
				if _, group := e.nested[m.Member]; !group {
					direct[m.Member] = append(direct[m.Member], m.Group)
				}
			}
			total := 0
			for _, i := range e.IdentityList {
				total += e.principalSet(i.ID, direct)
			}
			avg := float64(total) / float64(len(e.IdentityList))
			return avg >= 2 && avg <= 8
		}},
		{name: "most identities in 1 to 5 groups", ok: func() bool {
			return share(e.IdentityList, func(i graph.Identity) bool { return e.member[i.ID] >= 1 && e.member[i.ID] <= 5 }) > 0.85
		}},
		{name: "all five actions, read most common, admin rare", ok: func() bool {
			n := map[schema.Action]int{}
			for _, g := range e.GrantList {
				n[g.Action]++
			}
			for _, a := range schema.Actions {
				if n[a] == 0 || n[a] > n[schema.ActionRead] {
					return false
				}
			}
			return n[schema.ActionAdmin] < len(e.GrantList)/10
		}},
		{name: "grants on parent resources, and on systems and tree roots by few principals", ok: func() bool {
			onParent := share(e.GrantList, func(g graph.Grant) bool { return e.children[g.Resource] > 0 })
			onSystem := share(e.GrantList, func(g graph.Grant) bool { _, ok := e.system[g.Resource]; return ok })
			// A tree is big when it has more resources than a parent of
			// leaves can (branching factor at most 8).
			tree := map[string]int{}
			for _, r := range e.ResourceList {
				for r.Parent != "" {
					r = e.resource[r.Parent]
				}
				tree[r.ID]++
			}
			broad := map[string]bool{}
			roots := 0
			for _, g := range e.GrantList {
				_, onSys := e.system[g.Resource]
				if tree[g.Resource] > 9 {
					roots++
				}
				if onSys || tree[g.Resource] > 9 {
					broad[g.Principal] = true
				}
			}
			return onParent > 0.05 && onSystem > 0.001 && onSystem < 0.01 && roots > 0 &&
				len(broad) < len(e.IdentityList)/50
		}},
		{name: "some grants expired, some conditional", ok: func() bool {
			expired := share(e.GrantList, func(g graph.Grant) bool {
				return !g.ExpiresAt.IsZero() && !g.ExpiresAt.After(gen.CollectedAt)
			})
			cond := share(e.GrantList, func(g graph.Grant) bool { return g.Conditional })
			return expired > 0.005 && expired < 0.05 && cond > 0.02 && cond < 0.1
		}},
		{name: "roles have few grants each", ok: func() bool {
			per := map[string]int{}
			for _, g := range e.GrantList {
				per[g.Principal]++
			}
			for _, g := range e.GroupList {
				if per[g.ID] > 6 {
					return false
				}
			}
			return true
		}},
		{name: "credentials for most identities", ok: func() bool {
			owners := map[string]bool{}
			for _, c := range e.CredentialList {
				owners[c.Identity] = true
			}
			return float64(len(owners)) > 0.85*float64(len(e.IdentityList))
		}},
		{name: "credentials accept every system, one or two", ok: func() bool {
			n := map[int]int{}
			for _, c := range e.CredentialList {
				n[len(c.Systems)]++
			}
			return n[0] > 0 && n[1] > 0 && n[2] > 0 && n[0]+n[1]+n[2] == len(e.CredentialList)
		}},
		{name: "credentials expired, revoked and never rotated", ok: func() bool {
			expired := share(e.CredentialList, func(c graph.Credential) bool {
				return !c.ExpiresAt.IsZero() && !c.ExpiresAt.After(gen.CollectedAt)
			})
			revoked := share(e.CredentialList, func(c graph.Credential) bool { return c.Revoked })
			never := share(e.CredentialList, func(c graph.Credential) bool { return c.LastRotatedAt.IsZero() })
			return expired > 0.02 && revoked > 0.02 && revoked < 0.15 && never > 0.1 && never < 0.3
		}},
		{name: "credentials stored in vault secret paths", ok: func() bool {
			stored := share(e.CredentialList, func(c graph.Credential) bool {
				r, ok := e.resource[c.StoredIn]
				return ok && r.Kind == "secret" && e.system[r.System].Kind == "vault"
			})
			return stored > 0.05 && stored < 0.3
		}},
		{name: "vault paths with credentials read by one or two principals (exposure chains)", ok: func() bool {
			stored := map[string]bool{}
			for _, c := range e.CredentialList {
				stored[c.StoredIn] = true
			}
			readers := map[string]map[string]bool{}
			exposed := 0
			for _, g := range e.GrantList {
				r, ok := e.resource[g.Resource]
				if !ok || r.Kind != "secret" {
					continue
				}
				if readers[g.Resource] == nil {
					readers[g.Resource] = map[string]bool{}
				}
				readers[g.Resource][g.Principal] = true
				if g.Action == schema.ActionRead && stored[g.Resource] {
					exposed++
				}
			}
			for _, rs := range readers {
				if len(rs) > 2 {
					return false
				}
			}
			return exposed > 50
		}},
		{name: "delegations with and without system, several kinds, from groups too", ok: func() bool {
			withSys := share(e.DelegationList, func(d graph.Delegation) bool { return d.System != "" })
			kinds := map[schema.DelegationKind]bool{}
			fromGroup := false
			for _, d := range e.DelegationList {
				kinds[d.Kind] = true
				fromGroup = fromGroup || e.nested[d.From] != nil
			}
			return withSys > 0.3 && withSys < 0.8 && len(kinds) == len(schema.DelegationKinds) && fromGroup
		}},
		{name: "delegations are sparse and lead mostly to service accounts", ok: func() bool {
			typ := map[string]schema.IdentityType{}
			for _, i := range e.IdentityList {
				typ[i.ID] = i.Type
			}
			toService := share(e.DelegationList, func(d graph.Delegation) bool { return typ[d.To] == schema.IdentityServiceAccount })
			return toService > 0.6 && len(e.DelegationList) < len(e.IdentityList)/10
		}},
		{name: "all times relative to collected_at", ok: func() bool {
			for _, i := range e.IdentityList {
				if i.CreatedAt.After(gen.CollectedAt) || i.LastUsedAt.After(gen.CollectedAt) ||
					(!i.LastUsedAt.IsZero() && i.LastUsedAt.Before(i.CreatedAt)) {
					return false
				}
			}
			for _, c := range e.CredentialList {
				if c.CreatedAt.After(gen.CollectedAt) || c.LastRotatedAt.After(gen.CollectedAt) ||
					c.LastUsedAt.After(gen.CollectedAt) || (!c.LastRotatedAt.IsZero() && c.LastRotatedAt.Before(c.CreatedAt)) {
					return false
				}
			}
			for _, g := range e.GrantList {
				if g.LastUsedAt.After(gen.CollectedAt) {
					return false
				}
			}
			return true
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.True(t, tt.ok())
		})
	}
}
