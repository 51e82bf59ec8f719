package gqlserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// findingsQuery pages through findings with the filter arguments as variables.
const findingsQuery = `query F($severity: Severity, $category: Category, $rule: String, $identity: ID, $first: Int, $after: String) {
  findings(severity: $severity, category: $category, rule: $rule, identity: $identity, first: $first, after: $after) {
    totalCount
    bySeverity { severity count }
    pageInfo { hasNextPage endCursor }
    edges { node { id rule category severity identity { id } effective } }
  }
}`

type findingNode struct {
	ID       string          `json:"id"`
	Rule     string          `json:"rule"`
	Category schema.Category `json:"category"`
	Severity schema.Severity `json:"severity"`
	Identity struct {
		ID string `json:"id"`
	} `json:"identity"`
}

type findingsAnswer struct {
	Findings struct {
		TotalCount int `json:"totalCount"`
		BySeverity []struct {
			Severity schema.Severity `json:"severity"`
			Count    int             `json:"count"`
		} `json:"bySeverity"`
		PageInfo struct {
			HasNextPage bool    `json:"hasNextPage"`
			EndCursor   *string `json:"endCursor"`
		} `json:"pageInfo"`
		Edges []struct {
			Node findingNode `json:"node"`
		} `json:"edges"`
	} `json:"findings"`
}

// allFindings walks every page of findings(vars) with pages of size first.
func allFindings(t *testing.T, base string, vars map[string]any, first int) (nodes []findingNode, total int) {
	t.Helper()
	v := map[string]any{"first": first}
	for k, x := range vars {
		v[k] = x
	}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 1000, "paging does not terminate")
		var a findingsAnswer
		require.NoError(t, json.Unmarshal(mustData(t, base, findingsQuery, v), &a))
		total = a.Findings.TotalCount
		for _, e := range a.Findings.Edges {
			nodes = append(nodes, e.Node)
		}
		if !a.Findings.PageInfo.HasNextPage {
			return nodes, total
		}
		v["after"] = *a.Findings.PageInfo.EndCursor
	}
}

// evaluate runs the built-in ruleset on the newest snapshot of st at its own
// as_of, as `reachgraph report` does.
func evaluate(t *testing.T, st graph.Store) []rules.Finding {
	ctx := context.Background()
	r, err := st.Snapshot(ctx, "")
	require.NoError(t, err)
	p, err := projection.Build(ctx, r)
	require.NoError(t, err)
	snap, err := rules.NewSnapshot(ctx, reach.New(p, r.Meta().AsOf()), r)
	require.NoError(t, err)
	rs, err := rules.Load()
	require.NoError(t, err)
	fs, err := rules.Evaluate(snap, rs)
	require.NoError(t, err)
	return fs
}

// TestFindingsEqualEvaluate checks that the API answers exactly the findings
// of rules.Evaluate, in the same order, whatever the page size.
func TestFindingsEqualEvaluate(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, nil)
	want := evaluate(t, st)
	require.NotEmpty(t, want)
	var ids []string
	for _, f := range want {
		ids = append(ids, f.ID)
	}
	for _, first := range []int{1000, 50, 7} {
		nodes, total := allFindings(t, hs.URL, nil, first)
		require.Equal(t, len(want), total)
		var got []string
		for _, n := range nodes {
			got = append(got, n.ID)
		}
		require.Equal(t, ids, got, "page size %d", first)
	}
}

func TestFindingsFilter(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, nil)
	all := evaluate(t, st)
	tests := []struct {
		name string
		vars map[string]any
		keep func(rules.Finding) bool
	}{
		{name: "minimum severity critical", vars: map[string]any{"severity": "critical"},
			keep: func(f rules.Finding) bool { return f.Severity == schema.SeverityCritical }},
		{name: "minimum severity high", vars: map[string]any{"severity": "high"},
			keep: func(f rules.Finding) bool { return f.Severity.Rank() <= schema.SeverityHigh.Rank() }},
		{name: "minimum severity info is everything", vars: map[string]any{"severity": "info"},
			keep: func(rules.Finding) bool { return true }},
		{name: "category sod", vars: map[string]any{"category": "sod"},
			keep: func(f rules.Finding) bool { return f.Category == schema.CatSoD }},
		{name: "category rotation_overdue", vars: map[string]any{"category": "rotation_overdue"},
			keep: func(f rules.Finding) bool { return f.Category == schema.CatRotationOverdue }},
		{name: "identity", vars: map[string]any{"identity": "svc-sap-batch"},
			keep: func(f rules.Finding) bool { return f.Identity == "svc-sap-batch" }},
		{name: "identity and category", vars: map[string]any{"identity": "alice.m", "category": "sod"},
			keep: func(f rules.Finding) bool { return f.Identity == "alice.m" && f.Category == schema.CatSoD }},
		{name: "rule", vars: map[string]any{"rule": "SOD-P2P-01"},
			keep: func(f rules.Finding) bool { return f.Rule == "SOD-P2P-01" }},
		{name: "unknown identity matches nothing", vars: map[string]any{"identity": "nobody"},
			keep: func(rules.Finding) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			for _, f := range all {
				if tt.keep(f) {
					want = append(want, f.ID)
				}
			}
			nodes, total := allFindings(t, hs.URL, tt.vars, 20)
			var got []string
			for _, n := range nodes {
				got = append(got, n.ID)
			}
			require.Equal(t, want, got)
			require.Equal(t, len(want), total)
		})
	}
	t.Run("the sample has findings of every filter", func(t *testing.T) {
		var a findingsAnswer
		require.NoError(t, json.Unmarshal(mustData(t, hs.URL, findingsQuery, map[string]any{"identity": "svc-sap-batch", "first": 0}), &a))
		require.Positive(t, a.Findings.TotalCount)
		sum := 0
		for _, c := range a.Findings.BySeverity {
			sum += c.Count
		}
		require.Equal(t, a.Findings.TotalCount, sum, "bySeverity adds up to totalCount")
		require.Empty(t, a.Findings.Edges)
	})
}

func TestFindingsRejects(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, nil)
	tests := []struct {
		name    string
		vars    map[string]any
		message string
	}{
		{name: "first too large", vars: map[string]any{"first": 1001}, message: "first: want 0 to 1000"},
		{name: "negative first", vars: map[string]any{"first": -1}, message: "first: want 0 to 1000"},
		{name: "foreign cursor", vars: map[string]any{"after": "bm9wZQ"}, message: "not a findings cursor"},
		{name: "unknown severity", vars: map[string]any{"severity": "urgent"}, message: "Severity"},
		{name: "unknown category", vars: map[string]any{"category": "bad"}, message: "Category"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp, raw := post(t, hs.URL, auditorToken, findingsQuery, tt.vars)
			require.NotEmpty(t, resp.Errors, "body: %s", raw)
			require.Contains(t, resp.Errors[0].Message, tt.message)
		})
	}
	t.Run("cursor of another filter", func(t *testing.T) {
		var a findingsAnswer
		require.NoError(t, json.Unmarshal(mustData(t, hs.URL, findingsQuery, map[string]any{"category": "sod", "first": 1}), &a))
		_, resp, _ := post(t, hs.URL, auditorToken, findingsQuery, map[string]any{"category": "rotation_overdue", "after": *a.Findings.PageInfo.EndCursor})
		require.NotEmpty(t, resp.Errors)
		require.Contains(t, resp.Errors[0].Message, "cursor does not belong")
	})
}

func TestFindingsAuth(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, nil)
	const q = `query { findings(first: 1) { totalCount } diff(from: "s-", to: "s-") { identitiesGained { id } } }`
	tests := []struct {
		name  string
		token string
		code  int
	}{
		{name: "auditor may read findings", token: auditorToken, code: http.StatusOK},
		{name: "admin may read findings", token: adminToken, code: http.StatusOK},
		{name: "no token", token: "", code: http.StatusUnauthorized},
		{name: "unknown token", token: "nope", code: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, resp, raw := post(t, hs.URL, tt.token, q, nil)
			require.Equal(t, tt.code, code, "body: %s", raw)
			if code == http.StatusOK {
				require.Empty(t, resp.Errors, "body: %s", raw)
			}
		})
	}
}

// modifiedFinance writes a November copy of the finance sample (victor's
// project role write grant extended to 2027-03-31): the leaver
// mallory.x is finally removed from the JE approver role, and a new unowned
// service account with a static, unvaulted API key joins it.
func modifiedFinance(t *testing.T) string {
	text := readFile(t, financeBundle(t))
	edits := []struct{ old, new string }{
		{old: "source: acme-finance-2026-10\n", new: "source: acme-finance-2026-11\n"},
		{old: "collected_at: 2026-10-31T00:00:00Z\n", new: "collected_at: 2026-11-30T00:00:00Z\n"},
		{old: "  - {member: mallory.x, group: r-je-approver}\n", new: ""},
		{old: "\nidentities:\n", new: "\nidentities:\n  - {id: svc-je-import, name: \"JE import connector\", type: service_account, created_at: 2026-11-15T00:00:00Z}\n"},
		{old: "\nmemberships:\n", new: "\nmemberships:\n  - {member: svc-je-import, group: r-je-approver}\n"},
		{old: "\ncredentials:\n", new: "\ncredentials:\n  - {id: c-je-import-key, identity: svc-je-import, type: api_key, systems: [sap], created_at: 2026-11-15T00:00:00Z, vaulted: false}\n"},
		// victor's project role is extended by two months: a window change.
		{old: `native: "F_BKPF_BUK ACTVT=01 (project role)", expires_at: 2027-01-31T00:00:00Z}`,
			new: `native: "F_BKPF_BUK ACTVT=01 (project role)", expires_at: 2027-03-31T00:00:00Z}`},
	}
	for _, e := range edits {
		require.Equal(t, 1, strings.Count(text, e.old), "edit %q must match once", e.old)
		text = strings.Replace(text, e.old, e.new, 1)
	}
	path := filepath.Join(t.TempDir(), "bundle-2026-11.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

// TestDiffGolden compares the finance sample with its modified copy and
// checks the answer against testdata/golden/diff.json.
func TestDiffGolden(t *testing.T) {
	st := newStore(t, financeBundle(t), modifiedFinance(t))
	hs, _ := newServer(t, st, nil)
	metas, err := st.Snapshots(context.Background())
	require.NoError(t, err)
	require.Len(t, metas, 2)
	vars := map[string]any{"from": string(metas[0].ID), "to": string(metas[1].ID)}
	data := mustData(t, hs.URL, readFile(t, filepath.Join("testdata", "diff.graphql")), vars)
	var buf bytes.Buffer
	require.NoError(t, json.Indent(&buf, data, "", "  "))
	buf.WriteByte('\n')
	golden := filepath.Join("testdata", "golden", "diff.json")
	if *update {
		require.NoError(t, os.WriteFile(golden, buf.Bytes(), 0o644))
	}
	require.Equal(t, readFile(t, golden), buf.String())

	var d struct {
		Diff struct {
			IdentitiesGained []struct{ ID string } `json:"identitiesGained"`
			FindingsGained   []findingNode         `json:"findingsGained"`
			FindingsLost     []findingNode         `json:"findingsLost"`
		} `json:"diff"`
	}
	require.NoError(t, json.Unmarshal(data, &d))
	require.Equal(t, "svc-je-import", d.Diff.IdentitiesGained[0].ID)
	// Hand-checked: the leaver's latent approve goes; the new account brings
	// its hygiene and toxic-path findings; and at the new as_of (Nov 30) the
	// AI agent's Vault token has expired, so its bank paths turn latent.
	rulesOf := func(fs []findingNode) map[string][]string {
		out := map[string][]string{}
		for _, f := range fs {
			out[f.Identity.ID] = append(out[f.Identity.ID], f.Rule)
		}
		return out
	}
	gained, lost := rulesOf(d.Diff.FindingsGained), rulesOf(d.Diff.FindingsLost)
	require.ElementsMatch(t, []string{"svc-je-import", "ai-recon-agent"}, mapKeys(gained))
	require.ElementsMatch(t, []string{"HYG-OWNER-MISSING", "HYG-PURPOSE-MISSING", "HYG-STATIC-UNVAULTED",
		"TOX-NHI-APPROVE-SOX", "TOX-UNOWNED-ON-PATH"}, gained["svc-je-import"])
	require.Contains(t, gained["ai-recon-agent"], "HYG-EXPIRED-UNREVOKED")
	require.ElementsMatch(t, []string{"mallory.x", "ai-recon-agent"}, mapKeys(lost))
	require.Equal(t, []string{"HYG-LATENT-CRITICAL"}, lost["mallory.x"])
	// Hand-checked: the one window change is victor's extended write grant.
	var w struct {
		Diff struct {
			WindowsChanged []struct {
				Edge, From, To string
				Before, After  []struct{ ExpiresAt string }
			} `json:"windowsChanged"`
		} `json:"diff"`
	}
	require.NoError(t, json.Unmarshal(data, &w))
	require.Len(t, w.Diff.WindowsChanged, 1)
	wc := w.Diff.WindowsChanged[0]
	require.Equal(t, []string{"GRANT", "victor.e", "sap:fi:je"}, []string{wc.Edge, wc.From, wc.To})
	require.Equal(t, "2027-01-31T00:00:00Z", wc.Before[0].ExpiresAt)
	require.Equal(t, "2027-03-31T00:00:00Z", wc.After[0].ExpiresAt)

	t.Run("a snapshot against itself changes nothing", func(t *testing.T) {
		const q = `query D($s: ID!) { diff(from: $s, to: $s) { identitiesGained { id } identitiesLost { id } accessesGained { state } accessesLost { state } findingsGained { id } findingsLost { id } } }`
		got := mustData(t, hs.URL, q, map[string]any{"s": string(metas[0].ID)})
		require.JSONEq(t, `{"diff":{"identitiesGained":[],"identitiesLost":[],"accessesGained":[],"accessesLost":[],"findingsGained":[],"findingsLost":[]}}`, string(got))
	})
	t.Run("unknown snapshot", func(t *testing.T) {
		_, resp, _ := post(t, hs.URL, auditorToken, `{ diff(from: "s-nope", to: "s-nope") { toAsOf } }`, nil)
		require.NotEmpty(t, resp.Errors)
		require.Contains(t, resp.Errors[0].Message, "not found")
	})
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
