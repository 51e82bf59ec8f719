package awsiam_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/iam"
)

const acct = "111122223333"

// details builds an authorization-details document with one user "u" holding
// the given inline policy statements (JSON), in group "g" with gstmts.
func details(t *testing.T, stmts string, extra string) *awsiam.Details {
	t.Helper()
	doc := fmt.Sprintf(`{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::%[1]s:user/u","GroupList":["g"],
	  "UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":[%[2]s]}}]}],
	  "GroupDetailList":[{"GroupName":"g","Arn":"arn:aws:iam::%[1]s:group/g"}],
	  "RoleDetailList":[%[3]s],"Policies":[]}`, acct, stmts, extra)
	d, probs, err := awsiam.ParseDetails([]byte(doc))
	require.NoError(t, err)
	require.Empty(t, probs)
	return d
}

func transform(t *testing.T, d *awsiam.Details) *graph.Dataset {
	t.Helper()
	ds, err := awsiam.Transform(d, nil, nil)
	require.NoError(t, err)
	return ds
}

func grantsOf(ds *graph.Dataset, principal string) map[string]graph.Grant {
	out := map[string]graph.Grant{}
	for _, g := range ds.GrantList {
		if g.Principal == principal {
			out[string(g.Action)+" "+g.Resource] = g
		}
	}
	return out
}

const user = "aws:" + acct + ":user/u"
const sys = "aws:" + acct

// on is the node standing for every resource of service svc in the account.
func on(svc string) string { return sys + ":resources/" + svc }

func TestClassify(t *testing.T) {
	for pat, want := range map[string]string{
		"*": "admin", "*:*": "admin", "iam:*": "admin",
		"s3:GetObject": "read export", "s3:Get*": "read export", "s3:ListBucket": "read",
		"ec2:Describe*": "read", "ec2:De*": "read write", "s3:PutObject": "write",
		"iam:AttachUserPolicy": "write", "s3:*": "read write export", "lambda:*": "read write",
		"secretsmanager:GetSecretValue": "read export", "dynamodb:Scan": "read export",
	} {
		got := iam.Classify(pat)
		assert.Equal(t, want, strings.Join(schema.Strings(got), " "), pat)
	}
}

func TestWildcardActionsAndARNs(t *testing.T) {
	ds := transform(t, details(t, `{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::fin-*/*"}`, ""))
	g := grantsOf(ds, user)
	require.Contains(t, g, "read arn:aws:s3:::fin-*/*")
	assert.Contains(t, g, "export arn:aws:s3:::fin-*/*")
	assert.NotContains(t, g, "write arn:aws:s3:::fin-*/*")
	assert.Equal(t, "s3:Get* on arn:aws:s3:::fin-*/* (policy p)", g["read arn:aws:s3:::fin-*/*"].Native)
	var kind string
	for _, r := range ds.ResourceList {
		if r.ID == "arn:aws:s3:::fin-*/*" {
			kind = r.Kind
			assert.Equal(t, sys, r.System)
		}
	}
	assert.Equal(t, "aws:s3", kind)
}

func TestDenyPrecedence(t *testing.T) {
	// A Deny covering the Allow's action and resource removes the grant.
	ds := transform(t, details(t, `{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"},
	  {"Effect":"Deny","Action":"s3:*","Resource":"*"}`, ""))
	assert.Empty(t, grantsOf(ds, user))
	// A partial Deny keeps it, as an exception of its native clause.
	ds = transform(t, details(t, `{"Effect":"Allow","Action":"s3:*","Resource":"*"},
	  {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::ledger/*"}`, ""))
	g := grantsOf(ds, user)["write "+on("s3")]
	assert.Equal(t, "s3:* on * except s3:DeleteObject on arn:aws:s3:::ledger/* (policy p, Deny in p)", g.Native)
	n, err := iam.Parse(g.Native)
	require.NoError(t, err)
	ok, _ := n.Match("s3:DeleteObject", "arn:aws:s3:::ledger/2026.csv", acct)
	assert.False(t, ok, "the Deny applies")
	ok, _ = n.Match("s3:DeleteObject", "arn:aws:s3:::other/x", acct)
	assert.True(t, ok, "outside the Deny")
	// A conditional Deny keeps it, conditional.
	ds = transform(t, details(t, `{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"},
	  {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}`, ""))
	g = grantsOf(ds, user)["write "+on("s3")]
	assert.True(t, g.Conditional)
}

func TestDenyOnGroupMember(t *testing.T) {
	// The group's allow stays on the group unless a member denies it; then it
	// lands on the members that keep it.
	doc := fmt.Sprintf(`{"UserDetailList":[
	  {"UserName":"a","Arn":"arn:aws:iam::%[1]s:user/a","GroupList":["g"]},
	  {"UserName":"b","Arn":"arn:aws:iam::%[1]s:user/b","GroupList":["g"],"UserPolicyList":[{"PolicyName":"no","PolicyDocument":{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}}]}],
	  "GroupDetailList":[{"GroupName":"g","Arn":"arn:aws:iam::%[1]s:group/g","GroupPolicyList":[{"PolicyName":"gp","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}}]}]}`, acct)
	d, _, err := awsiam.ParseDetails([]byte(doc))
	require.NoError(t, err)
	ds := transform(t, d)
	assert.Empty(t, grantsOf(ds, "aws:"+acct+":group/g"))
	assert.Contains(t, grantsOf(ds, "aws:"+acct+":user/a"), "write "+on("ec2"))
	assert.Empty(t, grantsOf(ds, "aws:"+acct+":user/b"))
}

func TestNotActionAndNotResource(t *testing.T) {
	// Allow NotAction iam:* (PowerUser): everything but admin.
	ds := transform(t, details(t, `{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}`, ""))
	g := grantsOf(ds, user)
	assert.Contains(t, g, "write "+sys)
	assert.NotContains(t, g, "admin "+sys)
	// Deny NotAction s3:* removes an ec2 allow, not an s3 one.
	ds = transform(t, details(t, `{"Effect":"Allow","Action":["ec2:RunInstances","s3:PutObject"],"Resource":"*"},
	  {"Effect":"Deny","NotAction":"s3:*","Resource":"*"}`, ""))
	g = grantsOf(ds, user)
	require.Contains(t, g, "write "+on("s3"))
	assert.Equal(t, "s3:PutObject on * (policy p)", g["write "+on("s3")].Native)
	// Allow NotResource lands on the account; its native clause keeps the exclusion.
	ds = transform(t, details(t, `{"Effect":"Allow","Action":"s3:PutObject","NotResource":"arn:aws:s3:::secret/*"}`, ""))
	assert.Equal(t, "s3:PutObject on NotResource[arn:aws:s3:::secret/*] (policy p)", grantsOf(ds, user)["write "+on("s3")].Native)
}

func TestConditionalAllow(t *testing.T) {
	ds := transform(t, details(t, `{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`, ""))
	g := grantsOf(ds, user)["write "+on("s3")]
	assert.True(t, g.Conditional)
}

func TestTrustAndPassRole(t *testing.T) {
	role := func(name, principal string) string {
		return fmt.Sprintf(`{"RoleName":%q,"Arn":"arn:aws:iam::%s:role/%s","AssumeRolePolicyDocument":{"Statement":[{"Effect":"Allow","Principal":%s,"Action":"sts:AssumeRole"}]},
		  "RolePolicyList":[{"PolicyName":"all","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}]}`, name, acct, name, principal)
	}
	roles := strings.Join([]string{
		role("lambda-admin", `{"Service":"lambda.amazonaws.com"}`),
		role("ec2-admin", `{"Service":"ec2.amazonaws.com"}`),
		role("by-user", fmt.Sprintf(`{"AWS":"arn:aws:iam::%s:user/u"}`, acct)),
		role("by-root", fmt.Sprintf(`{"AWS":"arn:aws:iam::%s:root"}`, acct)),
		role("ext", `{"AWS":"arn:aws:iam::999999999999:root"}`),
		role("fed", `{"Federated":"arn:aws:iam::111122223333:saml-provider/okta"}`),
	}, ",")
	ds := transform(t, details(t, `{"Effect":"Allow","Action":["iam:PassRole"],"Resource":"arn:aws:iam::111122223333:role/lambda-*"},
	  {"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction","ec2:RunInstances"],"Resource":"*"}`, roles))
	r := func(n string) string { return "aws:" + acct + ":role/" + n }
	has := func(from, to string, k schema.DelegationKind) bool {
		for _, d := range ds.DelegationList {
			if d.From == from && d.To == to && d.Kind == k {
				return true
			}
		}
		return false
	}
	assert.True(t, has(user, r("lambda-admin"), schema.DelegRunAs), "PassRole + lambda create/invoke")
	assert.False(t, has(user, r("ec2-admin"), schema.DelegRunAs), "PassRole does not cover ec2-admin")
	assert.True(t, has(user, r("by-user"), schema.DelegAssumeRole))
	// The account root in a trust policy means: principals of the account
	// whose own policies allow sts:AssumeRole on the role. u's do not.
	assert.False(t, has(user, r("by-root"), schema.DelegAssumeRole))
	assert.True(t, has("aws:"+acct+":external/arn:aws:iam::999999999999:root", r("ext"), schema.DelegAssumeRole))
	assert.True(t, has("aws:"+acct+":federated/arn:aws:iam::111122223333:saml-provider/okta", r("fed"), schema.DelegAssumeRole))
	assert.True(t, has("aws:"+acct+":service/ec2.amazonaws.com", r("ec2-admin"), schema.DelegAssumeRole))
}

func TestEscalationEdges(t *testing.T) {
	other := fmt.Sprintf(`{"UserName":"v","Arn":"arn:aws:iam::%s:user/v"}`, acct)
	doc := fmt.Sprintf(`{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::%[1]s:user/u","GroupList":["g"],
	  "UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":[
	    {"Effect":"Allow","Action":["iam:CreateAccessKey"],"Resource":"arn:aws:iam::%[1]s:user/*"},
	    {"Effect":"Allow","Action":["iam:PutUserPolicy"],"Resource":"arn:aws:iam::%[1]s:user/${aws:username}"},
	    {"Effect":"Allow","Action":["iam:UpdateAssumeRolePolicy"],"Resource":"arn:aws:iam::%[1]s:role/r"}]}}]}, %[2]s],
	  "GroupDetailList":[{"GroupName":"g","Arn":"arn:aws:iam::%[1]s:group/g"}],
	  "RoleDetailList":[{"RoleName":"r","Arn":"arn:aws:iam::%[1]s:role/r"}]}`, acct, other)
	d, _, err := awsiam.ParseDetails([]byte(doc))
	require.NoError(t, err)
	ds := transform(t, d)
	assert.Contains(t, ds.DelegationList, graph.Delegation{From: user, To: "aws:" + acct + ":user/v", Kind: schema.DelegOther,
		Native: "privesc:createaccesskey on v (iam:CreateAccessKey)"})
	assert.Contains(t, ds.DelegationList, graph.Delegation{From: user, To: "aws:" + acct + ":role/r", Kind: schema.DelegAssumeRole,
		Native: "privesc:updateassumerolepolicy on r (iam:UpdateAssumeRolePolicy)"})
	g := grantsOf(ds, user)["admin "+sys]
	assert.Equal(t, "privesc:self-putuserpolicy (iam:PutUserPolicy)", g.Native)
	// v cannot do any of it.
	assert.Empty(t, grantsOf(ds, "aws:"+acct+":user/v"))
}

func TestParsePolicyShapes(t *testing.T) {
	p, err := awsiam.ParsePolicy([]byte(`"%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%7D"`))
	require.NoError(t, err)
	require.Len(t, p.Statements, 1)
	assert.Equal(t, []string{"s3:*"}, p.Statements[0].Action)
	_, err = awsiam.ParsePolicy([]byte(`{"Statement":[{"Effect":"Maybe","Action":"*"}]}`))
	assert.Error(t, err)
	_, err = awsiam.ParsePolicy([]byte(`{"Statement":[{"Effect":"Allow","Resource":"*"}]}`))
	assert.Error(t, err)
}

// FuzzPolicy: ParsePolicy never panics, and what it accepts survives a
// round trip through the grant transform.
func FuzzPolicy(f *testing.F) {
	f.Add(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
	f.Add(`{"Statement":[{"Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::*","Condition":{"Bool":{"x":"y"}}}]}`)
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*"],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	f.Add(`"%7B%7D"`)
	f.Add(`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*",1,true]},"DateLessThan":{"aws:TokenIssueTime":"2020-01-01"}}}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := awsiam.ParsePolicy([]byte(doc))
		if err != nil {
			return
		}
		if !json.Valid([]byte(doc)) {
			return
		}
		for _, st := range p.Statements {
			for _, a := range st.Action {
				_ = iam.Classify(a)
			}
		}
		gaad := fmt.Sprintf(`{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::%s:user/u","UserPolicyList":[{"PolicyName":"p","PolicyDocument":%s}]}]}`, acct, doc)
		d, _, err := awsiam.ParseDetails([]byte(gaad))
		if err != nil {
			return
		}
		ds, err := awsiam.Transform(d, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range ds.GrantList {
			n, err := iam.Parse(g.Native)
			require.NoError(t, err, "grant native %q is outside the grammar", g.Native)
			assert.Equal(t, g.Native, n.String())
		}
	})
}

// TestRootTrust: a trust policy naming the account root lets exactly the
// principals whose own policies allow sts:AssumeRole on the role assume it
// (conditionally allowed ones too, noted).
func TestRootTrust(t *testing.T) {
	doc := fmt.Sprintf(`{"UserDetailList":[
	  {"UserName":"can","Arn":"arn:aws:iam::%[1]s:user/can","UserPolicyList":[{"PolicyName":"a","PolicyDocument":{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::%[1]s:role/fin-*"}}}]},
	  {"UserName":"mfa","Arn":"arn:aws:iam::%[1]s:user/mfa","UserPolicyList":[{"PolicyName":"a","PolicyDocument":{"Statement":{"Effect":"Allow","Action":"sts:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}}}]},
	  {"UserName":"denied","Arn":"arn:aws:iam::%[1]s:user/denied","UserPolicyList":[{"PolicyName":"a","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}}]},
	  {"UserName":"cannot","Arn":"arn:aws:iam::%[1]s:user/cannot"}],
	  "RoleDetailList":[{"RoleName":"fin-admin","Arn":"arn:aws:iam::%[1]s:role/fin-admin",
	    "AssumeRolePolicyDocument":{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%[1]s:root"},"Action":"sts:AssumeRole"}]}}]}`, acct)
	d, _, err := awsiam.ParseDetails([]byte(doc))
	require.NoError(t, err)
	ds := transform(t, d)
	got := map[string]string{}
	for _, x := range ds.DelegationList {
		if x.To == "aws:"+acct+":role/fin-admin" {
			got[strings.TrimPrefix(x.From, "aws:"+acct+":")] = x.Native
		}
	}
	assert.Equal(t, map[string]string{
		"user/can": "trust policy of fin-admin names the account, and can's policies allow sts:AssumeRole on it",
		"user/mfa": "trust policy of fin-admin names the account, and mfa's policies allow sts:AssumeRole on it under a condition",
	}, got)
}

// TestBoundaryWithin: a boundary covering part of an Allow keeps the grant
// with the boundary's clauses as "within", so native matching stays exact.
func TestBoundaryWithin(t *testing.T) {
	doc := fmt.Sprintf(`{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::%[1]s:user/u",
	    "PermissionsBoundary":{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"arn:aws:iam::%[1]s:policy/b"},
	    "UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}}]}],
	  "Policies":[{"PolicyName":"b","Arn":"arn:aws:iam::%[1]s:policy/b","DefaultVersionId":"v1","PolicyVersionList":[{"VersionId":"v1","IsDefaultVersion":true,
	    "Document":{"Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::fin/*"}}}]}]}`, acct)
	d, _, err := awsiam.ParseDetails([]byte(doc))
	require.NoError(t, err)
	ds := transform(t, d)
	g := grantsOf(ds, user)["read "+on("s3")]
	assert.Equal(t, "s3:* on * within s3:Get* on arn:aws:s3:::fin/* (policy p, partly outside the permissions boundary)", g.Native)
	n, err := iam.Parse(g.Native)
	require.NoError(t, err)
	ok, _ := n.Match("s3:GetObject", "arn:aws:s3:::fin/q1.csv", acct)
	assert.True(t, ok)
	ok, _ = n.Match("s3:PutObject", "arn:aws:s3:::fin/q1.csv", acct)
	assert.False(t, ok, "outside the boundary")
}

// TestServiceScope: an action on "*" lands on its service's node, so
// cloudwatch:PutMetricData on "*" is no write on S3 finance data, while
// s3:PutObject on "*" is (the finance bucket is a child of the S3 node).
func TestServiceScope(t *testing.T) {
	cfg, probs, err := awsiam.ParseConfig(strings.NewReader("resources:\n  - arn: arn:aws:s3:::fin-ledger/*\n    kind: journal_entry\n    sox_scope: true\n"))
	require.NoError(t, err)
	require.Empty(t, probs)
	for stmt, want := range map[string]bool{
		`{"Effect":"Allow","Action":"cloudwatch:PutMetricData","Resource":"*"}`:      false,
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}`:                  true,
		`{"Effect":"Allow","Action":"*","Resource":"*"}`:                             true,
		`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`:                      true,
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::fin-*"}`: true,
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::hr-*"}`:  false,
	} {
		ds, err := awsiam.Transform(details(t, stmt, ""), nil, cfg)
		require.NoError(t, err)
		e := engine(t, ds)
		who := whoCan(t, e, schema.ActionWrite, "arn:aws:s3:::fin-ledger/*")
		_, ok := who[user]
		assert.Equal(t, want, ok, stmt)
		if ok {
			assert.True(t, who[user].Critical, "write on a SOX journal entry is critical")
		}
	}
}

// TestAddUserToGroupAndForeignPolicyVersion: a user who may add itself to a
// group gets the grants the group's policies would give it as a member (its
// own boundary still applies); one who may version a customer-managed policy
// attached to a role it can assume becomes admin.
func TestAddUserToGroupAndForeignPolicyVersion(t *testing.T) {
	doc := fmt.Sprintf(`{"UserDetailList":[
	  {"UserName":"u","Arn":"arn:aws:iam::%[1]s:user/u","UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":[
	    {"Effect":"Allow","Action":"iam:AddUserToGroup","Resource":"arn:aws:iam::%[1]s:group/admins"}]}}]},
	  {"UserName":"b","Arn":"arn:aws:iam::%[1]s:user/b",
	    "PermissionsBoundary":{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"arn:aws:iam::%[1]s:policy/s3only"},
	    "UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":[
	    {"Effect":"Allow","Action":"iam:AddUserToGroup","Resource":"*"}]}}]},
	  {"UserName":"v","Arn":"arn:aws:iam::%[1]s:user/v","UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":[
	    {"Effect":"Allow","Action":["sts:AssumeRole","iam:CreatePolicyVersion"],"Resource":"*"}]}}]}],
	  "GroupDetailList":[{"GroupName":"admins","Arn":"arn:aws:iam::%[1]s:group/admins","AttachedManagedPolicies":[{"PolicyName":"AdministratorAccess","PolicyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}]}],
	  "RoleDetailList":[{"RoleName":"ops","Arn":"arn:aws:iam::%[1]s:role/ops",
	    "AssumeRolePolicyDocument":{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%[1]s:root"},"Action":"sts:AssumeRole"}]},
	    "AttachedManagedPolicies":[{"PolicyName":"opsp","PolicyArn":"arn:aws:iam::%[1]s:policy/opsp"}]}],
	  "Policies":[
	    {"PolicyName":"s3only","Arn":"arn:aws:iam::%[1]s:policy/s3only","DefaultVersionId":"v1","PolicyVersionList":[{"VersionId":"v1","IsDefaultVersion":true,
	      "Document":{"Statement":{"Effect":"Allow","Action":["s3:*","iam:AddUserToGroup"],"Resource":"*"}}}]},
	    {"PolicyName":"opsp","Arn":"arn:aws:iam::%[1]s:policy/opsp","DefaultVersionId":"v1","PolicyVersionList":[{"VersionId":"v1","IsDefaultVersion":true,
	      "Document":{"Statement":{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}}}]}]}`, acct)
	d, probs, err := awsiam.ParseDetails([]byte(doc))
	require.NoError(t, err)
	require.Empty(t, probs)
	ds := transform(t, d)
	u := grantsOf(ds, user)
	require.Contains(t, u, "admin "+sys)
	assert.Equal(t, "* on * (policy AdministratorAccess via privesc:addusertogroup on admins (iam:AddUserToGroup))", u["admin "+sys].Native)
	assert.Len(t, natives(ds, user, schema.ActionAdmin, sys), 1, "admin once in the group: no further technique on top")
	b := grantsOf(ds, "aws:"+acct+":user/b")
	assert.NotContains(t, b, "admin "+sys, "b's boundary keeps only s3 of the group's *")
	require.Contains(t, b, "write "+on("s3"), "narrowed to the boundary's s3:*, on the S3 node")
	assert.Contains(t, b["write "+on("s3")].Native, "within")
	assert.NotContains(t, b, "write "+sys)
	v := grantsOf(ds, "aws:"+acct+":user/v")
	require.Contains(t, v, "admin "+sys)
	assert.Equal(t, "privesc:policy-version on opsp (attached to ops) (iam:CreatePolicyVersion)", v["admin "+sys].Native)
}
