package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/schema"
)

// Count is a named tally.
type Count struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Summary tallies the findings that are not suppressed.
type Summary struct {
	Total      int     `json:"total"`
	Suppressed int     `json:"suppressed"`
	New        int     `json:"new,omitempty"`
	BySeverity []Count `json:"by_severity"`
	ByCategory []Count `json:"by_category"`
	// TopIdentities are the identities with the most findings weighted by
	// severity (critical 16, high 8, medium 4, low 2, info 1), at most ten.
	TopIdentities []Count `json:"top_identities"`
}

// Report is the stable JSON shape of `reachgraph report`.
type Report struct {
	Snapshot string    `json:"snapshot"`
	AsOf     time.Time `json:"as_of"`
	// Since is the snapshot findings were compared with (--since), if any.
	Since string `json:"since,omitempty"`
	// Provenance is what the report was made from (SetProvenance).
	Provenance *Provenance `json:"provenance,omitempty"`
	Summary    Summary     `json:"summary"`
	// Groups are the findings grouped by the change that closes them
	// (Groups), most severe first.
	Groups   []Group         `json:"groups"`
	Findings []rules.Finding `json:"findings"`
}

// New builds a report over findings (sorted in place with rules.Sort).
func New(snapshot string, asOf time.Time, since string, fs []rules.Finding) *Report {
	if fs == nil {
		fs = []rules.Finding{}
	}
	rules.Sort(fs)
	r := &Report{Snapshot: snapshot, AsOf: asOf.UTC(), Since: since, Findings: fs}
	sev, cat, score := map[string]int{}, map[string]int{}, map[string]int{}
	for _, f := range fs {
		if f.Suppressed != nil {
			r.Summary.Suppressed++
			continue
		}
		r.Summary.Total++
		if f.New {
			r.Summary.New++
		}
		sev[string(f.Severity)]++
		cat[string(f.Category)]++
		score[f.Identity] += 1 << (len(schema.Severities) - 1 - f.Severity.Rank())
	}
	for _, s := range schema.Severities {
		r.Summary.BySeverity = append(r.Summary.BySeverity, Count{string(s), sev[string(s)]})
	}
	for _, c := range schema.Categories {
		r.Summary.ByCategory = append(r.Summary.ByCategory, Count{string(c), cat[string(c)]})
	}
	for id, n := range score {
		r.Summary.TopIdentities = append(r.Summary.TopIdentities, Count{id, n})
	}
	slices.SortFunc(r.Summary.TopIdentities, func(a, b Count) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name))
	})
	if len(r.Summary.TopIdentities) > 10 {
		r.Summary.TopIdentities = r.Summary.TopIdentities[:10]
	}
	if r.Summary.TopIdentities == nil {
		r.Summary.TopIdentities = []Count{}
	}
	r.Groups = Groups(fs)
	if r.Groups == nil {
		r.Groups = []Group{}
	}
	return r
}

// SetProvenance records p on the report.
func (r *Report) SetProvenance(p Provenance) { r.Provenance = &p }

// JSON writes the report as indented JSON.
func (r *Report) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// CSVHeader is the header row of the CSV format.
var CSVHeader = []string{"snapshot", "as_of", "id", "rule", "category", "severity", "identity", "actor", "credential",
	"resource", "action", "effective", "new", "suppressed_by", "suppressed_until", "message", "path", "frameworks", "accesses", "fix",
	"authentication", "root_cause_group", "root_cause", "tool_version", "ruleset_sha256", "inputs"}

// CSV writes one row per finding, ready for a spreadsheet: its paths with
// each hop's native permission and validity window, its authentication
// evidence, and on every row the provenance (tool version, ruleset digest,
// input files with their SHA-256).
func (r *Report) CSV(w io.Writer) error {
	var ver, digest, inputs string
	if p := r.Provenance; p != nil {
		ver, digest, inputs = p.Version, p.RulesetSHA256, FormatFiles(p.Files)
	}
	groupOf := map[string]*Group{}
	for i := range r.Groups {
		for _, id := range r.Groups[i].Findings {
			groupOf[id] = &r.Groups[i]
		}
	}
	cw := NewCSVWriter(w)
	_ = cw.Write(CSVHeader)
	for _, f := range r.Findings {
		gid, change := "", ""
		if g := groupOf[f.ID]; g != nil {
			gid, change = g.ID, g.Change
		}
		by, until := "", ""
		if f.Suppressed != nil {
			by, until = f.Suppressed.Owner, f.Suppressed.Expires.UTC().Format("2006-01-02")
		}
		_ = cw.Write([]string{r.Snapshot, r.AsOf.Format(time.RFC3339), f.ID, f.Rule, string(f.Category), string(f.Severity),
			f.Identity, strings.Join(f.Actor, " "), f.Credential, f.Resource, string(f.Action), fmt.Sprint(f.Effective),
			fmt.Sprint(f.New), by, until, f.Message, FormatPaths(f.Paths), strings.Join(f.Frameworks, " "),
			FormatAccesses(f.Accesses), FormatFix(f.Fix), FormatAuth(f.Authentication), gid, change, ver, digest, inputs})
	}
	cw.Flush()
	return cw.Error()
}

// FormatPath renders a path on one line: a -EDGE-> b -GRANT(write)-> c; a
// conditional grant reads GRANT(write, conditional).
func FormatPath(p analysis.Path) string {
	var b strings.Builder
	last := ""
	for i, h := range p {
		if i == 0 || h.From != last {
			if i > 0 {
				b.WriteString(" ~ ")
			}
			b.WriteString(h.From)
		}
		b.WriteString(" -" + edgeLabel(h) + "-> " + h.To)
		last = h.To
	}
	return b.String()
}

// FormatPaths joins FormatPath of every path with " | ".
func FormatPaths(ps []analysis.Path) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = FormatPath(p)
	}
	return strings.Join(s, " | ")
}

// FormatAccesses renders covered accesses: "je-1 write/approve; je-2 write (latent)".
func FormatAccesses(cs []rules.Covered) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		acts := make([]string, len(c.Actions))
		for k, a := range c.Actions {
			acts[k] = string(a)
		}
		s[i] = c.Resource + " " + strings.Join(acts, "/")
		if !c.Effective {
			s[i] += " (latent)"
		}
	}
	return strings.Join(s, "; ")
}

// FormatHops renders edges one by one: "a -MEMBER_OF-> b; c -GRANT(write)-> d".
func FormatHops(hs []analysis.Hop) string {
	s := make([]string, len(hs))
	for i, h := range hs {
		s[i] = FormatPath(analysis.Path{h})
	}
	return strings.Join(s, "; ")
}

// FormatFix renders a fix on one line: "cut: HOPS | choke points: A, B"; "" for none.
func FormatFix(f *reach.Fix) string {
	if f == nil {
		return ""
	}
	s := "cut: " + FormatHops(f.Cut)
	if len(f.ChokePoints) > 0 {
		s += " | choke points: " + strings.Join(f.ChokePoints, ", ")
	}
	return s
}

// edgeLabel is a hop's edge with its action or delegation kind, the
// source's native permission quoted, ", conditional" for a conditional
// grant, and the edge's validity window when it has one:
// GRANT(write "F_BKPF_BUK/ACTVT=01", conditional)[until 2027-01-01].
func edgeLabel(h analysis.Hop) string {
	var in []string
	switch {
	case h.Action != "":
		in = append(in, string(h.Action))
	case h.Kind != "":
		in = append(in, string(h.Kind))
	}
	if h.Native != "" {
		in = append(in, strconv.Quote(h.Native))
	}
	label := strings.Join(in, " ")
	if h.Conditional {
		label += ", conditional"
	}
	if label == "" {
		return string(h.Edge) + h.WindowLabel()
	}
	return fmt.Sprintf("%s(%s)%s", h.Edge, label, h.WindowLabel())
}
