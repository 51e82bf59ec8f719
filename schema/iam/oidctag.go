package iam

import (
	"crypto/sha256"
	"encoding/hex"
)

// OIDCSubjectTag is the identity tag key under which the AWS IAM ingester
// keeps the subjects a role's trust policy admits from one Federated OIDC
// provider (like: its StringLike patterns, else its StringEquals values),
// and which the link layer reads to infer workload links. The provider ARN
// is hashed into the key: provider hosts such as
// token.actions.githubusercontent.com would otherwise make the key look like
// it names a secret to the ingest guard, which checks every tag key.
func OIDCSubjectTag(provider string, like bool) string {
	sum := sha256.Sum256([]byte(provider))
	prefix := "oidc_sub:"
	if like {
		prefix = "oidc_sub_like:"
	}
	return prefix + hex.EncodeToString(sum[:8])
}
