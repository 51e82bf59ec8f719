package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

type idFinding struct {
	ID        string `json:"id"`
	Rule      string `json:"rule"`
	Identity  string `json:"identity"`
	Effective bool   `json:"effective"`
	Cred      string `json:"credential"`
	Resource  string `json:"resource"`
	Action    string `json:"action"`
	Conflict  *struct {
		B struct{ Identity, Resource, Action string } `json:"b"`
	} `json:"conflict"`
}

func (f idFinding) key() string {
	k := f.Rule + "|" + f.Identity + "|" + f.Cred + "|" + f.Resource + "|" + f.Action
	if f.Conflict != nil {
		k += "|" + f.Conflict.B.Identity + "|" + f.Conflict.B.Resource + "|" + f.Conflict.B.Action
	}
	return k
}

// bundleVariant writes the finance bundle changed by edit as JSON and returns its path.
func bundleVariant(t *testing.T, edit func(b map[string]any)) string {
	t.Helper()
	raw, err := os.ReadFile(finance)
	require.NoError(t, err)
	var b map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &b))
	edit(b)
	out, err := json.Marshal(b)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "bundle.json")
	require.NoError(t, os.WriteFile(path, out, 0o644))
	return path
}

func reportIDs(t *testing.T, bundle string) []idFinding {
	t.Helper()
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", bundle)
	require.Equal(t, cli.ExitOK, code, stderr)
	out, stderr, code := run(t, "--store", store, "report")
	require.Equal(t, cli.ExitOK, code, stderr)
	var rep struct {
		Findings []idFinding `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.NotEmpty(t, rep.Findings)
	return rep.Findings
}

func ids(fs []idFinding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	slices.Sort(out)
	return out
}

func TestFindingIDsAreStable(t *testing.T) {
	base := reportIDs(t, finance)
	require.Len(t, slices.Compact(ids(base)), len(base), "ids must be unique")

	t.Run("another ingest order", func(t *testing.T) {
		got := reportIDs(t, bundleVariant(t, func(b map[string]any) {
			for _, v := range b {
				if l, ok := v.([]any); ok {
					slices.Reverse(l)
				}
			}
		}))
		// The engine keeps one evidence path per access, and which of two
		// equally short ones depends on ingest order; a few findings grouped
		// by credential differ for that reason. Every finding present in
		// both runs must carry the same id.
		byKey := map[string]string{}
		for _, f := range base {
			byKey[f.key()] = f.ID
		}
		same := 0
		for _, f := range got {
			if id, ok := byKey[f.key()]; ok {
				require.Equal(t, id, f.ID, f.key())
				same++
			}
		}
		require.Greater(t, same, len(base)*9/10)
	})
	t.Run("an unrelated record changes", func(t *testing.T) {
		got := reportIDs(t, bundleVariant(t, func(b map[string]any) {
			b["identities"] = append(b["identities"].([]any), map[string]any{
				"id": "zz-new-bot", "name": "unrelated bot", "type": "service_account", "status": "active",
				"owners": map[string]any{"business": "x", "technical": "y"}, "purpose": "nothing finance"})
		}))
		require.Subset(t, ids(got), ids(base), "every earlier finding keeps its id")
	})
	t.Run("effective to latent keeps the id", func(t *testing.T) {
		before := findingOf(t, base, "TOX-VENDOR-ON-PATH", "bot-ap-invoice")
		require.True(t, before.Effective)
		got := reportIDs(t, bundleVariant(t, func(b map[string]any) {
			for _, c := range b["credentials"].([]any) {
				if m := c.(map[string]any); m["id"] == "c-bot-ap-pw" {
					m["revoked"] = true
				}
			}
		}))
		after := findingOf(t, got, "TOX-VENDOR-ON-PATH", "bot-ap-invoice")
		require.False(t, after.Effective, "revoking the only credential makes the finding latent")
		require.Equal(t, before.ID, after.ID)
	})
}

func findingOf(t *testing.T, fs []idFinding, rule, identity string) idFinding {
	t.Helper()
	var out []idFinding
	for _, f := range fs {
		if f.Rule == rule && f.Identity == identity {
			out = append(out, f)
		}
	}
	require.Len(t, out, 1, "%s on %s", rule, identity)
	return out[0]
}
