package cli

import (
	"bufio"
	"encoding/json"
	"io"
	"runtime/debug"
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

// streamGCPercent is the collector's target (GOGC) while accesses stream
// out, unless GOGC is set. The projection is live heap (0.33 GB at a million
// identities), and at the default of 100 the collector lets that much garbage
// again build up before it runs: 70 keeps a tier-M `whocan --kind` within
// 1 GiB for about 5 % more time (docs/performance.md).
const streamGCPercent = 70

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
	if g.env.Getenv == nil || g.env.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(streamGCPercent))
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
	return string(appendPath(make([]byte, 0, 64*len(p)), p))
}

// appendPath appends formatPath's text (it runs once per row of
// `whocan --kind`, so it appends instead of formatting).
func appendPath(b []byte, p analysis.Path) []byte {
	b = append(b, p[0].From...)
	for i, h := range p {
		if i > 0 && h.From != p[i-1].To {
			b = append(b, " ~ "...)
			b = append(b, h.From...)
		}
		b = append(b, " -"...)
		b = appendHopLabel(b, h)
		b = append(b, "-> "...)
		b = append(b, h.To...)
	}
	return b
}

// hopLabel is a hop's edge with its evidence: the action and native string
// (quoted), ", conditional" for a conditional grant, "@system" for a
// delegation that names one, and the edge's validity window when it has one
// ("[from 2026-01-01 until 2027-01-01]").
func hopLabel(h analysis.Hop) string { return string(appendHopLabel(nil, h)) }

func appendHopLabel(b []byte, h analysis.Hop) []byte {
	b = append(b, h.Edge...)
	args := false
	arg := func() {
		if args {
			b = append(b, ", "...)
		} else {
			b = append(b, '(')
		}
		args = true
	}
	if h.Action != "" {
		arg()
		b = append(b, h.Action...)
		if h.Native != "" {
			b = append(b, ' ')
			b = strconv.AppendQuote(b, h.Native)
		}
	} else if h.Native != "" {
		arg()
		b = strconv.AppendQuote(b, h.Native)
	}
	if h.Conditional {
		arg()
		b = append(b, "conditional"...)
	}
	if args {
		b = append(b, ')')
	}
	if h.System != "" {
		b = append(b, '@')
		b = append(b, h.System...)
	}
	return append(b, h.WindowLabel()...)
}

func formatAuth(a *analysis.Authentication) string {
	if a == nil {
		return "-"
	}
	if a.Via == "delegation" {
		return a.System + " via " + a.Delegation
	}
	s := a.System + " via " + a.Credential
	if a.ExpiresAt != nil {
		s += " (expires " + a.ExpiresAt.Format("2006-01-02") + ")"
	}
	return s
}
