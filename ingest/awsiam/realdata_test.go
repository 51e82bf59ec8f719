package awsiam_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
	"github.com/reachgraph/reachgraph/schema"
)

// CloudMapper demo (testdata/cloudmapper-demo, EXPECTED.md): the admin finder
// returns role bad_role ("*" on "*"), whose trust policy lets any principal
// anywhere assume it.
func TestCloudMapperDemoAdmins(t *testing.T) {
	d := load(t, "testdata/cloudmapper-demo")
	const acct = "aws:123456789012"
	assert.Contains(t, natives(d, acct+":role/bad_role", schema.ActionAdmin, acct), "* on * (policy dostuff)", "bad_role has admin on the account")
	var direct []string
	for _, g := range d.GrantList {
		if g.Action == schema.ActionAdmin && g.Resource == acct && g.Principal != acct+":root" && !slices.Contains(direct, g.Principal) {
			direct = append(direct, g.Principal)
		}
	}
	assert.Equal(t, []string{acct + ":role/bad_role"}, direct, "exactly one IAM admin by policy, like CloudMapper's admin finder")
	assert.True(t, hasDelegation(d, acct+":anyone", acct+":role/bad_role", schema.DelegAssumeRole))
	assert.True(t, hasDelegation(d, acct+":service/ec2.amazonaws.com", acct+":role/exfiller", schema.DelegAssumeRole))

	e := engine(t, d)
	who := whoCan(t, e, schema.ActionAdmin, acct)
	require.Contains(t, who, acct+":role/bad_role")
	require.Contains(t, who, acct+":anyone", "anyone reaches admin through bad_role's trust")
	path := who[acct+":anyone"].Paths[0]
	assert.Equal(t, schema.EdgeCanActAs, path[0].Edge)
	assert.Equal(t, acct+":role/bad_role", path[0].To)
	// Every user of the account reaches it too (Principal "*"), with the
	// trust policy as the hop's evidence.
	assert.Contains(t, who, acct+":user/USER")
	assert.Equal(t, "trust policy of bad_role: Principal *", who[acct+":user/USER"].Paths[0][0].Native)
	assert.Contains(t, who, acct+":user/auditor_tmp") // declared from the credential report

	// exfiller (trusted by ec2) has s3:* on *: write and export on the
	// account's S3 resources, not on the whole account.
	assert.NotNil(t, hasGrant(d, acct+":role/exfiller", schema.ActionExport, acct+":resources/s3"))
	assert.Nil(t, hasGrant(d, acct+":role/exfiller", schema.ActionWrite, acct), "s3:* does not reach other services")
	assert.Nil(t, hasGrant(d, acct+":role/exfiller", schema.ActionAdmin, acct), "s3:* is not admin")
	// USER is in GROUP_WITH_BAD_INLINE_POLICY.
	assert.Contains(t, d.MembershipList, membership(acct+":user/USER", acct+":group/GROUP_WITH_BAD_INLINE_POLICY"))
}

// The CloudMapper demo credential report (EXPECTED.md facts).
func TestCloudMapperDemoCredentials(t *testing.T) {
	d := load(t, "testdata/cloudmapper-demo")
	const acct = "aws:123456789012"
	byID := map[string]int{}
	for i, c := range d.CredentialList {
		byID[c.ID] = i
		assert.Equal(t, []string{acct}, c.Systems)
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	assert.Equal(t, []string{
		acct + ":root:access_key_1", acct + ":root:console_password",
		acct + ":user/auditor_tmp:access_key_1",
		acct + ":user/user:access_key_1", acct + ":user/user:access_key_2", acct + ":user/user:console_password",
	}, ids)
	k2 := d.CredentialList[byID[acct+":user/user:access_key_2"]]
	assert.Equal(t, "2018-05-07T15:35:54Z", k2.LastUsedAt.Format("2006-01-02T15:04:05Z07:00"))
	assert.False(t, k2.Revoked)
	k1 := d.CredentialList[byID[acct+":user/user:access_key_1"]]
	assert.True(t, k1.LastUsedAt.IsZero(), "key 1 never used")
	for _, id := range d.IdentityList {
		if id.ID == acct+":user/auditor_tmp" {
			assert.Equal(t, schema.IdentityServiceAccount, id.Type, "no password, active key")
		}
		if id.ID == acct+":user/user" {
			assert.Equal(t, schema.IdentityHuman, id.Type)
		}
	}
	// The root user's access key makes its admin effective.
	who := whoCan(t, engine(t, d), schema.ActionAdmin, acct)
	assert.True(t, who[acct+":root"].Effective)
}

// cloudsplaining: obama is in group admin (AdministratorAccess) and has it
// attached himself; biden's InsecureUserPolicy allows privilege escalation.
func TestCloudsplainingAdminsAndEscalation(t *testing.T) {
	d := load(t, "testdata/cloudsplaining-example-authz-details.json")
	const acct = "aws:012345678901"
	assert.NotNil(t, hasGrant(d, acct+":group/admin", schema.ActionAdmin, acct))
	assert.NotNil(t, hasGrant(d, acct+":user/obama", schema.ActionAdmin, acct))
	who := whoCan(t, engine(t, d), schema.ActionAdmin, acct)
	for _, u := range []string{"obama", "userwithlotsofpermissions"} {
		assert.Contains(t, who, acct+":user/"+u)
	}
	// userwithlotsofpermissions holds * on * through its group: admin
	// directly, never through an escalation step.
	for _, g := range d.GrantList {
		assert.NotContains(t, g.Native, "privesc:", "no one here needs an escalation grant")
	}
	hops := who[acct+":user/userwithlotsofpermissions"].Paths[0]
	require.Len(t, hops, 2)
	assert.Equal(t, schema.EdgeMemberOf, hops[0].Edge)
	assert.Equal(t, "* on * (policy AdministratorAccess)", hops[1].Native)
	// OverprivilegedEC2 may create access keys for every user: one hop each.
	assert.Contains(t, d.DelegationList, graph.Delegation{From: acct + ":role/OverprivilegedEC2", To: acct + ":user/obama",
		Kind: schema.DelegOther, Native: "privesc:createaccesskey on obama (iam:CreateAccessKey)"})
}

// IAMSpy: a permissions boundary that does not allow lambda:InvokeFunction
// removes the grant; one that allows "*" keeps it.
func TestIAMSpyBoundaries(t *testing.T) {
	allow := load(t, "testdata/iamspy/user-boundary-allow.json")
	g := hasGrant(allow, "aws:123456789012:user/PermissionBoundaryAllow", schema.ActionWrite, "aws:123456789012:resources/lambda")
	require.NotNil(t, g)
	assert.Contains(t, g.Native, "lambda:InvokeFunction")

	deny := load(t, "testdata/iamspy/user-boundary-deny.json")
	for _, g := range deny.GrantList {
		assert.NotContains(t, g.Native, "lambda:InvokeFunction", "the boundary blocks it")
	}
	rdeny := load(t, "testdata/iamspy/role-boundary-deny.json")
	for _, g := range rdeny.GrantList {
		assert.NotContains(t, g.Native, "lambda:InvokeFunction")
	}
	basic := load(t, "testdata/iamspy/basic-allow.json")
	assert.NotNil(t, hasGrant(basic, "aws:123456789012:role/name", schema.ActionWrite, "aws:123456789012:resources/lambda"))
	assert.Empty(t, basic.DelegationList, "the trust policy names the account, and no principal's policies allow sts:AssumeRole")
}

// Cloud Custodian report: users with an active, never-used key.
func TestCustodianCredentialReport(t *testing.T) {
	rep, probs, err := parseFile(t, "testdata/custodian-iam_user_unused_keys.csv")
	require.NoError(t, err)
	require.Empty(t, probs)
	var never []string
	for _, r := range rep.Rows {
		for _, k := range r.Keys {
			if k.Active && k.LastUsed.IsZero() {
				never = append(never, r.User)
			}
		}
	}
	slices.Sort(never)
	assert.Equal(t, []string{"Hazmat", "charmworld", "kaleb", "kapilt"}, never)
}

// TestIAMSpyNativeQueries checks whocan --native against the "who can"
// answers of IAMSpy's own test suite (EXPECTED.md), comparing the IAM users
// and roles found (IAMSpy does not report the root user, nor principals that
// reach the role by assuming it; none can here). The cases that need a
// resource policy (cross-account-rp, resource-s3-*) are not modelled.
func TestIAMSpyNativeQueries(t *testing.T) {
	const fn = "arn:aws:lambda:eu-west-1:123456789012:function:helloworld"
	const other = "arn:aws:lambda:eu-west-1:111111111111:function:helloworld"
	for _, c := range []struct {
		file, resource string
		want           []string
	}{
		{"basic-allow.json", fn, []string{"role/name"}},
		{"basic-allow.json", other, nil}, // another account, no resource policy
		{"basic-deny.json", fn, nil},
		{"user-boundary-allow.json", fn, []string{"user/PermissionBoundaryAllow"}},
		{"user-boundary-deny.json", fn, nil},
		{"role-boundary-allow.json", fn, []string{"role/name"}},
		{"role-boundary-deny.json", fn, nil},
	} {
		e := engine(t, load(t, "testdata/iamspy/"+c.file))
		got := nativeWho(t, e, "lambda:InvokeFunction", c.resource)
		var iamPrincipals []string
		for id := range got {
			if rest, ok := strings.CutPrefix(id, "aws:123456789012:"); ok && (strings.HasPrefix(rest, "user/") || strings.HasPrefix(rest, "role/")) {
				iamPrincipals = append(iamPrincipals, rest)
			}
		}
		slices.Sort(iamPrincipals)
		assert.Equal(t, c.want, iamPrincipals, "%s: who can lambda:InvokeFunction on %s", c.file, c.resource)
		if c.resource == other {
			assert.Empty(t, got, "nobody, not even the root user, uses another account's function without a resource policy")
		}
	}
}

// TestCloudMapperNativeEscalation: on the CloudMapper demo, s3:GetObject on
// any bucket is reachable by the users of the account through bad_role's
// "Principal *" trust, and the evidence names each hop's source.
func TestCloudMapperNativeEscalation(t *testing.T) {
	const acct = "aws:123456789012"
	e := engine(t, load(t, "testdata/cloudmapper-demo"))
	got := nativeWho(t, e, "s3:GetObject", "arn:aws:s3:::fin-ledger/2026/q3.csv")
	require.Contains(t, got, acct+":role/exfiller")
	assert.Equal(t, "s3:* on * (policy tmp)", got[acct+":role/exfiller"].Paths[0][0].Native)
	u := got[acct+":user/USER"]
	require.NotEmpty(t, u.Paths)
	assert.Equal(t, schema.EdgeMemberOf, u.Paths[0][0].Edge, "USER's shortest way is its group's policy")
	assert.Contains(t, got, acct+":anyone")
	// iam:CreateUser is not in exfiller's s3:*: it gets there by assuming
	// bad_role ("*" on "*").
	got = nativeWho(t, e, "iam:CreateUser", "*")
	require.Contains(t, got, acct+":role/exfiller")
	p := got[acct+":role/exfiller"].Paths[0]
	assert.Equal(t, schema.EdgeCanActAs, p[0].Edge)
	assert.Equal(t, acct+":role/bad_role", p[0].To)
	assert.Equal(t, "* on * (policy dostuff)", p[len(p)-1].Native)
}

// TestSeparateCredentialReport: the credential report given as its own
// source next to the details loads; users only the report names are declared
// from it, and the details' declarations win for the others.
func TestSeparateCredentialReport(t *testing.T) {
	const acct = "aws:123456789012"
	dir := load(t, "testdata/cloudmapper-demo")
	sep := load(t, "testdata/cloudmapper-demo/iam-get-account-authorization-details.json", "testdata/cloudmapper-demo/credential-report.csv")
	rev := load(t, "testdata/cloudmapper-demo/credential-report.csv", "testdata/cloudmapper-demo/iam-get-account-authorization-details.json")
	ids := func(d *graph.Dataset) map[string]graph.Identity {
		out := map[string]graph.Identity{}
		for _, x := range d.IdentityList {
			out[x.ID] = x
		}
		return out
	}
	for _, d := range []*graph.Dataset{sep, rev} {
		got := ids(d)
		require.Contains(t, got, acct+":user/auditor_tmp", "declared from the report")
		assert.Equal(t, schema.IdentityServiceAccount, got[acct+":user/auditor_tmp"].Type, "no password, active key")
		assert.True(t, got[acct+":root"].BreakGlass)
		assert.Len(t, d.CredentialList, len(dir.CredentialList))
		assert.Len(t, d.SystemList, 1)
		assert.Equal(t, len(dir.IdentityList), len(d.IdentityList))
	}
	// A report alone loads too: its account and users, and their credentials.
	alone := load(t, "testdata/cloudmapper-demo/credential-report.csv")
	assert.Len(t, alone.IdentityList, 3)
	assert.Len(t, alone.CredentialList, len(dir.CredentialList))
}

// TestTransformDeterministic: the same input gives the same records in the
// same order (grants and delegations are merged in maps).
func TestTransformDeterministic(t *testing.T) {
	a := load(t, "testdata/cloudsplaining-example-authz-details.json")
	for range 3 {
		b := load(t, "testdata/cloudsplaining-example-authz-details.json")
		require.Equal(t, a.GrantList, b.GrantList)
		require.Equal(t, a.DelegationList, b.DelegationList)
		require.Equal(t, a.ResourceList, b.ResourceList)
	}
}

// TestFinanceScopeConfig: the configuration names the account, overrides
// identity types, and turns ARN patterns into finance resources that whocan
// --kind finds — through policy resources inside them (children), grants on
// broader patterns (granted on them too) and account-wide grants (system).
func TestFinanceScopeConfig(t *testing.T) {
	const acct = "aws:123456789012"
	d := loadWith(t, "testdata/finance-scope.yaml", "testdata/cloudmapper-demo")
	require.Len(t, d.SystemList, 1)
	assert.Equal(t, "finance-prod", d.SystemList[0].Name)
	assert.True(t, d.SystemList[0].SOXScope)
	ids := map[string]graph.Identity{}
	for _, x := range d.IdentityList {
		ids[x.ID] = x
	}
	au := ids[acct+":user/auditor_tmp"]
	assert.Equal(t, schema.IdentityHuman, au.Type, "the config overrides the report heuristic")
	assert.Empty(t, au.NonhumanRationale)
	assert.Equal(t, "internal-audit", au.Owners.Business)
	assert.Equal(t, schema.IdentityAIAgent, ids[acct+":role/level1"].Type)
	assert.Equal(t, "aws-iam config rule arn:aws:iam::123456789012:role/*level*", ids[acct+":role/level3"].NonhumanRationale)
	assert.Equal(t, schema.IdentityWorkload, ids[acct+":role/bad_role"].Type, "no rule: heuristics")

	res := map[string]graph.Resource{}
	for _, r := range d.ResourceList {
		res[r.ID] = r
	}
	ledger, objects := res["arn:aws:s3:::level1.flaws2.cloud*"], res["arn:aws:s3:::level1.flaws2.cloud/*"]
	assert.Equal(t, "general_ledger", ledger.Kind)
	assert.Equal(t, "arn:aws:s3:::level1.flaws2.cloud*", objects.Parent, "a policy resource inside a finance pattern is its child")
	assert.Equal(t, "general_ledger", objects.Kind)
	journal := res["arn:aws:s3:::level1.flaws2.cloud/journal/*"]
	assert.Equal(t, "arn:aws:s3:::level1.flaws2.cloud*", journal.Parent, "the most specific enclosing rule")
	// The policy's grant on level1.flaws2.cloud/* reaches into journal/*: granted there too.
	var onJournal []string
	for _, g := range d.GrantList {
		if g.Resource == journal.ID {
			onJournal = append(onJournal, g.Principal+" "+string(g.Action))
		}
	}
	assert.NotEmpty(t, onJournal)

	e := engine(t, d)
	acc, err := e.WhoCanKind(context.Background(), "journal_entry", "", schema.ActionRead, false)
	require.NoError(t, err)
	who := map[string]bool{}
	for _, a := range acc {
		who[a.Identity] = true
		assert.True(t, a.Critical == false, "read is not a critical action")
	}
	assert.True(t, who[acct+":role/exfiller"], "s3:* on * covers the account")
	assert.True(t, who[acct+":role/level1"] || who[acct+":role/level3"], "the flaws2 policy holders")
	w, err := e.WhoCanKind(context.Background(), "general_ledger", "", schema.ActionWrite, false)
	require.NoError(t, err)
	require.NotEmpty(t, w)
	for _, a := range w {
		assert.True(t, a.Critical, "write on a SOX-scoped ledger is critical (R8): %s", a.Identity)
	}
}

// TestConfigProblems: a bad configuration names file and line, and nothing
// is loaded.
func TestConfigProblems(t *testing.T) {
	_, probs, err := awsiam.ParseConfig(strings.NewReader("accounts:\n  \"12\": {name: x}\nidentities:\n  - arn: arn:aws:iam::123456789012:user/a\n    type: robot\nresources:\n  - arn: bucket\n  - arn: arn:aws:s3:::x\n    kind: ledger\n  - arn: arn:aws:s3:::x\n    kind: ledger\n"))
	require.NoError(t, err)
	var got []string
	for _, p := range probs {
		got = append(got, fmt.Sprintf("%d %s", p.Line, p.Msg))
	}
	slices.Sort(got)
	assert.Equal(t, []string{
		`10 arn "arn:aws:s3:::x" is already declared by resources[1]`,
		`2 account "12": want a 12-digit AWS account id`,
		`4 type "robot": want one of human, service_account, application, api_client, workload, bot, ai_agent`,
		`7 arn "bucket": want an ARN or ARN pattern (arn:aws:s3:::fin-ledger/*)`,
		`7 kind is required (the resource kind whocan --kind asks for, e.g. journal_entry)`,
	}, got)
	_, probs, err = awsiam.ParseConfig(strings.NewReader("resources:\n  - arn: arn:aws:s3:::x\n    kind: ledger\n    colour: red\n"))
	require.NoError(t, err)
	require.Len(t, probs, 1)
	assert.Equal(t, 4, probs[0].Line)
	assert.Contains(t, probs[0].Msg, "colour")
	_, probs, err = awsiam.ParseConfig(strings.NewReader("accounts:\n  \"111111111111\":\n    scp: [[FullAWSAccess], [], [\"\"]]\n"))
	require.NoError(t, err)
	got = nil
	for _, p := range probs {
		got = append(got, fmt.Sprintf("%d %s %s", p.Line, p.Pointer, p.Msg))
	}
	slices.Sort(got)
	assert.Equal(t, []string{
		"2 /accounts/111111111111/scp/1 a level with no SCP allows nothing; list FullAWSAccess if none is attached",
		"2 /accounts/111111111111/scp/2/0 empty SCP id or name",
	}, got)
}

// TestNativeCritical: a native answer is critical (R8) by the most specific
// resource covering the ARN asked — the SOX ledger bucket of the
// configuration — not by the node the matching grant is on (here the S3
// service node of an account outside SOX scope).
func TestNativeCritical(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "scope.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("resources:\n  - arn: \"arn:aws:s3:::level1.flaws2.cloud/*\"\n    kind: general_ledger\n    sox_scope: true\n"), 0o600))
	e := engine(t, loadWith(t, cfg, "testdata/cloudmapper-demo"))
	const exfiller = "aws:123456789012:role/exfiller"
	in := nativeWho(t, e, "s3:GetObject", "arn:aws:s3:::level1.flaws2.cloud/q3.csv")
	require.Contains(t, in, exfiller)
	assert.Equal(t, "aws:123456789012:resources/s3", in[exfiller].Paths[0][0].To, "the grant is on the S3 node")
	assert.True(t, in[exfiller].Critical, "export of an object in the SOX ledger")
	out := nativeWho(t, e, "s3:GetObject", "arn:aws:s3:::marketing/q3.csv")
	require.Contains(t, out, exfiller)
	assert.False(t, out[exfiller].Critical, "an object outside SOX scope")
}
