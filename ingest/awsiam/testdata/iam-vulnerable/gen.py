# Generates authorization-details.json: an iam-vulnerable-style account (see README.md).
# Run: python3 gen.py > authorization-details.json
import json

A = "111111111111"
def arn(kind, name): return f"arn:aws:iam::{A}:{kind}/{name}"
def doc(*stmts): return {"Version": "2012-10-17", "Statement": list(stmts)}
def allow(actions, resource="*", **kw): return dict(Effect="Allow", Action=actions, Resource=resource, **kw)
def deny(actions, resource="*"): return dict(Effect="Deny", Action=actions, Resource=resource)

users, groups, roles, policies = [], [], [], []

def managed(name, *versions, default=0):
    policies.append({"PolicyName": name, "Arn": arn("policy", name), "DefaultVersionId": f"v{default+1}",
        "PolicyVersionList": [{"VersionId": f"v{i+1}", "IsDefaultVersion": i == default, "Document": d} for i, d in enumerate(versions)]})
    return arn("policy", name)

def user(name, inline=None, attached=(), groups_=(), boundary=None):
    u = {"UserName": name, "Arn": arn("user", name), "UserId": "AIDA" + name.upper().replace("-", "")[:16],
         "GroupList": list(groups_), "UserPolicyList": [], "AttachedManagedPolicies": [{"PolicyName": a.split("/")[-1], "PolicyArn": a} for a in attached]}
    if inline: u["UserPolicyList"] = [{"PolicyName": name + "-policy", "PolicyDocument": inline}]
    if boundary: u["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    users.append(u)

def group(name, attached=(), inline=None):
    g = {"GroupName": name, "Arn": arn("group", name), "GroupPolicyList": [],
         "AttachedManagedPolicies": [{"PolicyName": a.split("/")[-1], "PolicyArn": a} for a in attached]}
    if inline: g["GroupPolicyList"] = [{"PolicyName": name + "-policy", "PolicyDocument": inline}]
    groups.append(g)

def role(name, principal, attached=(), profiles=0):
    roles.append({"RoleName": name, "Arn": arn("role", name),
        "AssumeRolePolicyDocument": doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}),
        "RolePolicyList": [], "AttachedManagedPolicies": [{"PolicyName": a.split("/")[-1], "PolicyArn": a} for a in attached],
        "InstanceProfileList": [{"InstanceProfileName": name + "-profile"}] * profiles})

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
high = managed("privesc-high-priv-service-policy", doc(allow("*")))
sre = managed("privesc-sre-admin-policy", doc(allow(["iam:*", "ec2:*", "s3:*"])))

# The account's own admin (runs Terraform) and the shared targets.
user("terraform-admin", attached=[ADMIN])
role("privesc-high-priv-service-role", {"Service": ["ec2.amazonaws.com", "datapipeline.amazonaws.com", "cloudformation.amazonaws.com",
    "lambda.amazonaws.com", "glue.amazonaws.com", "ecs-tasks.amazonaws.com", "codebuild.amazonaws.com", "eks.amazonaws.com",
    "sagemaker.amazonaws.com", "elasticbeanstalk.amazonaws.com"]}, attached=[high], profiles=1)
user("privesc-sre-user", groups_=["privesc-sre-group"])
group("privesc-sre-group", attached=[sre])
role("privesc-sre-role", {"AWS": arn("user", "privesc-sre-user")}, attached=[sre])
role("privesc-target-role", {"AWS": f"arn:aws:iam::{A}:root"})           # low privilege, assumable by the account
role("privesc-assumerole-admin-role", {"AWS": f"arn:aws:iam::{A}:root"}, attached=[ADMIN])

# Category: IAM permissions on other users / policies / roles.
user("privesc1-CreateNewPolicyVersion-user", attached=[managed("privesc1-CreateNewPolicyVersion", doc(allow("iam:CreatePolicyVersion")))])
user("privesc2-SetExistingDefaultPolicyVersion-user", attached=[managed("privesc2-SetExistingDefaultPolicyVersion",
    doc(allow(["iam:SetDefaultPolicyVersion", "iam:ListPolicyVersions"])), doc(allow("*")), default=0)])
user("privesc4-CreateAccessKey-user", doc(allow("iam:CreateAccessKey")))
user("privesc5-CreateLoginProfile-user", doc(allow("iam:CreateLoginProfile")))
user("privesc6-UpdateLoginProfile-user", doc(allow("iam:UpdateLoginProfile")))
user("privesc7-AttachUserPolicy-user", doc(allow("iam:AttachUserPolicy")))
user("privesc8-AttachGroupPolicy-user", doc(allow("iam:AttachGroupPolicy")), groups_=["privesc8-group"])
group("privesc8-group")
user("privesc9-AttachRolePolicy-user", doc(allow("iam:AttachRolePolicy"), allow("sts:AssumeRole", arn("role", "privesc-target-role"))))
user("privesc10-PutUserPolicy-user", doc(allow("iam:PutUserPolicy")))
user("privesc11-PutGroupPolicy-user", doc(allow("iam:PutGroupPolicy")), groups_=["privesc11-group"])
group("privesc11-group")
user("privesc12-PutRolePolicy-user", doc(allow("iam:PutRolePolicy"), allow("sts:AssumeRole", arn("role", "privesc-target-role"))))
user("privesc13-AddUserToGroup-user", doc(allow("iam:AddUserToGroup")))
user("privesc14-UpdatingAssumeRolePolicy-user", doc(allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"])))
user("privesc-assumerole-user", doc(allow("sts:AssumeRole", arn("role", "privesc-assumerole-admin-role"))))

# Category: PassRole to a service (a new resource).
for name, actions in [
    ("privesc3-CreateEC2WithExistingIP", ["iam:PassRole", "ec2:RunInstances", "ec2:DescribeInstances"]),
    ("privesc15-PassExistingRoleToNewLambdaThenInvoke", ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]),
    ("privesc16-PassRoleToNewLambdaThenTrigger", ["iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"]),
    ("privesc18-PassExistingRoleToNewGlueDevEndpoint", ["iam:PassRole", "glue:CreateDevEndpoint", "glue:GetDevEndpoint"]),
    ("privesc20-PassExistingRoleToCloudFormation", ["iam:PassRole", "cloudformation:CreateStack", "cloudformation:DescribeStacks"]),
    ("privesc21-PassExistingRoleToNewDataPipeline", ["iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition", "datapipeline:ActivatePipeline"]),
    ("privesc-codeBuildProject", ["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"]),
    ("privesc-sageNotebook", ["iam:PassRole", "sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"]),
    ("privesc-sageTraining", ["iam:PassRole", "sagemaker:CreateTrainingJob"]),
    ("privesc-sageProcessing", ["iam:PassRole", "sagemaker:CreateProcessingJob"]),
]:
    user(name + "-user", doc(allow(actions)))

# Category: existing resources (conditional: IAM data does not show the resource).
for name, actions in [
    ("privesc17-EditExistingLambdaFunctionWithRole", ["lambda:UpdateFunctionCode", "lambda:InvokeFunction"]),
    ("privesc19-UpdateExistingGlueDevEndpoint", ["glue:UpdateDevEndpoint", "glue:GetDevEndpoint"]),
    ("privesc-ssm-command", ["ssm:SendCommand", "ssm:ListCommandInvocations"]),
    ("privesc-ssm-session", ["ssm:StartSession", "ssm:DescribeSessions"]),
    ("privesc-instanceConnect", ["ec2-instance-connect:SendSSHPublicKey", "ec2:DescribeInstances"]),
    ("privesc-sageUpdateURL", ["sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker:ListNotebookInstances"]),
    ("privesc-cfUpdateStack", ["cloudformation:UpdateStack", "cloudformation:DescribeStacks"]),
]:
    user(name + "-user", doc(allow(actions)))

# tool-testing: false negatives (must be found) and false positives (must not).
user("fn1-privesc3-partial-user", attached=[managed("fn1-privesc3-partial", doc(allow(["ec2:DescribeInstances", "ec2:RunInstances"]))),
                                           managed("fn1-passrole-star", doc(allow("iam:PassRole")))])
user("fn2-exploitableResourceConstraint-user", attached=[managed("fn2-exploitableResourceConstraint", doc(allow("iam:CreatePolicyVersion", "arn:aws:iam::*:policy/fn2-*")))])
user("fn3-exploitableConditionConstraint-user", attached=[managed("fn3-exploitableConditionConstraint",
    doc(allow(["iam:CreatePolicyVersion"], ["*"], Condition={"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}})))])
user("fn4-exploitableNotAction-user", attached=[managed("fn4-exploitableNotAction",
    doc({"Effect": "Allow", "NotAction": ["iam:Update*", "iam:Create*", "iam:Attach*"], "Resource": "*"}))])
user("fp1-allow-and-deny-user", attached=[managed("fp1-allow-and-deny", doc(allow("iam:*"), deny("iam:*")))])
user("fp2-allow-and-deny-multiple-policies-user", attached=[managed("fp2-allow-all", doc(allow("*"))), managed("deny-all", doc(deny("*")))])
user("fp3-deny-iam-user", attached=[managed("fp3-deny-iam", doc(deny("iam:*")))])
user("fp4-nonExploitableResourceConstraint-user", attached=[managed("fp4-nonExploitableResourceConstraint", doc(allow("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/fp4-*")))])
user("fp5-nonExploitableConditionConstraint-user", attached=[managed("fp5-nonExploitableConditionConstraint",
    doc(allow(["iam:CreatePolicyVersion"], ["*"], Condition={"DateLessThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}})))])
# Our own false positives: out of date, bounded, wrong trust.
user("fp6-old-policy-version-user", attached=[managed("fp6-old-version", doc(allow("*")), doc(allow("s3:GetObject")), default=1)])
user("fp7-expired-allow-user", doc(allow("iam:*", "*", Condition={"DateLessThan": {"aws:CurrentTime": "2021-01-01T00:00:00Z"}})))
user("fp8-boundary-user", doc(allow("iam:PutUserPolicy")), boundary=managed("fp8-s3-only", doc(allow("s3:*"))))
user("fp9-passrole-untrusted-user", doc(allow(["ec2:RunInstances"]), allow("iam:PassRole", arn("role", "privesc-sre-role"))))
user("fp10-other-account-tag-user", doc(allow("iam:PutUserPolicy", "*", Condition={"StringEquals": {"aws:PrincipalAccount": "222222222222"}})))

# For the findings (findings_test.go): a human admin with a console password and no MFA,
# roles trusting another account with and without sts:ExternalId, dangling attachments.
user("alice-admin", attached=[ADMIN])
roles.append({"RoleName": "vendor-audit-role", "Arn": arn("role", "vendor-audit-role"),
    "AssumeRolePolicyDocument": doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}),
    "RolePolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}], "InstanceProfileList": []})
roles.append({"RoleName": "vendor-ok-role", "Arn": arn("role", "vendor-ok-role"),
    "AssumeRolePolicyDocument": doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "a-shared-secret-id"}}}),
    "RolePolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}], "InstanceProfileList": []})
fin = managed("fin-reader", doc(allow("s3:GetObject", "arn:aws:s3:::fin-ledger/*")))
user("dangling-user", doc(allow("s3:ListBucket", "arn:aws:s3:::fin-ledger")),
     attached=[f"arn:aws:iam::{A}:policy/deleted-policy", f"arn:aws:iam::{A}:policy/old-path/fin-reader"])

print(json.dumps({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies}, indent=1))
