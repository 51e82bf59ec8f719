package link

import (
	"testing"

	"github.com/reachgraph/reachgraph/schema/iam"
	"github.com/stretchr/testify/require"
)

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{pattern: "repo:acme/*", s: "repo:acme/gl-close:ref:refs/heads/main", want: true},
		{pattern: "repo:acme/*:ref:refs/heads/main", s: "repo:acme/x/y:ref:refs/heads/main", want: true},
		{pattern: "repo:acme/*:ref:refs/heads/main", s: "repo:acme/x:ref:refs/heads/dev", want: false},
		{pattern: "system:serviceaccount:ci:?", s: "system:serviceaccount:ci:a", want: true},
		{pattern: "system:serviceaccount:ci:?", s: "system:serviceaccount:ci:ab", want: false},
		{pattern: "*", s: "", want: true},
		{pattern: "", s: "a", want: false},
		{pattern: "a*b*c", s: "aXbYbZc", want: true},
		{pattern: "a*b*c", s: "aXbYbZ", want: false},
		{pattern: "**********x", s: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaay", want: false},
	} {
		require.Equal(t, tc.want, glob(tc.pattern, tc.s), "%q ~ %q", tc.pattern, tc.s)
	}
}

func TestAdmits(t *testing.T) {
	const p = "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"
	tags := map[string]string{iam.OIDCSubjectTag(p, false): "repo:a/b:ref:refs/heads/main repo:a/c:environment:prod", iam.OIDCSubjectTag(p, true): "repo:a/d:*"}
	for _, tc := range []struct {
		subject, how string
		ok           bool
	}{
		{subject: "repo:a/c:environment:prod", how: "for subject repo:a/c:environment:prod", ok: true},
		{subject: "repo:a/d:pull_request", how: "for subjects like repo:a/d:*", ok: true},
		{subject: "repo:a/e:ref:refs/heads/main", ok: false},
	} {
		how, ok := admits(tags, p, tc.subject)
		require.Equal(t, tc.ok, ok, tc.subject)
		require.Equal(t, tc.how, how, tc.subject)
	}
	how, ok := admits(map[string]string{}, p, "anything")
	require.True(t, ok)
	require.Equal(t, anySubject, how)
}
