package awsiam_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
	"github.com/reachgraph/reachgraph/schema"
)

var asOf = time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)

func transformAt(t *testing.T, d *awsiam.Details, ctx map[string][]string) *graph.Dataset {
	t.Helper()
	ds, err := awsiam.TransformWith(d, nil, nil, awsiam.Options{AsOf: asOf, Context: ctx})
	require.NoError(t, err)
	return ds
}

// TestConditionsEvaluatedAtAsOf: the pair — a DateLessThan
// aws:TokenIssueTime 2020 Allow is false at as_of (no grant), the
// DateGreaterThan one true (an unconditional grant whose evidence shows the
// condition and that it was evaluated).
func TestConditionsEvaluatedAtAsOf(t *testing.T) {
	for _, tc := range []struct {
		name, op  string
		grant     bool
		cond      bool
		evidence  string
		ctx       map[string][]string
		condition string
	}{
		{name: "false at as_of", op: "DateLessThan", condition: `{"DateLessThan":{"aws:TokenIssueTime":"2020-01-01T00:00:00Z"}}`},
		{name: "true at as_of", condition: `{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:00Z"}}`, grant: true,
			evidence: "s3:PutObject on * (policy p, condition DateGreaterThan aws:TokenIssueTime 2020-01-01T00:00:00Z holds at 2026-11-20T06:00:00Z)"},
		{name: "undecidable", condition: `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`, grant: true, cond: true,
			evidence: "s3:PutObject on * (policy p, condition Bool aws:MultiFactorAuthPresent true not evaluated)"},
		{name: "decided by --aws-context", condition: `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`, grant: true,
			ctx:      map[string][]string{"aws:multifactorauthpresent": {"true"}},
			evidence: "s3:PutObject on * (policy p, condition Bool aws:MultiFactorAuthPresent true (by --aws-context) holds)"},
		{name: "context makes it false", condition: `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`,
			ctx: map[string][]string{"aws:multifactorauthpresent": {"false"}}},
		{name: "principal tag decided", condition: `{"StringEquals":{"aws:PrincipalTag/team":"ops"}}`},
		{name: "principal account decided", condition: `{"StringEquals":{"aws:PrincipalAccount":"` + acct + `"}}`, grant: true,
			evidence: "s3:PutObject on * (policy p, condition StringEquals aws:PrincipalAccount " + acct + " holds)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := transformAt(t, details(t, `{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":`+tc.condition+`}`, ""), tc.ctx)
			g := hasGrant(ds, user, schema.ActionWrite, on("s3"))
			if !tc.grant {
				require.Nil(t, g)
				return
			}
			require.NotNil(t, g)
			require.Equal(t, tc.cond, g.Conditional)
			require.Equal(t, tc.evidence, g.Native)
		})
	}
}

// TestDenyConditionFalse: a Deny whose condition is false at as_of does not
// apply; one whose condition holds removes the grant.
func TestDenyConditionFalse(t *testing.T) {
	allow := `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`
	past := `{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2020-01-01"}}}`
	now := `{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"}}}`
	ds := transformAt(t, details(t, allow+","+past, ""), nil)
	g := hasGrant(ds, user, schema.ActionWrite, on("s3"))
	require.NotNil(t, g)
	require.False(t, g.Conditional)
	require.Nil(t, hasGrant(transformAt(t, details(t, allow+","+now, ""), nil), user, schema.ActionWrite, on("s3")))
	// Without as_of the date cannot be decided: the Deny stays conditional.
	g = hasGrant(transform(t, details(t, allow+","+now, "")), user, schema.ActionWrite, on("s3"))
	require.NotNil(t, g)
	require.True(t, g.Conditional)
}

// TestTrustConditionOnPrincipal: a trust statement naming the account with
// aws:PrincipalArn decides per assumer.
func TestTrustConditionOnPrincipal(t *testing.T) {
	role := `{"RoleName":"r","Arn":"arn:aws:iam::` + acct + `:role/r","AssumeRolePolicyDocument":{"Statement":[{"Effect":"Allow",
	  "Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole",
	  "Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::` + acct + `:user/admin-*"}}}]}}`
	ds := transformAt(t, details(t, `{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`, role), nil)
	require.False(t, hasDelegation(ds, user, "aws:"+acct+":role/r", schema.DelegAssumeRole))
}
