package awsiam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
	"github.com/reachgraph/reachgraph/schema"
)

// account builds an authorization-details document from user, group and
// role JSON objects (%[1]s is the account id inside them).
func account(t *testing.T, users, groups, roles string) *awsiam.Details {
	t.Helper()
	doc := fmt.Sprintf(`{"UserDetailList":[`+users+`],"GroupDetailList":[`+groups+`],"RoleDetailList":[`+roles+`],"Policies":[]}`, acct)
	d, probs, err := awsiam.ParseDetails([]byte(doc))
	require.NoError(t, err)
	require.Empty(t, probs)
	return d
}

func userJSON(name, groups, stmts string) string {
	return `{"UserName":"` + name + `","Arn":"arn:aws:iam::%[1]s:user/` + name + `","GroupList":[` + groups + `],
	  "UserPolicyList":[{"PolicyName":"p-` + name + `","PolicyDocument":{"Statement":[` + stmts + `]}}]}`
}

func groupJSON(name, stmts string) string {
	return `{"GroupName":"` + name + `","Arn":"arn:aws:iam::%[1]s:group/` + name + `",
	  "GroupPolicyList":[{"PolicyName":"gp-` + name + `","PolicyDocument":{"Statement":[` + stmts + `]}}]}`
}

func roleJSON(name, trust, stmts string, profiles int) string {
	ip := strings.Repeat(`{},`, profiles)
	return `{"RoleName":"` + name + `","Arn":"arn:aws:iam::%[1]s:role/` + name + `","InstanceProfileList":[` + strings.TrimSuffix(ip, ",") + `],
	  "AssumeRolePolicyDocument":{"Statement":[{"Effect":"Allow","Principal":` + trust + `,"Action":"sts:AssumeRole"}]},
	  "RolePolicyList":[{"PolicyName":"rp-` + name + `","PolicyDocument":{"Statement":[` + stmts + `]}}]}`
}

const allowAll = `{"Effect":"Allow","Action":"*","Resource":"*"}`

func delegationsOf(ds *graph.Dataset, from string) []graph.Delegation {
	var out []graph.Delegation
	for _, d := range ds.DelegationList {
		if d.From == from {
			out = append(out, d)
		}
	}
	return out
}

// TestClosureAddUserToGroupIAMStar is the case: AddUserToGroup to
// a group holding iam:* leads to account admin — the join is one edge (the
// group's grants), editing one's own policy the next (the admin grant), and
// whocan --action admin on the account finds the user.
func TestClosureAddUserToGroupIAMStar(t *testing.T) {
	d := account(t,
		userJSON("u", "", `{"Effect":"Allow","Action":"iam:AddUserToGroup","Resource":"arn:aws:iam::%[1]s:group/iam-admins"}`),
		groupJSON("iam-admins", `{"Effect":"Allow","Action":"iam:*","Resource":"*"}`), "")
	ds := transform(t, d)
	assert.Equal(t, []string{"iam:* on * (policy gp-iam-admins via privesc:addusertogroup on iam-admins (iam:AddUserToGroup))"},
		natives(ds, user, schema.ActionAdmin, on("iam")), "the join: the group's grants")
	after := "; after privesc:addusertogroup on iam-admins (iam:AddUserToGroup))"
	assert.ElementsMatch(t, []string{
		"privesc:self-putuserpolicy (iam:PutUserPolicy" + after,
		"privesc:self-attachuserpolicy (iam:AttachUserPolicy" + after,
		"privesc:group-putgrouppolicy on iam-admins (iam:PutGroupPolicy" + after,
		"privesc:group-attachgrouppolicy on iam-admins (iam:AttachGroupPolicy" + after,
	}, natives(ds, user, schema.ActionAdmin, sys), "the next techniques, each its own edge, with the chain")
	who := whoCan(t, engine(t, ds), schema.ActionAdmin, sys)
	require.Contains(t, who, user)
	assert.Len(t, who[user].Paths[0], 1)
}

// TestClosureTwoJoins: joining g1 allows joining g2, whose membership allows
// rewriting g2's policy — three techniques, three edges, the last naming
// both joins.
func TestClosureTwoJoins(t *testing.T) {
	d := account(t,
		userJSON("u", "", `{"Effect":"Allow","Action":"iam:AddUserToGroup","Resource":"arn:aws:iam::%[1]s:group/g1"}`),
		groupJSON("g1", `{"Effect":"Allow","Action":"iam:AddUserToGroup","Resource":"arn:aws:iam::%[1]s:group/g2"}`)+","+
			groupJSON("g2", `{"Effect":"Allow","Action":"iam:PutGroupPolicy","Resource":"arn:aws:iam::%[1]s:group/g2"}`), "")
	ds := transform(t, d)
	assert.Equal(t, []string{"privesc:group-putgrouppolicy on g2 (iam:PutGroupPolicy; after privesc:addusertogroup on g1 (iam:AddUserToGroup), then privesc:addusertogroup on g2 (iam:AddUserToGroup))"},
		natives(ds, user, schema.ActionAdmin, sys))
	// Without the first join nothing follows.
	d = account(t, userJSON("u", "", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`),
		groupJSON("g1", `{"Effect":"Allow","Action":"iam:AddUserToGroup","Resource":"arn:aws:iam::%[1]s:group/g2"}`)+","+
			groupJSON("g2", `{"Effect":"Allow","Action":"iam:PutGroupPolicy","Resource":"*"}`), "")
	assert.Empty(t, natives(transform(t, d), user, schema.ActionAdmin, sys))
}

// TestClosureConditionalTrustRewrite: a conditional UpdateAssumeRolePolicy
// keeps its condition — the role's grants become conditional grants of the
// user, the hop in their evidence — instead of an unconditional hop.
func TestClosureConditionalTrustRewrite(t *testing.T) {
	d := account(t,
		userJSON("u", "", `{"Effect":"Allow","Action":"iam:UpdateAssumeRolePolicy","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`),
		"", roleJSON("r", `{"Service":"ec2.amazonaws.com"}`, allowAll, 0))
	ds := transform(t, d)
	for _, x := range delegationsOf(ds, user) {
		assert.NotEqual(t, "aws:"+acct+":role/r", x.To, "no unconditional hop")
	}
	g := hasGrant(ds, user, schema.ActionAdmin, sys)
	require.NotNil(t, g)
	assert.True(t, g.Conditional)
	assert.Equal(t, "* on * (policy rp-r via privesc:updateassumerolepolicy on r (iam:UpdateAssumeRolePolicy))", g.Native)
	who := whoCan(t, engine(t, ds), schema.ActionAdmin, sys)
	require.Contains(t, who, user)
	assert.True(t, who[user].Paths[0][0].Conditional)
	// Unconditional: the hop itself.
	d = account(t, userJSON("u", "", `{"Effect":"Allow","Action":"iam:UpdateAssumeRolePolicy","Resource":"*"}`),
		"", roleJSON("r", `{"Service":"ec2.amazonaws.com"}`, allowAll, 0))
	assert.True(t, hasDelegation(transform(t, d), user, "aws:"+acct+":role/r", schema.DelegAssumeRole))
}

// TestClosureParallelAndDirect: two techniques to one role are two edges;
// a principal holding * on * gets no escalation edge at all.
func TestClosureParallelAndDirect(t *testing.T) {
	d := account(t,
		userJSON("u", "", `{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances","lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}`)+","+
			userJSON("boss", "", allowAll+`,{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"*"}`),
		"", roleJSON("svc", `{"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]}`, allowAll, 1))
	ds := transform(t, d)
	var got []string
	for _, x := range delegationsOf(ds, user) {
		got = append(got, string(x.Kind)+" "+x.Native)
	}
	assert.ElementsMatch(t, []string{
		"run_as privesc:passrole-ec2 as svc (iam:PassRole+ec2:RunInstances)",
		"run_as privesc:passrole-lambda as svc (iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction)",
	}, got)
	boss := "aws:" + acct + ":user/boss"
	assert.Empty(t, delegationsOf(ds, boss))
	for _, g := range ds.GrantList {
		if g.Principal == boss {
			assert.NotContains(t, g.Native, "privesc:")
		}
	}
	who := whoCan(t, engine(t, ds), schema.ActionAdmin, sys)
	assert.Equal(t, "* on * (policy p-boss)", who[boss].Paths[0][0].Native)
}
