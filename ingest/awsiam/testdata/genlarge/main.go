// Command genlarge writes a large, valid get-account-authorization-details
// export (indented like the AWS CLI's output) to stdout, for measuring the
// aws-iam reader's memory on big inputs (docs/performance.md). Nothing it
// writes is committed.
//
//	go run ./ingest/awsiam/testdata/genlarge -users 50000 -roles 10000 -policies 40000 >/tmp/gaad.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

const acct = "123456789012"

func doc(stmts int, seed int) map[string]any {
	var st []any
	for i := range stmts {
		st = append(st, map[string]any{
			"Sid": fmt.Sprintf("S%d", i), "Effect": "Allow",
			"Action":   []string{"s3:GetObject", "s3:PutObject", "dynamodb:GetItem", "dynamodb:PutItem"},
			"Resource": []string{fmt.Sprintf("arn:aws:s3:::bucket-%d/*", (seed+i)%500), fmt.Sprintf("arn:aws:dynamodb:eu-west-1:%s:table/t%d", acct, (seed+i)%500)},
		})
	}
	return map[string]any{"Version": "2012-10-17", "Statement": st}
}

func main() {
	users := flag.Int("users", 50000, "users")
	roles := flag.Int("roles", 10000, "roles")
	groups := flag.Int("groups", 200, "groups")
	policies := flag.Int("policies", 40000, "customer-managed policies (5 versions each, the first the default)")
	flag.Parse()
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	list := func(key string, n int, last bool, entry func(i int) any) {
		fmt.Fprintf(w, "    %q: [\n", key)
		for i := range n {
			b, err := json.MarshalIndent(entry(i), "        ", "    ")
			if err != nil {
				panic(err)
			}
			w.WriteString("        ")
			w.Write(b)
			if i < n-1 {
				w.WriteString(",")
			}
			w.WriteString("\n")
		}
		w.WriteString("    ]")
		if !last {
			w.WriteString(",")
		}
		w.WriteString("\n")
	}
	pol := func(i int) string { return fmt.Sprintf("arn:aws:iam::%s:policy/p%d", acct, i) }
	w.WriteString("{\n")
	list("UserDetailList", *users, false, func(i int) any {
		return map[string]any{"Path": "/", "UserName": fmt.Sprintf("user%d", i), "UserId": fmt.Sprintf("AIDA%016d", i),
			"Arn": fmt.Sprintf("arn:aws:iam::%s:user/user%d", acct, i), "CreateDate": "2020-01-01T00:00:00Z",
			"UserPolicyList":          []any{map[string]any{"PolicyName": "inline", "PolicyDocument": doc(2, i)}},
			"GroupList":               []string{fmt.Sprintf("group%d", i%*groups)},
			"AttachedManagedPolicies": []any{map[string]any{"PolicyName": "p", "PolicyArn": pol(i % *policies)}},
			"Tags":                    []any{map[string]any{"Key": "team", "Value": fmt.Sprintf("team%d", i%40)}}}
	})
	list("GroupDetailList", *groups, false, func(i int) any {
		return map[string]any{"Path": "/", "GroupName": fmt.Sprintf("group%d", i), "GroupId": fmt.Sprintf("AGPA%016d", i),
			"Arn": fmt.Sprintf("arn:aws:iam::%s:group/group%d", acct, i), "CreateDate": "2020-01-01T00:00:00Z",
			"GroupPolicyList":         []any{map[string]any{"PolicyName": "ginline", "PolicyDocument": doc(1, i)}},
			"AttachedManagedPolicies": []any{}}
	})
	list("RoleDetailList", *roles, false, func(i int) any {
		return map[string]any{"Path": "/", "RoleName": fmt.Sprintf("role%d", i), "RoleId": fmt.Sprintf("AROA%016d", i),
			"Arn": fmt.Sprintf("arn:aws:iam::%s:role/role%d", acct, i), "CreateDate": "2020-01-01T00:00:00Z",
			"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}}},
			"InstanceProfileList": []any{}, "RolePolicyList": []any{map[string]any{"PolicyName": "rinline", "PolicyDocument": doc(2, i)}},
			"AttachedManagedPolicies": []any{map[string]any{"PolicyName": "p", "PolicyArn": pol(i % *policies)}},
			"Tags":                    []any{}, "RoleLastUsed": map[string]any{}}
	})
	list("Policies", *policies, true, func(i int) any {
		var versions []any
		for v := 1; v <= 5; v++ {
			versions = append(versions, map[string]any{"Document": doc(6, i+v), "VersionId": fmt.Sprintf("v%d", v),
				"IsDefaultVersion": v == 5, "CreateDate": "2020-01-01T00:00:00Z"})
		}
		return map[string]any{"PolicyName": fmt.Sprintf("p%d", i), "PolicyId": fmt.Sprintf("ANPA%016d", i), "Arn": pol(i),
			"Path": "/", "DefaultVersionId": "v5", "AttachmentCount": 1, "IsAttachable": true,
			"CreateDate": "2020-01-01T00:00:00Z", "UpdateDate": "2020-01-01T00:00:00Z", "PolicyVersionList": versions}
	})
	w.WriteString("}\n")
}
