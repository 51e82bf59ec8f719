package cli_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

func ingestFinance(t *testing.T) string {
	t.Helper()
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	return store
}

func TestReportGolden(t *testing.T) {
	store := ingestFinance(t)
	for _, format := range []string{"json", "csv", "md", "html"} {
		t.Run(format, func(t *testing.T) {
			out, stderr, code := run(t, "--store", store, "report", "--format", format)
			require.Equal(t, cli.ExitOK, code, stderr)
			again, _, _ := run(t, "--store", store, "report", "--format", format)
			require.Equal(t, out, again, "same inputs must give byte-identical output")
			require.Contains(t, out, "s-fd350d0c11345ef8147a0a9571226e22")
			require.Contains(t, out, "2026-10-31T00:00:00Z")
			golden(t, "report."+format, out)
		})
	}
	t.Run("workbook", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "wb.csv")
		_, stderr, code := run(t, "--store", store, "report", "--out", filepath.Join(t.TempDir(), "r.json"), "--workbook", path)
		require.Equal(t, cli.ExitOK, code, stderr)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		golden(t, "report.workbook.csv", string(b))
	})
}

func TestReportExitCodes(t *testing.T) {
	store := ingestFinance(t)
	sup := filepath.Join(t.TempDir(), "sup.yaml")
	// Suppress every finding below critical... and nothing critical: fail-on critical still fails.
	require.NoError(t, os.WriteFile(sup, []byte("suppressions: []\n"), 0o644))
	rulesOnlyInfo := filepath.Join(t.TempDir(), "rules.yaml")
	require.NoError(t, os.WriteFile(rulesOnlyInfo, []byte("version: 1\nsettings: {rotation_days: 10000}\n"), 0o644))
	tests := []struct {
		name string
		args []string
		want int
	}{
		{name: "no fail-on", args: []string{"report"}, want: cli.ExitOK},
		{name: "fail-on critical", args: []string{"report", "--fail-on", "critical"}, want: cli.ExitFindings},
		{name: "fail-on info", args: []string{"report", "--fail-on", "info", "--suppressions", sup}, want: cli.ExitFindings},
		{name: "bad severity", args: []string{"report", "--fail-on", "urgent"}, want: cli.ExitUsage},
		{name: "bad format", args: []string{"report", "--format", "pdf"}, want: cli.ExitUsage},
		{name: "missing rules file", args: []string{"report", "--rules", "/nonexistent.yaml"}, want: cli.ExitUsage},
		{name: "rules file merged", args: []string{"report", "--rules", rulesOnlyInfo}, want: cli.ExitOK},
		{name: "stray argument", args: []string{"report", "extra"}, want: cli.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := run(t, append([]string{"--store", store}, tt.args...)...)
			require.Equal(t, tt.want, code, stderr)
		})
	}
}

func TestReportSuppressionLiftsFailOn(t *testing.T) {
	store := ingestFinance(t)
	out, _, code := run(t, "--store", store, "report")
	require.Equal(t, cli.ExitOK, code)
	var rep struct {
		Findings []struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
		} `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	var b strings.Builder
	b.WriteString("suppressions:\n")
	for _, f := range rep.Findings {
		if f.Severity == "critical" {
			b.WriteString("  - {id: " + f.ID + ", owner: CFO, reason: accepted, expires: 2027-01-31}\n")
		}
	}
	for _, tt := range []struct {
		name    string
		expires string
		want    int
	}{
		{name: "live suppressions lift the failure", expires: "2027-01-31", want: cli.ExitOK},
		{name: "expired suppressions do not", expires: "2026-10-30", want: cli.ExitFindings},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sup := filepath.Join(t.TempDir(), "sup.yaml")
			require.NoError(t, os.WriteFile(sup, []byte(strings.ReplaceAll(b.String(), "2027-01-31", tt.expires)), 0o644))
			_, stderr, code := run(t, "--store", store, "report", "--suppressions", sup, "--fail-on", "critical")
			require.Equal(t, tt.want, code, stderr)
		})
	}
}

// The finance sample's critical findings carry a fix: a non-empty cut whose
// edges are on the finding's evidence.
func TestReportGoldenFix(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Findings []struct {
			ID, Rule, Severity string
			Paths              [][]struct{ From, Edge, To string }
			Fix                *struct {
				Cut         []struct{ From, Edge, To string } `json:"cut"`
				ChokePoints []string                          `json:"choke_points"`
			}
		}
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range rep.Findings {
		if f.Severity != "critical" || len(f.Paths) == 0 {
			continue
		}
		if f.Fix == nil || len(f.Fix.Cut) == 0 {
			t.Errorf("%s %s: critical finding without a fix", f.Rule, f.ID)
			continue
		}
		n++
	}
	if n == 0 {
		t.Fatal("no critical finding with a fix in the golden report")
	}
}

func TestReportFailOnCountsOnlyAtOrAbove(t *testing.T) {
	store := ingestFinance(t)
	out, _, code := run(t, "--store", store, "report")
	require.Equal(t, cli.ExitOK, code)
	var rep struct {
		Findings []struct {
			Severity   string          `json:"severity"`
			Suppressed json.RawMessage `json:"suppressed"`
		} `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	crit, all := 0, 0
	for _, f := range rep.Findings {
		if f.Suppressed == nil {
			all++
			if f.Severity == "critical" {
				crit++
			}
		}
	}
	require.Greater(t, all, crit, "the sample must have findings below critical for this test to tell")
	_, stderr, code := run(t, "--store", store, "report", "--fail-on", "critical", "--out", filepath.Join(t.TempDir(), "r.json"))
	require.Equal(t, cli.ExitFindings, code)
	require.Contains(t, stderr, "findings at or above critical: "+itoa(crit)+" open")
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestReportOutputFlags(t *testing.T) {
	store := ingestFinance(t)
	md, _, code := run(t, "--store", store, "report", "--format", "md")
	require.Equal(t, cli.ExitOK, code)
	t.Run("global -o names the format", func(t *testing.T) {
		out, stderr, code := run(t, "--store", store, "-o", "md", "report")
		require.Equal(t, cli.ExitOK, code, stderr)
		require.Equal(t, md, out)
	})
	t.Run("-o table is an error naming --format", func(t *testing.T) {
		_, stderr, code := run(t, "--store", store, "-o", "table", "report")
		require.Equal(t, cli.ExitUsage, code)
		require.Contains(t, stderr, "--format")
	})
	t.Run("-o and --format disagree", func(t *testing.T) {
		_, stderr, code := run(t, "--store", store, "-o", "csv", "report", "--format", "md")
		require.Equal(t, cli.ExitUsage, code)
		require.Contains(t, stderr, "disagree")
	})
	t.Run("--workbook alone writes nothing to stdout", func(t *testing.T) {
		wb := filepath.Join(t.TempDir(), "wb.csv")
		out, stderr, code := run(t, "--store", store, "report", "--workbook", wb)
		require.Equal(t, cli.ExitOK, code, stderr)
		require.Empty(t, out)
		b, err := os.ReadFile(wb)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(string(b), "snapshot,"), string(b[:min(len(b), 80)]))
	})
	t.Run("--workbook with --format also prints the report", func(t *testing.T) {
		out, stderr, code := run(t, "--store", store, "report", "--format", "md", "--workbook", filepath.Join(t.TempDir(), "wb.csv"))
		require.Equal(t, cli.ExitOK, code, stderr)
		require.Equal(t, md, out)
	})
}

func TestReportProvenanceInEveryFormat(t *testing.T) {
	store := ingestFinance(t)
	raw, err := os.ReadFile(finance)
	require.NoError(t, err)
	sum := sha256.Sum256(raw)
	fileHash := hex.EncodeToString(sum[:])
	out, _, code := run(t, "--store", store, "report")
	require.Equal(t, cli.ExitOK, code)
	var rep struct {
		Provenance struct {
			Version       string
			RulesetSHA256 string `json:"ruleset_sha256"`
			Files         []struct{ Name, SHA256 string }
		} `json:"provenance"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Equal(t, cli.Build().Version, rep.Provenance.Version)
	require.Regexp(t, "^[0-9a-f]{64}$", rep.Provenance.RulesetSHA256)
	require.Equal(t, fileHash, rep.Provenance.Files[0].SHA256)
	for _, format := range []string{"csv", "md", "html"} {
		out, _, code := run(t, "--store", store, "report", "--format", format)
		require.Equal(t, cli.ExitOK, code)
		require.Contains(t, out, fileHash, format)
		require.Contains(t, out, rep.Provenance.RulesetSHA256, format)
		require.Contains(t, out, `"F_LFA1_APP ACTVT=01,02 (XK01, XK02)"`[1:20], format+": native permission shown")
	}
	rules := filepath.Join(t.TempDir(), "rules.yaml")
	require.NoError(t, os.WriteFile(rules, []byte("version: 1\nsettings: {rotation_days: 30}\n"), 0o644))
	other, _, _ := run(t, "--store", store, "report", "--rules", rules)
	require.NotContains(t, other, rep.Provenance.RulesetSHA256, "other rules, other digest")
}

func TestReportProgressOnTerminal(t *testing.T) {
	store := ingestFinance(t)
	var out, errb bytes.Buffer
	root := cli.NewRoot(cli.Env{Stdout: &out, Stderr: &errb, IsTerminal: func() bool { return true }})
	root.SetArgs([]string{"--store", store, "report", "--format", "html", "--out", filepath.Join(t.TempDir(), "r.html")})
	require.NoError(t, root.Execute())
	require.Contains(t, errb.String(), "evaluating rules")
	require.Contains(t, errb.String(), "writing the html report")
	_, stderr, code := run(t, "--store", store, "report", "--out", filepath.Join(t.TempDir(), "r.json"))
	require.Equal(t, cli.ExitOK, code)
	require.Empty(t, stderr, "no progress when stderr is not a terminal")
}

// TestReportPathLimitWarning: toxic rules that read the path run on each
// access's evidence path and up to 32 other shortest paths; past that the
// report says how many accesses it did not see in full, on stderr, and the
// report itself is still written. ann reaches erp:je through n groups, so
// the access has n shortest paths.
func TestReportPathLimitWarning(t *testing.T) {
	for _, tc := range []struct {
		groups int
		warn   bool
	}{{33, false}, {34, true}} {
		var b strings.Builder
		b.WriteString(`format: reachgraph/v1
source: many-paths
collected_at: 2026-10-31T00:00:00Z
systems: [{id: erp, sox_scope: true}]
resources: [{id: erp:je, system: erp, kind: journal_entry}]
identities: [{id: ann, type: human, status: active, owners: {business: AP lead}, purpose: AP clerk}]
credentials: [{id: c-ann, identity: ann, type: federated, systems: [erp]}]
groups:
`)
		for i := range tc.groups {
			fmt.Fprintf(&b, "  - {id: g-%02d}\n", i)
		}
		b.WriteString("memberships:\n")
		for i := range tc.groups {
			fmt.Fprintf(&b, "  - {member: ann, group: g-%02d}\n", i)
		}
		b.WriteString("grants:\n")
		for i := range tc.groups {
			fmt.Fprintf(&b, "  - {principal: g-%02d, action: write, resource: erp:je}\n", i)
		}
		store := newStore(t)
		_, stderr, code := run(t, "--store", store, "ingest", writeFile(t, t.TempDir(), "many.yaml", b.String()))
		require.Equal(t, cli.ExitOK, code, stderr)
		out, stderr, code := run(t, "--store", store, "report", "--format", "json")
		require.Equal(t, cli.ExitOK, code, stderr)
		require.Contains(t, out, `"findings"`)
		const warning = "warning: 1 access(es) have more than 32 other shortest paths; toxic rules that read the path saw the evidence path and 32 others of each"
		if tc.warn {
			require.Contains(t, stderr, warning, "%d groups", tc.groups)
		} else {
			require.NotContains(t, stderr, "shortest paths", "%d groups", tc.groups)
		}
	}
}
