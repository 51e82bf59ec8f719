package iam_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/schema/iam"
)

func TestOIDCSubjectTag(t *testing.T) {
	gh := "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
	eks := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
	require.Equal(t, iam.OIDCSubjectTag(gh, false), iam.OIDCSubjectTag(gh, false), "stable")
	require.NotEqual(t, iam.OIDCSubjectTag(gh, false), iam.OIDCSubjectTag(eks, false), "one key per provider")
	require.NotEqual(t, iam.OIDCSubjectTag(gh, false), iam.OIDCSubjectTag(gh, true), "exact values and patterns apart")
	require.NotContains(t, iam.OIDCSubjectTag(gh, true), "token", "the key never looks like it names a secret")
}
