package report_test

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/report"
	"github.com/reachgraph/reachgraph/analysis/rules"
)

func TestSafeCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{in: "=HYPERLINK(\"http://x\",\"y\")", want: "'=HYPERLINK(\"http://x\",\"y\")"},
		{in: "+1+2", want: "'+1+2"},
		{in: "-2+3", want: "'-2+3"},
		{in: "@SUM(A1)", want: "'@SUM(A1)"},
		{in: "\t=1", want: "'\t=1"},
		{in: "\r=1", want: "'\r=1"},
		{in: "-", want: "-"},
		{in: "", want: ""},
		{in: "svc-batch", want: "svc-batch"},
		{in: "a=b", want: "a=b"},
	} {
		require.Equal(t, c.want, report.SafeCell(c.in), "SafeCell(%q)", c.in)
	}
}

// TestFindingsCSVNeutralised: a finding whose fields start like a formula
// comes out as text, and the file reads back as RFC 4180 CSV with the
// original text after the apostrophe.
func TestFindingsCSVNeutralised(t *testing.T) {
	evil := "=cmd|' /C calc'!A0"
	r := report.New("s-1", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "", []rules.Finding{{
		ID: "f-1", Rule: "r", Identity: evil, Message: "@SUM(1)\nsecond line", Resource: "+x",
	}})
	var b bytes.Buffer
	require.NoError(t, r.CSV(&b))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 2)
	col := map[string]string{}
	for i, h := range report.CSVHeader {
		col[h] = rows[1][i]
	}
	require.Equal(t, "'"+evil, col["identity"])
	require.Equal(t, "'@SUM(1)\nsecond line", col["message"])
	require.Equal(t, "'+x", col["resource"])
}
