package link_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest/link"
	"github.com/reachgraph/reachgraph/schema"
)

// writeLinks writes a link file into dir and returns its path.
func writeLinks(t *testing.T, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "bad-links.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

// The e-mail join makes one actor of the IdP person, the SAP user (ADR6
// e-mail) and the Kubernetes user named by the address, and records the rule.
func TestEstateSameAsJoin(t *testing.T) {
	d := mustLoad(t, estate)
	// The first of the group in load order (the Kubernetes source comes first)
	// carries the links: same_as is symmetric.
	bob := identity(d, "k8s:prod:user:bob.smith@example.com")
	require.Equal(t, []string{"sap:PRD:100:user:BOB", "okta:bob.smith"}, bob.SameAs)
	require.Equal(t, "join email = bob.smith@example.com (links.yaml:5)", bob.Tags[link.TagPrefix+"okta:bob.smith"])
	require.Empty(t, identity(d, "sap:PRD:100:user:BOB").SameAs)
	require.Empty(t, identity(d, "okta:bob.smith").SameAs)
	alice := identity(d, "sap:PRD:100:user:ALICE")
	require.Equal(t, []string{"okta:alice.ng"}, alice.SameAs, "case of the address ignored (ADR6 has Alice.Ng@…)")
	require.Equal(t, "join email = alice.ng@example.com (links.yaml:5)", alice.Tags[link.TagPrefix+"okta:alice.ng"])
	for _, id := range d.IdentityList {
		if id.ID != alice.ID && id.ID != bob.ID {
			require.Empty(t, id.SameAs, id.ID)
		}
	}
}

// gha is the GitHub Actions workflow of the sample, named by its OIDC subject.
const gha = "oidc:https://token.actions.githubusercontent.com:sub:repo:acme/gl-close:ref:refs/heads/main"

func TestEstateStoredInAndActAs(t *testing.T) {
	d := mustLoad(t, estate)
	c := credential(d, "sap:PRD:100:user:RFC_FI:password")
	require.Equal(t, "vault:prod:path:secret/data/finance/sap/rfc_fi", c.StoredIn)
	require.True(t, c.Vaulted)
	require.Equal(t, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), c.LastRotatedAt, "SAP's own date is kept")

	const podSA, role = "k8s:prod:sa:ci/report-export", "aws:111122223333:role/report-export"
	require.Equal(t, []string{"k8s:prod", "aws:111122223333"}, credential(d, podSA+":token").Systems,
		"the service account's token is accepted by AWS (act_as credential)")
	require.Contains(t, d.DelegationList, graph.Delegation{From: podSA, To: role, Kind: schema.DelegAssumeRole, System: "aws:111122223333",
		Native: "link links.yaml:20: act_as (EKS Pod Identity association a-0f3c9e2d1b7a64c58 (cluster prod, namespace ci, service account report-export))"})
	a, ok := access(t, d, podSA, "read", "arn:aws:s3:::fin-ledger-exports/reports/*")
	require.True(t, ok && a.Effective)

	// Without the link file the service account reaches nothing in AWS.
	d = mustLoad(t, estate, []string{}...)
	_, ok = access(t, d, podSA, "read", "arn:aws:s3:::fin-ledger-exports/reports/*")
	require.False(t, ok)
}

// IRSA is inferred without a link file: annotation + OIDC trust.
func TestEstateIRSAInferred(t *testing.T) {
	d := mustLoad(t, estate, []string{}...)
	var irsa []graph.Delegation
	for _, dl := range d.DelegationList {
		if dl.From == ciSA && dl.To == "aws:111122223333:role/ledger-export" {
			irsa = append(irsa, dl)
		}
	}
	require.Len(t, irsa, 1)
	require.Equal(t, schema.DelegAssumeRole, irsa[0].Kind)
	require.Equal(t, "aws:111122223333", irsa[0].System)
	require.Equal(t, "inferred (IRSA): service account annotation eks.amazonaws.com/role-arn; trust policy of the role: Federated "+
		"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C0FFEE0DA7A for subject system:serviceaccount:ci:ledger-sync"+
		" (sts:AssumeRoleWithWebIdentity)", irsa[0].Native)
	a, ok := access(t, d, ciSA, "read", "arn:aws:s3:::fin-ledger-exports")
	require.True(t, ok && a.Effective)
	require.True(t, slices.Contains(credential(d, ciSA+":token").Systems, "aws:111122223333"))

	// Without the OIDC trust there is no link.
	dir := copyEstate(t)
	edit(t, dir, "aws/authorization-details.json", `"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C0FFEE0DA7A"`,
		`"Service": "ec2.amazonaws.com"`)
	d = mustLoad(t, dir)
	_, ok = access(t, d, ciSA, "read", "arn:aws:s3:::fin-ledger-exports")
	require.False(t, ok)
	// Nor when the trust condition names another service account.
	dir = copyEstate(t)
	edit(t, dir, "aws/authorization-details.json", `"system:serviceaccount:ci:ledger-sync"`, `"system:serviceaccount:ci:other"`)
	d = mustLoad(t, dir)
	_, ok = access(t, d, ciSA, "read", "arn:aws:s3:::fin-ledger-exports")
	require.False(t, ok)
	// Nor without the annotation.
	dir = copyEstate(t)
	edit(t, dir, "k8s/cluster.yaml", "      eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/ledger-export\n", "      team: finance\n")
	d = mustLoad(t, dir)
	_, ok = access(t, d, ciSA, "read", "arn:aws:s3:::fin-ledger-exports")
	require.False(t, ok)
}

// Every end must exist in the sources of the load; problems are located at
// the link file's lines and nothing is stored.
func TestLinkEndProblems(t *testing.T) {
	dir := copyEstate(t)
	path := writeLinks(t, dir, `same_as:
  - pair: ["okta:bob.smith", "sap:PRD:100:user:BOOB"]
stored_in:
  - credential: "sap:PRD:100:user:RFC_FI:password"
    resource: "vault:prod:path:secret/data/finance/sap/rfc-fi"
  - credential: "okta:alice.ng"
    resource: "vault:prod"
act_as:
  - from: "k8s:prod:sa:ci/ledger-sync"
    to: "vault:prod:policy:sap-rfc-read"
    system: "vault:staging"
`)
	require.Equal(t, []string{
		`bad-links.yaml:2: same_as "sap:PRD:100:user:BOOB" does not exist in the sources of this ingest (want the id of an Identity) (did you mean "sap:PRD:100:user:BOB"?)`,
		`bad-links.yaml:4: stored_in resource "vault:prod:path:secret/data/finance/sap/rfc-fi" does not exist in the sources of this ingest (want the id of a Resource)`,
		`bad-links.yaml:6: stored_in credential "okta:alice.ng" is an Identity, not a Credential`,
		`bad-links.yaml:6: stored_in resource "vault:prod" is a System, not a Resource`,
		`bad-links.yaml:9: act_as to "vault:prod:policy:sap-rfc-read" is a Group, not an Identity`,
		`bad-links.yaml:9: act_as system "vault:staging" does not exist in the sources of this ingest (want the id of a System)`,
	}, problems(t, dir, path))
}

func TestLinkSyntaxProblemStoresNothing(t *testing.T) {
	dir := copyEstate(t)
	path := writeLinks(t, dir, "stored_in:\n  - credential: c\n    resource: r\n    vault: true\n")
	require.Equal(t, []string{
		`bad-links.yaml:4: stored_in: unknown field "vault" (did you mean "vaulted"?) (allowed: credential, resource, vaulted)`,
	}, problems(t, dir, path))
}

func TestStoredInConflict(t *testing.T) {
	dir := copyEstate(t)
	path := writeLinks(t, dir, `stored_in:
  - {credential: "sap:PRD:100:user:RFC_FI:password", resource: "vault:prod:path:secret/data/finance/sap/rfc_fi"}
  - {credential: "sap:PRD:100:user:RFC_FI:password", resource: "vault:prod:path:secret"}
`)
	require.Equal(t, []string{
		`bad-links.yaml:3: stored_in: credential "sap:PRD:100:user:RFC_FI:password" is already stored in "vault:prod:path:secret/data/finance/sap/rfc_fi" by bad-links.yaml:2; a credential is held at one place`,
	}, problems(t, dir, path))
}

// A bad export next to a link file: the export's problems, nothing stored,
// and the link pass does not run on a broken load.
func TestBadExportWithLinks(t *testing.T) {
	dir := copyEstate(t)
	edit(t, dir, "people.yaml", "type: human, tags: {email: bob", "type: person, tags: {email: bob")
	require.Equal(t, []string{`people.yaml:12: unknown type "person" (allowed: human, service_account, application, api_client, workload, bot, ai_agent)`},
		problems(t, dir))
}

// A credential without a rotation date stored in a Vault KV secret takes the
// time its current version was written (KV v2 metadata) as last_rotated_at.
func TestStoredInTakesKVWriteTime(t *testing.T) {
	dir := copyEstate(t)
	path := writeLinks(t, dir, `stored_in:
  - credential: "okta:alice.ng:sso"
    resource: "vault:prod:path:secret/data/finance/sap/rfc_fi"
`)
	d := mustLoad(t, dir, path)
	require.Equal(t, time.Date(2026, 6, 30, 9, 30, 0, 0, time.UTC), credential(d, "okta:alice.ng:sso").LastRotatedAt)
	require.True(t, credential(d, "okta:bob.smith:sso").LastRotatedAt.IsZero())
}

// A bad Vault export next to the link file: its located problem, nothing
// stored.
func TestBadVaultExportWithLinks(t *testing.T) {
	dir := copyEstate(t)
	edit(t, dir, "vault/sys/policy/sap-rfc-read.json", `capabilities = [\"read\"]`, `capabilities = [\"read\"`)
	require.Equal(t, []string{"vault/sys/policy/sap-rfc-read.json:8: /data/rules: policy line 4: Missing item separator: Expected a comma to mark the beginning of the next item."},
		problems(t, dir))
}

// A workflow named by its OIDC subject assumes the AWS role whose trust
// policy admits that subject from GitHub's provider; no link file needed.
func TestEstateOIDCSubjectInferred(t *testing.T) {
	d := mustLoad(t, estate, []string{}...)
	var got []graph.Delegation
	for _, dl := range d.DelegationList {
		if dl.From == gha {
			got = append(got, dl)
		}
	}
	require.Equal(t, []graph.Delegation{{From: gha, To: "aws:111122223333:role/gl-publish", Kind: schema.DelegAssumeRole, System: "aws:111122223333",
		Native: "inferred (OIDC trust): trust policy of the role: Federated arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" +
			" for subject repo:acme/gl-close:ref:refs/heads/main (sts:AssumeRoleWithWebIdentity)"}}, got)
	require.Equal(t, []string{"github", "aws:111122223333"}, credential(d, gha+":token").Systems)
	a, ok := access(t, d, gha, "write", "arn:aws:s3:::fin-ledger-exports/close/*")
	require.True(t, ok && a.Effective)

	// Another branch is not admitted.
	dir := copyEstate(t)
	edit(t, dir, "aws/authorization-details.json", `"repo:acme/gl-close:ref:refs/heads/main"`, `"repo:acme/gl-close:ref:refs/heads/release"`)
	d = mustLoad(t, dir)
	_, ok = access(t, d, gha, "write", "arn:aws:s3:::fin-ledger-exports/close/*")
	require.False(t, ok)
	// A trust policy without a condition on the subject admits every workflow of GitHub.
	dir = copyEstate(t)
	edit(t, dir, "aws/authorization-details.json",
		`,
            "Condition": {
              "StringEquals": {
                "token.actions.githubusercontent.com:sub": "repo:acme/gl-close:ref:refs/heads/main"
              }
            }`, "")
	d = mustLoad(t, dir)
	a, ok = access(t, d, gha, "write", "arn:aws:s3:::fin-ledger-exports/close/*")
	require.True(t, ok && a.Effective)
	require.Contains(t, a.Paths[0][0].Native, "for any subject (no condition on the token subject)")
}

// Two link files storing one credential at two places: the second is an
// error at its line.
func TestStoredInConflictAcrossFiles(t *testing.T) {
	dir := copyEstate(t)
	second := filepath.Join(dir, "more-links.yaml")
	require.NoError(t, os.WriteFile(second, []byte("stored_in:\n  - {credential: \"sap:PRD:100:user:RFC_FI:password\", resource: \"vault:prod:path:secret\"}\n"), 0o600))
	require.Equal(t, []string{
		`more-links.yaml:2: stored_in: credential "sap:PRD:100:user:RFC_FI:password" is already stored in "vault:prod:path:secret/data/finance/sap/rfc_fi" by links.yaml:11; a credential is held at one place`,
	}, problems(t, dir, filepath.Join(dir, "links.yaml"), second))
}

// A credential its own source stores somewhere cannot be moved by a link.
func TestStoredInBySource(t *testing.T) {
	dir := copyEstate(t)
	edit(t, dir, "people.yaml", `identity: "okta:alice.ng", type: federated, systems: [okta]}`,
		`identity: "okta:alice.ng", type: federated, systems: [okta], stored_in: "vault:prod:path:secret"}`)
	path := writeLinks(t, dir, "stored_in:\n  - {credential: \"okta:alice.ng:sso\", resource: \"vault:prod:path:secret/data/finance/sap/rfc_fi\"}\n")
	require.Equal(t, []string{
		`bad-links.yaml:2: stored_in: credential "okta:alice.ng:sso" is already stored in "vault:prod:path:secret" by its source; a credential is held at one place`,
	}, problems(t, dir, path))
}
