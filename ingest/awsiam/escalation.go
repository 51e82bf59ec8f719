package awsiam

import (
	"strconv"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

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
		t.tagIdentity(id, "aws_mfa_active", strconv.FormatBool(row.MFA))
		t.tagIdentity(id, "aws_console_login", strconv.FormatBool(row.PasswordOn))
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

// tagIdentity sets a tag on a declared identity.
func (t *transformer) tagIdentity(id, key, value string) {
	if i, ok := t.identIdx[id]; ok {
		x := &t.out.IdentityList[i]
		if x.Tags == nil {
			x.Tags = map[string]string{}
		}
		x.Tags[key] = value
	}
}
