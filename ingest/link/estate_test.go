package link_test

import (
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func schemaAction(a string) schema.Action { return schema.Action(a) }

const (
	ciSA      = "k8s:prod:sa:ci/ledger-sync"
	journal   = "sap:PRD:100:bukrs:1000:journal_entry"
	chainFile = estate + "/chain.golden.json"
)

// The estate chain: the CI service account logs in to Vault (kubernetes
// auth), reads the path holding the SAP RFC user's password (stored_in link),
// and that user approves journal entries of company code 1000. The golden
// file holds the access with every hop's evidence (checked by hand).
func TestEstateChainGolden(t *testing.T) {
	d := mustLoad(t, estate)
	a, ok := access(t, d, ciSA, "approve", journal)
	require.True(t, ok, "the CI service account reaches journal entries")
	require.True(t, a.Effective, "and can use it now")
	got, err := json.MarshalIndent(a, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	if *update {
		require.NoError(t, os.WriteFile(chainFile, got, 0o600))
	}
	want, err := os.ReadFile(chainFile)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
}

// Removing any one link of the chain removes the effective access.
func TestEstateChainBreaksWithoutAnyLink(t *testing.T) {
	for _, tc := range []struct {
		name, file, old string
	}{
		{name: "service account binding to the Vault role", file: "vault.yaml", old: `delegations:
  - from: "k8s:prod:sa:ci/ledger-sync"
    to: "vault:prod:role:kubernetes/ledger-sync"
    kind: other
    system: "vault:prod"
    native: "auth/kubernetes/role/ledger-sync: bound_service_account_names=ledger-sync, bound_service_account_namespaces=ci"
`},
		{name: "Vault policy grant", file: "vault.yaml", old: `grants:
  - principal: "vault:prod:policy:sap-rfc-read"
    action: read
    resource: "vault:prod:kv/data/finance/sap/rfc_fi"
    native: 'policy sap-rfc-read: path "kv/data/finance/sap/rfc_fi" { capabilities = ["read"] }'
`},
		{name: "stored_in link", file: "links.yaml", old: `stored_in:
  # the SAP RFC user's password is kept in Vault
  - credential: "sap:PRD:100:user:RFC_FI:password"
    resource: "vault:prod:kv/data/finance/sap/rfc_fi"
    vaulted: true
`},
		{name: "SAP role assignment", file: "sap/AGR_USERS.csv", old: "100,Z_RFC_POST,RFC_FI,20230101,99991231,,\"20260101\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyEstate(t)
			d := mustLoad(t, dir)
			_, ok := access(t, d, ciSA, "approve", journal)
			require.True(t, ok, "the copy has the chain")
			edit(t, dir, tc.file, tc.old, "")
			d = mustLoad(t, dir)
			a, ok := access(t, d, ciSA, "approve", journal)
			require.False(t, ok && a.Effective, "no effective access without the %s", tc.name)
		})
	}
}
