package awsiam

import (
	"strings"

	"github.com/reachgraph/reachgraph/schema/iam"
)

// subject is a user or role with every policy that applies to it.
type subject struct {
	id, arn, name string
	user          bool
	groups        []string // group ids
	pols          []attachment
	boundary      *Policy
	scps          []scpLevel // the organization chain's SCPs, root first
	vars          map[string]string
	env           *env // request context for condition evaluation
	// mayCache remembers, per action, whether any Allow of pols matches it
	// at all (on any resource): most pairwise escalation checks end there.
	mayCache map[string]bool
}

// cv evaluates a statement's conditions for the subject.
func (s *subject) cv(st *Statement) condVerdict { return s.env.conditions(st, s.vars) }

// mayAllow reports whether an Allow statement of s's policies matches action
// on some resource; when it does not, allowed is false whatever the ARN.
func (s *subject) mayAllow(action string) bool {
	if v, ok := s.mayCache[action]; ok {
		return v
	}
	v := false
	for _, a := range s.pols {
		for i := range a.pol.Doc.Statements {
			if st := &a.pol.Doc.Statements[i]; st.Allow && st.matchesAction(action) {
				v = true
				break
			}
		}
	}
	if s.mayCache == nil {
		s.mayCache = map[string]bool{}
	}
	s.mayCache[action] = v
	return v
}

// judge applies the subject's explicit denies and permissions boundary to an
// Allow item (docs/ingest-aws.md "Deny, NotAction, conditions, boundaries"):
// a Deny or boundary covering the whole item drops it (or makes it
// conditional, for a Deny with a Condition); one covering a part becomes an
// Except (Deny) or Within (boundary) clause of the grant's native string, so
// native queries stay exact.
func (s *subject) judge(it item) verdict {
	v := verdict{keep: true}
	res := subst([]string{it.resource}, s.vars)[0]
	for _, a := range s.pols {
		for i := range a.pol.Doc.Statements {
			st := &a.pol.Doc.Statements[i]
			if st.Allow {
				continue
			}
			c := s.cv(st)
			if !c.applies {
				continue // its condition is false: the Deny does not apply
			}
			full, part := st.coverage(it, res, s.vars)
			switch {
			case full && !c.cond:
				return verdict{}
			case full:
				v.cond = true
				v.notes = append(v.notes, "conditional Deny in "+a.pol.Name+" ("+c.note+")")
			case part:
				v.except = append(v.except, clauseOf(st, s.vars, c.cond))
				v.notes = append(v.notes, "Deny in "+a.pol.Name)
			}
		}
	}
	if s.boundary != nil {
		if v = s.judgeFilter(it, res, v, []*Policy{s.boundary}, "the permissions boundary"); !v.keep {
			return v
		}
	}
	for _, l := range s.scps {
		if v = s.judgeFilter(it, res, v, l.pols, "the SCPs of "+l.name); !v.keep {
			return v
		}
	}
	return v
}

// scpLevel is one level of the account's organization chain (root, an OU,
// the account): a request must be allowed by an SCP at every level.
type scpLevel struct {
	name string
	pols []*Policy
	all  *Policy // pols' statements in one policy
}

// judgeFilter applies a policy set that allows nothing by itself but must
// allow the item (a permissions boundary, one level of SCPs): its Denies act
// like any Deny, and an item it covers only in part keeps Within clauses
// (one set of them: a second partial filter is noted as approximated).
func (s *subject) judgeFilter(it item, res string, v verdict, pols []*Policy, label string) verdict {
	full := false
	var within []iam.Clause
	for _, pol := range pols {
		for i := range pol.Statements {
			st := &pol.Statements[i]
			c := s.cv(st)
			if !c.applies {
				continue
			}
			f, p := st.coverage(it, res, nil)
			switch {
			case !st.Allow && f && !c.cond:
				return verdict{}
			case !st.Allow && f:
				v.cond = true
				v.notes = append(v.notes, "conditional Deny in "+label)
			case !st.Allow && p:
				v.except = append(v.except, clauseOf(st, nil, c.cond))
				v.notes = append(v.notes, "Deny in "+label)
			case st.Allow && f && !c.cond:
				full = true
			case st.Allow && f:
				full, v.cond = true, true
				v.notes = append(v.notes, label+" allows it under a condition")
			case st.Allow && p:
				within = append(within, clauseOf(st, nil, c.cond))
			}
		}
	}
	switch {
	case full:
	case len(within) > 0 && v.within == nil:
		v.within = within
		v.notes = append(v.notes, "partly outside "+label)
	case len(within) > 0:
		v.notes = append(v.notes, "partly outside "+label+" (not in the clauses: approximated)")
	default:
		return verdict{}
	}
	return v
}

// coverage tells whether statement st applies to every request of the item
// (full) or to some (part). NotAction/NotResource are handled conservatively:
// they cover an item only when the item cannot overlap the excluded list.
func (st *Statement) coverage(it item, res string, vars map[string]string) (full, part bool) {
	var actFull, actPart bool
	switch {
	case st.NotAction != nil:
		overl, excluded := false, false
		for _, n := range st.NotAction {
			if it.notAction != nil || iam.Overlaps(n, it.action, true) {
				overl = true
			}
			if it.notAction == nil && iam.Covers(n, it.action, true) {
				excluded = true
			}
		}
		actFull, actPart = !overl, !excluded
	default:
		for _, d := range st.Action {
			if it.notAction == nil && iam.Covers(d, it.action, true) || it.notAction != nil && (d == "*" || d == "*:*") {
				actFull = true
			}
			if it.notAction != nil || iam.Overlaps(d, it.action, true) {
				actPart = true
			}
		}
	}
	var resFull, resPart bool
	switch {
	case st.NotResource != nil:
		overl := false
		for _, n := range subst(st.NotResource, vars) {
			if iam.Overlaps(n, res, false) {
				overl = true
			}
		}
		resFull, resPart = !overl, true
	case st.Resource == nil:
		resFull, resPart = true, true
	default:
		for _, d := range subst(st.Resource, vars) {
			if iam.Covers(d, res, false) {
				resFull = true
			}
			if iam.Overlaps(d, res, false) {
				resPart = true
			}
		}
	}
	return actFull && resFull, actPart && resPart
}

// allowed evaluates one concrete request (action on the resource ARN, or on
// any resource of service svc when arn is "") for the subject: explicit
// Deny wins, then an Allow is needed in its policies and, with a boundary,
// in the boundary too. cond is set when the answer hangs on a Condition.
func (s *subject) allowed(action, arn string) (ok, cond bool) {
	if !s.mayAllow(action) {
		return false, false
	}
	match := func(st *Statement, vars map[string]string) bool {
		if !st.matchesAction(action) {
			return false
		}
		if arn != "" {
			return st.matchesResource(arn, vars)
		}
		if st.NotResource != nil || st.Resource == nil {
			return st.Allow || st.NotResource == nil
		}
		svc, _, _ := strings.Cut(action, ":")
		for _, r := range st.Resource {
			if st.Allow && iam.Overlaps(r, "arn:aws:"+svc+":*", false) || !st.Allow && iam.Covers(r, "arn:aws:"+svc+":*", false) {
				return true
			}
		}
		return false
	}
	eval := func(p *Policy, vars map[string]string) (allow, allowCond, deny, denyCond bool) {
		allowCond = true
		for i := range p.Statements {
			st := &p.Statements[i]
			if !match(st, vars) {
				continue
			}
			c := s.cv(st)
			switch {
			case !c.applies:
			case !st.Allow && !c.cond:
				deny = true
			case !st.Allow:
				denyCond = true
			default:
				allow = true
				allowCond = allowCond && c.cond
			}
		}
		return
	}
	allow, allowCond := false, true
	for _, a := range s.pols {
		al, ac, de, dc := eval(a.pol.Doc, s.vars)
		if de {
			return false, false
		}
		cond = cond || dc
		if al {
			allow, allowCond = true, allowCond && ac
		}
	}
	if !allow {
		return false, false
	}
	cond = cond || allowCond
	filters := []*Policy{}
	if s.boundary != nil {
		filters = append(filters, s.boundary)
	}
	for _, l := range s.scps {
		filters = append(filters, l.all)
	}
	for _, f := range filters {
		al, ac, de, dc := eval(f, nil)
		if de || !al {
			return false, false
		}
		cond = cond || ac || dc
	}
	return true, cond
}

// denies reports whether one of the subject's policies or its boundary denies
// the concrete request outright (an unconditional Deny).
func (s *subject) denies(action, arn string) bool {
	deny := func(p *Policy, vars map[string]string) bool {
		for i := range p.Statements {
			st := &p.Statements[i]
			if !st.Allow && st.matchesAction(action) && st.matchesResource(arn, vars) {
				if c := s.cv(st); c.applies && !c.cond {
					return true
				}
			}
		}
		return false
	}
	for _, a := range s.pols {
		if deny(a.pol.Doc, s.vars) {
			return true
		}
	}
	if s.boundary != nil && deny(s.boundary, nil) {
		return true
	}
	for _, l := range s.scps {
		for _, p := range l.pols {
			if deny(p, nil) {
				return true
			}
		}
	}
	return false
}

// joinPolicies is one policy holding the statements of all of pols.
func joinPolicies(pols []*Policy) *Policy {
	out := &Policy{}
	for _, p := range pols {
		out.Statements = append(out.Statements, p.Statements...)
	}
	return out
}
