package vault

import (
	"fmt"
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// capAction maps a capability to the action it gives; deny gives none.
var capAction = map[string]schema.Action{
	"read": schema.ActionRead, "list": schema.ActionRead, "subscribe": schema.ActionRead, "scan": schema.ActionRead,
	"create": schema.ActionWrite, "update": schema.ActionWrite, "patch": schema.ActionWrite,
	"delete": schema.ActionWrite, "recover": schema.ActionWrite,
	"sudo": schema.ActionAdmin,
}

// actionsOf are the actions a rule gives, in read, write, admin order.
func actionsOf(r *Rule) []schema.Action {
	if r.Denies() {
		return nil
	}
	var out []schema.Action
	for _, a := range []schema.Action{schema.ActionRead, schema.ActionWrite, schema.ActionAdmin} {
		if slices.ContainsFunc(r.Capabilities, func(c string) bool { return capAction[c] == a }) {
			out = append(out, a)
		}
	}
	return out
}

// escalationProbes are paths whose write lets a token give itself any
// policy: rewriting policies, enabling auth methods, writing auth roles.
var escalationProbes = []string{"sys/policy/x", "sys/policies/acl/x", "sys/auth/x"}

// cuts are the exclusions of one grant: subtrees (cut), single nodes
// (only), the explanation for native, and whether it rests on an
// approximation.
type cuts struct {
	cut, only []string
	notes     []string
	cond      bool
}

// policyGrants emits the grants of every rule of pol.
func (t *transformer) policyGrants(pol *Policy) {
	for i := range pol.Rules {
		r := &pol.Rules[i]
		p := *t.pat(r.Path)
		native := fmt.Sprintf("path %q { capabilities = [%s] } (policy %s)", r.Path, quoteList(r.Capabilities), pol.Name)
		var approx []string
		if len(r.Params) > 0 {
			approx = append(approx, "only for requests that meet "+strings.Join(r.Params, ", "))
		}
		if r.ControlGroup {
			approx = append(approx, "needs control-group approval")
		}
		acts := actionsOf(r)
		if len(acts) == 0 {
			continue
		}
		c := t.exclusions(pol, r, &p)
		for _, a := range acts {
			t.ruleGrants(pol, &p, a, native, approx, c)
		}
		if slices.Contains(acts, schema.ActionWrite) || slices.Contains(acts, schema.ActionAdmin) {
			t.escalation(pol, r, &p, native, approx)
		}
	}
}

// ruleGrants writes the grants of action a of one rule after exclusions.
func (t *transformer) ruleGrants(pol *Policy, p *pattern, a schema.Action, native string, approx []string, c cuts) {
	var roots []string
	switch p.shape {
	case shapeAll:
		roots = []string{""}
	case shapeExact, shapePrefix:
		roots = []string{p.node}
	case shapePattern:
		roots = t.topMatches(p)
		t.grant(pol, t.pathID(p.path), a, native, approx, cuts{})
	}
	for _, root := range roots {
		for _, n := range t.tree.split(root, c.cut, c.only) {
			t.grant(pol, t.nodeID(n), a, native, approx, c)
		}
	}
}

func (t *transformer) grant(pol *Policy, target string, a schema.Action, native string, approx []string, c cuts) {
	n := native
	if len(c.notes) > 0 {
		n += " (narrowed: " + strings.Join(c.notes, "; ") + ")"
	}
	cond := c.cond || len(approx) > 0
	if cond {
		why := approx
		if c.cond {
			why = append(slices.Clip(why), "an exclusion by a pattern or by a policy only some holders have is applied to the known paths only")
		}
		n += " (approximated: " + strings.Join(why, "; ") + ")"
	}
	t.out.Records.GrantList = append(t.out.Records.GrantList, graph.Grant{
		Principal: t.policyID(pol.Name), Action: a, Resource: target, Native: n, Conditional: cond})
}

// exclusions collects the parts of rule r's region that another rule
// decides: more specific rules of the same policy (Vault uses the most
// specific matching rule; where it gives a, it has its own grant), and deny rules of other policies that every
// holder of pol also holds (a deny wins in Vault's merged ACL).
func (t *transformer) exclusions(pol *Policy, r *Rule, p *pattern) cuts {
	var c cuts
	for i := range pol.Rules {
		s := &pol.Rules[i]
		if s == r {
			continue
		}
		q := t.pat(s.Path)
		if !q.moreSpecific(p) && (q.shape != shapeExact || q.node != p.node) {
			continue
		}
		if t.exclude(&c, p, q) {
			c.notes = append(c.notes, fmt.Sprintf("path %q [%s] in this policy", s.Path, quoteList(s.Capabilities)))
		}
	}
	t.crossDenies(pol, p, &c)
	return c
}

// crossDenies adds to c the deny rules of other policies that decide part
// of p's region: applied when every holder of pol holds the other policy,
// noted (conditional) when only some do.
func (t *transformer) crossDenies(pol *Policy, p *pattern, c *cuts) {
	for _, d := range t.denies() {
		if d.pol.Name == pol.Name {
			continue
		}
		q := t.pat(d.rule.Path)
		if !q.moreSpecific(p) && q.path != p.path && (q.shape != shapeExact || q.node != p.node) {
			continue
		}
		all, some := t.coHeld(pol.Name, d.pol.Name)
		switch {
		case !some:
		case all:
			if t.exclude(c, p, q) {
				c.notes = append(c.notes, fmt.Sprintf("deny on %q in policy %s", d.rule.Path, d.pol.Name))
			}
		default:
			var probe cuts
			if t.exclude(&probe, p, q) {
				c.cond = true
				c.notes = append(c.notes, fmt.Sprintf("deny on %q in policy %s, held by some holders only: not applied", d.rule.Path, d.pol.Name))
			}
		}
	}
}

// denyRule is a rule with the deny capability and its policy.
type denyRule struct {
	pol  *Policy
	rule *Rule
}

// denies lists every deny rule of the export, in policy order (memoized).
func (t *transformer) denies() []denyRule {
	if t.denyList == nil {
		t.denyList = []denyRule{}
		for i := range t.exp.Policies {
			pol := &t.exp.Policies[i]
			for j := range pol.Rules {
				if pol.Rules[j].Denies() {
					t.denyList = append(t.denyList, denyRule{pol: pol, rule: &pol.Rules[j]})
				}
			}
		}
	}
	return t.denyList
}

// exclude adds to c the part of q's region inside p's region; it reports
// whether there was any.
func (t *transformer) exclude(c *cuts, p, q *pattern) bool {
	inside := func(x string) bool {
		switch p.shape {
		case shapePattern:
			return slices.ContainsFunc(t.topMatches(p), func(m string) bool { return under(x, m) })
		case shapeAll:
			return true
		}
		return under(x, p.node)
	}
	switch q.shape {
	case shapeExact:
		if inside(q.node) {
			c.only = append(c.only, q.node)
			return true
		}
	case shapePrefix:
		if inside(q.node) {
			c.cut = append(c.cut, q.node)
			return true
		}
	case shapePattern:
		found := false
		for _, m := range t.topMatches(q) {
			if inside(m) {
				c.cut, found = append(c.cut, m), true
			}
		}
		c.cond = c.cond || found
		return found
	case shapeAll:
		c.cut = append(c.cut, "")
		return true
	}
	return false
}

// coHeld reports whether every role holding policy a also holds b (all),
// and whether any does (some).
func (t *transformer) coHeld(a, b string) (all, some bool) {
	ha, hb := t.holders[a], t.holders[b]
	all = len(ha) > 0
	for _, r := range ha {
		if slices.Contains(hb, r) {
			some = true
		} else {
			all = false
		}
	}
	return all, some
}

// escalation grants admin on the system to a policy that can write
// policies, auth methods or auth roles: such a token can give itself any
// policy.
func (t *transformer) escalation(pol *Policy, r *Rule, p *pattern, native string, approx []string) {
	probes := slices.Clone(escalationProbes)
	for _, role := range t.exp.Roles {
		probes = append(probes, "auth/"+role.Mount+"/role/x")
	}
	for _, x := range probes {
		if p.matches(x) && t.decides(pol, r, x) {
			t.grant(pol, t.c, schema.ActionAdmin, native+" (escalation: can write "+x[:len(x)-2]+", so can give itself any policy)", approx, cuts{})
			return
		}
	}
}

// decides reports whether r is the rule of pol that Vault applies to the
// concrete path x: no higher-priority rule of pol matches x, and no deny
// of a policy every holder of pol also holds matches x.
func (t *transformer) decides(pol *Policy, r *Rule, x string) bool {
	p := t.pat(r.Path)
	for i := range pol.Rules {
		if q := t.pat(pol.Rules[i].Path); &pol.Rules[i] != r && q.matches(x) && q.moreSpecific(p) {
			return false
		}
	}
	for _, d := range t.denies() {
		if all, _ := t.coHeld(pol.Name, d.pol.Name); all && d.pol.Name != pol.Name && t.pat(d.rule.Path).matches(x) {
			return false
		}
	}
	return true
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
