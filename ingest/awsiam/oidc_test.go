package awsiam_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/reachgraph/reachgraph/schema/iam"
	"github.com/stretchr/testify/require"
)

// A trust policy's conditions on the web identity token's subject are kept:
// in the delegation's evidence, and per provider as role tags for the link
// layer (exact values and StringLike patterns apart).
func TestOIDCSubjectConditions(t *testing.T) {
	const gh = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
	path := filepath.Join(t.TempDir(), "authz.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [
 {"RoleName": "deploy", "Arn": "arn:aws:iam::111122223333:role/deploy", "Path": "/", "RoleId": "AROAOIDCTEST000000001",
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
   {"Effect": "Allow", "Principal": {"Federated": "`+gh+`"}, "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                   "token.actions.githubusercontent.com:sub": ["repo:acme/a:ref:refs/heads/main", "repo:acme/b:environment:prod"]},
                  "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/c:*"}}}]},
  "RolePolicyList": [], "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": []},
 {"RoleName": "open", "Arn": "arn:aws:iam::111122223333:role/open", "Path": "/", "RoleId": "AROAOIDCTEST000000002",
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
   {"Effect": "Allow", "Principal": {"Federated": "`+gh+`"}, "Action": "sts:AssumeRoleWithWebIdentity"}]},
  "RolePolicyList": [], "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": []}]}`), 0o600))
	d := load(t, path)
	tags := map[string]map[string]string{}
	for _, id := range d.IdentityList {
		tags[id.ID] = id.Tags
	}
	require.Equal(t, map[string]string{
		"arn":                         "arn:aws:iam::111122223333:role/deploy",
		iam.OIDCSubjectTag(gh, false): "repo:acme/a:ref:refs/heads/main repo:acme/b:environment:prod",
		iam.OIDCSubjectTag(gh, true):  "repo:acme/c:*",
	}, tags["aws:111122223333:role/deploy"])
	require.Equal(t, map[string]string{"arn": "arn:aws:iam::111122223333:role/open"}, tags["aws:111122223333:role/open"])
	var natives []string
	for _, dl := range d.DelegationList {
		natives = append(natives, dl.Native)
	}
	require.Contains(t, natives, "trust policy of deploy: Federated "+gh+
		" where token.actions.githubusercontent.com:sub = repo:acme/a:ref:refs/heads/main, repo:acme/b:environment:prod"+
		" and token.actions.githubusercontent.com:sub like repo:acme/c:*")
	require.Contains(t, natives, "trust policy of open: Federated "+gh)
}
