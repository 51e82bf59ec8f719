package report

import (
	_ "embed"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/rules"
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

// Caps on what the HTML page shows inline; the JSON and CSV reports hold
// every finding.
const (
	// HTMLMaxGroups is the number of root-cause groups shown.
	HTMLMaxGroups = 200
	// HTMLMaxPerGroup is the number of findings shown in full per group.
	HTMLMaxPerGroup = 10
	// htmlMaxIdentities is the number of identities named per group.
	htmlMaxIdentities = 20
)

// findingView is a finding with its paths drawn as chains of boxes.
type findingView struct {
	*rules.Finding
	Chains [][]box
}

// groupView is a group with the findings shown inline.
type groupView struct {
	*Group
	Shown      []findingView
	More       int
	IdentShown []string
	IdentMore  int
}

// HTML writes a self-contained page (inline CSS, no scripts, no network):
// the summary, then the root-cause groups (the HTMLMaxGroups most severe),
// each collapsible with its first HTMLMaxPerGroup findings in full, then the
// provenance. The page stays small whatever the number of findings.
func (r *Report) HTML(w io.Writer) error {
	type view struct {
		*Report
		Views        []groupView
		GroupCount   int
		GroupsMore   int
		FindingsMore int
		MaxSev       int
		MaxCat       int
		MaxScore     int
	}
	v := view{Report: r}
	for _, c := range r.Summary.BySeverity {
		v.MaxSev = max(v.MaxSev, c.Count)
	}
	for _, c := range r.Summary.ByCategory {
		v.MaxCat = max(v.MaxCat, c.Count)
	}
	for _, c := range r.Summary.TopIdentities {
		v.MaxScore = max(v.MaxScore, c.Count)
	}
	top, err := r.topGroups(HTMLMaxGroups)
	if err != nil {
		return err
	}
	byID, err := r.shownFindings(top)
	if err != nil {
		return err
	}
	shown := 0
	for i := range top {
		v.Views = append(v.Views, newGroupView(&top[i], byID))
		shown += len(top[i].Findings)
	}
	// Every finding is in one group.
	v.GroupCount = r.groupCount()
	v.GroupsMore, v.FindingsMore = v.GroupCount-len(top), r.findingCount()-shown
	return tmpl.Execute(w, v)
}

// shownFindings returns the findings the page shows in full, by id: the
// first HTMLMaxPerGroup of each of the first HTMLMaxGroups groups (read
// from the spool of a spooled report, every finding of the others).
func (r *Report) shownFindings(top []Group) (map[string]*rules.Finding, error) {
	byID := map[string]*rules.Finding{}
	if r.spool == nil {
		for i := range r.Findings {
			byID[r.Findings[i].ID] = &r.Findings[i]
		}
		return byID, nil
	}
	want := map[string]bool{}
	for i := range top {
		g := &top[i]
		for _, id := range g.Findings[:min(len(g.Findings), HTMLMaxPerGroup)] {
			want[id] = true
		}
	}
	err := r.spool.Each(func(rec *Record) error {
		if !want[rec.ID] {
			return nil
		}
		f, err := decodeFinding(rec)
		if err != nil {
			return err
		}
		byID[rec.ID] = f
		return nil
	})
	return byID, err
}

func newGroupView(g *Group, byID map[string]*rules.Finding) groupView {
	gv := groupView{Group: g, More: max(0, len(g.Findings)-HTMLMaxPerGroup)}
	for _, id := range g.Findings[:min(len(g.Findings), HTMLMaxPerGroup)] {
		f := byID[id]
		fv := findingView{Finding: f}
		for _, p := range f.Paths {
			fv.Chains = append(fv.Chains, chain(p))
		}
		gv.Shown = append(gv.Shown, fv)
	}
	gv.IdentShown = g.Identities[:min(len(g.Identities), htmlMaxIdentities)]
	gv.IdentMore = len(g.Identities) - len(gv.IdentShown)
	return gv
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
