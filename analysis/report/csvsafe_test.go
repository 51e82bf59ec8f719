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

// encodingCSV is what CSVWriter must write: encoding/csv with its defaults,
// each cell passed through SafeCell.
func encodingCSV(t testing.TB, rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, r := range rows {
		safe := make([]string, len(r))
		for i, c := range r {
			safe[i] = report.SafeCell(c)
		}
		require.NoError(t, w.Write(safe))
	}
	w.Flush()
	require.NoError(t, w.Error())
	return b.Bytes()
}

// csvWriterBytes writes rows with CSVWriter, alternately by Write and cell
// by cell (CellBytes for odd cells), so every entry point is compared.
func csvWriterBytes(t testing.TB, rows [][]string) []byte {
	var b bytes.Buffer
	w := report.NewCSVWriter(&b)
	for n, r := range rows {
		if n%2 == 0 {
			require.NoError(t, w.Write(r))
			continue
		}
		for i, c := range r {
			if i%2 == 1 {
				w.CellBytes([]byte(c))
			} else {
				w.Cell(c)
			}
		}
		require.NoError(t, w.EndRow())
	}
	w.Flush()
	require.NoError(t, w.Error())
	return b.Bytes()
}

// awkwardCells are cells at every branch of quoting and neutralising.
var awkwardCells = []string{
	"", "-", "--", "a", "a,b", `say "hi"`, `"`, `""`, "line\nbreak", "cr\rhere", "crlf\r\n",
	`\.`, `'\.`, " lead", "\tlead", "\vtab", "\u00a0nbsp", "\u2003em", "\u3000ideo", "é", "\xff\xfe",
	"=1+2", "+1", "-1", "@x", "\t=1", "\r=1", "=a,b", `=say "x"`, "-\n", "@\u00a0",
	"id-0002011 -GRANT(read \"login\")-> sys-061", "trailing ",
}

func TestCSVWriterMatchesEncodingCSV(t *testing.T) {
	var rows [][]string
	for _, a := range awkwardCells {
		rows = append(rows, []string{a}, []string{a, a}, []string{"x", a, "y"})
		for _, b := range awkwardCells {
			rows = append(rows, []string{a + b, b + a})
		}
	}
	rows = append(rows, []string{}, []string{""}, []string{"", ""})
	require.Equal(t, string(encodingCSV(t, rows)), string(csvWriterBytes(t, rows)))
}

func FuzzCSVWriter(f *testing.F) {
	for _, a := range awkwardCells {
		f.Add(a, "x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		rows := [][]string{{a}, {a, b}, {b, a, b}}
		require.Equal(t, string(encodingCSV(t, rows)), string(csvWriterBytes(t, rows)))
	})
}
