package awsiam

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestConditionOperators decides one condition per operator family against
// a principal and a time the export gives, and the user's request context.
func TestConditionOperators(t *testing.T) {
	asOf := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)
	e := &env{opts: &Options{AsOf: asOf, Context: map[string][]string{
		"aws:sourceip": {"10.1.2.3"}, "aws:multifactorauthpresent": {"true"},
		"aws:tagkeys": {"team", "cost"}, "s3:max-keys": {"50"},
	}}, acct: "111122223333", arn: "arn:aws:iam::111122223333:user/alice", name: "alice", id: "AIDAEXAMPLE",
		user: true, known: true, tags: map[string]string{"Team": "finance"}}
	role := &env{opts: &Options{}, acct: "111122223333", arn: "arn:aws:iam::111122223333:role/r", known: true}
	for _, tc := range []struct {
		name  string
		block string
		e     *env
		want  tri
	}{
		{name: "date less than, past", block: `{"DateLessThan":{"aws:TokenIssueTime":"2020-01-01T00:00:00Z"}}`, want: triFalse},
		{name: "date greater than, past", block: `{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:00Z"}}`, want: triTrue},
		{name: "date plain day", block: `{"DateLessThanEquals":{"aws:CurrentTime":"2027-01-01"}}`, want: triTrue},
		{name: "date epoch value", block: `{"DateGreaterThan":{"aws:CurrentTime":"1893456000"}}`, want: triFalse},
		{name: "epoch time numeric", block: `{"NumericGreaterThan":{"aws:EpochTime":1700000000}}`, want: triTrue},
		{name: "date without as_of", block: `{"DateLessThan":{"aws:CurrentTime":"2020-01-01"}}`, e: role, want: triUnknown},
		{name: "string equals account", block: `{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`, want: triTrue},
		{name: "string not equals account", block: `{"StringNotEquals":{"aws:PrincipalAccount":["111122223333","444455556666"]}}`, want: triFalse},
		{name: "string like arn", block: `{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/a*"}}`, want: triTrue},
		{name: "string equals ignore case", block: `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/team":"FINANCE"}}`, want: triTrue},
		{name: "string equals tag mismatch", block: `{"StringEquals":{"aws:PrincipalTag/team":"ops"}}`, want: triFalse},
		{name: "absent tag, plain", block: `{"StringEquals":{"aws:PrincipalTag/env":"prod"}}`, want: triFalse},
		{name: "absent tag, IfExists", block: `{"StringEqualsIfExists":{"aws:PrincipalTag/env":"prod"}}`, want: triTrue},
		{name: "absent tag, negated", block: `{"StringNotEquals":{"aws:PrincipalTag/env":"prod"}}`, want: triTrue},
		{name: "null true on absent tag", block: `{"Null":{"aws:PrincipalTag/env":"true"}}`, want: triTrue},
		{name: "null false on present tag", block: `{"Null":{"aws:PrincipalTag/team":"false"}}`, want: triTrue},
		{name: "null true on present tag", block: `{"Null":{"aws:PrincipalTag/team":"true"}}`, want: triFalse},
		{name: "userid", block: `{"StringEquals":{"aws:userid":"AIDAEXAMPLE"}}`, want: triTrue},
		{name: "role userid undecided", block: `{"StringLike":{"aws:userid":"AROA*:*"}}`, e: role, want: triUnknown},
		{name: "policy variable", block: `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/${aws:username}"}}`, want: triTrue},
		{name: "arn like", block: `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}}`, want: triFalse},
		{name: "arn not like", block: `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}}`, want: triTrue},
		{name: "bool from context", block: `{"Bool":{"aws:MultiFactorAuthPresent":true}}`, want: triTrue},
		{name: "bool not given", block: `{"Bool":{"aws:SecureTransport":"true"}}`, want: triUnknown},
		{name: "ip in range", block: `{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","10.0.0.0/8"]}}`, want: triTrue},
		{name: "ip not in range", block: `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, want: triFalse},
		{name: "numeric less than", block: `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, want: triFalse},
		{name: "for all values", block: `{"ForAllValues:StringEquals":{"aws:TagKeys":["team","cost","env"]}}`, want: triTrue},
		{name: "for all values, one outside", block: `{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}`, want: triFalse},
		{name: "for any value", block: `{"ForAnyValue:StringLike":{"aws:TagKeys":"co*"}}`, want: triTrue},
		{name: "for any value, absent key", block: `{"ForAnyValue:StringEquals":{"aws:PrincipalTag/env":"x"}}`, want: triFalse},
		{name: "all keys must hold", block: `{"StringEquals":{"aws:PrincipalAccount":"111122223333"},"DateLessThan":{"aws:CurrentTime":"2020-01-01"}}`, want: triFalse},
		{name: "unknown operator", block: `{"StringFuzzy":{"aws:PrincipalAccount":"x"}}`, want: triUnknown},
		{name: "unknown key", block: `{"StringEquals":{"aws:SourceVpc":"vpc-1"}}`, want: triUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conds, err := parseConditions(json.RawMessage(tc.block))
			require.NoError(t, err)
			st := &Statement{Conditional: true, Conditions: conds}
			en := tc.e
			if en == nil {
				en = e
			}
			v := en.conditions(st, map[string]string{"aws:username": en.name})
			got := triTrue
			switch {
			case !v.applies:
				got = triFalse
			case v.cond:
				got = triUnknown
			}
			require.Equal(t, tc.want, got, v.note)
			require.NotEmpty(t, v.note)
		})
	}
}

func TestParseConditionsErrors(t *testing.T) {
	for _, block := range []string{`"x"`, `{"StringEquals":"x"}`, `{"StringEquals":{"k":{"a":1}}}`} {
		_, err := parseConditions(json.RawMessage(block))
		require.Error(t, err, block)
	}
	_, err := ParseContext([]string{"novalue"})
	require.ErrorContains(t, err, "key=value")
	ctx, err := ParseContext([]string{"aws:SourceIp=10.0.0.1", "aws:SourceIp=10.0.0.2"})
	require.NoError(t, err)
	require.Equal(t, map[string][]string{"aws:sourceip": {"10.0.0.1", "10.0.0.2"}}, ctx)
}
