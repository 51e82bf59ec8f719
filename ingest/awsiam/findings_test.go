package awsiam_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
)

// TestAWSFindings: the built-in AWS rules on the iam-vulnerable-style
// account (details + credential report) at as_of 2026-11-20.
func TestAWSFindings(t *testing.T) {
	ds := loadAt(t, optsAsOf(), "testdata/iam-vulnerable")
	p, err := projection.Build(context.Background(), ds)
	require.NoError(t, err)
	rs, err := rules.Builtin()
	require.NoError(t, err)
	fs, err := rules.Evaluate(context.Background(), rules.Snapshot{Engine: reach.New(p, asOf), Data: ds}, rs)
	require.NoError(t, err)
	const a = "aws:111111111111:"
	by := map[string][]string{}
	for _, f := range fs {
		if strings.HasPrefix(f.Rule, "TOX-AWS-") {
			id := strings.TrimPrefix(f.Identity, a)
			if !slices.Contains(by[f.Rule], id) {
				by[f.Rule] = append(by[f.Rule], id)
			}
		}
	}
	for r := range by {
		slices.Sort(by[r])
	}
	esc := by["TOX-AWS-ESCALATION-ADMIN"]
	for _, u := range []string{"privesc1-CreateNewPolicyVersion-user", "privesc10-PutUserPolicy-user", "privesc13-AddUserToGroup-user",
		"privesc16-PassRoleToNewLambdaThenTrigger-user", "privesc-ssm-session-user", "fn1-privesc3-partial-user", "fn3-exploitableConditionConstraint-user"} {
		assert.Contains(t, esc, "user/"+u)
	}
	for _, id := range esc {
		assert.False(t, strings.HasPrefix(id, "user/fp"), id)
		assert.NotContains(t, []string{"user/terraform-admin", "user/alice-admin", "user/fn4-exploitableNotAction-user", "root"}, id, "admin directly, not through escalation")
	}
	assert.Equal(t, []string{"user/alice-admin"}, by["TOX-AWS-ADMIN-NO-MFA"], "root has MFA; terraform-admin has no console password")
	assert.Equal(t, []string{"user/terraform-admin"}, by["TOX-AWS-UNUSED-KEY-ADMIN"], "privesc10's key was used two days before as_of")
	assert.Contains(t, by["TOX-AWS-TRUST-NO-EXTERNALID"], "external/arn:aws:iam::999988887777:root")
	assert.Equal(t, []string{"user/dangling-user"}, by["TOX-AWS-UNRESOLVED-POLICY"])
	var tag string
	for _, i := range ds.IdentityList {
		if i.Name == "dangling-user" {
			tag = i.Tags["reachgraph:warning"]
		}
	}
	assert.Equal(t, "managed policy arn:aws:iam::111111111111:policy/deleted-policy is attached but not in the export; its permissions are not modelled; "+
		"managed policy arn:aws:iam::111111111111:policy/old-path/fin-reader is attached but not in the export (renamed or moved? the export has arn:aws:iam::111111111111:policy/fin-reader); its permissions are not modelled", tag)
}

// TestMissingBoundaryWarning: a permissions boundary missing from the export
// allows nothing and leaves a warning tag.
func TestMissingBoundaryWarning(t *testing.T) {
	d := account(t, `{"UserName":"u","Arn":"arn:aws:iam::%[1]s:user/u","PermissionsBoundary":{"PermissionsBoundaryArn":"arn:aws:iam::%[1]s:policy/gone"},
	  "UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":[`+allowAll+`]}}]}`, "", "")
	ds := transform(t, d)
	assert.Empty(t, grantsOf(ds, user))
	i := slices.IndexFunc(ds.IdentityList, func(x graph.Identity) bool { return x.ID == user })
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, "permissions boundary arn:aws:iam::"+acct+":policy/gone is not in the export; it is taken to allow nothing", ds.IdentityList[i].Tags["reachgraph:warning"])
}
