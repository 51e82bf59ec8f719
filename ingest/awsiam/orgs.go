package awsiam

import (
	"fmt"
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/iam"
)

// fullAWSAccess is the AWS-managed SCP attached by default at every level.
var fullAWSAccess = &Policy{Statements: []Statement{{Allow: true, Action: []string{"*"}, Resource: []string{"*"}}}}

// scpLevels resolves the account's organization chain (--aws-config
// accounts.<id>.scp) against the SCP documents among the inputs. nil when
// the configuration gives no chain: SCPs are then not applied.
func (t *transformer) scpLevels() ([]scpLevel, error) {
	a, ok := t.accountConfig()
	if !ok || len(a.SCP) == 0 {
		return nil, nil
	}
	byRef := map[string]*Policy{"p-FullAWSAccess": fullAWSAccess, "FullAWSAccess": fullAWSAccess}
	for _, s := range t.d.SCPs {
		byRef[s.ID], byRef[s.Name] = s.Doc, s.Doc
	}
	var out []scpLevel
	for i, refs := range a.SCP {
		name := fmt.Sprintf("OU level %d", i)
		switch i {
		case 0:
			name = "the organization root"
		case len(a.SCP) - 1:
			name = "the account"
		}
		l := scpLevel{name: name}
		for j, ref := range refs {
			p := byRef[ref]
			if p == nil {
				return nil, fmt.Errorf("aws-iam configuration /accounts/%s/scp/%d/%d: SCP %q is not among the inputs (give its `aws organizations describe-policy` JSON)", t.acct, i, j, ref)
			}
			l.pols = append(l.pols, p)
		}
		l.all = joinPolicies(l.pols)
		out = append(out, l)
	}
	return out, nil
}

// rootGrant emits the root user's admin grant, within the SCPs (they apply
// to a member account's root user too).
func (t *transformer) rootGrant(levels []scpLevel) {
	root := &subject{id: rootID(t.acct), env: &env{opts: &t.opts}, scps: levels}
	it := item{action: "*", resource: "*"}
	v := root.judge(it)
	if !v.keep {
		return
	}
	n := iam.Native{Allow: iam.Clause{Action: iam.One("*"), Resource: iam.One("*")}, Except: v.except, Within: v.within,
		Evidence: strings.Join(append([]string{"account root user"}, v.notes...), ", ")}
	t.itemGrants(root.id, it, n, v.cond)
}

// rpAccount is the account a resource-policy resource belongs to: the
// ARN's, else (S3) the loaded account.
func (t *transformer) rpAccount(arn string) string {
	if a := iam.ARNAccount(arn); isAccountID(a) {
		return a
	}
	return t.acct
}

// rpItems are the items of a resource-policy statement, "*" standing for
// the resource the policy is attached to.
func rpItems(rp *ResourcePolicy, st *Statement) []item {
	c := *st
	if rp.Resource != "" {
		c.Resource = slices.Clone(st.Resource)
		for i, r := range c.Resource {
			if r == "*" {
				c.Resource[i] = rp.Resource
			}
		}
		if c.Resource == nil && c.NotResource == nil {
			c.Resource = []string{rp.Resource}
		}
	}
	return statementItems(&c)
}

// principalHits tells which of the account's users and roles a resource
// policy's Principal names: every one for "*", those whose ARN it names (or
// matches), and — with account=true — the account itself (root or id).
func (t *transformer) principalHits(p *Principal) (hits []*subject, account bool, foreign []string) {
	root := "arn:aws:iam::" + t.acct + ":root"
	for _, s := range t.subjects {
		if p.Any || slices.ContainsFunc(p.AWS, func(a string) bool { return a == s.arn || strings.ContainsAny(a, "*?") && iam.Glob(a, s.arn, false) }) {
			hits = append(hits, s)
		}
	}
	for _, a := range p.AWS {
		switch {
		case a == "*":
		case a == t.acct || a == root:
			account = true
		case isAccountID(a) || strings.HasPrefix(a, "arn:") && iam.ARNAccount(a) != t.acct:
			foreign = append(foreign, a)
		}
	}
	return hits, account, foreign
}

// resourceDenies adds the Deny statements of resource policies to the
// subjects they name (or the whole account, or "*"), with "*" resources
// replaced by the policy's resource: a Deny in a resource policy wins like
// any Deny.
func (t *transformer) resourceDenies() {
	for i := range t.d.ResourcePolicies {
		rp := &t.d.ResourcePolicies[i]
		for _, st := range rp.Doc.Statements {
			if st.Allow || st.Principal == nil {
				continue
			}
			hits, account, _ := t.principalHits(st.Principal)
			if account {
				hits = t.subjects
			}
			d := st
			d.Principal = nil
			if rp.Resource != "" {
				d.Resource = rpItemsResources(rp, &st)
			}
			pol := NamedPolicy{Name: "resource policy of " + rp.name(), Doc: &Policy{Statements: []Statement{d}}}
			for _, s := range hits {
				s.pols = append(s.pols, attachment{pol: pol, on: s.id, onArn: s.arn})
			}
		}
	}
}

func rpItemsResources(rp *ResourcePolicy, st *Statement) []string {
	if st.Resource == nil && st.NotResource == nil {
		return []string{rp.Resource}
	}
	out := slices.Clone(st.Resource)
	for i, r := range out {
		if r == "*" {
			out[i] = rp.Resource
		}
	}
	return out
}

// name is how evidence names the policy: its resource.
func (rp *ResourcePolicy) name() string {
	if rp.Resource != "" {
		return rp.Resource
	}
	var rs []string
	for _, st := range rp.Doc.Statements {
		rs = append(rs, st.Resource...)
	}
	slices.Sort(rs)
	return strings.Join(slices.Compact(rs), ",")
}

// resourceGrants emits the grants resource policies give (docs/ingest-aws.md
// "Resource policies"): in the account, an Allow naming a user or role (or
// "*") is enough by itself (their Denies, boundary and SCPs still apply);
// naming the account defers to IAM (nothing new); naming another account's
// principal gives that external identity a conditional grant (its own
// account's identity policies must allow it too). A resource of another
// account needs both: the resource policy naming our principal (or our
// account) and our principal's identity policies allowing it.
func (t *transformer) resourceGrants() {
	for i := range t.d.ResourcePolicies {
		rp := &t.d.ResourcePolicies[i]
		for si := range rp.Doc.Statements {
			st := &rp.Doc.Statements[si]
			if !st.Allow || st.Principal == nil || st.NotPrincipal {
				continue
			}
			hits, account, foreign := t.principalHits(st.Principal)
			for _, it := range rpItems(rp, st) {
				res := it.resource
				cross := t.rpAccount(res) != t.acct
				targets := hits
				if cross && account {
					targets = t.subjects
				}
				for _, s := range targets {
					t.rpGrant(rp, st, it, s, cross)
				}
				if !cross {
					for _, f := range foreign {
						t.foreignPrincipalGrant(rp, st, it, f)
					}
					if st.Principal.Any {
						t.foreignPrincipalGrant(rp, st, it, "*")
					}
				}
			}
		}
	}
}

// rpGrant emits subject s's grant from one resource-policy item.
func (t *transformer) rpGrant(rp *ResourcePolicy, st *Statement, it item, s *subject, cross bool) {
	c := s.cv(st)
	if !c.applies {
		return
	}
	v := s.judge(it)
	if v.keep && cross {
		v = s.judgeFilter(it, it.resource, v, allowsOf(s), "its identity policies")
	}
	if !v.keep {
		return
	}
	notes := []string{"resource policy of " + rp.name()}
	if st.Conditional {
		notes = append(notes, c.note)
	}
	if cross {
		notes = append(notes, "and its identity policies allow it")
	}
	n := iam.Native{Allow: it.clause(s.vars), Except: v.except, Within: v.within, Evidence: strings.Join(append(notes, v.notes...), ", ")}
	if cross {
		t.foreignGrants(s.id, it, n, v.cond || c.cond)
		return
	}
	t.itemGrants(s.id, it, n, v.cond || c.cond)
}

// allowsOf is the subject's Allow statements as one policy (its Denies are
// applied by judge already).
func allowsOf(s *subject) []*Policy {
	p := &Policy{}
	for _, a := range s.pols {
		for _, st := range a.pol.Doc.Statements {
			if st.Allow {
				p.Statements = append(p.Statements, st)
			}
		}
	}
	return []*Policy{p}
}

// foreignPrincipalGrant gives a principal outside the account (or anyone,
// for "*") a conditional grant: its own account's identity policies, which
// the export does not show, must allow the request too.
func (t *transformer) foreignPrincipalGrant(rp *ResourcePolicy, st *Statement, it item, principal string) {
	c := (&env{opts: &t.opts}).conditions(st, nil)
	if !c.applies {
		return
	}
	id := "aws:" + t.acct + ":external/" + principal
	name, why := principal, "aws-iam: principal of another account named by a resource policy"
	if principal == "*" {
		id, name, why = "aws:"+t.acct+":anyone", "any AWS principal anywhere", "aws-iam: Principal \"*\" in a policy"
	}
	t.identity(graph.Identity{ID: id, Name: name, Type: schema.IdentityApplication, NonhumanRationale: why, Tags: map[string]string{"aws_principal": principal}})
	notes := []string{"resource policy of " + rp.name(), "needs the principal's own identity policies too"}
	if st.Conditional {
		notes = append(notes, c.note)
	}
	n := iam.Native{Allow: it.clause(nil), Evidence: strings.Join(notes, ", ")}
	t.itemGrants(id, it, n, true)
}

// foreignGrants emits a grant on a resource of another account: the
// resource is declared under a system standing for that account.
func (t *transformer) foreignGrants(principal string, it item, n iam.Native, cond bool) {
	acct := t.rpAccount(it.resource)
	sys := systemID(acct)
	if !t.declared[sys] {
		t.declared[sys] = true
		t.out.SystemList = append(t.out.SystemList, graph.System{ID: sys, Name: "AWS account " + acct + " (seen in resource policies)", Kind: "cloud"})
	}
	res := it.resource
	if !t.declared[res] {
		t.declared[res] = true
		t.out.ResourceList = append(t.out.ResourceList, graph.Resource{ID: res, System: sys, Name: res, Kind: resourceKind(res)})
	}
	for _, a := range it.classes() {
		t.grant(principal, a, res, n, cond || it.cond)
	}
}
