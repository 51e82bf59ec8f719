package storetest

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Synthetic returns a deterministic dataset of about n records (never fewer
// than one of each kind) with the proportions of a real estate: mostly
// memberships and grants, many identities and credentials, fewer resources,
// groups, delegations and systems. Fields are varied (optional times, tags,
// lists, SOXScope nil/false/true) so that the records have realistic sizes.
// The same (n, seed) always gives the same dataset; another seed gives other
// data and another source label, hence another snapshot id.
func Synthetic(n int, seed uint64) *graph.Dataset {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	share := func(f float64) int { return max(1, int(float64(n)*f)) }
	nSys, nRes, nID, nGrp := share(0.001), share(0.02), share(0.1), share(0.01)
	nGrant, nCred, nDeleg := share(0.3), share(0.1), share(0.02)
	nMem := max(1, n-nSys-nRes-nID-nGrp-nGrant-nCred-nDeleg)

	base := time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
	when := func() time.Time {
		if rng.IntN(3) == 0 {
			return time.Time{}
		}
		return base.Add(time.Duration(rng.Int64N(int64(300 * 24 * time.Hour))))
	}
	sys := func(i int) string { return "sys-" + strconv.Itoa(i) }
	res := func(i int) string { return "res-" + strconv.Itoa(i) }
	ident := func(i int) string { return "id-" + strconv.Itoa(i) }
	grp := func(i int) string { return "grp-" + strconv.Itoa(i) }

	d := &graph.Dataset{Info: graph.SnapshotMeta{
		Source:      "synthetic-" + strconv.Itoa(n) + "-" + strconv.FormatUint(seed, 10),
		CollectedAt: base,
		Files:       []graph.SourceFile{{Name: "synthetic.yaml", SHA256: "00"}},
	}}
	d.SystemList = make([]graph.System, nSys)
	for i := range d.SystemList {
		d.SystemList[i] = graph.System{ID: sys(i), Name: "System " + strconv.Itoa(i), Kind: "erp", SOXScope: i%2 == 0, Owner: "owner-" + strconv.Itoa(i)}
	}
	d.ResourceList = make([]graph.Resource, nRes)
	for i := range d.ResourceList {
		r := graph.Resource{ID: res(i), System: sys(i % nSys), Name: "Resource " + strconv.Itoa(i), Kind: schema.WellKnownResourceKinds[i%len(schema.WellKnownResourceKinds)]}
		if i > 0 && i%4 != 0 {
			r.Parent = res(rng.IntN(i))
		}
		switch i % 3 {
		case 1:
			r.SOXScope = ptr(true)
		case 2:
			r.SOXScope = ptr(false)
		}
		d.ResourceList[i] = r
	}
	d.IdentityList = make([]graph.Identity, nID)
	for i := range d.IdentityList {
		r := graph.Identity{ID: ident(i), Name: "Identity " + strconv.Itoa(i),
			Type: schema.IdentityTypes[i%len(schema.IdentityTypes)], Status: schema.StatusActive,
			CreatedAt: when(), LastUsedAt: when()}
		if i%10 == 0 {
			r.Status = schema.StatusDisabled
			r.Owners = graph.Owners{Business: ident(rng.IntN(nID)), Technical: ident(rng.IntN(nID))}
			r.Purpose = "batch job " + strconv.Itoa(i)
			r.Tags = map[string]string{"env": "prod", "team": "t" + strconv.Itoa(i%17)}
			r.SameAs = []string{ident(rng.IntN(nID))}
		}
		d.IdentityList[i] = r
	}
	d.GroupList = make([]graph.Group, nGrp)
	for i := range d.GroupList {
		g := graph.Group{ID: grp(i), Name: "Group " + strconv.Itoa(i), Type: schema.GroupGroup}
		if i%2 == 1 {
			g.Type, g.System = schema.GroupRole, sys(i%nSys)
		}
		d.GroupList[i] = g
	}
	d.MembershipList = make([]graph.Membership, nMem)
	for i := range d.MembershipList {
		member := ident(rng.IntN(nID))
		if i%5 == 0 {
			member = grp(rng.IntN(nGrp))
		}
		d.MembershipList[i] = graph.Membership{Member: member, Group: grp(rng.IntN(nGrp))}
	}
	d.GrantList = make([]graph.Grant, nGrant)
	for i := range d.GrantList {
		d.GrantList[i] = graph.Grant{Principal: grp(rng.IntN(nGrp)), Action: schema.Actions[rng.IntN(len(schema.Actions))],
			Resource: res(rng.IntN(nRes)), Native: "PERM_" + strconv.Itoa(rng.IntN(1000)), Conditional: i%7 == 0,
			LastUsedAt: when(), ExpiresAt: when()}
	}
	d.CredentialList = make([]graph.Credential, nCred)
	for i := range d.CredentialList {
		c := graph.Credential{ID: "cred-" + strconv.Itoa(i), Identity: ident(i % nID),
			Type: schema.CredentialTypes[i%len(schema.CredentialTypes)], CreatedAt: when(), LastRotatedAt: when(),
			ExpiresAt: when(), LastUsedAt: when(), RotationDays: 90 * (i % 2), Revoked: i%13 == 0, Vaulted: i%3 == 0}
		if i%4 == 0 {
			c.Systems = []string{sys(rng.IntN(nSys))}
			c.StoredIn = res(rng.IntN(nRes))
		}
		d.CredentialList[i] = c
	}
	d.DelegationList = make([]graph.Delegation, nDeleg)
	for i := range d.DelegationList {
		dl := graph.Delegation{From: grp(rng.IntN(nGrp)), To: ident(rng.IntN(nID)), Kind: schema.DelegationKinds[i%len(schema.DelegationKinds)]}
		if i%2 == 0 {
			dl.System = sys(rng.IntN(nSys))
		}
		if i%3 == 0 {
			dl.Native = "DELEG_" + strconv.Itoa(i%100) // no rng draw: the other fields stay as they were
		}
		d.DelegationList[i] = dl
	}
	return d
}
