package awsiam

import (
	"slices"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/iam"
)

// passRoleTechniques are the services that run code as a passed role
// (PMapper-style): iam:PassRole on the role plus every action listed, and a
// role whose trust policy lets service assume it.
var passRoleTechniques = []struct {
	name, service string
	actions       []string
}{
	{"passrole-ec2", "ec2.amazonaws.com", []string{"ec2:RunInstances"}},
	{"passrole-lambda", "lambda.amazonaws.com", []string{"lambda:CreateFunction", "lambda:InvokeFunction"}},
	{"passrole-cloudformation", "cloudformation.amazonaws.com", []string{"cloudformation:CreateStack"}},
	{"passrole-codebuild", "codebuild.amazonaws.com", []string{"codebuild:CreateProject", "codebuild:StartBuild"}},
	{"passrole-glue", "glue.amazonaws.com", []string{"glue:CreateDevEndpoint"}},
	{"passrole-sagemaker", "sagemaker.amazonaws.com", []string{"sagemaker:CreateNotebookInstance"}},
	{"passrole-ecs", "ecs-tasks.amazonaws.com", []string{"ecs:RunTask"}},
}

// escalation adds the privilege-escalation edges (docs/ingest-aws.md
// "Escalation"): act-as hops and admin grants whose native string names the
// technique and the IAM actions that enable it.
func (t *transformer) escalation() {
	acct, sys := t.acct, systemID(t.acct)
	trusted := map[string]map[string]bool{} // role id → service principals it trusts
	assumable := map[string][]*subject{}    // subject id → roles it may assume by trust
	for _, r := range t.d.Roles {
		rid := roleID(acct, r.Name)
		trusted[rid] = map[string]bool{}
		for _, st := range trustStatements(r) {
			for _, svc := range st.Principal.Service {
				trusted[rid][svc] = true
			}
		}
		for _, a := range t.assumers(r) {
			assumable[a.s.id] = append(assumable[a.s.id], t.byARN[r.ARN])
		}
	}
	instanceProfile := map[string]bool{}
	for _, r := range t.d.Roles {
		instanceProfile[roleID(acct, r.Name)] = r.InstanceProfiles > 0
	}
	admin := func(s *subject, technique string, cond bool, actions ...string) {
		t.grant(s.id, schema.ActionAdmin, sys, iam.Native{Escalation: technique, Evidence: strings.Join(actions, "+")}, cond)
	}
	can := func(s *subject, arn string, actions ...string) (bool, bool) {
		cond := false
		for _, a := range actions {
			ok, c := s.allowed(a, arn)
			if !ok {
				return false, false
			}
			cond = cond || c
		}
		return true, cond
	}
	for _, s := range t.subjects {
		// Credentials of another user → act as that user.
		for _, v := range t.subjects {
			if !v.user || v == s {
				continue
			}
			for _, a := range []string{"iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"} {
				if ok, _ := can(s, v.arn, a); ok {
					t.delegate(s.id, v.id, schema.DelegOther, iam.Escalation(strings.ToLower(strings.TrimPrefix(a, "iam:"))+" on "+v.name, a))
				}
			}
		}
		// Edit one's own permissions → admin on the account.
		if s.user {
			for _, a := range []string{"iam:PutUserPolicy", "iam:AttachUserPolicy"} {
				if ok, c := can(s, s.arn, a); ok {
					admin(s, "self-"+strings.ToLower(strings.TrimPrefix(a, "iam:")), c, a)
				}
			}
			for _, gid := range s.groups {
				g := t.group(gid)
				for _, a := range []string{"iam:PutGroupPolicy", "iam:AttachGroupPolicy"} {
					if ok, c := can(s, g.ARN, a); ok {
						admin(s, "group-"+strings.ToLower(strings.TrimPrefix(a, "iam:"))+" on "+g.Name, c, a)
					}
				}
			}
		}
		roles := assumable[s.id]
		if !s.user {
			roles = append(roles, s)
		}
		for _, r := range roles {
			for _, a := range []string{"iam:PutRolePolicy", "iam:AttachRolePolicy"} {
				if ok, c := can(s, r.arn, a); ok {
					admin(s, "role-"+strings.ToLower(strings.TrimPrefix(a, "iam:"))+" on "+r.name, c, a)
				}
			}
		}
		// Rewrite a customer-managed policy that applies to oneself (directly
		// or through a group) or to a role one can assume.
		versioned := map[string]bool{}
		for _, holder := range append([]*subject{s}, assumable[s.id]...) {
			for _, a := range holder.pols {
				if a.pol.ARN == "" || strings.HasPrefix(a.pol.ARN, "arn:aws:iam::aws:") || versioned[a.pol.ARN] {
					continue // inline and AWS-managed policies cannot be versioned
				}
				for _, act := range []string{"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"} {
					if ok, c := can(s, a.pol.ARN, act); ok {
						versioned[a.pol.ARN] = true
						where := ""
						if holder != s {
							where = " (attached to " + holder.name + ")"
						}
						admin(s, "policy-version on "+a.pol.Name+where, c, act)
						break
					}
				}
			}
		}
		// Add oneself to a group → its permissions.
		if s.user {
			for _, g := range t.d.Groups {
				gid := groupID(acct, g.Name)
				if slices.Contains(s.groups, gid) {
					continue
				}
				if ok, c := can(s, g.ARN, "iam:AddUserToGroup"); ok {
					t.joinGroup(s, g.Name, c)
				}
			}
		}
		// Rewrite a role's trust policy → assume it.
		for _, r := range t.subjects {
			if r.user || r == s {
				continue
			}
			if ok, _ := can(s, r.arn, "iam:UpdateAssumeRolePolicy"); ok && !s.denies("sts:AssumeRole", r.arn) {
				t.delegate(s.id, r.id, schema.DelegAssumeRole, iam.Escalation("updateassumerolepolicy on "+r.name, "iam:UpdateAssumeRolePolicy"))
			}
		}
		// PassRole to a service that runs code as the role: the service
		// actions do not depend on the role, so they are checked once.
		var techs []int
		for i, tech := range passRoleTechniques {
			if ok, _ := can(s, "", tech.actions...); ok {
				techs = append(techs, i)
			}
		}
		ssm, _ := can(s, "", "ssm:SendCommand")
		if len(techs) == 0 && !ssm {
			continue
		}
		for _, r := range t.subjects {
			if r.user || r == s || len(trusted[r.id]) == 0 {
				continue
			}
			passed := -1 // unknown
			for _, i := range techs {
				tech := passRoleTechniques[i]
				if !trusted[r.id][tech.service] {
					continue
				}
				if passed < 0 {
					passed = 0
					if ok, _ := can(s, r.arn, "iam:PassRole"); ok {
						passed = 1
					}
				}
				if passed == 1 {
					t.delegate(s.id, r.id, schema.DelegRunAs, iam.Escalation(tech.name+" as "+r.name, append([]string{"iam:PassRole"}, tech.actions...)...))
				}
			}
			// ssm:SendCommand runs commands on instances that already carry a
			// role (through an instance profile); no PassRole needed.
			if ssm && trusted[r.id]["ec2.amazonaws.com"] && instanceProfile[r.id] {
				t.delegate(s.id, r.id, schema.DelegRunAs, iam.Escalation("ssm-sendcommand as "+r.name, "ssm:SendCommand"))
			}
		}
	}
}

// joinGroup gives s, who may add itself to group name, the grants the
// group's policies would give it as a member: evaluated like a member's
// (its own and the group's Denies, its boundary), with the technique in the
// evidence.
func (t *transformer) joinGroup(s *subject, name string, cond bool) {
	member := *s
	member.pols = append(slices.Clone(s.pols), t.groupPols[name]...)
	member.mayCache = nil // other policies
	esc := escalated{technique: "privesc:addusertogroup on " + name + " (iam:AddUserToGroup)", cond: cond}
	for _, a := range t.groupPols[name] {
		t.policyGrants(a, []*subject{&member}, s.id, esc)
	}
}

// roles are the roles of the details (none without details).
func (t *transformer) roles() []Role {
	if t.d == nil {
		return nil
	}
	return t.d.Roles
}

func (t *transformer) group(gid string) Group {
	for _, g := range t.d.Groups {
		if groupID(t.acct, g.Name) == gid {
			return g
		}
	}
	return Group{}
}

// parseAWSTime parses an IAM CreateDate ("2019-12-12T12:55:41Z",
// "2019-12-12 12:55:41+00:00"); zero when it cannot.
func parseAWSTime(s string) time.Time {
	t, _ := reportTime(s)
	return t
}

// report maps credential-report rows onto credentials (never secrets: the
// report has none, and only the columns of ReportRow are read). Users that
// the details do not list are declared from the report; a report read
// without details declares its account and users too, and Read hands them to
// the loader as placeholders (ingest.File.AddPlaceholder), so the details of
// the same account in another source of the load win.
func (t *transformer) report(rep *Report) {
	acct, sys := t.acct, systemID(t.acct)
	for _, row := range rep.Rows {
		id := userID(acct, row.User)
		if row.IsRoot() {
			id = rootID(acct)
		}
		switch {
		case t.declared[id]:
		case row.IsRoot():
			t.identity(graph.Identity{ID: id, Name: "root", Type: schema.IdentityHuman, BreakGlass: true,
				Tags: map[string]string{"arn": "arn:aws:iam::" + acct + ":root"}})
		default:
			typ, why := schema.IdentityHuman, ""
			switch {
			case serviceAccountName.MatchString(row.User):
				typ, why = schema.IdentityServiceAccount, "aws-iam: user name looks like a service account"
			case !row.PasswordOn && (row.Keys[0].Active || row.Keys[1].Active):
				typ, why = schema.IdentityServiceAccount, "aws-iam: no console password, active access key"
			}
			t.identity(graph.Identity{ID: id, Name: row.User, Type: typ, NonhumanRationale: why, CreatedAt: row.Created,
				Tags: map[string]string{"arn": row.ARN, "source": "credential report only"}})
			// Its policies are unknown; a trust policy with Principal "*"
			// still lets it assume the role.
			for _, r := range t.roles() {
				for _, st := range trustStatements(r) {
					if st.Principal.Any {
						t.delegate(id, roleID(acct, r.Name), schema.DelegAssumeRole, "trust policy of "+r.Name+": Principal *")
					}
				}
			}
		}
		if row.PasswordOn {
			t.out.CredentialList = append(t.out.CredentialList, graph.Credential{ID: id + ":console_password", Identity: id,
				Type: schema.CredPassword, Systems: []string{sys}, LastRotatedAt: row.PasswordChange, LastUsedAt: row.PasswordUsed})
		}
		for i, k := range row.Keys {
			if k.Present {
				t.out.CredentialList = append(t.out.CredentialList, graph.Credential{ID: id + ":access_key_" + string(rune('1'+i)), Identity: id,
					Type: schema.CredAccessKey, Systems: []string{sys}, CreatedAt: k.LastRotated, LastRotatedAt: k.LastRotated,
					LastUsedAt: k.LastUsed, Revoked: !k.Active})
			}
		}
		for i, c := range row.Certs {
			if c.Present {
				t.out.CredentialList = append(t.out.CredentialList, graph.Credential{ID: id + ":signing_cert_" + string(rune('1'+i)), Identity: id,
					Type: schema.CredCertificate, Systems: []string{sys}, CreatedAt: c.LastRotated, LastRotatedAt: c.LastRotated, Revoked: !c.Active})
			}
		}
	}
}
