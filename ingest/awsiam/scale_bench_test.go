package awsiam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest/awsiam"
)

// BenchmarkTransformLargeAccount transforms synthetic accounts of 1,000 and
// 8,000 users and 1,000 roles (trusting the account root or a service), each
// with a few policies, to show how the per-(principal, role) escalation and
// trust checks scale: the time per op should grow about linearly with the
// users.
func BenchmarkTransformLargeAccount(b *testing.B) {
	for _, users := range []int{1000, 8000} {
		b.Run(fmt.Sprintf("users=%d/roles=1000", users), func(b *testing.B) {
			d, probs, err := awsiam.ParseDetails([]byte(largeAccount(users, 1000)))
			require.NoError(b, err)
			require.Empty(b, probs)
			b.ResetTimer()
			for range b.N {
				ds, err := awsiam.Transform(d, nil, nil)
				require.NoError(b, err)
				b.ReportMetric(float64(len(ds.GrantList)), "grants")
				b.ReportMetric(float64(len(ds.DelegationList)), "delegations")
			}
		})
	}
}

// largeAccount is a synthetic authorization-details document: each user may
// read and write one of 50 buckets and assume the roles r<i%50>*; a third
// of the roles trust Lambda, the others the account.
func largeAccount(nUsers, nRoles int) string {
	var users, roles []string
	for i := range nUsers {
		users = append(users, fmt.Sprintf(`{"UserName":"u%[2]d","Arn":"arn:aws:iam::%[1]s:user/u%[2]d","UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":[
		  {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-%[3]d/*"},
		  {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::%[1]s:role/r%[3]d*"},
		  {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}}]}`, acct, i, i%50))
	}
	for i := range nRoles {
		trust := fmt.Sprintf(`{"AWS":"arn:aws:iam::%s:root"}`, acct)
		if i%3 == 0 {
			trust = `{"Service":"lambda.amazonaws.com"}`
		}
		roles = append(roles, fmt.Sprintf(`{"RoleName":"r%[2]d","Arn":"arn:aws:iam::%[1]s:role/r%[2]d","AssumeRolePolicyDocument":{"Statement":[{"Effect":"Allow","Principal":%[3]s,"Action":"sts:AssumeRole"}]},
		  "RolePolicyList":[{"PolicyName":"rp","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":["dynamodb:*","logs:*"],"Resource":"*"}]}}]}`, acct, i, trust))
	}
	return `{"UserDetailList":[` + strings.Join(users, ",") + `],"RoleDetailList":[` + strings.Join(roles, ",") + `]}`
}
