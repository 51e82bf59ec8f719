package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

func snapshotIDs(t *testing.T, store string) []string {
	t.Helper()
	out, _, code := run(t, "--store", store, "snapshots", "-o", "json")
	require.Equal(t, cli.ExitOK, code)
	var list struct {
		Snapshots []struct {
			ID string `json:"id"`
		} `json:"snapshots"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	var ids []string
	for _, m := range list.Snapshots {
		ids = append(ids, m.ID)
	}
	return ids
}

// TestDiffAndSince adds an unowned bot in a second snapshot: diff reports the
// identity gained, and report --since marks exactly the bot's findings new.
func TestDiffAndSince(t *testing.T) {
	store := ingestFinance(t)
	b, err := os.ReadFile(finance)
	require.NoError(t, err)
	mod := strings.Replace(string(b), "source: acme-finance-2026-10", "source: acme-finance-2026-10b", 1)
	mod = strings.Replace(mod, "  - id: xavier.n\n", "  - {id: zz-new-bot, type: bot, purpose: test}\n  - id: xavier.n\n", 1)
	require.Contains(t, mod, "zz-new-bot")
	path := filepath.Join(t.TempDir(), "b.yaml")
	require.NoError(t, os.WriteFile(path, []byte(mod), 0o644))
	_, stderr, code := run(t, "--store", store, "ingest", path)
	require.Equal(t, cli.ExitOK, code, stderr)
	ids := snapshotIDs(t, store)
	require.Len(t, ids, 2)

	out, stderr, code := run(t, "--store", store, "diff", ids[0], ids[1], "-o", "json")
	require.Equal(t, cli.ExitOK, code, stderr)
	var res struct {
		IdentitiesGained []string `json:"identities_gained"`
		IdentitiesLost   []string `json:"identities_lost"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Equal(t, []string{"zz-new-bot"}, res.IdentitiesGained)
	require.Empty(t, res.IdentitiesLost)

	out, stderr, code = run(t, "--store", store, "--snapshot", ids[1], "report", "--since", ids[0])
	require.Equal(t, cli.ExitOK, code, stderr)
	var rep struct {
		Findings []struct {
			Identity string `json:"identity"`
			New      bool   `json:"new"`
		} `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	newCount := 0
	for _, f := range rep.Findings {
		require.Equal(t, f.Identity == "zz-new-bot", f.New, "finding on %s", f.Identity)
		if f.New {
			newCount++
		}
	}
	require.Positive(t, newCount, "the unowned bot must have findings")

	_, _, code = run(t, "--store", store, "diff", ids[0])
	require.Equal(t, cli.ExitUsage, code)
}

// TestDiffWindowChanged: moving a delegation's expiry is a change, shown in
// the table (~ window) and the JSON, even where no access changes at as_of.
func TestDiffWindowChanged(t *testing.T) {
	store := "file:" + filepath.Join(t.TempDir(), "rg.db")
	bundle := "../../testdata/rules/windows/bundle.yaml"
	_, stderr, code := run(t, "--store", store, "ingest", bundle)
	require.Equal(t, cli.ExitOK, code, stderr)
	b, err := os.ReadFile(bundle)
	require.NoError(t, err)
	mod := strings.Replace(string(b), "expires_at: 2026-11-30T00:00:00Z}", "expires_at: 2026-12-15T00:00:00Z}", 1)
	require.NotEqual(t, string(b), mod)
	path := filepath.Join(t.TempDir(), "b.yaml")
	require.NoError(t, os.WriteFile(path, []byte(mod), 0o644))
	_, stderr, code = run(t, "--store", store, "ingest", path)
	require.Equal(t, cli.ExitOK, code, stderr)
	ids := snapshotIDs(t, store)
	require.Len(t, ids, 2, "a window change makes another snapshot")

	out, stderr, code := run(t, "--store", store, "diff", ids[0], ids[1])
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Contains(t, out, `~       window  carl      CAN_ACT_AS("firefighter session FF-0042")@erp -> ff-01  [from 2026-10-30T08:00:00Z until 2026-11-30] => [from 2026-10-30T08:00:00Z until 2026-12-15]`)
	out, stderr, code = run(t, "--store", store, "diff", ids[0], ids[1], "-o", "json")
	require.Equal(t, cli.ExitOK, code, stderr)
	var res struct {
		AccessesGained []any `json:"accesses_gained"`
		WindowsChanged []struct {
			Edge   string `json:"edge"`
			From   string `json:"from"`
			Before []struct {
				ExpiresAt string `json:"expires_at"`
			} `json:"before"`
			After []struct {
				ExpiresAt string `json:"expires_at"`
			} `json:"after"`
		} `json:"windows_changed"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Empty(t, res.AccessesGained, "at the shared as_of (2026-10-31) carl's access is the same")
	require.Len(t, res.WindowsChanged, 1)
	require.Equal(t, "CAN_ACT_AS", res.WindowsChanged[0].Edge)
	require.Equal(t, "carl", res.WindowsChanged[0].From)
	require.Equal(t, "2026-11-30T00:00:00Z", res.WindowsChanged[0].Before[0].ExpiresAt)
	require.Equal(t, "2026-12-15T00:00:00Z", res.WindowsChanged[0].After[0].ExpiresAt)
}
