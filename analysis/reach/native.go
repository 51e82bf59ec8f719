package reach

import (
	"cmp"
	"context"
	"slices"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// NativeMatch tells whether a grant, by its native string, allows the
// native request a query asks about, and whether only under a condition.
// system is the id of the system of the node the grant is on.
type NativeMatch func(native, system string) (ok, cond bool)

// NativeQuery asks who can make one request in a source's own terms (an IAM
// action on an ARN): the grants whose native string Match accepts are where
// the search starts, and everything else — groups, delegations, exposed
// credentials, effectiveness — follows R1–R8 as for WhoCan.
type NativeQuery struct {
	Match NativeMatch
	// Resource and Native name the request in the answers (Access.Resource,
	// Access.Native); Action is its reachgraph class (Access.Action).
	Resource, Native string
	Action           schema.Action
	EffectiveOnly    bool
	// Scope, when not empty, is the id of the resource that stands for the
	// request (see MostSpecific): Critical is R8 on it. Empty: R8 on the node
	// the evidence path's grant is on.
	Scope string
}

// MostSpecific returns the resource whose id covers accepts with the longest
// id (the smallest id among equally long ones), or "" when covers accepts
// none: the node a native request falls in, for R8.
func (e *Engine) MostSpecific(covers func(id string) bool) string {
	best := ""
	lo, hi := e.p.Range(projection.Resource)
	for n := lo; n < hi; n++ {
		id := e.p.ID(n)
		if (len(id) > len(best) || len(id) == len(best) && id < best) && covers(id) {
			best = id
		}
	}
	return best
}

// WhoCanNative returns every identity authorized to make the native request,
// once each, sorted by identity id, with one shortest evidence path and
// Effective and Authentication as WhoCan. An identity that reaches the
// request only through grants Match calls conditional is marked Conditional.
// It returns ctx's error when ctx ends first.
func (e *Engine) WhoCanNative(ctx context.Context, q NativeQuery) ([]analysis.Access, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := e.p
	type verdict struct{ ok, cond bool }
	type mkey struct {
		native string
		sys    int32
	}
	memo := map[mkey]verdict{}
	var all, firm []seed
	for gi := range p.Grants {
		g := &p.Grants[gi]
		sys := p.SystemOf(g.Target)
		k := mkey{p.GrantNative(int32(gi)), sys}
		v, ok := memo[k]
		if !ok {
			v.ok, v.cond = q.Match(k.native, p.ID(sys))
			memo[k] = v
		}
		if !v.ok || !e.grantLive(int32(gi)) {
			continue
		}
		sd := seed{gi: int32(gi), sys: sys}
		all = append(all, sd)
		if !v.cond && !g.Conditional() {
			firm = append(firm, sd)
		}
	}
	// Grants of the asked class first: among equally short paths, the
	// evidence then shows the class the answer reports.
	other := func(sd seed) int {
		if p.GrantAction(sd.gi) == q.Action {
			return 0
		}
		return 1
	}
	byClass := func(a, b seed) int { return cmp.Compare(other(a), other(b)) }
	slices.SortStableFunc(all, byClass)
	slices.SortStableFunc(firm, byClass)
	eff, effFirm := e.effectiveBackward(all), e.effectiveBackward(firm)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	firmSet := map[int32]bool{}
	scFirm := e.pool().get(p.Len())
	for _, x := range e.authBackward(scFirm, firm, nil) {
		firmSet[x] = true
	}
	e.pool().put(scFirm)
	sc := e.pool().get(p.Len())
	defer e.pool().put(sc)
	authorized := e.authBackward(sc, all, nil)
	out := make([]analysis.Access, 0, len(authorized))
	for _, x := range authorized {
		acc := analysis.Access{Identity: p.ID(x), Resource: q.Resource, Action: q.Action, Native: q.Native, Authorized: true}
		w, ok := effFirm[x]
		if !ok {
			w, ok = eff[x]
		}
		switch {
		case ok:
			acc.Effective = true
			acc.Paths = []analysis.Path{e.movesPath(w.moves)}
			g := &p.Grants[w.moves[len(w.moves)-1].ref]
			acc.Authentication = e.authentication(p.SystemOf(g.Target), w.cred, w.moves)
		case q.EffectiveOnly:
			continue
		default:
			acc.Paths = []analysis.Path{e.backwardPath(sc, x)}
		}
		_, effFirmOK := effFirm[x]
		acc.Conditional = !firmSet[x] || acc.Effective && !effFirmOK
		target := acc.Paths[0][len(acc.Paths[0])-1].To
		if q.Scope != "" {
			target = q.Scope
		}
		if t, ok := p.Lookup(target); ok {
			acc.Critical = e.critical(t, q.Action)
		}
		out = append(out, acc)
	}
	slices.SortFunc(out, func(a, b analysis.Access) int { return cmp.Compare(a.Identity, b.Identity) })
	return out, ctx.Err()
}
