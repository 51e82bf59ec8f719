package awsiam_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/schema"
)

// CloudMapper demo (testdata/cloudmapper-demo, EXPECTED.md): the admin finder
// returns role bad_role ("*" on "*"), whose trust policy lets any principal
// anywhere assume it.
func TestCloudMapperDemoAdmins(t *testing.T) {
	d := load(t, "testdata/cloudmapper-demo")
	const acct = "aws:123456789012"
	g := hasGrant(d, acct+":role/bad_role", schema.ActionAdmin, acct)
	require.NotNil(t, g, "bad_role has admin on the account")
	assert.Contains(t, g.Native, "dostuff: Allow *")
	var direct []string
	for _, g := range d.GrantList {
		if g.Action == schema.ActionAdmin && g.Resource == acct && g.Principal != acct+":root" {
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
	// Every user of the account reaches it too (through the principals group).
	assert.Contains(t, who, acct+":user/USER")
	assert.Contains(t, who, acct+":user/auditor_tmp") // declared from the credential report

	// exfiller (trusted by ec2) has s3:* on *: write and export on the account.
	assert.NotNil(t, hasGrant(d, acct+":role/exfiller", schema.ActionExport, acct))
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
	var techniques []string
	for _, g := range d.GrantList {
		if strings.HasPrefix(g.Native, "privesc:") {
			techniques = append(techniques, g.Principal+" "+g.Native)
		}
	}
	t.Logf("escalation grants: %q", techniques)
	assert.NotEmpty(t, techniques)
}

// IAMSpy: a permissions boundary that does not allow lambda:InvokeFunction
// removes the grant; one that allows "*" keeps it.
func TestIAMSpyBoundaries(t *testing.T) {
	allow := load(t, "testdata/iamspy/user-boundary-allow.json")
	g := hasGrant(allow, "aws:123456789012:user/PermissionBoundaryAllow", schema.ActionWrite, "aws:123456789012")
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
	assert.NotNil(t, hasGrant(basic, "aws:123456789012:role/name", schema.ActionWrite, "aws:123456789012"))
	assert.True(t, hasDelegation(basic, "aws:123456789012:principals", "aws:123456789012:role/name", schema.DelegAssumeRole))
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
