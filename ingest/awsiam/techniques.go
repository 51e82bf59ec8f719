package awsiam

// passRoleTechnique is a service that runs code as a role passed to a new
// resource (PMapper-style): iam:PassRole on the role plus every action
// listed, and a role whose trust policy lets service assume it.
type passRoleTechnique struct {
	name, service string
	actions       []string
}

// passRoleTechniques create a new resource running as the role; the
// iam-vulnerable path each one covers is in the comment.
var passRoleTechniques = []passRoleTechnique{
	{"passrole-ec2", "ec2.amazonaws.com", []string{"ec2:RunInstances"}},                                                                    // privesc3
	{"passrole-lambda", "lambda.amazonaws.com", []string{"lambda:CreateFunction", "lambda:InvokeFunction"}},                                // privesc15
	{"passrole-lambda-eventsource", "lambda.amazonaws.com", []string{"lambda:CreateFunction", "lambda:CreateEventSourceMapping"}},          // privesc16
	{"passrole-cloudformation", "cloudformation.amazonaws.com", []string{"cloudformation:CreateStack"}},                                    // privesc20
	{"passrole-codebuild", "codebuild.amazonaws.com", []string{"codebuild:CreateProject", "codebuild:StartBuild"}},                         // codeBuildProject
	{"passrole-datapipeline", "datapipeline.amazonaws.com", []string{"datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"}}, // privesc21
	{"passrole-glue", "glue.amazonaws.com", []string{"glue:CreateDevEndpoint"}},                                                            // privesc18
	{"passrole-sagemaker-notebook", "sagemaker.amazonaws.com", []string{"sagemaker:CreateNotebookInstance"}},                               // sageNotebook
	{"passrole-sagemaker-training", "sagemaker.amazonaws.com", []string{"sagemaker:CreateTrainingJob"}},                                    // sageTraining
	{"passrole-sagemaker-processing", "sagemaker.amazonaws.com", []string{"sagemaker:CreateProcessingJob"}},                                // sageProcessing
	{"passrole-ecs", "ecs-tasks.amazonaws.com", []string{"ecs:RunTask"}},
}

// takeover is a technique that runs code as a role through a resource that
// already exists and already runs as it (an EC2 instance, a Lambda
// function …). IAM data alone does not show such resources, so the hop is
// conditional and its evidence says what it needs.
type takeover struct {
	name, service string
	actions       []string
	needs         string // "an existing …"
	profile       bool   // the role must have an instance profile
}

var takeovers = []takeover{
	{"ssm-sendcommand", "ec2.amazonaws.com", []string{"ssm:SendCommand"}, "an existing EC2 instance with the role's instance profile and the SSM agent", true},   // ssm-SendCommand
	{"ssm-startsession", "ec2.amazonaws.com", []string{"ssm:StartSession"}, "an existing EC2 instance with the role's instance profile and the SSM agent", true}, // ssm-StartSession
	{"ec2instanceconnect", "ec2.amazonaws.com", []string{"ec2-instance-connect:SendSSHPublicKey"}, "an existing EC2 instance with the role's instance profile, reachable by SSH", true},
	{"lambda-updatefunctioncode", "lambda.amazonaws.com", []string{"lambda:UpdateFunctionCode"}, "an existing Lambda function running as the role", false}, // privesc17
	{"glue-updatedevendpoint", "glue.amazonaws.com", []string{"glue:UpdateDevEndpoint"}, "an existing Glue dev endpoint running as the role", false},       // privesc19
	{"sagemaker-presignednotebookurl", "sagemaker.amazonaws.com", []string{"sagemaker:CreatePresignedNotebookInstanceUrl"}, "an existing SageMaker notebook instance running as the role", false},
	{"cloudformation-updatestack", "cloudformation.amazonaws.com", []string{"cloudformation:UpdateStack"}, "an existing CloudFormation stack whose service role is the role", false},
}
