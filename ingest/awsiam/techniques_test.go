package awsiam_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/schema"
)

// TestTechniques: one principal per technique (iam-vulnerable's paths),
// with only the technique's actions, against a high-privilege role trusted
// by every service and holding an instance profile (iam-vulnerable's
// privesc-high-priv-service-role). Each must give exactly its edge, with its
// IAM actions in the native; take-overs of existing resources are
// conditional grants saying what they need.
func TestTechniques(t *testing.T) {
	services := `{"Service":["ec2.amazonaws.com","datapipeline.amazonaws.com","cloudformation.amazonaws.com","lambda.amazonaws.com",
	  "glue.amazonaws.com","ecs-tasks.amazonaws.com","codebuild.amazonaws.com","sagemaker.amazonaws.com"]}`
	role := roleJSON("high", services, allowAll, 1)
	const high = "aws:" + acct + ":role/high"
	for _, tc := range []struct {
		name     string
		actions  string
		native   string // the run_as delegation's native; "" for a take-over
		takeover string // the conditional grant's evidence
	}{
		{name: "privesc3 ec2", actions: `"iam:PassRole","ec2:RunInstances"`, native: "privesc:passrole-ec2 as high (iam:PassRole+ec2:RunInstances)"},
		{name: "privesc15 lambda invoke", actions: `"iam:PassRole","lambda:CreateFunction","lambda:InvokeFunction"`,
			native: "privesc:passrole-lambda as high (iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction)"},
		{name: "privesc16 lambda event source", actions: `"iam:PassRole","lambda:CreateFunction","lambda:CreateEventSourceMapping"`,
			native: "privesc:passrole-lambda-eventsource as high (iam:PassRole+lambda:CreateFunction+lambda:CreateEventSourceMapping)"},
		{name: "privesc20 cloudformation", actions: `"iam:PassRole","cloudformation:CreateStack"`,
			native: "privesc:passrole-cloudformation as high (iam:PassRole+cloudformation:CreateStack)"},
		{name: "codebuild", actions: `"iam:PassRole","codebuild:CreateProject","codebuild:StartBuild"`,
			native: "privesc:passrole-codebuild as high (iam:PassRole+codebuild:CreateProject+codebuild:StartBuild)"},
		{name: "privesc21 datapipeline", actions: `"iam:PassRole","datapipeline:CreatePipeline","datapipeline:PutPipelineDefinition","datapipeline:ActivatePipeline"`,
			native: "privesc:passrole-datapipeline as high (iam:PassRole+datapipeline:CreatePipeline+datapipeline:PutPipelineDefinition)"},
		{name: "privesc18 glue", actions: `"iam:PassRole","glue:CreateDevEndpoint"`, native: "privesc:passrole-glue as high (iam:PassRole+glue:CreateDevEndpoint)"},
		{name: "sagemaker notebook", actions: `"iam:PassRole","sagemaker:CreateNotebookInstance"`,
			native: "privesc:passrole-sagemaker-notebook as high (iam:PassRole+sagemaker:CreateNotebookInstance)"},
		{name: "sagemaker training", actions: `"iam:PassRole","sagemaker:CreateTrainingJob"`,
			native: "privesc:passrole-sagemaker-training as high (iam:PassRole+sagemaker:CreateTrainingJob)"},
		{name: "sagemaker processing", actions: `"iam:PassRole","sagemaker:CreateProcessingJob"`,
			native: "privesc:passrole-sagemaker-processing as high (iam:PassRole+sagemaker:CreateProcessingJob)"},
		{name: "ecs", actions: `"iam:PassRole","ecs:RunTask"`, native: "privesc:passrole-ecs as high (iam:PassRole+ecs:RunTask)"},
		{name: "ssm send command", actions: `"ssm:SendCommand"`,
			takeover: "privesc:ssm-sendcommand as high (ssm:SendCommand; approximated: needs an existing EC2 instance with the role's instance profile and the SSM agent)"},
		{name: "ssm start session", actions: `"ssm:StartSession"`,
			takeover: "privesc:ssm-startsession as high (ssm:StartSession; approximated: needs an existing EC2 instance with the role's instance profile and the SSM agent)"},
		{name: "ec2 instance connect", actions: `"ec2-instance-connect:SendSSHPublicKey"`,
			takeover: "privesc:ec2instanceconnect as high (ec2-instance-connect:SendSSHPublicKey; approximated: needs an existing EC2 instance with the role's instance profile, reachable by SSH)"},
		{name: "privesc17 lambda update code", actions: `"lambda:UpdateFunctionCode"`,
			takeover: "privesc:lambda-updatefunctioncode as high (lambda:UpdateFunctionCode; approximated: needs an existing Lambda function running as the role)"},
		{name: "privesc19 glue update endpoint", actions: `"glue:UpdateDevEndpoint"`,
			takeover: "privesc:glue-updatedevendpoint as high (glue:UpdateDevEndpoint; approximated: needs an existing Glue dev endpoint running as the role)"},
		{name: "sagemaker presigned url", actions: `"sagemaker:CreatePresignedNotebookInstanceUrl"`,
			takeover: "privesc:sagemaker-presignednotebookurl as high (sagemaker:CreatePresignedNotebookInstanceUrl; approximated: needs an existing SageMaker notebook instance running as the role)"},
		{name: "cloudformation update stack", actions: `"cloudformation:UpdateStack"`,
			takeover: "privesc:cloudformation-updatestack as high (cloudformation:UpdateStack; approximated: needs an existing CloudFormation stack whose service role is the role)"},
		{name: "passrole alone", actions: `"iam:PassRole"`},
		{name: "ec2 without passrole", actions: `"ec2:RunInstances"`},
		{name: "datapipeline without definition", actions: `"iam:PassRole","datapipeline:CreatePipeline"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := transform(t, account(t, userJSON("u", "", `{"Effect":"Allow","Action":[`+tc.actions+`],"Resource":"*"}`), "", role))
			var got []string
			for _, d := range delegationsOf(ds, user) {
				got = append(got, d.Native)
				assert.Equal(t, schema.DelegRunAs, d.Kind)
			}
			g := hasGrant(ds, user, schema.ActionAdmin, sys)
			switch {
			case tc.native != "":
				assert.Equal(t, []string{tc.native}, got)
				assert.Nil(t, g)
			case tc.takeover != "":
				assert.Empty(t, got, "a take-over is no unconditional hop")
				require.NotNil(t, g)
				assert.True(t, g.Conditional)
				assert.Equal(t, "* on * (policy rp-high via "+tc.takeover+")", g.Native)
			default:
				assert.Empty(t, got)
				assert.Nil(t, g)
			}
		})
	}
}

// TestTakeoverNeedsInstanceProfile: SSM reaches only roles an instance can
// carry.
func TestTakeoverNeedsInstanceProfile(t *testing.T) {
	ds := transform(t, account(t, userJSON("u", "", `{"Effect":"Allow","Action":"ssm:StartSession","Resource":"*"}`), "",
		roleJSON("high", `{"Service":"ec2.amazonaws.com"}`, allowAll, 0)))
	assert.Nil(t, hasGrant(ds, user, schema.ActionAdmin, sys))
}
