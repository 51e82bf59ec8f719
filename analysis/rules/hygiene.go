package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// inScope reports whether a hygiene rule applies to the identity.
func inScope(r Rule, i graph.Identity) bool {
	switch r.Identities {
	case ScopeNonHuman:
		return i.Type.NonHuman()
	case ScopeHuman:
		return i.Type == schema.IdentityHuman
	}
	return true
}

// severityFor is r's severity for a finding on identity id: CriticalSeverity
// when the identity holds effective critical access.
func severityFor(r Rule, m *ident) schema.Severity {
	if r.CriticalSeverity != "" && m.hasEffectiveCritical() {
		return r.CriticalSeverity
	}
	return r.Severity
}

// criticalPath is the first path of the identity's first effective critical
// access, as context for an identity-level finding; nil when none.
func criticalPath(m *ident) []analysis.Path {
	for _, a := range m.accesses {
		if a.Effective && a.Critical {
			return firstPaths(a)
		}
	}
	return nil
}

// hygiene runs one hygiene check on one identity (unused_grant runs on
// grants: see unusedGrants).
func (x *index) hygiene(st Settings, r Rule, m *ident) []Finding {
	var out []Finding
	identity := func(i graph.Identity, msg string) {
		out = append(out, Finding{Identity: i.ID, Effective: m.hasEffectiveCritical(),
			Severity: severityFor(r, m), Message: msg, Paths: criticalPath(m)})
	}
	credential := func(i graph.Identity, c graph.Credential, msg string) {
		out = append(out, Finding{Identity: i.ID, Credential: c.ID, Effective: m.hasEffectiveCritical(),
			Severity: severityFor(r, m), Message: msg})
	}
	id := m.id
	{
		i := x.identities[id]
		if !inScope(r, i) {
			return nil
		}
		active := i.Status == schema.StatusActive
		switch r.Check {
		case CheckOwnerMissing:
			var miss []string
			if i.Owners.Business == "" {
				miss = append(miss, "business")
			}
			if i.Owners.Technical == "" {
				miss = append(miss, "technical")
			}
			if active && len(miss) > 0 {
				identity(i, fmt.Sprintf("%s has no named %s owner", id, strings.Join(miss, " or ")))
			}
		case CheckPurposeMissing:
			var miss []string
			if strings.TrimSpace(i.Purpose) == "" {
				miss = append(miss, "purpose")
			}
			if i.Type.NonHuman() && strings.TrimSpace(i.NonhumanRationale) == "" {
				miss = append(miss, "non-human rationale")
			}
			if active && len(miss) > 0 {
				identity(i, fmt.Sprintf("%s has no documented %s", id, strings.Join(miss, " or ")))
			}
		case CheckSharedUncontrolled:
			if active && i.Shared && len(i.CompensatingControls) == 0 {
				identity(i, fmt.Sprintf("%s is a shared account without compensating controls", id))
			}
		case CheckBreakGlass:
			if active && i.BreakGlass && len(i.CompensatingControls) == 0 {
				identity(i, fmt.Sprintf("%s is a break-glass account without compensating controls", id))
			}
		case CheckDormantCritical:
			last := i.LastUsedAt
			for _, c := range x.credsOf[id] {
				if c.LastUsedAt.After(last) {
					last = c.LastUsedAt
				}
			}
			if age := ageDays(last, x.asOf); active && age >= st.DormantDays && m.hasEffectiveCritical() {
				identity(i, fmt.Sprintf("%s was last used %d days ago (threshold %d) yet holds effective critical access",
					id, age, st.DormantDays))
			}
		case CheckLatentCritical:
			// One finding per identity, listing the latent accesses.
			var ms []match
			nodes := map[string]bool{}
			for k := range m.accesses {
				a := &m.accesses[k]
				if a.Authorized && !a.Effective && a.Critical {
					var p analysis.Path
					if len(a.Paths) > 0 {
						p = a.Paths[0]
						nodes[p[len(p)-1].To] = true
					}
					ms = append(ms, match{a, p})
				}
			}
			if len(ms) > 0 {
				f := Finding{Identity: id, Severity: r.Severity}
				f.summarize(ms, ms[0])
				f.Message = fmt.Sprintf("%s is authorized for %d critical access(es) through grants on %d node(s) but cannot exercise them today (first: %s %s); remove the grants",
					id, len(ms), len(nodes), ms[0].a.Action, ms[0].a.Resource)
				out = append(out, f)
			}
		case CheckRotationOverdue, CheckExpiredUnrevoked, CheckStaticUnvaulted:
			for _, c := range x.credsOf[id] {
				if c.Revoked {
					continue
				}
				switch r.Check {
				case CheckRotationOverdue:
					if active && !x.expired(c) && x.pastRotation(c, st) {
						credential(i, c, fmt.Sprintf("%s (%s of %s) last rotated %d days ago; rotation interval %d days",
							c.ID, c.Type, id, ageDays(lastRotated(c), x.asOf), rotationLimit(c, st)))
					}
				case CheckExpiredUnrevoked:
					if x.expired(c) {
						credential(i, c, fmt.Sprintf("%s (%s of %s) expired on %s but is not revoked",
							c.ID, c.Type, id, c.ExpiresAt.UTC().Format("2006-01-02")))
					}
				case CheckStaticUnvaulted:
					if active && !x.expired(c) && c.Type.Static() && !c.Vaulted {
						credential(i, c, fmt.Sprintf("%s (%s of %s) is a static secret not held in a vault", c.ID, c.Type, id))
					}
				}
			}
		}
	}
	return out
}

// unusedGrants reports live grants last used unused_grant_days or more ago;
// the finding's identity is the grant's principal (an identity or a group).
func (x *index) unusedGrants(st Settings, r Rule) []Finding {
	var out []Finding
	grants := slices.Clone(x.s.Data.GrantList)
	for _, g := range grants {
		if (!g.ExpiresAt.IsZero() && !g.ExpiresAt.After(x.asOf)) || g.ValidFrom.After(x.asOf) {
			continue // not live at as_of: expired, or not valid yet
		}
		if i, ok := x.identities[g.Principal]; ok && !inScope(r, i) {
			continue
		}
		age := ageDays(g.LastUsedAt, x.asOf)
		if age < st.UnusedGrantDays {
			continue
		}
		sev := r.Severity
		if sox, _ := x.s.Engine.InSOXScope(g.Resource); sox && g.Action.Critical() && r.CriticalSeverity != "" {
			sev = r.CriticalSeverity
		}
		out = append(out, Finding{Identity: g.Principal, Resource: g.Resource, Action: g.Action, Severity: sev,
			Paths: []analysis.Path{{{From: g.Principal, Edge: schema.EdgeGrant, To: g.Resource, Action: g.Action, Native: g.Native,
				Conditional: g.Conditional, ValidFrom: g.ValidFrom.UTC(), ExpiresAt: g.ExpiresAt.UTC()}}},
			Message: fmt.Sprintf("grant %s %s on %s last used %d days ago (threshold %d)", g.Principal, g.Action, g.Resource, age, st.UnusedGrantDays)})
	}
	return out
}
