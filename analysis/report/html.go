package report

import (
	_ "embed"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/schema"
)

//go:embed report.html.tmpl
var htmlTemplate string

// box is one node of a drawn path, with the edge leading into it.
type box struct {
	ID    string
	Edge  string // label of the arrow into this box; "" for the first
	Class string // identity, credential, resource, group, gap
}

var funcs = template.FuncMap{
	"rfc3339":  func(t time.Time) string { return t.Format(time.RFC3339) },
	"date":     func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"join":     strings.Join,
	"accesses": FormatAccesses,
	"hops":     FormatHops,
	"auth":     FormatAuth,
	"pct": func(n, total int) int {
		if total == 0 {
			return 0
		}
		return n * 100 / total
	},
}

var tmpl = template.Must(template.New("report").Funcs(funcs).Parse(htmlTemplate))

// HTML writes a self-contained page (inline CSS, no scripts, no network).
func (r *Report) HTML(w io.Writer) error {
	type view struct {
		*Report
		Chains   map[string][][]box
		MaxSev   int
		MaxCat   int
		MaxScore int
	}
	v := view{Report: r, Chains: map[string][][]box{}}
	for _, c := range r.Summary.BySeverity {
		v.MaxSev = max(v.MaxSev, c.Count)
	}
	for _, c := range r.Summary.ByCategory {
		v.MaxCat = max(v.MaxCat, c.Count)
	}
	for _, c := range r.Summary.TopIdentities {
		v.MaxScore = max(v.MaxScore, c.Count)
	}
	for _, f := range r.Findings {
		for _, p := range f.Paths {
			v.Chains[f.ID] = append(v.Chains[f.ID], chain(p))
		}
	}
	return tmpl.Execute(w, v)
}

// chain turns a path into boxes joined by labelled arrows; a jump between
// hops (an exposure read of a location under the granted one) gets a gap arrow.
func chain(p analysis.Path) []box {
	var out []box
	last := ""
	for i, h := range p {
		if i == 0 {
			out = append(out, box{ID: h.From, Class: "identity"})
		} else if h.From != last {
			out = append(out, box{ID: h.From, Edge: "contains", Class: classOf(p[i-1].Edge, true)})
		}
		out = append(out, box{ID: h.To, Edge: edgeLabel(h), Class: classOf(h.Edge, false)})
		last = h.To
	}
	return out
}

func classOf(e schema.EdgeKind, gap bool) string {
	switch {
	case gap:
		return "resource"
	case e == schema.EdgeMemberOf:
		return "group"
	case e == schema.EdgeStoredIn:
		return "credential"
	case e == schema.EdgeHasCredential, e == schema.EdgeCanActAs:
		return "identity"
	}
	return "resource"
}
