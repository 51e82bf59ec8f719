package awsiam

import (
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/iam"
)

// trustStatements are the Allow statements of a role's trust policy that
// let a principal assume it (sts:AssumeRole, …WithSAML, …WithWebIdentity).
func trustStatements(r Role) []*Statement {
	if r.Trust == nil {
		return nil
	}
	var out []*Statement
	for i := range r.Trust.Statements {
		st := &r.Trust.Statements[i]
		if !st.Allow || st.Principal == nil || st.NotPrincipal {
			continue
		}
		if st.matchesAction("sts:AssumeRole") || st.matchesAction("sts:AssumeRoleWithSAML") || st.matchesAction("sts:AssumeRoleWithWebIdentity") {
			out = append(out, st)
		}
	}
	return out
}

// assumer is a user or role of the account that may assume a role, and why.
type assumer struct {
	s   *subject
	why string
}

// assumers lists the users and roles of the account that role r's trust
// policy lets assume it: those it names by ARN, every one for Principal "*",
// and, when it names the account (root), those whose own policies allow
// sts:AssumeRole on the role (docs/ingest-aws.md "Trust policies"). Only the
// candidates (assumeIndex) are checked, in the order of t.subjects.
func (t *transformer) assumers(r Role) []assumer {
	if as, ok := t.assumable[r.ARN]; ok {
		return as
	}
	rid := roleID(t.acct, r.Name)
	root := "arn:aws:iam::" + t.acct + ":root"
	sts := trustStatements(r)
	var out []assumer
	for _, i := range t.candidates(sts, r.ARN) {
		s := t.subjects[i]
		if s.id == rid {
			continue
		}
		for _, st := range sts {
			p := st.Principal
			c := s.cv(st)
			if !c.applies {
				continue // the trust statement's condition is false for s
			}
			why := ""
			switch {
			case slices.Contains(p.AWS, s.arn):
				why = "trust policy of " + r.Name + " names " + s.arn
			case p.Any:
				why = "trust policy of " + r.Name + ": Principal *"
			case slices.Contains(p.AWS, t.acct) || slices.Contains(p.AWS, root):
				ok, cond := s.allowed("sts:AssumeRole", r.ARN)
				if !ok {
					continue
				}
				why = "trust policy of " + r.Name + " names the account, and " + s.name + "'s policies allow sts:AssumeRole on it"
				if cond {
					why += " under a condition"
				}
			default:
				continue
			}
			if st.Conditional {
				why += " (trust " + c.note + ")"
			}
			out = append(out, assumer{s: s, why: why})
			break
		}
	}
	t.assumable[r.ARN] = out
	return out
}

// candidates are the indices (in t.subjects, ascending) of the subjects
// that trust statements sts of the role arn may let assume it: every
// subject for Principal "*", those named by ARN, and, when the account is
// named, those whose Allow statements may match sts:AssumeRole on arn
// (assumeIndex). Every other subject would be skipped by assumers anyway.
func (t *transformer) candidates(sts []*Statement, arn string) []int {
	root := "arn:aws:iam::" + t.acct + ":root"
	var out []int
	for _, st := range sts {
		if st.Principal.Any {
			out = make([]int, len(t.subjects))
			for i := range out {
				out[i] = i
			}
			return out
		}
		for _, a := range st.Principal.AWS {
			if a == t.acct || a == root {
				out = append(out, t.assumeIndex()[arn]...)
			}
			out = append(out, t.arnIndex()[a]...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// arnIndex maps an ARN to the indices of the subjects that have it.
func (t *transformer) arnIndex() map[string][]int {
	if t.byARNIdx == nil {
		t.byARNIdx = map[string][]int{}
		for i, s := range t.subjects {
			t.byARNIdx[s.arn] = append(t.byARNIdx[s.arn], i)
		}
	}
	return t.byARNIdx
}

// assumeIndex maps a role ARN to the indices of the subjects with an Allow
// statement that may match sts:AssumeRole on it: a Resource pattern whose
// literal prefix (up to the first wildcard or policy variable) the ARN
// starts with, or a statement without Resource or with NotResource. It is
// a superset of the subjects allowed() admits; built once, by a binary
// search in the sorted role ARNs per pattern.
func (t *transformer) assumeIndex() map[string][]int {
	if t.assumeIdx != nil {
		return t.assumeIdx
	}
	t.assumeIdx = map[string][]int{}
	var arns []string
	for _, r := range t.roles() {
		arns = append(arns, r.ARN)
	}
	slices.Sort(arns)
	add := func(i int, prefix string) {
		for j, _ := slices.BinarySearch(arns, prefix); j < len(arns) && strings.HasPrefix(arns[j], prefix); j++ {
			if l := t.assumeIdx[arns[j]]; len(l) == 0 || l[len(l)-1] != i {
				t.assumeIdx[arns[j]] = append(l, i)
			}
		}
	}
	for i, s := range t.subjects {
		if !s.mayAllow("sts:AssumeRole") {
			continue
		}
		for _, a := range s.pols {
			for k := range a.pol.Doc.Statements {
				st := &a.pol.Doc.Statements[k]
				if !st.Allow || !st.matchesAction("sts:AssumeRole") {
					continue
				}
				if st.NotResource != nil || st.Resource == nil {
					add(i, "")
					continue
				}
				for _, p := range st.Resource {
					add(i, p[:len(p)-len(strings.TrimLeftFunc(p, func(c rune) bool { return c != '*' && c != '?' && c != '$' }))])
				}
			}
		}
	}
	return t.assumeIdx
}

// trust emits the delegations of a role's trust policy.
func (t *transformer) trust(r Role) {
	acct, to := t.acct, roleID(t.acct, r.Name)
	for _, a := range t.assumers(r) {
		t.delegate(a.s.id, to, schema.DelegAssumeRole, a.why)
	}
	anon := &env{opts: &t.opts}
	for _, st := range trustStatements(r) {
		p := st.Principal
		c := anon.conditions(st, nil)
		if !c.applies {
			continue
		}
		noExt := ""
		if !hasConditionKey(st, "sts:ExternalId") {
			noExt = ", without sts:ExternalId"
		}
		if p.Any {
			t.identity(graph.Identity{ID: "aws:" + acct + ":anyone", Name: "any AWS principal anywhere", Type: schema.IdentityApplication,
				NonhumanRationale: "aws-iam: Principal \"*\" in a trust policy", Tags: map[string]string{"aws_principal": "*"}})
			t.delegate("aws:"+acct+":anyone", to, schema.DelegAssumeRole, "trust policy of "+r.Name+": Principal *"+noExt)
		}
		for _, a := range p.AWS {
			if a == "*" || a == acct || a == "arn:aws:iam::"+acct+":root" || t.byARN[a] != nil {
				continue // principals of this account: assumers
			}
			if strings.HasPrefix(a, "arn:") && iam.ARNAccount(a) != acct || isAccountID(a) {
				id := "aws:" + acct + ":external/" + a
				t.identity(graph.Identity{ID: id, Name: a, Type: schema.IdentityApplication,
					NonhumanRationale: "aws-iam: principal of another account trusted by a role", Tags: map[string]string{"aws_principal": a}})
				t.delegate(id, to, schema.DelegAssumeRole, "trust policy of "+r.Name+" names "+a+noExt)
			}
			// Same-account principals missing from the export and unique ids
			// of deleted principals (AROA…/AIDA…) are skipped.
		}
		for _, svc := range p.Service {
			t.service(svc)
			t.delegate(serviceID(acct, svc), to, schema.DelegAssumeRole, "trust policy of "+r.Name+": Service "+svc)
		}
		for _, f := range p.Federated {
			id := "aws:" + acct + ":federated/" + f
			t.identity(graph.Identity{ID: id, Name: f, Type: schema.IdentityApplication,
				NonhumanRationale: "aws-iam: federated identity provider", Tags: map[string]string{"aws_principal": f}})
			t.delegate(id, to, schema.DelegAssumeRole, "trust policy of "+r.Name+": Federated "+f+subjectText(st.Subjects))
		}
	}
}

func (t *transformer) service(svc string) {
	t.identity(graph.Identity{ID: serviceID(t.acct, svc), Name: svc, Type: schema.IdentityWorkload,
		NonhumanRationale: "aws-iam: AWS service principal", Tags: map[string]string{"aws_principal": svc}})
}

func (t *transformer) delegate(from, to string, kind schema.DelegationKind, native string) {
	if from == to {
		return
	}
	k := graph.Delegation{From: from, To: to, Kind: kind}
	if strings.HasPrefix(native, "privesc:") {
		k.Native = native // each technique is its own edge
	}
	if !slices.Contains(t.delegs[k], native) {
		t.delegs[k] = append(t.delegs[k], native)
	}
}

// hasConditionKey reports whether the statement's Condition tests key.
func hasConditionKey(st *Statement, key string) bool {
	for _, c := range st.Conditions {
		if strings.EqualFold(c.Key, key) {
			return true
		}
	}
	return false
}
