// Package link joins the sources of one ingest: the link file (`--link
// FILE`, YAML) states that identities of different sources are one actor
// (same_as, by pairs or by joining an attribute), that a credential of one
// source is held at a secret path of another (stored_in), and that a workload
// of one platform acts as an identity of another (act_as); and some links are
// inferred from the data itself without a link file (infer.go): IRSA, a
// Kubernetes service account annotated with an AWS role whose trust policy
// admits the account's token; and an identity named by an OIDC subject
// (oidc:ISSUER:sub:SUBJECT, a CI workflow) assuming the AWS roles whose trust
// policy admits that subject from its issuer's provider.
//
// Parse is pure (bytes → Spec and located problems); New returns the
// ingest.LinkFunc that applies a link file and the inferences after every
// source of a load is read, before references are resolved. Every end must be
// declared by some source of the same load: an end that is not is a problem at
// the link file's line, and nothing is stored. docs/links.md is the user
// documentation.
package link
