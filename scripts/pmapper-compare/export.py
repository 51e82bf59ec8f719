#!/usr/bin/env python3
"""Write `aws iam get-account-authorization-details` of an IAM endpoint as one JSON.

Usage: export.py DIR   (AWS_ENDPOINT_URL names the endpoint)

Writes DIR/authorization-details.json and DIR/credential-report.csv (the report
as `aws iam get-credential-report --query Content --output text | base64 -d`).

Pages are merged into one document in the CLI's shape (UserDetailList,
GroupDetailList, RoleDetailList, Policies), dates as ISO 8601, policy documents
decoded, as the CLI prints them; motofix.normalize makes moto's answer look
like AWS's (see motofix.py).
"""
import json
import os
import sys
import time

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import motofix  # noqa: E402


def main():
    iam = boto3.client("iam", region_name="us-east-1")
    out = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    for page in iam.get_paginator("get_account_authorization_details").paginate():
        motofix.normalize(page)
        for key in out:
            out[key] += page.get(key, [])
    with open(os.path.join(sys.argv[1], "authorization-details.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True, default=lambda d: d.isoformat())
        f.write("\n")
    while iam.generate_credential_report()["State"] != "COMPLETE":
        time.sleep(0.2)
    with open(os.path.join(sys.argv[1], "credential-report.csv"), "wb") as f:
        f.write(iam.get_credential_report()["Content"])


if __name__ == "__main__":
    main()
