package rules

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Snapshot is what the rules read: the engine (reach, actors, as_of) and the
// full records of the same snapshot (owners, purpose, flags the projection
// does not keep).
type Snapshot struct {
	Engine *reach.Engine
	Data   *graph.Dataset
}

// index holds the records of a snapshot by id, and every identity's accesses.
type index struct {
	s          Snapshot
	asOf       time.Time
	systems    map[string]graph.System
	resources  map[string]graph.Resource
	identities map[string]graph.Identity
	creds      map[string]graph.Credential
	credsOf    map[string][]graph.Credential
	ids        []string // identity ids, sorted
	accesses   map[string][]analysis.Access
}

// NewSnapshot reads every record of r into memory and pairs it with e.
func NewSnapshot(ctx context.Context, e *reach.Engine, r graph.Reader) (Snapshot, error) {
	d, ok := r.(*graph.Dataset)
	if !ok {
		var err error
		if d, err = graph.ReadAll(ctx, r); err != nil {
			return Snapshot{}, err
		}
	}
	return Snapshot{Engine: e, Data: d}, nil
}

func newIndex(s Snapshot) (*index, error) {
	x := &index{s: s, asOf: s.Engine.AsOf(), systems: map[string]graph.System{}, resources: map[string]graph.Resource{},
		identities: map[string]graph.Identity{}, creds: map[string]graph.Credential{}, credsOf: map[string][]graph.Credential{},
		accesses: map[string][]analysis.Access{}}
	for _, r := range s.Data.SystemList {
		x.systems[r.ID] = r
	}
	for _, r := range s.Data.ResourceList {
		x.resources[r.ID] = r
	}
	for _, r := range s.Data.IdentityList {
		x.identities[r.ID] = r
		x.ids = append(x.ids, r.ID)
	}
	slices.Sort(x.ids)
	for _, c := range s.Data.CredentialList {
		x.creds[c.ID] = c
		x.credsOf[c.Identity] = append(x.credsOf[c.Identity], c)
	}
	for _, id := range x.ids {
		accs, err := s.Engine.Reach(reach.ReachQuery{Identity: id})
		if err != nil {
			return nil, fmt.Errorf("rules: reach %s: %w", id, err)
		}
		x.accesses[id] = accs
	}
	return x, nil
}

// kindOf returns the resource kind and system of a resource or system id.
func (x *index) kindOf(id string) (kind, system string) {
	if r, ok := x.resources[id]; ok {
		return r.Kind, r.System
	}
	if _, ok := x.systems[id]; ok {
		return "system", id
	}
	return "", ""
}

func (x *index) actor(id string) []string {
	a, err := x.s.Engine.Actor(id)
	if err != nil || len(a) == 0 {
		return []string{id}
	}
	return a
}

// hasEffectiveCritical reports whether the identity holds effective critical access.
func (x *index) hasEffectiveCritical(id string) bool {
	return slices.ContainsFunc(x.accesses[id], func(a analysis.Access) bool { return a.Effective && a.Critical })
}

// Evaluate runs every enabled rule of rs over the snapshot and returns the
// findings sorted (see Sort), without suppressions applied.
func Evaluate(s Snapshot, rs *Ruleset) ([]Finding, error) {
	x, err := newIndex(s)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, r := range rs.Rules {
		if r.Disabled {
			continue
		}
		var fs []Finding
		switch r.Kind {
		case KindSoD:
			fs = x.sod(rs, r)
		case KindToxicPath:
			fs, err = x.toxic(r, rs.Settings)
		case KindHygiene:
			fs = x.hygiene(rs.Settings, r)
		}
		if err != nil {
			return nil, err
		}
		for i := range fs {
			f := &fs[i]
			f.Rule, f.Title, f.Category = r.ID, r.Title, r.Category
			if f.Severity == "" {
				f.Severity = r.Severity
			}
			if len(f.Actor) == 0 {
				f.Actor = x.actor(f.Identity)
			}
			f.Frameworks = x.frameworks(r, f)
			if f.Paths == nil {
				f.Paths = []analysis.Path{}
			}
			f.setID()
		}
		out = append(out, fs...)
	}
	Sort(out)
	return out, nil
}

// frameworks returns the rule's references, plus its AI RMF ones when the
// identity, an actor member or an identity on a path is an ai_agent.
func (x *index) frameworks(r Rule, f *Finding) []string {
	out := slices.Clone(r.Frameworks)
	ai := func(id string) bool { return x.identities[id].Type == schema.IdentityAIAgent }
	hit := slices.ContainsFunc(f.Actor, ai) || ai(f.Identity)
	for _, p := range f.Paths {
		for _, h := range p {
			hit = hit || ai(h.From) || ai(h.To)
		}
	}
	if hit {
		out = append(out, r.AIFrameworks...)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// ---------------------------------------------------------------- SoD

func (x *index) matches(sel []Selector, a analysis.Access) bool {
	kind, sys := x.kindOf(a.Resource)
	for _, s := range sel {
		if !slices.Contains(s.Actions, a.Action) ||
			(len(s.Kinds) > 0 && !slices.Contains(s.Kinds, kind)) ||
			slices.Contains(s.NotKinds, kind) ||
			(len(s.IDs) > 0 && !slices.Contains(s.IDs, a.Resource)) ||
			(len(s.Systems) > 0 && !slices.Contains(s.Systems, sys)) {
			continue
		}
		if s.SOX != nil {
			in, err := x.s.Engine.InSOXScope(a.Resource)
			if err != nil || in != *s.SOX {
				continue
			}
		}
		return true
	}
	return false
}

// actors returns every actor (R7) as a sorted list of identity ids, sorted.
func (x *index) actors() [][]string {
	seen := map[string]bool{}
	var out [][]string
	for _, id := range x.ids {
		if seen[id] {
			continue
		}
		a := x.actor(id)
		for _, m := range a {
			seen[m] = true
		}
		out = append(out, a)
	}
	return out
}

func (x *index) sod(rs *Ruleset, r Rule) []Finding {
	fa, fb := rs.Functions[r.SoD.A], rs.Functions[r.SoD.B]
	var out []Finding
	for _, actor := range x.actors() {
		var as, bs []analysis.Access
		for _, id := range actor {
			for _, a := range x.accesses[id] {
				if x.matches(fa.Select, a) {
					as = append(as, a)
				}
				if x.matches(fb.Select, a) {
					bs = append(bs, a)
				}
			}
		}
		// The best pair: effective before latent, then in id order (accesses
		// come sorted from Reach, actors in id order).
		var best *[2]analysis.Access
		rank := func(p [2]analysis.Access) int {
			n := 0
			if !p[0].Effective {
				n++
			}
			if !p[1].Effective {
				n++
			}
			return n
		}
		for _, a := range as {
			for _, b := range bs {
				if a.Resource == b.Resource && a.Action == b.Action {
					continue
				}
				if r.SoD.SameSystem {
					_, sa := x.kindOf(a.Resource)
					_, sb := x.kindOf(b.Resource)
					if sa != sb {
						continue
					}
				}
				p := [2]analysis.Access{a, b}
				if best == nil || rank(p) < rank(*best) || (rank(p) == rank(*best) && lessPair(p, *best)) {
					best = &p
				}
			}
		}
		if best == nil {
			continue
		}
		a, b := best[0], best[1]
		eff := a.Effective && b.Effective
		f := Finding{Identity: a.Identity, Actor: actor, Resource: a.Resource, Action: a.Action, Effective: eff,
			Conflict: &Conflict{
				A: Side{Function: r.SoD.A, Identity: a.Identity, Resource: a.Resource, Action: a.Action, Effective: a.Effective},
				B: Side{Function: r.SoD.B, Identity: b.Identity, Resource: b.Resource, Action: b.Action, Effective: b.Effective},
			},
			Paths: append(firstPaths(a), firstPaths(b)...),
		}
		word := "effective"
		if !eff {
			word = "latent"
			f.Severity = r.latentSeverity()
		}
		who := a.Identity
		if len(actor) > 1 {
			who = "actor " + strings.Join(actor, " + ")
		}
		f.Message = fmt.Sprintf("%s conflict: %s can %s (%s %s on %s) and %s (%s %s on %s)", word, who,
			strings.ToLower(fa.Title), a.Identity, a.Action, a.Resource, strings.ToLower(fb.Title), b.Identity, b.Action, b.Resource)
		out = append(out, f)
	}
	return out
}

func lessPair(p, q [2]analysis.Access) bool {
	k := func(a analysis.Access) string {
		return a.Identity + "\x00" + a.Resource + "\x00" + string(a.Action)
	}
	return cmp.Or(strings.Compare(k(p[0]), k(q[0])), strings.Compare(k(p[1]), k(q[1]))) < 0
}

func firstPaths(a analysis.Access) []analysis.Path {
	if len(a.Paths) == 0 {
		return nil
	}
	return []analysis.Path{a.Paths[0]}
}

// ---------------------------------------------------------------- toxic paths

func (x *index) identityVars(id string) map[string]any {
	i, ok := x.identities[id]
	if !ok {
		return map[string]any{"id": id, "type": "", "human": false, "nonhuman": false, "ai_agent": false,
			"status": "", "active": false, "shared": false, "break_glass": false, "vendor": "", "vendor_managed": false,
			"business_owner": "", "technical_owner": "", "owned": false, "purpose": "", "rationale": "",
			"compensating_controls": []any{}}
	}
	cc := make([]any, len(i.CompensatingControls))
	for k, c := range i.CompensatingControls {
		cc[k] = c
	}
	return map[string]any{"id": i.ID, "type": string(i.Type), "human": i.Type == schema.IdentityHuman,
		"nonhuman": i.Type.NonHuman(), "ai_agent": i.Type == schema.IdentityAIAgent, "status": string(i.Status),
		"active": i.Status == schema.StatusActive, "shared": i.Shared, "break_glass": i.BreakGlass, "vendor": i.Vendor,
		"vendor_managed": i.Vendor != "", "business_owner": i.Owners.Business, "technical_owner": i.Owners.Technical,
		"owned": i.Owners.Business != "" || i.Owners.Technical != "", "purpose": i.Purpose,
		"rationale": i.NonhumanRationale, "compensating_controls": cc}
}

// rotationLimit is the rotation interval in days that applies to c.
func rotationLimit(c graph.Credential, st Settings) int {
	if c.RotationDays > 0 {
		return c.RotationDays
	}
	return st.RotationDays
}

// ageDays is the whole days from t to asOf; -1 when t is zero.
func ageDays(t, asOf time.Time) int {
	if t.IsZero() {
		return -1
	}
	return int(asOf.Sub(t) / (24 * time.Hour))
}

func lastRotated(c graph.Credential) time.Time {
	if !c.LastRotatedAt.IsZero() {
		return c.LastRotatedAt
	}
	return c.CreatedAt
}

// pastRotation reports whether a static credential has gone unrotated for
// longer than its rotation interval.
func (x *index) pastRotation(c graph.Credential, st Settings) bool {
	age := ageDays(lastRotated(c), x.asOf)
	return c.Type.Static() && age >= 0 && age > rotationLimit(c, st)
}

func (x *index) expired(c graph.Credential) bool {
	return !c.ExpiresAt.IsZero() && !c.ExpiresAt.After(x.asOf)
}

func (x *index) credVars(id string, st Settings) map[string]any {
	c, ok := x.creds[id]
	if !ok {
		return nil
	}
	return map[string]any{"id": c.ID, "identity": c.Identity, "type": string(c.Type), "static": c.Type.Static(),
		"vaulted": c.Vaulted, "revoked": c.Revoked, "expired": x.expired(c), "past_rotation": x.pastRotation(c, st),
		"rotation_age_days": int64(ageDays(lastRotated(c), x.asOf))}
}

func (x *index) pathVars(a analysis.Access, p analysis.Path, st Settings) map[string]any {
	edges, hops, idents, creds := []any{}, []any{}, []any{}, []any{}
	seenI, seenC := map[string]bool{a.Identity: true}, map[string]bool{}
	exposure, deleg, stale := false, false, false
	addCred := func(id string) {
		if v := x.credVars(id, st); v != nil && !seenC[id] {
			seenC[id] = true
			creds = append(creds, v)
			stale = stale || v["past_rotation"].(bool)
		}
	}
	for _, h := range p {
		edges = append(edges, string(h.Edge))
		hops = append(hops, map[string]any{"from": h.From, "edge": string(h.Edge), "to": h.To,
			"action": string(h.Action), "kind": string(h.Kind), "system": h.System})
		switch h.Edge {
		case schema.EdgeStoredIn:
			exposure = true
			addCred(h.To)
		case schema.EdgeHasCredential:
			addCred(h.From)
		case schema.EdgeCanActAs:
			deleg = true
		}
		for _, id := range []string{h.From, h.To} {
			if _, ok := x.identities[id]; ok && !seenI[id] {
				seenI[id] = true
				idents = append(idents, x.identityVars(id))
			}
		}
	}
	auth := map[string]any{"via": "", "system": "", "credential": ""}
	if au := a.Authentication; au != nil {
		auth = map[string]any{"via": au.Via, "system": au.System, "credential": au.Credential}
		addCred(au.Credential)
	}
	return map[string]any{"edges": edges, "hops": hops, "length": int64(len(p)), "through_exposure": exposure,
		"through_delegation": deleg, "identities": idents, "credentials": creds, "credential_past_rotation": stale,
		"authentication": auth}
}

func (x *index) accessVars(a analysis.Access) map[string]any {
	kind, sys := x.kindOf(a.Resource)
	sox, _ := x.s.Engine.InSOXScope(a.Resource)
	return map[string]any{"resource": a.Resource, "action": string(a.Action), "critical": a.Critical,
		"effective": a.Effective, "authorized": a.Authorized, "resource_kind": kind, "system": sys, "sox": sox}
}

// toxic evaluates a toxic_path rule on every access and each of its paths;
// the first path that matches is the evidence. Matches of one identity are
// grouped by the node the path's final grant lands on (a grant on a module
// covers its children with the same evidence), so one finding stands for the
// granted node and every action and covered resource it carries; the finding
// names the granted node when it matched, and the strongest action. A group
// with no effective access gets the rule's latent severity.
func (x *index) toxic(r Rule, st Settings) ([]Finding, error) {
	prg, err := compile(r.When)
	if err != nil {
		return nil, fmt.Errorf("rules: %s: %w", r.ID, err)
	}
	type match struct {
		a analysis.Access
		p analysis.Path
	}
	var out []Finding
	for _, id := range x.ids {
		iv := x.identityVars(id)
		groups := map[string][]match{}
		var order []string
		for _, a := range x.accesses[id] {
			av := x.accessVars(a)
			paths := a.Paths
			if len(paths) == 0 {
				paths = []analysis.Path{nil}
			}
			for _, p := range paths {
				ok, err := eval(prg, map[string]any{"identity": iv, "access": av, "path": x.pathVars(a, p, st)})
				if err != nil {
					return nil, fmt.Errorf("rules: %s on %s %s %s: %w", r.ID, id, a.Action, a.Resource, err)
				}
				if !ok {
					continue
				}
				key := a.Resource
				if len(p) > 0 {
					key = p[len(p)-1].To
				}
				if _, seen := groups[key]; !seen {
					order = append(order, key)
				}
				groups[key] = append(groups[key], match{a, p})
				break
			}
		}
		for _, key := range order {
			ms := groups[key]
			best := ms[0]
			var actions []string
			resources := map[string]bool{}
			eff := false
			for _, m := range ms {
				resources[m.a.Resource] = true
				if !slices.Contains(actions, string(m.a.Action)) {
					actions = append(actions, string(m.a.Action))
				}
				eff = eff || m.a.Effective
				if betterMatch(m.a, best.a, key) {
					best = m
				}
			}
			slices.Sort(actions)
			a := best.a
			f := Finding{Identity: id, Resource: a.Resource, Action: a.Action, Effective: eff, Paths: []analysis.Path{},
				Message: fmt.Sprintf("%s: %s can %s %s", r.Title, id, strings.Join(actions, "/"), a.Resource)}
			if n := len(resources) - 1; n > 0 {
				f.Message += fmt.Sprintf(" (and %d resource(s) under it)", n)
			}
			if best.p != nil {
				f.Paths = []analysis.Path{best.p}
			}
			if a.Authentication != nil {
				f.Credential = a.Authentication.Credential
			}
			if !eff {
				f.Severity = r.latentSeverity()
				f.Message += " (latent)"
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// actionStrength orders actions for picking a group's representative.
var actionStrength = []schema.Action{schema.ActionAdmin, schema.ActionApprove, schema.ActionExport, schema.ActionWrite, schema.ActionRead}

// betterMatch reports whether a should represent a group over b: effective
// first, then the granted node itself, then the stronger action.
func betterMatch(a, b analysis.Access, target string) bool {
	if a.Effective != b.Effective {
		return a.Effective
	}
	if (a.Resource == target) != (b.Resource == target) {
		return a.Resource == target
	}
	if a.Resource != b.Resource {
		return a.Resource < b.Resource
	}
	return slices.Index(actionStrength, a.Action) < slices.Index(actionStrength, b.Action)
}
