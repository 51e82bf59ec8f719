#!/usr/bin/env python3
"""Create iam-vulnerable's IAM resources in an IAM endpoint (a moto server).

Usage: deploy.py PLAN.json   (AWS_ENDPOINT_URL names the endpoint)

PLAN.json is tf2plan.py's output. On top of it:
- terraform-admin, the user that "ran Terraform" (AdministratorAccess): every
  path's role trusts it, as iam-vulnerable's roles trust the caller's ARN;
- privesc2's policy gets a second version allowing "*" and its default set back
  to v1, the step iam-vulnerable's privesc2-SetExistingDefaultPolicyVersion.tf
  says must be done by hand for the path to be exploitable;
- reachgraph's own false positives fp6-fp10 (see EXTRAS below).
"""
import json
import sys

import boto3

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def doc(*stmts):
    return {"Version": "2012-10-17", "Statement": list(stmts)}


def allow(actions, resource="*", **kw):
    return dict(Effect="Allow", Action=actions, Resource=resource, **kw)


def main():
    iam = boto3.client("iam", region_name="us-east-1")
    account = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
    plan = json.loads(open(sys.argv[1]).read().replace("ACCOUNT_ID", account))

    def arn(kind, name):
        return "arn:aws:iam::%s:%s/%s" % (account, kind, name)

    def put(document):
        return json.dumps(document)

    iam.create_user(UserName="terraform-admin")
    iam.attach_user_policy(UserName="terraform-admin", PolicyArn=ADMIN)

    for p in plan["policies"]:
        iam.create_policy(PolicyName=p["name"], Path=p["path"], Description=p["description"],
                          PolicyDocument=put(p["document"]))
    for u in plan["users"]:
        iam.create_user(UserName=u["name"], Path=u["path"])
    for g in plan["groups"]:
        iam.create_group(GroupName=g["name"], Path=g["path"])
    for m in plan["group_memberships"]:
        iam.add_user_to_group(GroupName=m["group"], UserName=m["user"])
    for r in plan["roles"]:
        iam.create_role(RoleName=r["name"], AssumeRolePolicyDocument=put(r["trust"]))
    attached = set()
    for r in plan["roles"]:
        for a in r["managed_policy_arns"]:
            attached.add(("role", r["name"], a))
    for kind in ("user", "group", "role"):
        for a in plan[kind + "_policy_attachments"]:
            attached.add((kind, a[kind], a["policy_arn"]))
    for kind, name, policy_arn in sorted(attached):
        if kind == "user":
            iam.attach_user_policy(UserName=name, PolicyArn=policy_arn)
        elif kind == "group":
            iam.attach_group_policy(GroupName=name, PolicyArn=policy_arn)
        else:
            iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    for ip in plan["instance_profiles"]:
        iam.create_instance_profile(InstanceProfileName=ip["name"])
        iam.add_role_to_instance_profile(InstanceProfileName=ip["name"], RoleName=ip["role"])
    for k in plan["access_keys"]:
        iam.create_access_key(UserName=k["user"])

    p2 = arn("policy", "privesc2-SetExistingDefaultPolicyVersion")
    iam.create_policy_version(PolicyArn=p2, PolicyDocument=put(doc(allow("*"))), SetAsDefault=True)
    iam.set_default_policy_version(PolicyArn=p2, VersionId="v1")

    # EXTRAS: reachgraph's own false positives (none may be found).
    # fp6: the admin version of its policy is not the default one.
    fp6 = iam.create_policy(PolicyName="fp6-old-version", PolicyDocument=put(doc(allow("*"))))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=fp6, PolicyDocument=put(doc(allow("s3:GetObject"))), SetAsDefault=True)
    iam.create_user(UserName="fp6-old-policy-version-user")
    iam.attach_user_policy(UserName="fp6-old-policy-version-user", PolicyArn=fp6)
    # fp7: iam:* that expired on 2021-01-01.
    iam.create_user(UserName="fp7-expired-allow-user")
    iam.put_user_policy(UserName="fp7-expired-allow-user", PolicyName="fp7-expired-allow", PolicyDocument=put(doc(
        allow("iam:*", Condition={"DateLessThan": {"aws:CurrentTime": "2021-01-01T00:00:00Z"}}))))
    # fp8: a role that may iam:PutRolePolicy (on itself too) under a permissions
    # boundary that allows only s3:*. A role, not a user: moto 5.2.5 keeps no
    # permissions boundary on users.
    fp8 = iam.create_policy(PolicyName="fp8-s3-only", PolicyDocument=put(doc(allow("s3:*"))))["Policy"]["Arn"]
    iam.create_role(RoleName="fp8-boundary-role", PermissionsBoundary=fp8, AssumeRolePolicyDocument=put(doc(
        {"Effect": "Allow", "Principal": {"AWS": arn("user", "terraform-admin")}, "Action": "sts:AssumeRole"})))
    iam.put_role_policy(RoleName="fp8-boundary-role", PolicyName="fp8-putrolepolicy",
                        PolicyDocument=put(doc(allow("iam:PutRolePolicy"))))
    # fp9: ec2:RunInstances + iam:PassRole only on privesc-sre-role, which no service trusts.
    iam.create_user(UserName="fp9-passrole-untrusted-user")
    iam.put_user_policy(UserName="fp9-passrole-untrusted-user", PolicyName="fp9-passrole", PolicyDocument=put(doc(
        allow(["ec2:RunInstances"]), allow("iam:PassRole", arn("role", "privesc-sre-role")))))
    # fp10: iam:PutUserPolicy only for principals of another account.
    iam.create_user(UserName="fp10-other-account-user")
    iam.put_user_policy(UserName="fp10-other-account-user", PolicyName="fp10-other-account", PolicyDocument=put(doc(
        allow("iam:PutUserPolicy", Condition={"StringEquals": {"aws:PrincipalAccount": "222222222222"}}))))
    print("deployed into account %s: %d users, %d roles, %d policies" % (
        account, len(plan["users"]) + 5, len(plan["roles"]) + 1, len(plan["policies"]) + 2), file=sys.stderr)


if __name__ == "__main__":
    main()
