package awsiam

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/iam"
)

// Node ids of one account (docs/ingest-aws.md "Mapping").
func systemID(acct string) string       { return "aws:" + acct }
func userID(acct, name string) string   { return "aws:" + acct + ":user/" + name }
func roleID(acct, name string) string   { return "aws:" + acct + ":role/" + name }
func groupID(acct, name string) string  { return "aws:" + acct + ":group/" + name }
func rootID(acct string) string         { return "aws:" + acct + ":root" }
func serviceID(acct, svc string) string { return "aws:" + acct + ":service/" + svc }

// serviceAccountName are user-name patterns taken as non-human.
var serviceAccountName = regexp.MustCompile(`(?i)(^svc[-_.]|[-_.]svc$|^sa[-_.]|bot|^ci[-_.]|[-_.]ci$|deploy|automation|terraform|jenkins|github|gitlab|pipeline|integration|service|^app[-_.]|[-_.]app$|^api[-_.])`)

// attachment is a policy as it applies to a subject: where it is attached.
type attachment struct {
	pol   NamedPolicy
	on    string // principal id it is attached to (user, group or role)
	onArn string
}

// transformer builds the graph records of one account.
type transformer struct {
	acct      string
	cfg       *Config // nil when none
	d         *Details
	out       *graph.Dataset
	declared  map[string]bool
	subjects  []*subject
	byARN     map[string]*subject
	members   map[string][]*subject   // group id → member users
	groupPols map[string][]attachment // group name → its policies
	grants    map[grantKey]*grantVal
	delegs    map[graph.Delegation][]string // evidence of each
	assumable map[string][]assumer          // role ARN → its assumers
	opts      Options
	warnings  map[string][]string // principal id → warnings about its input
	condHops  []condHop           // conditional escalation hops (condhops.go)
	byARNIdx  map[string][]int    // ARN → indices in subjects (trust.go arnIndex)
	assumeIdx map[string][]int    // role ARN → candidate assumers (trust.go assumeIndex)
	identIdx  map[string]int      // identity id → its index in out.IdentityList
	passwords map[string]bool     // user name → console password, for the users a credential report lists
}

type grantKey struct {
	principal, resource string
	action              schema.Action
	conditional         bool
	machine             string // the native string without its evidence
}

// grantVal is a merged grant: its native clauses and every piece of evidence
// (policy, group) that gave it.
type grantVal struct {
	native   iam.Native
	evidence []string
}

// Transform maps an account's authorization details and credential report
// (either may be nil) onto graph records, with the optional configuration
// cfg. It is pure: no I/O. The account id comes from the details' ARNs, else
// from the report's.
func Transform(d *Details, rep *Report, cfg *Config) (*graph.Dataset, error) {
	return TransformWith(d, rep, cfg, Options{})
}

// TransformWith is Transform with conditions evaluated under opts (the time
// and request context, docs/ingest-aws.md "Conditions").
func TransformWith(d *Details, rep *Report, cfg *Config, opts Options) (*graph.Dataset, error) {
	t := newTransformer(d, cfg, opts)
	if d != nil {
		t.acct = d.AccountID()
	}
	if t.acct == "" && rep != nil {
		t.acct = rep.AccountID()
	}
	if t.acct == "" {
		return nil, fmt.Errorf("cannot tell the AWS account id: no ARN with a 12-digit account")
	}
	if rep != nil {
		t.passwords = map[string]bool{}
		for _, row := range rep.Rows {
			if !row.IsRoot() {
				t.passwords[row.User] = row.PasswordOn
			}
		}
	}
	if d != nil {
		if err := t.details(); err != nil {
			return nil, err
		}
	}
	if rep != nil {
		if d == nil {
			t.system()
		}
		t.report(rep)
	}
	t.flush()
	return t.out, nil
}

func newTransformer(d *Details, cfg *Config, opts Options) *transformer {
	return &transformer{cfg: cfg, opts: opts, warnings: map[string][]string{},
		out: &graph.Dataset{}, declared: map[string]bool{}, identIdx: map[string]int{}, byARN: map[string]*subject{},
		members: map[string][]*subject{}, groupPols: map[string][]attachment{}, grants: map[grantKey]*grantVal{}, delegs: map[graph.Delegation][]string{}, assumable: map[string][]assumer{},
		d: d,
	}
}

func (t *transformer) identity(id graph.Identity) {
	if t.declared[id.ID] {
		return
	}
	t.declared[id.ID] = true
	if r := t.cfg.identityRule(id.Tags["arn"]); r != nil {
		id.Type, id.NonhumanRationale = r.Type, ""
		if r.Type != schema.IdentityHuman {
			id.NonhumanRationale = "aws-iam config rule " + r.ARN
		}
		id.Purpose = r.Purpose
		id.Owners = graph.Owners{Business: r.OwnerBusiness, Technical: r.OwnerTechnical}
		id.BreakGlass = id.BreakGlass || r.BreakGlass
	}
	if id.Status == "" {
		id.Status = schema.StatusActive
	}
	t.identIdx[id.ID] = len(t.out.IdentityList)
	t.out.IdentityList = append(t.out.IdentityList, id)
}

func (t *transformer) policy(arn string) *NamedPolicy {
	if p, ok := t.d.Policies[arn]; ok {
		return &p.NamedPolicy
	}
	if arn == "arn:aws:iam::aws:policy/AdministratorAccess" { // well known, often not exported
		return &NamedPolicy{Name: "AdministratorAccess", ARN: arn, Doc: &Policy{Statements: []Statement{{Allow: true, Action: []string{"*"}, Resource: []string{"*"}}}}}
	}
	return nil // unknown AWS-managed policy: not modelled (documented)
}

func (t *transformer) attach(on, onArn string, inline []NamedPolicy, managed []string) []attachment {
	var out []attachment
	for _, p := range inline {
		out = append(out, attachment{pol: p, on: on, onArn: onArn})
	}
	for _, arn := range managed {
		if p := t.policy(arn); p != nil {
			out = append(out, attachment{pol: *p, on: on, onArn: onArn})
			continue
		}
		t.warnings[on] = append(t.warnings[on], t.missingPolicy(arn))
	}
	return out
}

// missingPolicy is the warning for a managed-policy attachment whose
// document the export does not hold (docs/ingest-aws.md "Warnings").
func (t *transformer) missingPolicy(arn string) string {
	name := arn[strings.LastIndex(arn, "/")+1:]
	for other, p := range t.d.Policies {
		if p.Name == name {
			return "managed policy " + arn + " is attached but not in the export (renamed or moved? the export has " + other + "); its permissions are not modelled"
		}
	}
	return "managed policy " + arn + " is attached but not in the export; its permissions are not modelled"
}

// warningTags adds the warnings recorded for principal ids to tags (tag
// "reachgraph:warning", read by the built-in rule TOX-AWS-UNRESOLVED-POLICY).
func (t *transformer) warningTags(tags map[string]string, ids ...string) map[string]string {
	var ws []string
	for _, id := range ids {
		ws = append(ws, t.warnings[id]...)
	}
	if len(ws) > 0 {
		tags["reachgraph:warning"] = strings.Join(ws, "; ")
	}
	return tags
}

// system declares the account's system and returns its id.
func (t *transformer) system() string {
	sys := systemID(t.acct)
	s := graph.System{ID: sys, Name: "AWS account " + t.acct, Kind: "cloud"}
	if a, ok := t.accountConfig(); ok {
		if a.Name != "" {
			s.Name = a.Name
		}
		s.Owner, s.SOXScope = a.Owner, a.SOXScope
	}
	t.out.SystemList = append(t.out.SystemList, s)
	t.declared[sys] = true
	return sys
}

func (t *transformer) accountConfig() (AccountConfig, bool) {
	if t.cfg == nil {
		return AccountConfig{}, false
	}
	a, ok := t.cfg.Accounts[t.acct]
	return a, ok
}

// configResources declares the finance resources of the configuration that
// belong to this account (their ARN names it, or no account, as S3's).
func (t *transformer) configResources() {
	if t.cfg == nil {
		return
	}
	for _, r := range t.cfg.Resources {
		if a := iam.ARNAccount(r.ARN); a != "" && a != t.acct && !strings.ContainsAny(a, "*?") {
			continue
		}
		res := graph.Resource{ID: r.ARN, System: systemID(t.acct), Name: r.Name, Kind: r.Kind, SOXScope: r.SOXScope}
		if res.Name == "" {
			res.Name = r.ARN
		}
		if p := t.cfg.enclosing(r.ARN); p != nil {
			res.Parent = p.ARN
		} else {
			res.Parent = t.serviceNode(iam.ARNService(r.ARN))
		}
		t.declared[r.ARN] = true
		t.out.ResourceList = append(t.out.ResourceList, res)
	}
}

func (t *transformer) details() error {
	acct, d := t.acct, t.d
	sys := t.system()
	t.configResources()
	t.identity(graph.Identity{ID: rootID(acct), Name: "root", Type: schema.IdentityHuman, BreakGlass: true,
		Tags: map[string]string{"arn": "arn:aws:iam::" + acct + ":root"}})
	levels, err := t.scpLevels()
	if err != nil {
		return err
	}
	t.rootGrant(levels)

	groupPols := t.groupPols
	for _, g := range d.Groups {
		gid := groupID(acct, g.Name)
		t.out.GroupList = append(t.out.GroupList, graph.Group{ID: gid, Name: g.Name, Type: schema.GroupGroup, System: sys})
		groupPols[g.Name] = t.attach(gid, g.ARN, g.Inline, g.Attached)
	}
	for _, u := range d.Users {
		s := &subject{id: userID(acct, u.Name), arn: u.ARN, name: u.Name, user: true, vars: map[string]string{"aws:username": u.Name},
			env: &env{opts: &t.opts, acct: acct, arn: u.ARN, name: u.Name, id: u.ID, user: true, known: true, tags: u.Tags}}
		s.pols = t.attach(s.id, u.ARN, u.Inline, u.Attached)
		for _, g := range u.Groups {
			if _, ok := groupPols[g]; !ok {
				continue // group not in the export: its policies are unknown
			}
			gid := groupID(acct, g)
			s.groups = append(s.groups, gid)
			s.pols = append(s.pols, groupPols[g]...)
			t.members[gid] = append(t.members[gid], s)
			t.out.MembershipList = append(t.out.MembershipList, graph.Membership{Member: s.id, Group: gid})
		}
		s.boundary = t.boundary(s.id, u.Boundary)
		typ, why := schema.IdentityHuman, ""
		if serviceAccountName.MatchString(u.Name) {
			typ, why = schema.IdentityServiceAccount, "aws-iam: user name looks like a service account"
		}
		t.identity(graph.Identity{ID: s.id, Name: u.Name, Type: typ, NonhumanRationale: why,
			CreatedAt: parseAWSTime(u.CreateDate), Tags: t.warningTags(withARN(u.Tags, u.ARN), append([]string{s.id}, s.groups...)...)})
		t.subjects = append(t.subjects, s)
	}
	for _, r := range d.Roles {
		s := &subject{id: roleID(acct, r.Name), arn: r.ARN, name: r.Name,
			env: &env{opts: &t.opts, acct: acct, arn: r.ARN, name: r.Name, known: true, tags: r.Tags}}
		s.pols = t.attach(s.id, r.ARN, r.Inline, r.Attached)
		s.boundary = t.boundary(s.id, r.Boundary)
		tags := withARN(r.Tags, r.ARN)
		oidcTags(tags, r)
		t.identity(graph.Identity{ID: s.id, Name: r.Name, Type: schema.IdentityWorkload,
			NonhumanRationale: "aws-iam: IAM role", CreatedAt: parseAWSTime(r.CreateDate), Tags: t.warningTags(tags, s.id)})
		t.subjects = append(t.subjects, s)
	}
	for _, s := range t.subjects {
		t.byARN[s.arn] = s
		s.scps = levels
	}
	t.resourceDenies()
	// Grants: users and roles.
	for _, s := range t.subjects {
		for _, a := range s.pols {
			if a.on == s.id {
				t.policyGrants(a, []*subject{s}, s.id, escalated{})
			}
		}
	}
	// Grants: groups (on the group when every member keeps them, see groupGrants).
	for _, g := range d.Groups {
		gid := groupID(acct, g.Name)
		members := t.members[gid]
		if len(members) == 0 {
			members = []*subject{{id: gid, pols: groupPols[g.Name], env: &env{opts: &t.opts}, scps: levels}}
		}
		for _, a := range groupPols[g.Name] {
			t.policyGrants(a, members, gid, escalated{})
		}
	}
	t.resourceGrants()
	for _, r := range d.Roles {
		t.trust(r)
	}
	t.escalation()
	return nil
}

// boundary is principal on's permissions boundary (nil for none); one the
// export does not hold allows nothing we can prove, with a warning.
func (t *transformer) boundary(on, arn string) *Policy {
	if arn == "" {
		return nil
	}
	if p := t.policy(arn); p != nil {
		return p.Doc
	}
	t.warnings[on] = append(t.warnings[on], "permissions boundary "+arn+" is not in the export; it is taken to allow nothing")
	return &Policy{}
}

func withARN(tags map[string]string, arn string) map[string]string {
	out := map[string]string{"arn": arn}
	for k, v := range tags {
		out["aws:"+k] = v
	}
	return out
}

// item is one (action pattern, resource pattern) of an Allow statement.
type item struct {
	action      string   // IAM action pattern; "*" for NotAction
	notAction   []string // the NotAction list, when the statement uses one
	resource    string   // ARN pattern; "*" for NotResource
	notResource []string // the NotResource list, when the statement uses one
	cond        bool
}

// verdict is what a subject's denies and boundary leave of an item: nothing
// (keep false), all of it, all of it under a condition, or the item minus
// Except clauses and inside Within clauses (iam.Native).
type verdict struct {
	keep   bool
	cond   bool
	except []iam.Clause
	within []iam.Clause
	notes  []string
}

// policyGrants emits the grants of one attached policy. subjects are the
// identities the policy applies to through principal on (the user or role
// itself, or a group's members): a grant lands on the principal when every
// subject keeps it alike, else on each subject that keeps it.
// escalated marks grants a subject gets through an escalation technique
// rather than a policy attached to it: the technique is added to their
// evidence, and they are conditional when the technique is.
type escalated struct {
	technique string
	cond      bool
}

// judgeAllow is judge for an item of Allow statement st, with st's
// conditions evaluated for the subject: false drops the item, undecided
// makes it conditional, and the evidence says which.
func (s *subject) judgeAllow(st *Statement, it item) verdict {
	c := s.cv(st)
	if !c.applies {
		return verdict{}
	}
	v := s.judge(it)
	if v.keep && st.Conditional {
		v.cond = v.cond || c.cond
		v.notes = append([]string{c.note}, v.notes...)
	}
	return v
}

func (t *transformer) policyGrants(a attachment, subjects []*subject, on string, esc escalated) {
	for _, st := range a.pol.Doc.Statements {
		if !st.Allow {
			continue
		}
		for _, it := range statementItems(&st) {
			natives := make([]iam.Native, len(subjects))
			verdicts := make([]verdict, len(subjects))
			same := !strings.Contains(it.resource, "${") || len(subjects) == 1 && subjects[0].id == on
			for i, s := range subjects {
				verdicts[i] = s.judgeAllow(&st, it)
				natives[i] = iam.Native{Allow: it.clause(s.vars), Except: verdicts[i].except, Within: verdicts[i].within}
				if verdicts[i].keep != verdicts[0].keep || verdicts[i].cond != verdicts[0].cond || natives[i].Machine() != natives[0].Machine() {
					same = false
				}
			}
			evidence := "policy " + a.pol.Name
			if esc.technique != "" {
				evidence += " via " + esc.technique
			}
			if same {
				if v := verdicts[0]; v.keep {
					n := natives[0]
					n.Evidence = strings.Join(append([]string{evidence}, v.notes...), ", ")
					t.itemGrants(on, it, n, v.cond || esc.cond)
				}
				continue
			}
			for i, s := range subjects {
				if v := verdicts[i]; v.keep {
					n := natives[i]
					n.Evidence = strings.Join(append([]string{evidence + " via " + on}, v.notes...), ", ")
					t.itemGrants(s.id, it, n, v.cond || esc.cond)
				}
			}
		}
	}
}

// clause is the item as the requests it allows, with the subject's policy
// variables substituted.
func (it item) clause(vars map[string]string) iam.Clause {
	c := iam.Clause{Action: iam.One(it.action), Resource: iam.One(subst([]string{it.resource}, vars)[0])}
	if it.notAction != nil {
		c.Action = iam.Spec{Not: true, Patterns: it.notAction}
	}
	if it.notResource != nil {
		c.Resource = iam.Spec{Not: true, Patterns: subst(it.notResource, vars)}
	}
	return c
}

// clauseOf is the requests a Deny or boundary statement applies to.
func clauseOf(st *Statement, vars map[string]string, cond bool) iam.Clause {
	c := iam.Clause{Action: iam.Spec{Patterns: st.Action}, Resource: iam.One("*"), Cond: cond}
	if st.NotAction != nil {
		c.Action = iam.Spec{Not: true, Patterns: st.NotAction}
	}
	switch {
	case st.NotResource != nil:
		c.Resource = iam.Spec{Not: true, Patterns: subst(st.NotResource, vars)}
	case st.Resource != nil:
		c.Resource = iam.Spec{Patterns: subst(st.Resource, vars)}
	}
	return c
}

func statementItems(st *Statement) []item {
	res := st.Resource
	if st.NotResource != nil || res == nil {
		res = []string{"*"}
	}
	var out []item
	for _, r := range res {
		if r == "" {
			continue // matches no resource
		}
		if st.NotAction != nil {
			out = append(out, item{action: "*", notAction: st.NotAction, resource: r, notResource: st.NotResource})
			continue
		}
		for _, a := range st.Action {
			if a == "" {
				continue // matches no action
			}
			out = append(out, item{action: a, resource: r, notResource: st.NotResource})
		}
	}
	return out
}

// classes are the reachgraph actions of an item. A NotAction Allow gives
// read, write and export, and admin unless it excludes iam:*.
func (it item) classes() []schema.Action {
	if it.notAction == nil {
		return iam.Classify(it.action)
	}
	out := []schema.Action{schema.ActionRead, schema.ActionWrite, schema.ActionExport}
	if !iam.AnyGlob(it.notAction, "iam:PutUserPolicy", true) {
		out = append(out, schema.ActionAdmin)
	}
	return out
}

// itemGrants emits one grant per reachgraph action of the item, on the
// resource its ARN pattern names (the account system for "*" and
// NotResource).
func (t *transformer) itemGrants(principal string, it item, n iam.Native, cond bool) {
	if narrow := bounded(it, n.Within); narrow != nil {
		for _, nit := range narrow {
			t.itemGrantsAs(principal, nit, n, cond)
		}
		return
	}
	t.itemGrantsAs(principal, it, n, cond)
}

// itemGrantsAs emits the grants of item it (the Allow item, or one of the
// narrower items a boundary leaves of it), all carrying native n.
func (t *transformer) itemGrantsAs(principal string, it item, n iam.Native, cond bool) {
	targets := []string{t.scope(it)}
	if r := n.Allow.Resource; !r.Not && len(r.Patterns) == 1 && r.Patterns[0] != "*" {
		res := r.Patterns[0]
		if !t.declared[res] {
			t.declared[res] = true
			rec := graph.Resource{ID: res, System: systemID(t.acct), Name: res, Kind: resourceKind(res), Parent: t.serviceNode(iam.ARNService(res))}
			if p := t.cfg.enclosing(res); p != nil && t.declared[p.ARN] {
				rec.Parent, rec.Kind, rec.SOXScope = p.ARN, p.Kind, p.SOXScope
			}
			t.out.ResourceList = append(t.out.ResourceList, rec)
		}
		targets = []string{res}
		for _, e := range t.cfg.reachedBy(res) {
			if t.declared[e.ARN] {
				targets = append(targets, e.ARN)
			}
		}
	}
	for _, res := range targets {
		for _, a := range it.classes() {
			t.grant(principal, a, res, n, cond || it.cond)
		}
	}
}

// bounded returns the items a permissions boundary narrows it to, for the
// reachgraph actions and target of its grants: one per action pattern of the
// boundary's clauses, when each is a plain pattern the item's action covers
// ("*" within s3:* → s3:*, on the S3 node). nil when there is no boundary
// clause or one does not narrow that way (the item then keeps its own
// actions; its native clause stays exact either way).
func bounded(it item, within []iam.Clause) []item {
	if len(within) == 0 || it.notAction != nil {
		return nil
	}
	var out []item
	for _, w := range within {
		if w.Action.Not {
			return nil
		}
		for _, p := range w.Action.Patterns {
			if !iam.Covers(it.action, p, true) {
				return nil
			}
			nit := it
			nit.action = p
			out = append(out, nit)
		}
	}
	return out
}

// scope is where an item on "*" (or NotResource) lands: the service node of
// its action's service, so that cloudwatch:PutMetricData on "*" gives no
// write on S3 data; the account system for "*", wildcard services and
// NotAction.
func (t *transformer) scope(it item) string {
	svc, _, ok := strings.Cut(it.action, ":")
	if it.notAction != nil || !ok || svc == "" || strings.ContainsAny(svc, "*?") {
		return systemID(t.acct)
	}
	return t.serviceNode(strings.ToLower(svc))
}

// serviceNode declares (once) and returns the resource standing for every
// resource of service svc in the account: the parent of the service's
// resources, and where grants on "*" for that service's actions land. ""
// when svc is empty or a pattern.
func (t *transformer) serviceNode(svc string) string {
	if svc == "" || strings.ContainsAny(svc, "*?") {
		return ""
	}
	id := "aws:" + t.acct + ":resources/" + svc
	if !t.declared[id] {
		t.declared[id] = true
		t.out.ResourceList = append(t.out.ResourceList, graph.Resource{ID: id, System: systemID(t.acct),
			Name: "every " + svc + " resource of account " + t.acct, Kind: "aws:" + svc})
	}
	return id
}

func (t *transformer) grant(principal string, a schema.Action, res string, n iam.Native, cond bool) {
	k := grantKey{principal: principal, resource: res, action: a, conditional: cond, machine: n.Machine()}
	g := t.grants[k]
	if g == nil {
		g = &grantVal{native: n}
		t.grants[k] = g
	}
	if !slices.Contains(g.evidence, n.Evidence) {
		g.evidence = append(g.evidence, n.Evidence)
	}
}
