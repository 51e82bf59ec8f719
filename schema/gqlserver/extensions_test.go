package gqlserver_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMembershipNativeAndCredentialValidFrom: a MEMBER_OF hop carries the
// membership's native text, Credential.validFrom is served, and a credential
// not valid yet at asOf leaves the access latent (no authentication).
func TestMembershipNativeAndCredentialValidFrom(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "b.yaml")
	require.NoError(t, os.WriteFile(bundle, []byte(`format: reachgraph/v1
source: extensions
collected_at: 2026-11-30T00:00:00Z
systems: [{id: sap, sox_scope: true}]
resources: [{id: "sap:je", system: sap, kind: journal_entry}]
identities: [{id: grace, type: human}]
groups: [{id: r-pay, type: role}]
memberships:
  - {member: grace, group: r-pay, native: "USREFUS BNAME=GRACE REFUSER=REF (AGR_USERS UNAME=REF AGR_NAME=R-PAY)"}
grants: [{principal: r-pay, action: approve, resource: "sap:je", native: "F110"}]
credentials: [{id: c-grace, identity: grace, type: password, systems: [sap], valid_from: 2026-12-01T00:00:00Z}]
`), 0o600))
	hs, _ := newServer(t, newStore(t, bundle), nil)
	const q = `query W($at: Time) { whoCan(action: APPROVE, resource: "sap:je", asOf: $at) { accesses(first: 10) { edges { node {
	  identity { id credentials { id validFrom } } effective authentication { credential } paths { hops { edge native } } } } } } }`
	type answer struct {
		WhoCan struct {
			Accesses struct {
				Edges []struct {
					Node struct {
						Identity struct {
							ID          string
							Credentials []struct{ ID, ValidFrom string }
						}
						Effective      bool
						Authentication *struct{ Credential string }
						Paths          []struct {
							Hops []struct {
								Edge   string
								Native *string
							}
						}
					}
				}
			}
		}
	}
	for _, c := range []struct {
		at        string
		effective bool
	}{{at: "2026-11-30T00:00:00Z", effective: false}, {at: "2026-12-01T00:00:00Z", effective: true}} {
		var a answer
		require.NoError(t, json.Unmarshal(mustData(t, hs.URL, q, map[string]any{"at": c.at}), &a))
		require.Len(t, a.WhoCan.Accesses.Edges, 1)
		n := a.WhoCan.Accesses.Edges[0].Node
		require.Equal(t, "grace", n.Identity.ID)
		require.Equal(t, "2026-12-01T00:00:00Z", n.Identity.Credentials[0].ValidFrom)
		require.Equal(t, c.effective, n.Effective, "as of %s", c.at)
		require.Equal(t, c.effective, n.Authentication != nil)
		hop := n.Paths[0].Hops[0]
		require.Equal(t, "MEMBER_OF", hop.Edge)
		require.NotNil(t, hop.Native)
		require.Equal(t, "USREFUS BNAME=GRACE REFUSER=REF (AGR_USERS UNAME=REF AGR_NAME=R-PAY)", *hop.Native)
	}
}
