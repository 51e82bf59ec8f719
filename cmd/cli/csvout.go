package cli

import (
	"io"

	"github.com/reachgraph/reachgraph/analysis/report"
)

// writeCSV writes rows as RFC 4180 CSV, every cell neutralised against
// formula injection (report.SafeCell).
func writeCSV(w io.Writer, rows ...[]string) error {
	cw := report.NewCSVWriter(w)
	for _, r := range rows {
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
