package report

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
)

// XLSXHeader is the header row of every owner sheet of the XLSX workbook.
var XLSXHeader = []string{"identity", "name", "type", "status", "human", "vendor", "business_owner", "technical_owner",
	"purpose", "system", "effective_critical", "latent_critical", "paths", "credentials", "findings", "decision", "comment"}

// Decisions are the values the decision column accepts (data validation).
var Decisions = []string{"keep", "revoke", "modify"}

// reviewRow is one identity's critical access in one system.
type reviewRow struct {
	owner, system string
	cells         []string
}

// WorkbookXLSX writes the access-review workbook as XLSX: one sheet per
// system owner listing every identity, human and non-human, with critical
// access (effective or latent) in that owner's systems — its owners,
// purpose, the accesses, one path per access with each hop's native
// permission and validity window, its credentials with rotation evidence and
// its findings — and a decision column limited to keep, revoke or modify
// (data validation) next to a free comment. A Provenance sheet records the
// tool, ruleset digest, snapshot and input files. Every cell is a typed
// string, so a value starting with = + - @ (SafeCell's rule) is text, never
// a formula, and is kept exactly.
func WorkbookXLSX(ctx context.Context, w io.Writer, s rules.Snapshot, rotationDays int, fs []rules.Finding, prov *Provenance) error {
	rows, err := reviewRows(ctx, s, rotationDays, fs)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	byOwner := map[string][]reviewRow{}
	var owners []string
	for _, r := range rows {
		if _, ok := byOwner[r.owner]; !ok {
			owners = append(owners, r.owner)
		}
		byOwner[r.owner] = append(byOwner[r.owner], r)
	}
	slices.Sort(owners)
	names := map[string]bool{}
	for _, o := range owners {
		// An owner with more rows than a sheet holds continues on sheets
		// named like the first with " (2)", " (3)" … (sheetName).
		for rows := byOwner[o]; len(rows) > 0; {
			part := rows[:min(len(rows), xlsxMaxRows-1)] // the header takes a row
			rows = rows[len(part):]
			if err := ownerSheet(x, sheetName(o, names), part); err != nil {
				return err
			}
		}
	}
	if err := provenanceSheet(x, s, prov); err != nil {
		return err
	}
	if err := x.DeleteSheet("Sheet1"); err != nil {
		return err
	}
	x.SetActiveSheet(0)
	return x.Write(w)
}

// reviewRows computes one row per identity and system owner with critical access.
func reviewRows(ctx context.Context, s rules.Snapshot, rotationDays int, fs []rules.Finding) ([]reviewRow, error) {
	asOf := s.Engine.AsOf()
	sysOf, owner := map[string]string{}, map[string]string{}
	for _, r := range s.Data.ResourceList {
		sysOf[r.ID] = r.System
	}
	for _, y := range s.Data.SystemList {
		owner[y.ID] = cmp.Or(y.Owner, "(no owner)")
	}
	byID := map[string][]string{}
	for _, f := range fs {
		id := f.ID + " " + f.Rule
		if f.Suppressed != nil {
			id = "suppressed:" + id
		}
		byID[f.Identity] = append(byID[f.Identity], id)
	}
	ids := slices.Clone(s.Data.IdentityList)
	slices.SortFunc(ids, func(a, b graph.Identity) int { return strings.Compare(a.ID, b.ID) })
	var out []reviewRow
	for _, i := range ids {
		accs, err := s.Engine.Reach(ctx, reach.ReachQuery{Identity: i.ID, CriticalOnly: true})
		if err != nil {
			return nil, err
		}
		bySys := map[string][]analysis.Access{}
		var systems []string
		for _, a := range accs {
			y := sysOf[a.Resource]
			if _, ok := bySys[y]; !ok {
				systems = append(systems, y)
			}
			bySys[y] = append(bySys[y], a)
		}
		slices.Sort(systems)
		creds := strings.Join(credentialEvidence(s, i.ID, asOf, rotationDays), "; ")
		f := slices.Sorted(slices.Values(byID[i.ID]))
		for _, y := range systems {
			eff, lat, paths := accessCells(bySys[y])
			cells := []string{i.ID, i.Name, string(i.Type), string(i.Status),
				fmt.Sprint(!i.Type.NonHuman()), i.Vendor, i.Owners.Business, i.Owners.Technical, i.Purpose, y, eff, lat, paths,
				creds, strings.Join(f, "; "), "", ""}
			for c, v := range cells {
				cells[c] = fitCell(v, cellSeparators[XLSXHeader[c]], xlsxMaxCellChars)
			}
			out = append(out, reviewRow{owner: owner[y], system: y, cells: cells})
		}
	}
	return out, nil
}

// Excel's limits: rows per sheet and characters (UTF-16 units) per cell.
// Variables so that tests can lower them.
var (
	xlsxMaxRows      = excelize.TotalRows
	xlsxMaxCellChars = excelize.TotalCellChars
)

// cellSeparators are the separators of the review columns that list
// entries; fitCell cuts those between entries.
var cellSeparators = map[string]string{
	"effective_critical": "; ", "latent_critical": "; ", "paths": "\n", "credentials": "; ", "findings": "; ",
}

// fitCell returns v when it fits a cell of max UTF-16 units. Otherwise it
// keeps the entries (separated by sep; the characters when sep is "") that
// fit before a note saying how many are left out and where they all are:
// Excel, and the library that writes the file, would cut the text silently.
func fitCell(v, sep string, max int) string {
	if utf16Len(v) <= max {
		return v
	}
	var entries []string
	if sep != "" {
		entries = strings.Split(v, sep)
	} else {
		for _, r := range v {
			entries = append(entries, string(r))
		}
	}
	note := func(left int) string {
		what := "entries"
		if sep == "" {
			what = "characters"
		}
		return fmt.Sprintf("%s… %d more %s not shown: a cell holds %d characters; the JSON and CSV reports have them all", sep, left, what, max)
	}
	var b strings.Builder
	used := 0
	for k, e := range entries {
		add := utf16Len(e)
		if k > 0 {
			add += utf16Len(sep)
		}
		if used+add+utf16Len(note(len(entries)-k)) > max {
			if b.Len() == 0 {
				return strings.TrimPrefix(note(len(entries)-k), sep)
			}
			return b.String() + note(len(entries)-k)
		}
		if k > 0 {
			b.WriteString(sep)
		}
		b.WriteString(e)
		used += add
	}
	return b.String()
}

// utf16Len is the length of s in UTF-16 units, as Excel counts a cell.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// accessCells renders accesses as effective, latent and path cells.
func accessCells(accs []analysis.Access) (eff, lat, paths string) {
	var e, l, p []string
	for _, a := range accs {
		s := string(a.Action) + " " + a.Resource
		if a.Effective {
			e = append(e, s)
		} else {
			l = append(l, s)
		}
		if len(a.Paths) > 0 {
			p = append(p, s+": "+FormatPath(a.Paths[0]))
		}
	}
	return strings.Join(e, "; "), strings.Join(l, "; "), strings.Join(p, "\n")
}

// sheetName makes a unique Excel sheet name (at most 31 characters, none of : \ / ? * [ ]).
func sheetName(owner string, used map[string]bool) string {
	n := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]'`, r) {
			return '_'
		}
		return r
	}, owner)
	r := []rune(n)
	if len(r) > 31 {
		r = r[:31]
	}
	n = string(r)
	for k := 2; used[n] || strings.EqualFold(n, "Provenance") || strings.EqualFold(n, "Sheet1"); k++ {
		suf := fmt.Sprintf(" (%d)", k)
		base := []rune(string(r))
		n = string(base[:min(len(base), 31-len(suf))]) + suf
	}
	used[n] = true
	return n
}

// ownerSheet writes one owner's rows with the decision drop-down.
func ownerSheet(x *excelize.File, name string, rows []reviewRow) error {
	if _, err := x.NewSheet(name); err != nil {
		return err
	}
	if err := setRow(x, name, 1, XLSXHeader); err != nil {
		return err
	}
	for k, r := range rows {
		if err := setRow(x, name, k+2, r.cells); err != nil {
			return err
		}
	}
	col, _ := excelize.ColumnNumberToName(len(XLSXHeader) - 1)
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(fmt.Sprintf("%s2:%s%d", col, col, len(rows)+1))
	if err := dv.SetDropList(Decisions); err != nil {
		return err
	}
	dv.SetError(excelize.DataValidationErrorStyleStop, "decision", "choose keep, revoke or modify")
	if err := x.AddDataValidation(name, dv); err != nil {
		return err
	}
	return x.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// setRow writes cells as typed strings (never formulas).
func setRow(x *excelize.File, sheet string, row int, cells []string) error {
	for c, v := range cells {
		ref, err := excelize.CoordinatesToCellName(c+1, row)
		if err != nil {
			return err
		}
		if err := x.SetCellStr(sheet, ref, v); err != nil {
			return err
		}
	}
	return nil
}

// provenanceSheet records what the workbook was made from.
func provenanceSheet(x *excelize.File, s rules.Snapshot, p *Provenance) error {
	const name = "Provenance"
	if _, err := x.NewSheet(name); err != nil {
		return err
	}
	kv := [][]string{{"snapshot", string(s.Engine.Snapshot().ID)}, {"as_of", s.Engine.AsOf().UTC().Format(time.RFC3339)}}
	if p != nil {
		kv = append(kv, []string{"tool", p.Tool + " " + p.Version}, []string{"commit", p.Commit},
			[]string{"ruleset_sha256", p.RulesetSHA256}, []string{"source", p.Source})
		for _, f := range p.Files {
			kv = append(kv, []string{"input " + f.Name, "sha256:" + f.SHA256})
		}
	}
	for k, r := range kv {
		if err := setRow(x, name, k+1, r); err != nil {
			return err
		}
	}
	return nil
}
