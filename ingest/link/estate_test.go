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
		name, file, old, new string
	}{
		{name: "service account binding to the Vault role", file: "vault/auth/kubernetes/role/ledger-sync.json",
			old: `"bound_service_account_namespaces": ["ci"]`, new: `"bound_service_account_namespaces": ["ci-staging"]`},
		{name: "Vault policy grant", file: "vault/sys/policy/sap-rfc-read.json",
			old: `path \"secret/data/finance/sap/rfc_fi\"`, new: `path \"secret/data/finance/sap/rfc_co\"`},
		{name: "stored_in link", file: "links.yaml", old: `stored_in:
  # the SAP RFC user's password is kept in Vault
  - credential: "sap:PRD:100:user:RFC_FI:password"
    resource: "vault:prod:path:secret/data/finance/sap/rfc_fi"
    vaulted: true
`},
		{name: "SAP role assignment", file: "sap/AGR_USERS.csv", old: "100,Z_RFC_POST,RFC_FI,20230101,99991231,,\"20260101\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyEstate(t)
			d := mustLoad(t, dir)
			_, ok := access(t, d, ciSA, "approve", journal)
			require.True(t, ok, "the copy has the chain")
			edit(t, dir, tc.file, tc.old, tc.new)
			d = mustLoad(t, dir)
			a, ok := access(t, d, ciSA, "approve", journal)
			require.False(t, ok && a.Effective, "no effective access without the %s", tc.name)
		})
	}
}
