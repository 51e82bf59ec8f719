package cli_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/reachgraph/reachgraph/analysis/report"
	"github.com/reachgraph/reachgraph/cmd/cli"
)

func TestReportWorkbookXLSX(t *testing.T) {
	const evil = "=HYPERLINK(\"http://x\")"
	bundle := bundleVariant(t, func(b map[string]any) {
		b["identities"] = append(b["identities"].([]any), map[string]any{"id": evil, "name": "+formula bot",
			"type": "service_account", "status": "active"})
		b["grants"] = append(b["grants"].([]any), map[string]any{"principal": evil, "action": "write",
			"resource": "sap:fi:je", "native": "@SUM(1)"})
	})
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", bundle)
	require.Equal(t, cli.ExitOK, code, stderr)
	path := filepath.Join(t.TempDir(), "review.xlsx")
	out, stderr, code := run(t, "--store", store, "report", "--workbook", path)
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Empty(t, out)

	x, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer x.Close()
	sheets := x.GetSheetList()
	require.Contains(t, sheets, "Provenance")
	require.Contains(t, sheets, "Finance Systems - K. Weber", "one sheet per system owner")
	require.Contains(t, sheets, "Treasury - D. Reyes")
	rows, err := x.GetRows("Finance Systems - K. Weber")
	require.NoError(t, err)
	require.Equal(t, report.XLSXHeader, rows[0])
	col := func(name string) int { return slices.Index(report.XLSXHeader, name) }
	var humans, nonhumans int
	var evilRow int
	for k, r := range rows[1:] {
		if r[col("human")] == "true" {
			humans++
		} else {
			nonhumans++
		}
		if r[0] == evil {
			evilRow = k + 2
		}
		require.Equal(t, "sap", r[col("system")])
	}
	require.Positive(t, humans, "humans with critical access are listed")
	require.Positive(t, nonhumans)
	require.NotZero(t, evilRow, "the formula-looking identity is listed with its id intact")
	ref, _ := excelize.CoordinatesToCellName(1, evilRow)
	typ, err := x.GetCellType("Finance Systems - K. Weber", ref)
	require.NoError(t, err)
	require.Contains(t, []excelize.CellType{excelize.CellTypeSharedString, excelize.CellTypeInlineString}, typ)
	f, err := x.GetCellFormula("Finance Systems - K. Weber", ref)
	require.NoError(t, err)
	require.Empty(t, f, "never a formula")
	require.Contains(t, rows[evilRow-1][col("paths")], `GRANT(write "@SUM(1)")`, "native permission on the path")
	batch := slices.IndexFunc(rows, func(r []string) bool { return r[0] == "svc-sap-batch" })
	require.Positive(t, batch)
	require.True(t, strings.HasPrefix(rows[batch][col("credentials")], "c-sap-batch-pw (password, rotated "), rows[batch][col("credentials")])
	dvs, err := x.GetDataValidations("Finance Systems - K. Weber")
	require.NoError(t, err)
	require.Len(t, dvs, 1)
	require.Equal(t, "list", dvs[0].Type)
	require.Contains(t, dvs[0].Formula1, "keep,revoke,modify")
	prov, err := x.GetRows("Provenance")
	require.NoError(t, err)
	require.Equal(t, "ruleset_sha256", prov[4][0])
	require.Regexp(t, "^[0-9a-f]{64}$", prov[4][1])
}
