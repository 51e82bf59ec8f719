package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reachgraph/reachgraph/analysis"
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
	native := len(accs) > 0 && accs[0].Native != "" // whocan --native
	return g.streamAccesses(q, native, func(fn func(analysis.Access) error) error {
		for _, a := range accs {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	})
}

// streamAccesses prints the accesses each hands to its callback in the
// chosen format as they come (see accessSink), so the answer is never held
// whole; --jq needs the whole document and collects it first. When each
// fails after output began, the output is incomplete (JSON without its end,
// a table without its rows) and the error is returned.
func (g *globals) streamAccesses(q query, native bool, each func(func(analysis.Access) error) error) error {
	if g.jq != "" {
		accs := []analysis.Access{}
		if err := each(func(a analysis.Access) error { accs = append(accs, a); return nil }); err != nil {
			return err
		}
		_, err := g.structured(accessReport{Snapshot: string(q.s.Meta().ID), AsOf: q.at(), Accesses: accs})
		return err
	}
	bw := bufio.NewWriterSize(g.env.Stdout, 256<<10)
	sink := g.newAccessSink(bw, q, native)
	if err := each(sink.add); err != nil {
		sink.abort()
		_ = bw.Flush()
		return err
	}
	if err := sink.finish(); err != nil {
		return err
	}
	return bw.Flush()
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
