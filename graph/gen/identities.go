package gen

import (
	"strconv"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// sameAsScan bounds the search for another human when linking same_as.
const sameAsScan = 4096

// writeIdentities writes the identities. Roughly: 90 % non-human; 3 %
// disabled; non-human ones miss a business owner 20 % and a technical owner
// 15 % of the time, a purpose 20 %; 1 % shared, 0.3 % break-glass; 6 % of
// people carry a same_as link to another person's account.
func (g *generator) writeIdentities() error {
	for i := range g.tier.Identities {
		if err := g.record(g.w.PutIdentity(g.identity(i)), "identity", i); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) identity(i int) graph.Identity {
	typ := g.identityType(i)
	r := g.at(tagIdentity, i)
	fn := functions[r.IntN(len(functions))]
	id := graph.Identity{ID: g.identityID(i), Type: typ, Status: schema.StatusActive}
	id.Name = g.identityName(typ, fn, i)
	if r.IntN(100) < 3 {
		id.Status = schema.StatusDisabled
	}
	age := 30 + r.IntN(1970)
	id.CreatedAt = daysAgo(r, age, age)
	if r.IntN(100) < 85 {
		id.LastUsedAt = daysAgo(r, 0, min(age-1, 400))
	}
	id.Shared = r.IntN(1000) < 10
	id.BreakGlass = r.IntN(1000) < 3
	if (id.Shared || id.BreakGlass) && r.IntN(2) == 0 {
		id.CompensatingControls = []string{controls[r.IntN(len(controls))], controls[r.IntN(len(controls))]}
		if id.CompensatingControls[0] == id.CompensatingControls[1] {
			id.CompensatingControls = id.CompensatingControls[:1]
		}
	}
	if r.IntN(100) < 40 {
		id.Tags = map[string]string{"env": envs[r.IntN(len(envs))], "team": teams[r.IntN(len(teams))]}
	}
	if typ == schema.IdentityHuman {
		if r.IntN(100) < 6 {
			if other := g.otherHuman(i, r.IntN(g.tier.Identities)); other >= 0 {
				id.SameAs = []string{g.identityID(other)}
			}
		}
		return id
	}
	if r.IntN(100) < 80 {
		id.Owners.Business = "team-" + teams[r.IntN(len(teams))]
	}
	if r.IntN(100) < 85 {
		id.Owners.Technical = "team-" + teams[r.IntN(len(teams))]
	}
	if r.IntN(100) < 80 {
		id.Purpose = purposes[r.IntN(len(purposes))]
	}
	if r.IntN(100) < 60 {
		id.NonhumanRationale = rationales[r.IntN(len(rationales))]
	}
	if r.IntN(100) < 10 {
		id.Vendor = vendors[r.IntN(len(vendors))]
	}
	return id
}

// identityName is "<type prefix>-<function>-<index>", or "user-<index>" for a person.
func (g *generator) identityName(typ schema.IdentityType, fn string, i int) string {
	b := append(g.buf[:0], typePrefix(typ)...)
	b = append(b, '-')
	if typ != schema.IdentityHuman {
		b = append(b, fn...)
		b = append(b, '-')
	}
	b = strconv.AppendInt(b, int64(i), 10)
	g.buf = b
	return string(b)
}

func typePrefix(t schema.IdentityType) string {
	switch t {
	case schema.IdentityHuman:
		return "user"
	case schema.IdentityServiceAccount:
		return "svc"
	case schema.IdentityApplication:
		return "app"
	case schema.IdentityAPIClient:
		return "api"
	case schema.IdentityWorkload:
		return "wl"
	case schema.IdentityBot:
		return "bot"
	default:
		return "agent"
	}
}

// otherHuman returns the first human identity other than i at or after from
// (wrapping around), or -1 when none is found within sameAsScan steps.
func (g *generator) otherHuman(i, from int) int {
	n := g.tier.Identities
	for step := range min(n, sameAsScan) {
		j := (from + step) % n
		if j != i && g.identityType(j) == schema.IdentityHuman {
			return j
		}
	}
	return -1
}

// otherNonHuman returns the first non-human identity other than i at or after
// from, wrapping around. Identities 0 and 1 are non-human, so one exists.
func (g *generator) otherNonHuman(i, from int) int {
	n := g.tier.Identities
	for step := range n {
		j := (from + step) % n
		if j != i && g.identityType(j) != schema.IdentityHuman {
			return j
		}
	}
	bug("no non-human identity other than %d", i)
	return -1
}
