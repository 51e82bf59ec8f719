package reach_test

// A plain reference evaluator written straight from SPEC §2 (R1–R8), with no
// cleverness: naive fixpoints over the records of a small graph.Dataset. It
// never looks at the projection or the engine, so the differential tests in
// differential_test.go compare two independent implementations.
//
// Readings of SPEC §2 implemented here (see the report for the ambiguities):
//   - R2 "ancestor" is the resource parent chain; "r's system" is r's own
//     system field. A system's only cover is itself.
//   - R3b "authorized to read s" is R4 authorization (so a read or admin grant
//     on s, an ancestor of s, or s's system, reached through any act-as chain).
//     In a chain this is equivalent to an exposure hop taken by the identity
//     that is directly authorized, which is how paths show it.
//   - R6 delegation hops need the target active with or without a system
//     (a disabled account cannot be acted as); exposure hops need C valid,
//     which includes its owner being active.
//   - Credentials with empty systems are accepted by every system of the
//     snapshot.
//   - Resource parents in another system (SPEC does not forbid them): only
//     r's own system covers r (R2) and is R8's fallback, never an ancestor's
//     system. The random graphs keep parents in the resource's own system;
//     TestRuleCrossSystemParent covers the other case.
//   - Times are compared at full precision (RFC 3339 allows sub-millisecond
//     fractions).
//   - Grant `conditional` and group `system` do not restrict anything: §2
//     does not mention them.
//   - Validity windows (MEMBER_OF, GRANT, CAN_ACT_AS): an edge counts at as_of
//     when valid_from ≤ as_of (or unset) and as_of < expires_at (or unset).
//     An edge that does not count is simply absent at as_of: it neither
//     joins a principal set (R1), nor authorizes (R2), nor is an act-as hop
//     (R3a), for authorized and effective access alike. The same pair listed
//     twice counts while either record counts.
//   - Credential valid_from (an extension): before it the credential is not
//     valid (R5), exactly like an expired one: it opens no session and an
//     exposure hop through it cannot be walked (R6). Authorization (R4) does
//     not look at it.

import (
	"math"
	"slices"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

const inf = math.MaxInt / 4

type nodeKind int

const (
	kSystem nodeKind = iota + 1
	kResource
	kIdentity
	kGroup
	kCredential
)

// refState is one R6 state: an identity holding a session in a system.
type refState struct{ id, sys string }

// refHop is one act-as hop (R3) out of an identity, with its hop count as it
// appears in an evidence path: member hops to the principal holding the
// delegation or read grant, plus 1 for CAN_ACT_AS or 3 for an exposure.
type refHop struct {
	to    string
	cost  int
	deleg *graph.Delegation // delegation hop
	cred  *graph.Credential // exposure hop
}

type refModel struct {
	d    *graph.Dataset
	asOf time.Time

	kind       map[string]nodeKind
	sysOf      map[string]string // resource → its system; system → itself
	parent     map[string]string // resource → parent resource or ""
	resSOX     map[string]*bool
	sysSOX     map[string]bool
	active     map[string]bool
	identities []string // sorted
	systems    []string // sorted
	resources  []string // sorted
	creds      map[string]*graph.Credential

	md      map[string]map[string]int // identity → principal set (R1) with MEMBER_OF distance
	hops    map[string][]refHop       // identity → act-as hops (R3)
	authD   map[string]map[string]int // origin → identity → shortest act-as chain cost (R4)
	effD    map[string]map[refState]int
	direct  map[string]map[ta]int // identity → (target, action) → 1 + member distance of the closest principal with a covering grant
	targets []string              // resources then systems
}

type ta struct {
	t string
	a schema.Action
}

func newRefModel(d *graph.Dataset, asOf time.Time) *refModel {
	m := &refModel{d: d, asOf: asOf, kind: map[string]nodeKind{}, sysOf: map[string]string{},
		parent: map[string]string{}, resSOX: map[string]*bool{}, sysSOX: map[string]bool{},
		active: map[string]bool{}, creds: map[string]*graph.Credential{}}
	for _, s := range d.SystemList {
		m.kind[s.ID] = kSystem
		m.sysOf[s.ID] = s.ID
		m.sysSOX[s.ID] = s.SOXScope
		m.systems = append(m.systems, s.ID)
	}
	for _, r := range d.ResourceList {
		m.kind[r.ID] = kResource
		m.sysOf[r.ID] = r.System
		m.parent[r.ID] = r.Parent
		m.resSOX[r.ID] = r.SOXScope
		m.resources = append(m.resources, r.ID)
	}
	for _, i := range d.IdentityList {
		m.kind[i.ID] = kIdentity
		m.active[i.ID] = i.Status == schema.StatusActive
		m.identities = append(m.identities, i.ID)
	}
	for _, g := range d.GroupList {
		m.kind[g.ID] = kGroup
	}
	for i := range d.CredentialList {
		c := &d.CredentialList[i]
		m.kind[c.ID] = kCredential
		m.creds[c.ID] = c
	}
	slices.Sort(m.identities)
	slices.Sort(m.systems)
	slices.Sort(m.resources)
	m.targets = append(slices.Clone(m.resources), m.systems...)

	m.md = map[string]map[string]int{}
	for _, x := range m.identities {
		m.md[x] = m.principalSet(x)
	}
	m.direct = map[string]map[ta]int{}
	for _, x := range m.identities {
		dd := map[ta]int{}
		for _, t := range m.targets {
			for _, a := range schema.Actions {
				if v := m.directDist(x, t, a); v < inf {
					dd[ta{t, a}] = v
				}
			}
		}
		m.direct[x] = dd
	}
	m.hops = map[string][]refHop{}
	for _, x := range m.identities {
		m.hops[x] = m.actAsHops(x)
	}
	m.authD = map[string]map[string]int{}
	m.effD = map[string]map[refState]int{}
	for _, x := range m.identities {
		m.authD[x] = m.authChains(x)
		m.effD[x] = m.effStates(x)
	}
	return m
}

// principalSet is R1: the identity plus every group reachable over MEMBER_OF,
// with the number of MEMBER_OF hops of a shortest way there (Bellman-Ford).
func (m *refModel) principalSet(x string) map[string]int {
	dist := map[string]int{x: 0}
	for changed := true; changed; {
		changed = false
		for _, ms := range m.d.MembershipList {
			dm, ok := dist[ms.Member]
			if !ok || !m.windowLive(ms.ValidFrom, ms.ExpiresAt) {
				continue
			}
			if dg, ok := dist[ms.Group]; !ok || dm+1 < dg {
				dist[ms.Group] = dm + 1
				changed = true
			}
		}
	}
	return dist
}

func (m *refModel) grantLive(g graph.Grant) bool { return m.windowLive(g.ValidFrom, g.ExpiresAt) }

// windowLive reports whether an edge with the validity window [from, until)
// counts at as_of; a zero bound is no bound.
func (m *refModel) windowLive(from, until time.Time) bool {
	return (from.IsZero() || !m.asOf.Before(from)) && (until.IsZero() || m.asOf.Before(until))
}

// covers reports whether a grant on target applies to r (R2): r itself, an
// ancestor of r over the parent chain, or r's system.
func (m *refModel) covers(target, r string) bool {
	if target == r {
		return true
	}
	if m.kind[r] != kResource {
		return false
	}
	if target == m.sysOf[r] {
		return true
	}
	seen := map[string]bool{}
	for p := m.parent[r]; p != "" && !seen[p]; p = m.parent[p] {
		seen[p] = true
		if p == target {
			return true
		}
	}
	return false
}

func gives(g, a schema.Action) bool { return g == a || g == schema.ActionAdmin }

// grantApplies: grant g counts for (r, a) at as_of (R2).
func (m *refModel) grantApplies(g graph.Grant, r string, a schema.Action) bool {
	return m.grantLive(g) && gives(g.Action, a) && m.covers(g.Resource, r)
}

// directDist is R2 with a hop count: the length of the shortest path segment
// x -MEMBER_OF->* p -GRANT-> (r or a covering node), inf when x is not
// directly authorized.
func (m *refModel) directDist(x, r string, a schema.Action) int {
	best := inf
	for _, g := range m.d.GrantList {
		dp, ok := m.md[x][g.Principal]
		if ok && m.grantApplies(g, r, a) && dp+1 < best {
			best = dp + 1
		}
	}
	return best
}

func (m *refModel) directlyAuthorized(x, r string, a schema.Action) (int, bool) {
	v, ok := m.direct[x][ta{r, a}]
	return v, ok
}

// actAsHops is R3: delegations from any member of x's principal set, and
// exposures of credentials stored where x is directly authorized to read
// (recursive authorization is the chain itself, see the file comment).
func (m *refModel) actAsHops(x string) []refHop {
	var out []refHop
	for i := range m.d.DelegationList {
		d := &m.d.DelegationList[i]
		if !m.windowLive(d.ValidFrom, d.ExpiresAt) {
			continue
		}
		if dp, ok := m.md[x][d.From]; ok {
			out = append(out, refHop{to: d.To, cost: dp + 1, deleg: d})
		}
	}
	for i := range m.d.CredentialList {
		c := &m.d.CredentialList[i]
		if c.StoredIn == "" {
			continue
		}
		if dr, ok := m.directlyAuthorized(x, c.StoredIn, schema.ActionRead); ok {
			out = append(out, refHop{to: c.Identity, cost: dr + 2, cred: c})
		}
	}
	return out
}

// authChains is R4's chain X = X0 → … → Xk: every identity reachable from x
// with the cost of a shortest chain (Bellman-Ford over identities).
func (m *refModel) authChains(x string) map[string]int {
	dist := map[string]int{x: 0}
	for changed := true; changed; {
		changed = false
		for _, y := range m.identities {
			dy, ok := dist[y]
			if !ok {
				continue
			}
			for _, h := range m.hops[y] {
				if dz, ok := dist[h.to]; !ok || dy+h.cost < dz {
					dist[h.to] = dy + h.cost
					changed = true
				}
			}
		}
	}
	return dist
}

// credValid is R5, with the valid_from extension: a credential is valid when
// it is not revoked, its valid_from is unset or not after as_of, its
// expires_at is unset or later than as_of, and its identity is active.
func (m *refModel) credValid(c *graph.Credential) bool {
	return !c.Revoked && (c.ValidFrom.IsZero() || !c.ValidFrom.After(m.asOf)) &&
		(c.ExpiresAt.IsZero() || c.ExpiresAt.After(m.asOf)) && m.active[c.Identity]
}

// accepted lists the systems that accept c (empty systems = every system).
func (m *refModel) accepted(c *graph.Credential) []string {
	if len(c.Systems) == 0 {
		return m.systems
	}
	return c.Systems
}

func (m *refModel) accepts(c *graph.Credential, sys string) bool {
	return len(c.Systems) == 0 || slices.Contains(c.Systems, sys)
}

// ownSessions is R5: the systems where x holds a session through its own
// valid credentials.
func (m *refModel) ownSessions(x string) map[string]bool {
	out := map[string]bool{}
	if !m.active[x] {
		return out
	}
	for i := range m.d.CredentialList {
		c := &m.d.CredentialList[i]
		if c.Identity == x && m.credValid(c) {
			for _, s := range m.accepted(c) {
				out[s] = true
			}
		}
	}
	return out
}

// step applies one act-as hop to a state (R6) and returns the states it leads to.
func (m *refModel) step(st refState, h refHop) []refState {
	switch {
	case h.deleg != nil:
		if !m.active[h.to] {
			return nil
		}
		if h.deleg.System != "" {
			if st.sys != h.deleg.System {
				return nil
			}
			return []refState{{h.to, h.deleg.System}}
		}
		return []refState{{h.to, st.sys}}
	case h.cred != nil:
		c := h.cred
		if st.sys != m.sysOf[c.StoredIn] || !m.credValid(c) {
			return nil
		}
		var out []refState
		for _, s := range m.accepted(c) {
			out = append(out, refState{c.Identity, s})
		}
		return out
	}
	return nil
}

// effStates is R6's breadth-first search over (identity, system-with-session)
// states from x's own sessions, with the cost of a shortest walkable chain
// (Bellman-Ford over states).
func (m *refModel) effStates(x string) map[refState]int {
	dist := map[refState]int{}
	for s := range m.ownSessions(x) {
		dist[refState{x, s}] = 0
	}
	for changed := true; changed; {
		changed = false
		for _, y := range m.identities {
			for _, s := range m.systems {
				st := refState{y, s}
				dy, ok := dist[st]
				if !ok {
					continue
				}
				for _, h := range m.hops[y] {
					for _, ns := range m.step(st, h) {
						if dz, ok := dist[ns]; !ok || dy+h.cost < dz {
							dist[ns] = dy + h.cost
							changed = true
						}
					}
				}
			}
		}
	}
	return dist
}

// authLen is R4 with a hop count: the length of a shortest authorization path
// from x for (t, a); inf when x is not authorized.
func (m *refModel) authLen(x, t string, a schema.Action) int {
	best := inf
	for y, dy := range m.authD[x] {
		if v, ok := m.directlyAuthorized(y, t, a); ok && dy+v < best {
			best = dy + v
		}
	}
	return best
}

// effLen is R6 with a hop count: the length of a shortest walkable path from x
// for (t, a); inf when the access is not effective.
func (m *refModel) effLen(x, t string, a schema.Action) int {
	best := inf
	sys := m.sysOf[t]
	for st, dy := range m.effD[x] {
		if st.sys != sys {
			continue
		}
		if v, ok := m.directlyAuthorized(st.id, t, a); ok && dy+v < best {
			best = dy + v
		}
	}
	return best
}

// critical is R8.
func (m *refModel) critical(t string, a schema.Action) bool {
	return a != schema.ActionRead && m.sox(t)
}

func (m *refModel) sox(t string) bool {
	if m.kind[t] == kSystem {
		return m.sysSOX[t]
	}
	seen := map[string]bool{}
	for r := t; r != "" && !seen[r]; r = m.parent[r] {
		seen[r] = true
		if v := m.resSOX[r]; v != nil {
			return *v
		}
	}
	return m.sysSOX[m.sysOf[t]]
}

// refAccess is the reference answer for one (identity, target, action).
type refAccess struct {
	authLen, effLen int // inf when not authorized / not effective
}

func (r refAccess) authorized() bool { return r.authLen < inf }
func (r refAccess) effective() bool  { return r.effLen < inf }

func (m *refModel) access(x, t string, a schema.Action) refAccess {
	return refAccess{authLen: m.authLen(x, t, a), effLen: m.effLen(x, t, a)}
}

// actorOf is R7: the same_as classes (symmetric, transitive), as a map from
// identity to the smallest id of its actor. Used only to check that same_as
// never grants access (it is not an act-as hop, so the model ignores it).
func (m *refModel) actorOf() map[string]string {
	rep := map[string]string{}
	for _, x := range m.identities {
		rep[x] = x
	}
	for changed := true; changed; {
		changed = false
		for _, i := range m.d.IdentityList {
			for _, o := range i.SameAs {
				a, b := rep[i.ID], rep[o]
				if a == b || b == "" {
					continue
				}
				lo := min(a, b)
				for k, v := range rep {
					if v == a || v == b {
						if rep[k] != lo {
							rep[k] = lo
							changed = true
						}
					}
				}
			}
		}
	}
	return rep
}
