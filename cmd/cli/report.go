package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/analysis/report"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/schema"
)

// loadRules returns the built-in ruleset with --rules merged over it.
func loadRules(path string) (*rules.Ruleset, error) {
	var files [][]byte
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, usageErr(err)
		}
		files = append(files, b)
	}
	rs, err := rules.Load(files...)
	if err != nil {
		return nil, usageErr(err)
	}
	return rs, nil
}

type reportFlags struct {
	rules, suppressions, format, failOn, out, workbook, since string
	// formatSet and outputSet tell whether --format and the global -o were given.
	formatSet, outputSet bool
}

func newReportCmd(g *globals) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report [--rules FILE] [--suppressions FILE] [--format json|csv|md|html|oscal] [--fail-on SEVERITY] [--out FILE]",
		Short: "Evaluate the SoD, toxic-path and hygiene rules and write a findings report",
		Long: `Evaluate the built-in ruleset (plus --rules) on the snapshot and write the findings.
The report writes to --out (default stdout) in --format. The global -o/--output flag
may name the format instead (-o json|csv|md|html|oscal); -o table, wide or yaml is an error
naming --format, and -o and --format must agree when both are given. With --workbook
and neither --out nor --format, only the workbook is written (nothing on stdout).
Exit status 1 when a finding that is not suppressed is at or above --fail-on; the
message counts exactly those findings.`,
		Example: `  reachgraph report --format html --out report.html --fail-on high
  reachgraph report --suppressions accepted.yaml --workbook review.csv --since s-1a2b`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.formatSet = cmd.Flags().Changed("format")
			f.outputSet = cmd.Flags().Changed("output")
			return g.runReport(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.rules, "rules", "", "YAML rules file merged over the built-in ruleset (same id overrides)")
	fl.StringVar(&f.suppressions, "suppressions", "", "YAML suppressions file (accepted findings, each with owner, reason, expires)")
	fl.StringVar(&f.format, "format", "json", "report format: json, csv, md, html or oscal (OSCAL 1.1.1 assessment-results JSON)")
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 when an unsuppressed finding has this severity or worse: critical, high, medium, low, info")
	fl.StringVar(&f.out, "out", "", "write the report to FILE instead of stdout")
	fl.StringVar(&f.workbook, "workbook", "", "also write the access-review workbook to FILE: XLSX (one sheet per system owner, every identity with critical access) when FILE ends in .xlsx, else CSV (non-human identities)")
	fl.StringVar(&f.since, "since", "", "mark findings absent from this earlier snapshot as new")
	return cmd
}

// reportFormat resolves --format and the global -o into the report format.
func (g *globals) reportFormat(f reportFlags) (string, error) {
	format := f.format
	if f.outputSet {
		if !slices.Contains(reportFormats, g.output) {
			return "", usagef("-o %q does not apply to report: use --format %s", g.output, strings.Join(reportFormats, "|"))
		}
		if f.formatSet && g.output != f.format {
			return "", usagef("-o %q and --format %q disagree: give one", g.output, f.format)
		}
		format = g.output
	}
	if !slices.Contains(reportFormats, format) {
		return "", usagef("--format %q: want %s", format, strings.Join(reportFormats, ", "))
	}
	return format, nil
}

// reportFormats are the formats of `reachgraph report`.
var reportFormats = []string{"json", "csv", "md", "html", "oscal"}

func (g *globals) runReport(ctx context.Context, f reportFlags) error {
	format, err := g.reportFormat(f)
	if err != nil {
		return err
	}
	f.format = format
	// --workbook alone writes only the workbook: the report goes to stdout
	// only when --out or an output format is asked for.
	writeReport := f.workbook == "" || f.out != "" || f.formatSet || f.outputSet
	var failOn schema.Severity
	if f.failOn != "" {
		s, err := schema.ParseSeverity(f.failOn)
		if err != nil {
			return usagef("--fail-on: %v", err)
		}
		failOn = s
	}
	rs, err := loadRules(f.rules)
	if err != nil {
		return err
	}
	var sups []rules.Suppression
	if f.suppressions != "" {
		b, err := os.ReadFile(f.suppressions)
		if err != nil {
			return usageErr(err)
		}
		if sups, err = rules.ParseSuppressions(b); err != nil {
			return usageErr(err)
		}
	}
	q, done, err := g.openQuery(ctx, session.WithRuleRecords())
	if err != nil {
		return err
	}
	defer done()
	// The earlier snapshot (--since) is evaluated first, at its own as_of
	// with the same rules; only its finding ids are kept.
	var before map[string]bool
	since := ""
	if f.since != "" {
		st, err := g.openStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		old, err := g.openSession(ctx, st, f.since, session.WithRuleRecords())
		if err != nil {
			return err
		}
		ph := g.phase("evaluating rules on " + f.since)
		before = map[string]bool{}
		var mu sync.Mutex
		_, err = old.StreamFindings(ctx, rs, time.Time{}, func(fs []rules.Finding) error {
			mu.Lock()
			defer mu.Unlock()
			for i := range fs {
				before[fs[i].ID] = true
			}
			return nil
		}, ph.evalOptions()...)
		ph.end()
		if err != nil {
			return err
		}
		since = string(old.Meta().ID)
	}
	// Findings go to a spool (sorted runs in a temporary directory, merged
	// when the report is written), so memory does not grow with them; the
	// workbook, when asked for, keeps them in memory.
	sp, err := report.NewSpool("", spoolBudget(debug.SetMemoryLimit(-1)))
	if err != nil {
		return err
	}
	defer sp.Close()
	var kept []rules.Finding
	var keptMu sync.Mutex
	snap, err := q.s.RuleSnapshot(ctx, q.asOf)
	if err != nil {
		return err
	}
	at := snap.Engine.AsOf()
	ph := g.phase("evaluating rules (actors)")
	_, err = q.s.StreamFindings(ctx, rs, q.asOf, func(fs []rules.Finding) error {
		rules.Suppress(fs, sups, at)
		if before != nil {
			rules.MarkNewIn(fs, before)
		}
		if f.workbook != "" {
			keptMu.Lock()
			kept = append(kept, fs...)
			keptMu.Unlock()
		}
		return sp.Add(fs)
	}, append(ph.evalOptions(), rules.WithPathLimitNotice(func(n, limit int) {
		fmt.Fprintf(g.env.Stderr, "warning: %d access(es) have more than %d other shortest paths; toxic rules that read the path "+
			"saw the evidence path and %d others of each, so findings about them may depend on the order the records were ingested in\n", n, limit, limit)
	}))...)
	ph.end()
	if err != nil {
		return err
	}
	rep, err := report.NewFromSpool(string(snap.Engine.Snapshot().ID), at, since, sp)
	if err != nil {
		return err
	}
	b := Build()
	prov, err := report.NewProvenance(q.s.Meta(), at, rs, "reachgraph", b.Version, b.Commit)
	if err != nil {
		return err
	}
	rep.SetProvenance(prov)
	if writeReport {
		ph := g.phase("writing the " + f.format + " report")
		ph.step(0, -1)
		err := g.writeReport(rep, f)
		ph.end()
		if err != nil {
			return err
		}
	}
	if f.workbook != "" {
		rules.Sort(kept)
		fs := kept
		var wb bytes.Buffer
		ph := g.phase("writing the workbook")
		ph.step(0, -1)
		var err error
		if strings.EqualFold(filepath.Ext(f.workbook), ".xlsx") {
			err = report.WorkbookXLSX(ctx, &wb, snap, rs.Settings.RotationDays, fs, rep.Provenance)
		} else {
			err = report.Workbook(ctx, &wb, snap, rs.Settings.RotationDays, fs)
		}
		ph.end()
		if err != nil {
			return err
		}
		if err := writeOut(nil, f.workbook, wb.Bytes()); err != nil {
			return err
		}
	}
	if n := rep.Failing(failOn); failOn != "" && n > 0 {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("findings at or above %s: %d open (not suppressed)", failOn, n)}
	}
	return nil
}

// spoolBudget is the bytes of encoded findings `report` holds in memory
// before it writes a sorted run to its temporary directory: 256 MiB, or a
// 32nd of the Go heap's soft limit (SetMemoryLimit: 90 % of a container's
// memory) when that is less, so that in a small container the spool leaves
// the collector room; at least 16 MiB.
func spoolBudget(memoryLimit int64) int {
	return int(max(16<<20, min(256<<20, memoryLimit/32)))
}

// writeReport renders rep in f.format to f.out or stdout, as it goes: a
// file is written under a temporary name beside it and renamed into place
// once complete.
func (g *globals) writeReport(rep *report.Report, f reportFlags) error {
	write := func(w io.Writer) error {
		switch f.format {
		case "json":
			return rep.JSON(w)
		case "csv":
			return rep.CSV(w)
		case "md":
			return rep.Markdown(w)
		case "html":
			return rep.HTML(w)
		case "oscal":
			return rep.OSCAL(w)
		}
		return nil
	}
	if f.out == "" {
		return write(g.env.Stdout)
	}
	return writePrivateStream(f.out, write)
}

// writeOut writes b to the file path, or to w when path is "".
func writeOut(w io.Writer, path string, b []byte) error {
	if path == "" {
		_, err := w.Write(b)
		return err
	}
	if err := writePrivate(path, b); err != nil { // 0600: a report lists who can reach what
		return usageErr(err)
	}
	return nil
}
