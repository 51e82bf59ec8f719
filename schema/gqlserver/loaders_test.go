package gqlserver_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// bigBundle writes a bundle with n identities spread over 10 groups.
func bigBundle(t *testing.T, n int) string {
	var b strings.Builder
	b.WriteString("format: reachgraph/v1\nsource: loader-test\ncollected_at: 2026-10-31T00:00:00Z\n")
	b.WriteString("systems:\n  - {id: sap, name: SAP, kind: erp, sox_scope: true}\nidentities:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {id: u%04d, name: U%d, type: human}\n", i, i)
	}
	b.WriteString("groups:\n")
	for g := range 10 {
		fmt.Fprintf(&b, "  - {id: g%d, name: G%d}\n", g, g)
	}
	b.WriteString("memberships:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {member: u%04d, group: g%d}\n", i, i%10)
	}
	path := filepath.Join(t.TempDir(), "big.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

// TestListOfGroups: a page of 1,000 identities with their groups resolves
// each from the in-memory index, every one right.
func TestListOfGroups(t *testing.T) {
	st := newStore(t, bigBundle(t, 1000))
	hs, _ := newServer(t, st, nil)
	data := mustData(t, hs.URL, `{ identities(first: 1000) { edges { node { id groups { id } } } } }`, nil)
	var got struct {
		Identities struct {
			Edges []struct {
				Node struct {
					ID     string
					Groups []struct{ ID string }
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(data, &got))
	require.Len(t, got.Identities.Edges, 1000)
	for i, e := range got.Identities.Edges {
		require.Equal(t, fmt.Sprintf("u%04d", i), e.Node.ID)
		require.Len(t, e.Node.Groups, 1)
		require.Equal(t, fmt.Sprintf("g%d", i%10), e.Node.Groups[0].ID)
	}
}
