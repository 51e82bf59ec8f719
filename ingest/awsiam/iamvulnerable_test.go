package awsiam_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
	"github.com/reachgraph/reachgraph/schema"
)

// loadAt ingests paths with conditions evaluated under opts.
func loadAt(t *testing.T, opts awsiam.Options, paths ...string) *graph.Dataset {
	t.Helper()
	ds, err := loadOpts(t, "", opts, paths...)
	require.NoError(t, err)
	return ds
}

// loadErr ingests paths and returns the load's error.
func loadErr(t *testing.T, paths ...string) (*graph.Dataset, error) {
	t.Helper()
	return loadOpts(t, "", optsAsOf(), paths...)
}

func optsAsOf() awsiam.Options { return awsiam.Options{AsOf: asOf} }

func loadOpts(t *testing.T, config string, opts awsiam.Options, paths ...string) (*graph.Dataset, error) {
	t.Helper()
	st := &storetest.Capture{}
	var srcs []ingest.Source
	for _, p := range paths {
		srcs = append(srcs, ingest.Source{Path: p, Format: ingest.FormatAWSIAM})
	}
	_, err := ingest.Load(context.Background(), st, srcs, ingest.Options{
		Readers:     ingest.Readers{AWSIAM: awsiam.NewReaderWith(config, opts)},
		Now:         func() time.Time { return asOf },
		CollectedAt: opts.AsOf,
	})
	return st.Data, err
}

// TestIAMVulnerable: every path of the iam-vulnerable-style fixture reaches
// admin on the account through its technique (take-overs of existing
// resources conditionally), fn1–fn4 are found, fp1–fp10 are not.
func TestIAMVulnerable(t *testing.T) {
	ds := loadAt(t, awsiam.Options{AsOf: asOf}, "testdata/iam-vulnerable") // with its credential report
	const a = "aws:111111111111"
	who := whoCan(t, engine(t, ds), schema.ActionAdmin, a)
	for _, tc := range []struct {
		user, technique string
		conditional     bool
	}{
		{user: "privesc1-CreateNewPolicyVersion-user", technique: "privesc:policy-version on privesc1-CreateNewPolicyVersion (iam:CreatePolicyVersion)"},
		{user: "privesc2-SetExistingDefaultPolicyVersion-user", technique: "privesc:policy-version on privesc2-SetExistingDefaultPolicyVersion (iam:SetDefaultPolicyVersion)"},
		{user: "privesc3-CreateEC2WithExistingIP-user", technique: "privesc:passrole-ec2 as privesc-high-priv-service-role"},
		{user: "privesc4-CreateAccessKey-user", technique: "privesc:createaccesskey on "},
		{user: "privesc5-CreateLoginProfile-user", technique: "privesc:createloginprofile on "},
		{user: "privesc6-UpdateLoginProfile-user", technique: "privesc:updateloginprofile on "},
		{user: "privesc7-AttachUserPolicy-user", technique: "privesc:self-attachuserpolicy (iam:AttachUserPolicy)"},
		{user: "privesc8-AttachGroupPolicy-user", technique: "privesc:group-attachgrouppolicy on privesc8-group"},
		{user: "privesc9-AttachRolePolicy-user", technique: "privesc:role-attachrolepolicy on privesc-target-role"},
		{user: "privesc10-PutUserPolicy-user", technique: "privesc:self-putuserpolicy (iam:PutUserPolicy)"},
		{user: "privesc11-PutGroupPolicy-user", technique: "privesc:group-putgrouppolicy on privesc11-group"},
		{user: "privesc12-PutRolePolicy-user", technique: "privesc:role-putrolepolicy on privesc-target-role"},
		{user: "privesc13-AddUserToGroup-user", technique: "privesc:addusertogroup on privesc-sre-group"},
		{user: "privesc14-UpdatingAssumeRolePolicy-user", technique: "privesc:updateassumerolepolicy on "},
		{user: "privesc15-PassExistingRoleToNewLambdaThenInvoke-user", technique: "privesc:passrole-lambda as privesc-high-priv-service-role"},
		{user: "privesc16-PassRoleToNewLambdaThenTrigger-user", technique: "privesc:passrole-lambda-eventsource as privesc-high-priv-service-role"},
		{user: "privesc17-EditExistingLambdaFunctionWithRole-user", technique: "privesc:lambda-updatefunctioncode as privesc-high-priv-service-role", conditional: true},
		{user: "privesc18-PassExistingRoleToNewGlueDevEndpoint-user", technique: "privesc:passrole-glue as privesc-high-priv-service-role"},
		{user: "privesc19-UpdateExistingGlueDevEndpoint-user", technique: "privesc:glue-updatedevendpoint as privesc-high-priv-service-role", conditional: true},
		{user: "privesc20-PassExistingRoleToCloudFormation-user", technique: "privesc:passrole-cloudformation as privesc-high-priv-service-role"},
		{user: "privesc21-PassExistingRoleToNewDataPipeline-user", technique: "privesc:passrole-datapipeline as privesc-high-priv-service-role"},
		{user: "privesc-codeBuildProject-user", technique: "privesc:passrole-codebuild as privesc-high-priv-service-role"},
		{user: "privesc-sageNotebook-user", technique: "privesc:passrole-sagemaker-notebook as privesc-high-priv-service-role"},
		{user: "privesc-sageTraining-user", technique: "privesc:passrole-sagemaker-training as privesc-high-priv-service-role"},
		{user: "privesc-sageProcessing-user", technique: "privesc:passrole-sagemaker-processing as privesc-high-priv-service-role"},
		{user: "privesc-ssm-command-user", technique: "privesc:ssm-sendcommand as privesc-high-priv-service-role", conditional: true},
		{user: "privesc-ssm-session-user", technique: "privesc:ssm-startsession as privesc-high-priv-service-role", conditional: true},
		{user: "privesc-instanceConnect-user", technique: "privesc:ec2instanceconnect as privesc-high-priv-service-role", conditional: true},
		{user: "privesc-sageUpdateURL-user", technique: "privesc:sagemaker-presignednotebookurl as privesc-high-priv-service-role", conditional: true},
		{user: "privesc-cfUpdateStack-user", technique: "privesc:cloudformation-updatestack as privesc-high-priv-service-role", conditional: true},
		{user: "privesc-assumerole-user", technique: "trust policy of privesc-assumerole-admin-role names the account"},
		{user: "fn1-privesc3-partial-user", technique: "privesc:passrole-ec2 as privesc-high-priv-service-role"},
		{user: "fn2-exploitableResourceConstraint-user", technique: "privesc:policy-version on fn2-exploitableResourceConstraint"},
		{user: "fn3-exploitableConditionConstraint-user", technique: "privesc:policy-version on fn3-exploitableConditionConstraint"},
		{user: "fn4-exploitableNotAction-user", technique: "NotAction[iam:Update*,iam:Create*,iam:Attach*] on * (policy fn4-exploitableNotAction)"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			acc, ok := who[a+":user/"+tc.user]
			require.True(t, ok, "must reach admin on the account")
			var texts []string
			cond := false
			for _, p := range acc.Paths {
				for _, h := range p {
					texts = append(texts, h.Native)
					cond = cond || h.Conditional
				}
			}
			assert.Contains(t, strings.Join(texts, " | "), tc.technique)
			assert.Equal(t, tc.conditional, cond, strings.Join(texts, " | "))
		})
	}
	assert.True(t, hasDelegation(ds, a+":user/privesc4-CreateAccessKey-user", a+":user/terraform-admin", schema.DelegOther))
	// The credential report says alice-admin has a console password and
	// terraform-admin none: a login profile is created for the one, updated
	// for the other, never the other way round.
	assert.True(t, hasDelegation(ds, a+":user/privesc5-CreateLoginProfile-user", a+":user/terraform-admin", schema.DelegOther))
	assert.False(t, hasDelegation(ds, a+":user/privesc5-CreateLoginProfile-user", a+":user/alice-admin", schema.DelegOther))
	assert.True(t, hasDelegation(ds, a+":user/privesc6-UpdateLoginProfile-user", a+":user/alice-admin", schema.DelegOther))
	assert.False(t, hasDelegation(ds, a+":user/privesc6-UpdateLoginProfile-user", a+":user/terraform-admin", schema.DelegOther))
	fps := 0
	for _, id := range ds.IdentityList {
		if strings.HasPrefix(id.Name, "fp") {
			fps++
		}
	}
	require.Equal(t, 10, fps, "fp1–fp10 are in the fixture")
	for id := range who {
		name := strings.TrimPrefix(id, a+":user/")
		assert.False(t, strings.HasPrefix(name, "fp"), "%s must not be found", name)
	}
	assert.Contains(t, who, a+":user/terraform-admin")
}

// TestIAMVulnerableDeterministic: the same input gives the same records, in
// the same order, evidence included (the closure and the conditional hops
// walk maps).
func TestIAMVulnerableDeterministic(t *testing.T) {
	first := loadAt(t, optsAsOf(), "testdata/iam-vulnerable")
	for range 5 {
		again := loadAt(t, optsAsOf(), "testdata/iam-vulnerable")
		require.Equal(t, first.GrantList, again.GrantList)
		require.Equal(t, first.DelegationList, again.DelegationList)
		require.Equal(t, first.IdentityList, again.IdentityList)
	}
}

// TestIAMVulnerableMoto: iam-vulnerable's Terraform deployed into moto and
// exported (testdata/iam-vulnerable-moto, scripts/pmapper-compare): each of
// its users and roles reaches admin on the account as expected.tsv says —
// yes: unconditionally; cond: only conditionally (the resource it takes over
// is not in the account); no: not at all. The same file is the "expected"
// column of the side-by-side against PMapper in docs/ingest-aws.md.
func TestIAMVulnerableMoto(t *testing.T) {
	const dir = "testdata/iam-vulnerable-moto/"
	ds := loadAt(t, optsAsOf(), dir) // details and credential report: one source
	const a = "aws:123456789012"
	who := whoCan(t, engine(t, ds), schema.ActionAdmin, a)
	raw, err := os.ReadFile(dir + "expected.tsv")
	require.NoError(t, err)
	expected := map[string]string{}
	for _, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		require.Len(t, f, 4, line)
		expected[a+":"+f[0]] = f[2]
	}
	require.Len(t, expected, 92)
	for id, want := range expected {
		got := "no"
		if acc, ok := who[id]; ok {
			got = "cond"
			for _, p := range acc.Paths {
				if !slices.ContainsFunc(p, func(h analysis.Hop) bool { return h.Conditional }) {
					got = "yes"
				}
			}
		}
		assert.Equal(t, want, got, id)
	}
	for id := range who {
		if strings.Contains(id, ":user/") || strings.Contains(id, ":role/") {
			assert.Contains(t, expected, id, "found but not in expected.tsv")
		}
	}
}
