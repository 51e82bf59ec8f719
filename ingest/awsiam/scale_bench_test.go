package awsiam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest/awsiam"
)

// BenchmarkTransformLargeAccount transforms a synthetic account of 1,000
// users and 1,000 roles (trusting the account root or a service), each with a
// few policies, to show how the per-(principal, role) escalation and trust
// checks scale.
func BenchmarkTransformLargeAccount(b *testing.B) {
	const n = 1000
	var users, roles []string
	for i := range n {
		users = append(users, fmt.Sprintf(`{"UserName":"u%[2]d","Arn":"arn:aws:iam::%[1]s:user/u%[2]d","UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":[
		  {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-%[3]d/*"},
		  {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::%[1]s:role/r%[3]d*"},
		  {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}}]}`, acct, i, i%50))
		trust := fmt.Sprintf(`{"AWS":"arn:aws:iam::%s:root"}`, acct)
		if i%3 == 0 {
			trust = `{"Service":"lambda.amazonaws.com"}`
		}
		roles = append(roles, fmt.Sprintf(`{"RoleName":"r%[2]d","Arn":"arn:aws:iam::%[1]s:role/r%[2]d","AssumeRolePolicyDocument":{"Statement":[{"Effect":"Allow","Principal":%[3]s,"Action":"sts:AssumeRole"}]},
		  "RolePolicyList":[{"PolicyName":"rp","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":["dynamodb:*","logs:*"],"Resource":"*"}]}}]}`, acct, i, trust))
	}
	doc := `{"UserDetailList":[` + strings.Join(users, ",") + `],"RoleDetailList":[` + strings.Join(roles, ",") + `]}`
	d, probs, err := awsiam.ParseDetails([]byte(doc))
	require.NoError(b, err)
	require.Empty(b, probs)
	b.ResetTimer()
	for range b.N {
		ds, err := awsiam.Transform(d, nil, nil)
		require.NoError(b, err)
		b.ReportMetric(float64(len(ds.GrantList)), "grants")
		b.ReportMetric(float64(len(ds.DelegationList)), "delegations")
	}
}
