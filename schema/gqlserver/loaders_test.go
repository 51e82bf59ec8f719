package gqlserver_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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

func loaderBatches(t *testing.T, base, loader string) int {
	req, err := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+auditorToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	m := regexp.MustCompile(`reachgraph_graphql_loader_batches_total\{loader="` + loader + `"\} (\d+)`).FindSubmatch(body)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(string(m[1]))
	require.NoError(t, err)
	return n
}

func TestGroupsAreBatched(t *testing.T) {
	st := newStore(t, bigBundle(t, 1000))
	hs, _ := newServer(t, st, nil)
	before := loaderBatches(t, hs.URL, "groups")
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
	require.Equal(t, "g7", got.Identities.Edges[7].Node.Groups[0].ID)
	batches := loaderBatches(t, hs.URL, "groups") - before
	require.Positive(t, batches)
	require.Less(t, batches, 100, "1,000 identities' groups must load in a few batches, not 1,000 lookups")
}
