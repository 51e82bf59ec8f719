package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/report"
)

// accessReport is the stable JSON shape of query output (SPEC §5.1).
type accessReport struct {
	Snapshot string            `json:"snapshot"`
	AsOf     time.Time         `json:"as_of"`
	Accesses []analysis.Access `json:"accesses"`
}

func (g *globals) checkOutput() error {
	if !slices.Contains(outputs, g.output) {
		return usagef("--output %q: want one of %s", g.output, strings.Join(outputs, ", "))
	}
	return g.checkJQ()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printAccesses prints accesses in the chosen format.
func (g *globals) printAccesses(q query, accs []analysis.Access) error {
	if accs == nil {
		accs = []analysis.Access{}
	}
	if ok, err := g.structured(accessReport{Snapshot: string(q.s.Meta().ID), AsOf: q.at(), Accesses: accs}); ok {
		return err
	}
	bw := bufio.NewWriterSize(g.env.Stdout, 64<<10)
	if err := g.writeAccesses(bw, q, accs); err != nil {
		return err
	}
	return bw.Flush()
}

// writeAccesses writes accesses as CSV or a table (with a count line).
func (g *globals) writeAccesses(w io.Writer, q query, accs []analysis.Access) error {
	switch g.output {
	case "csv":
		cw := report.NewCSVWriter(w) // RFC 4180, cells neutralised against formula injection
		header := []string{"identity", "resource", "action", "authorized", "effective", "critical", "path", "authentication"}
		native := len(accs) > 0 && accs[0].Native != ""
		if native { // whocan --native
			header = append(header, "native_action", "conditional")
		}
		_ = cw.Write(header)
		for _, a := range accs {
			row := []string{a.Identity, a.Resource, string(a.Action), fmt.Sprint(a.Authorized), fmt.Sprint(a.Effective),
				fmt.Sprint(a.Critical), formatPath(firstPath(a)), formatAuth(a.Authentication)}
			if native {
				row = append(row, a.Native, fmt.Sprint(a.Conditional))
			}
			_ = cw.Write(row)
		}
		cw.Flush()
		return cw.Error()
	}
	fmt.Fprintf(w, "snapshot %s  as_of %s\n", q.s.Meta().ID, q.at().Format(time.RFC3339))
	if len(accs) == 0 {
		fmt.Fprintln(w, "no access found")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "IDENTITY\tRESOURCE\tACTION\tACCESS\tCRITICAL\tAUTHENTICATION\tPATH")
	for _, a := range accs {
		action := string(a.Action)
		if a.Native != "" {
			action = a.Native + " (" + action + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cells(a.Identity, a.Resource, action, accessWord(a),
			yesNo(a.Critical), g.fit(formatAuth(a.Authentication)), g.fit(formatPath(firstPath(a))))...)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	eff := 0
	for _, a := range accs {
		if a.Effective {
			eff++
		}
	}
	_, err := fmt.Fprintf(w, "%d accesses: %d effective, %d latent\n", len(accs), eff, len(accs)-eff)
	return err
}

// maxCell is the widest a table cell is printed with -o table; -o wide
// prints every cell whole.
const maxCell = 300

// fit shortens a long cell of a table to maxCell runes by cutting out its
// middle ("…"), so a path keeps its origin and its target (-o wide prints it
// whole).
func (g *globals) fit(s string) string {
	if g.output == "wide" || utf8.RuneCountInString(s) <= maxCell {
		return s
	}
	r := []rune(s)
	head := maxCell / 2
	tail := maxCell - head - 1
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

func accessWord(a analysis.Access) string {
	w := "latent"
	if a.Effective {
		w = "effective"
	}
	if a.Conditional {
		w += ", conditional"
	}
	return w
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func firstPath(a analysis.Access) analysis.Path {
	if len(a.Paths) == 0 {
		return nil
	}
	return a.Paths[0]
}

// formatPath renders a path on one line:
// a -MEMBER_OF-> b -CAN_ACT_AS("native")@sys-> c -GRANT(write "native", conditional)-> r.
func formatPath(p analysis.Path) string {
	if len(p) == 0 {
		return "-"
	}
	var b strings.Builder
	b.WriteString(p[0].From)
	for i, h := range p {
		if i > 0 && h.From != p[i-1].To {
			fmt.Fprintf(&b, " ~ %s", h.From)
		}
		fmt.Fprintf(&b, " -%s-> %s", hopLabel(h), h.To)
	}
	return b.String()
}

// hopLabel is a hop's edge with its evidence: the action and native string
// (quoted), ", conditional" for a conditional grant, "@system" for a
// delegation that names one, and the edge's validity window when it has one
// ("[from 2026-01-01 until 2027-01-01]").
func hopLabel(h analysis.Hop) string {
	var args []string
	switch {
	case h.Action != "" && h.Native != "":
		args = append(args, fmt.Sprintf("%s %q", h.Action, h.Native))
	case h.Action != "":
		args = append(args, string(h.Action))
	case h.Native != "":
		args = append(args, strconv.Quote(h.Native))
	}
	if h.Conditional {
		args = append(args, "conditional")
	}
	label := string(h.Edge)
	if len(args) > 0 {
		label += "(" + strings.Join(args, ", ") + ")"
	}
	if h.System != "" {
		label += "@" + h.System
	}
	return label + h.WindowLabel()
}

func formatAuth(a *analysis.Authentication) string {
	if a == nil {
		return "-"
	}
	if a.Via == "delegation" {
		return fmt.Sprintf("%s via %s", a.System, a.Delegation)
	}
	s := fmt.Sprintf("%s via %s", a.System, a.Credential)
	if a.ExpiresAt != nil {
		s += " (expires " + a.ExpiresAt.Format("2006-01-02") + ")"
	}
	return s
}
