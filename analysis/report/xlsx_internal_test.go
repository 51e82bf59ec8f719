package report

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/projection"
)

// A cell that does not fit keeps the whole entries that do, then says how
// many are left out; it never passes the limit, counted in UTF-16 units.
func TestFitCell(t *testing.T) {
	require.Equal(t, "a; b", fitCell("a; b", "; ", 100))
	var entries []string
	for i := range 50 {
		entries = append(entries, fmt.Sprintf("write res-%04d", i))
	}
	long := strings.Join(entries, "; ")
	got := fitCell(long, "; ", 200)
	require.LessOrEqual(t, utf16Len(got), 200)
	kept, note, ok := strings.Cut(got, "; … ")
	require.True(t, ok, got)
	n := len(strings.Split(kept, "; "))
	require.Equal(t, strings.Join(entries[:n], "; "), kept, "whole entries, in order")
	require.Equal(t, fmt.Sprintf("%d more entries not shown: a cell holds 200 characters; the JSON and CSV reports have them all", 50-n), note)

	one := strings.Repeat("x", 500)
	require.Equal(t, "… 1 more entries not shown: a cell holds 200 characters; the JSON and CSV reports have them all",
		fitCell(one, "\n", 200), "an entry longer than a cell: only the note")
	cut := fitCell(strings.Repeat("😀", 300), "", 200) // two UTF-16 units each
	require.LessOrEqual(t, utf16Len(cut), 200)
	require.True(t, strings.HasPrefix(cut, "😀😀"), cut)
	require.Contains(t, cut, "characters not shown")
}

// An owner with more rows than a sheet holds continues on further sheets,
// and no cell passes Excel's limit: with both limits lowered, the rows read
// back from the sheets, in order, are the rows of the workbook as written
// with Excel's real limits.
func TestWorkbookLimits(t *testing.T) {
	ctx := context.Background()
	tr, err := gen.TierByName("XS")
	require.NoError(t, err)
	d := &graph.Dataset{Info: gen.Meta(tr, 3)}
	require.NoError(t, gen.Generate(ctx, tr, 3, d, nil))
	p, err := projection.Build(ctx, d)
	require.NoError(t, err)
	snap := rules.Snapshot{Engine: reach.New(p, d.Info.AsOf()), Data: d}
	write := func() *excelize.File {
		var buf bytes.Buffer
		require.NoError(t, WorkbookXLSX(ctx, &buf, snap, 90, nil, &Provenance{}))
		x, err := excelize.OpenReader(&buf)
		require.NoError(t, err)
		t.Cleanup(func() { x.Close() })
		return x
	}
	whole := write()
	rowsMax, cellMax := xlsxMaxRows, xlsxMaxCellChars
	t.Cleanup(func() { xlsxMaxRows, xlsxMaxCellChars = rowsMax, cellMax })
	xlsxMaxRows, xlsxMaxCellChars = 6, 300
	split := write()

	ids := func(x *excelize.File, sheets []string, limited bool) (out []string) {
		for _, sh := range sheets {
			rows, err := x.GetRows(sh)
			require.NoError(t, err)
			require.Equal(t, XLSXHeader, rows[0], sh)
			for _, r := range rows[1:] {
				if limited {
					require.LessOrEqual(t, len(rows), xlsxMaxRows, sh)
					for _, c := range r {
						require.LessOrEqual(t, utf16Len(c), xlsxMaxCellChars, sh)
					}
				}
				out = append(out, r[0]+" "+r[9]) // identity, system
			}
		}
		return out
	}
	cutCells := 0
	for _, sh := range split.GetSheetList() {
		rows, _ := split.GetRows(sh)
		for _, r := range rows {
			for _, c := range r {
				if strings.Contains(c, "not shown: a cell holds 300 characters") {
					cutCells++
				}
			}
		}
	}
	require.Positive(t, cutCells, "the lowered cell limit cut some cells")
	continued := 0
	for _, sh := range whole.GetSheetList() {
		if sh == "Provenance" {
			continue
		}
		var parts []string
		for k := 1; ; k++ {
			name := sh
			if k > 1 {
				name = fmt.Sprintf("%s (%d)", sh, k)
			}
			if idx, _ := split.GetSheetIndex(name); idx < 0 {
				break
			}
			parts = append(parts, name)
		}
		if len(parts) > 1 {
			continued++
		}
		require.Equal(t, ids(whole, []string{sh}, false), ids(split, parts, true), sh)
	}
	require.Positive(t, continued, "some owner's rows continued on a second sheet")
}
