package gen

import (
	"math/rand/v2"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

var (
	humanCredTypes    = []schema.CredentialType{schema.CredFederated, schema.CredPassword, schema.CredSSHKey}
	humanCredTypeCum  = []int{50, 90, 100}
	nonHumanCredTypes = []schema.CredentialType{
		schema.CredAPIKey, schema.CredAccessKey, schema.CredToken, schema.CredCertificate,
		schema.CredOAuthClientSecret, schema.CredSSHKey, schema.CredFederated, schema.CredPassword,
	}
	nonHumanCredTypeCum = []int{22, 40, 54, 64, 78, 83, 93, 100}
	rotationDays        = []int{90, 90, 90, 30, 365, 0, 0}
)

// writeCredentials writes every identity's credentials, numbered in order
// ("cred-0000000" …). About a third accept every system and the rest one or
// two; 20 % were never rotated; certificates and tokens expire (older ones
// already have), as do 15 % of the rest; 4 % are revoked (30 % of the expired
// ones); 20 % of non-human static credentials are stored in a vault leaf
// secret path and 20 % more are vaulted elsewhere.
func (g *generator) writeCredentials() error {
	n := 0
	// An identity has at most maxCredentials, so ids never outgrow this width.
	wCred := width(maxCredentials*g.tier.Identities, 7)
	for i := range g.tier.Identities {
		p := g.identityPlan(i)
		if p.credentials == 0 {
			continue
		}
		r := g.at(tagCredential, i)
		owner := g.identityID(i)
		for range p.credentials {
			c := g.credential(r, p.typ)
			c.ID = g.id("cred-", wCred, n)
			c.Identity = owner
			if err := g.record(g.w.PutCredential(c), "credential", n); err != nil {
				return err
			}
			n++
		}
	}
	return nil
}

func (g *generator) credential(r *rand.Rand, owner schema.IdentityType) graph.Credential {
	var c graph.Credential
	if owner == schema.IdentityHuman {
		c.Type = humanCredTypes[pick(r.IntN(100), humanCredTypeCum)]
	} else {
		c.Type = nonHumanCredTypes[pick(r.IntN(100), nonHumanCredTypeCum)]
	}
	switch x := r.IntN(100); {
	case x < 50:
		c.Systems = []string{g.systems[r.IntN(len(g.systems))].id}
	case x < 65:
		a := r.IntN(len(g.systems))
		b := (a + 1 + r.IntN(len(g.systems)-1)) % len(g.systems)
		c.Systems = []string{g.systems[a].id, g.systems[b].id}
	}
	age := 10 + r.IntN(1500)
	c.CreatedAt = daysAgo(r, age, age)
	if r.IntN(100) >= 20 {
		c.LastRotatedAt = daysAgo(r, 0, age-1)
	}
	c.RotationDays = rotationDays[r.IntN(len(rotationDays))]
	switch {
	case c.Type == schema.CredCertificate:
		c.ExpiresAt = c.CreatedAt.AddDate(0, 0, 365*(1+r.IntN(2)))
	case c.Type == schema.CredToken:
		c.ExpiresAt = c.CreatedAt.AddDate(0, 0, 90+r.IntN(640))
	case r.IntN(100) < 15:
		c.ExpiresAt = c.CreatedAt.AddDate(0, 0, 30+r.IntN(1500))
	}
	expired := !c.ExpiresAt.IsZero() && !c.ExpiresAt.After(CollectedAt)
	c.Revoked = r.IntN(100) < 4 || (expired && r.IntN(100) < 30)
	if r.IntN(100) < 75 {
		c.LastUsedAt = daysAgo(r, 0, min(age-1, 400))
	}
	if owner != schema.IdentityHuman && c.Type.Static() {
		switch x := r.IntN(1000); {
		case x < g.storedPerMille:
			c.StoredIn = g.resourceID(g.secretPath(r))
			c.Vaulted = true
		case x < 400:
			c.Vaulted = true
		}
	}
	return c
}

// secretPath returns a leaf path of a random vault system.
func (g *generator) secretPath(r *rand.Rand) int {
	s := g.vaults[r.IntN(len(g.vaults))]
	v := &g.systems[s]
	return g.leafUnder(s, v.resStart+r.IntN(v.resCount), r.IntN)
}

var (
	humanDelegKinds    = []schema.DelegationKind{schema.DelegImpersonate, schema.DelegRunAs, schema.DelegOAuthGrant}
	humanDelegCum      = []int{40, 70, 100}
	nonHumanDelegKinds = []schema.DelegationKind{schema.DelegAssumeRole, schema.DelegRunAs, schema.DelegImpersonate, schema.DelegOAuthGrant, schema.DelegOther}
	nonHumanDelegCum   = []int{50, 70, 80, 90, 100}
)

// writeDelegations writes identities' delegations (people impersonate or run
// as, non-human identities mostly assume roles), then roles' assume_role
// delegations. Targets are always non-human identities, 80 % of them service
// accounts; 55 % of identity delegations and 70 % of role delegations name
// the system they are exercised in, the rest hold everywhere.
func (g *generator) writeDelegations() error {
	for i := range g.tier.Identities {
		p := g.identityPlan(i)
		if p.delegations == 0 {
			continue
		}
		r := g.at(tagDelegation, i)
		from := g.identityID(i)
		first := -1
		for range p.delegations {
			to := g.delegationTarget(r, i)
			if to == first {
				to = g.otherNonHuman(i, to+1)
			}
			first = to
			d := graph.Delegation{From: from, To: g.identityID(to)}
			if p.typ == schema.IdentityHuman {
				d.Kind = humanDelegKinds[pick(r.IntN(100), humanDelegCum)]
			} else {
				d.Kind = nonHumanDelegKinds[pick(r.IntN(100), nonHumanDelegCum)]
			}
			if r.IntN(100) < 55 {
				d.System = g.systems[r.IntN(len(g.systems))].id
			}
			if err := g.record(g.w.PutDelegation(d), "delegation of identity", i); err != nil {
				return err
			}
		}
	}
	for i := range g.tier.Groups {
		p := g.groupPlan(i)
		if p.delegations == 0 {
			continue
		}
		r := g.at(tagGroupDelegation, i)
		d := graph.Delegation{From: g.groupID(i), Kind: schema.DelegAssumeRole}
		d.To = g.identityID(g.delegationTarget(r, -1))
		if p.system >= 0 && r.IntN(100) < 70 {
			d.System = g.systems[p.system].id
		}
		if err := g.record(g.w.PutDelegation(d), "delegation of group", i); err != nil {
			return err
		}
	}
	return nil
}

// serviceScan bounds the search for a service account as delegation target.
const serviceScan = 64

// delegationTarget returns the non-human identity (other than i) that a
// delegation leads to: a service account 80 % of the time (the first one
// from a random start, when one is near), else any non-human identity.
func (g *generator) delegationTarget(r *rand.Rand, i int) int {
	n := g.tier.Identities
	from := r.IntN(n)
	if r.IntN(100) < 80 {
		for step := range min(n, serviceScan) {
			j := (from + step) % n
			if j != i && g.identityType(j) == schema.IdentityServiceAccount {
				return j
			}
		}
	}
	return g.otherNonHuman(i, from)
}
