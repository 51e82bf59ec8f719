package report

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph/spill"
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
	// (Groups), most severe first. A spooled report (NewFromSpool) leaves
	// it nil and writes each group as it puts it together.
	Groups   []Group         `json:"groups"`
	Findings []rules.Finding `json:"findings"`

	// spool holds the findings instead of Findings (NewFromSpool).
	spool *Spool
	// groupOf is the index in Groups of each cause (causeKeyOf).
	groupOf map[causeKey]int
	// spooled holds the groups of a spooled report instead of Groups.
	spooled *groupSpool
}

// New builds a report over findings (sorted in place with rules.Sort).
func New(snapshot string, asOf time.Time, since string, fs []rules.Finding) *Report {
	if fs == nil {
		fs = []rules.Finding{}
	}
	rules.Sort(fs)
	r := &Report{Snapshot: snapshot, AsOf: asOf.UTC(), Since: since, Findings: fs}
	var t tally
	for i := range fs {
		t.addFinding(&fs[i])
	}
	t.finish(r)
	return r
}

func (t *tally) addFinding(f *rules.Finding) {
	kind, key, cut, change := Cause(f)
	t.add(f.Severity, f.Category, f.Identity, f.Rule, f.ID, f.Suppressed != nil, f.New, kind, key, change, cut)
}

// NewFromSpool builds a report over the findings of sp, read once for the
// summary and the groups; the writers read sp again for the findings, so sp
// must stay open until the report is written. Memory holds neither the
// findings nor the groups' lists: each group is one small record, its
// lists go to a spill pool that sp's Close releases (groupSpool), and
// Groups stays nil (the writers put each group together as they write it).
func NewFromSpool(snapshot string, asOf time.Time, since string, sp *Spool) (*Report, error) {
	r := &Report{Snapshot: snapshot, AsOf: asOf.UTC(), Since: since, spool: sp}
	pool := spill.New(sp.Dir(), "root-cause groups", sp.budget/2)
	pool.Op = "report"
	sp.closers = append(sp.closers, pool.Close)
	gs := newGroupSpool(pool, sp.budget/4)
	var t tally
	err := sp.eachMeta(func(rec *Record) error {
		t.count(rec.Severity, rec.Category, rec.Identity, rec.Suppressed, rec.New)
		return gs.add(rec.Severity, rec.Identity, rec.Rule, rec.ID, rec.Suppressed, rec.CauseKind, rec.CauseKey, rec.Change, rec.Cut)
	})
	if err != nil {
		return nil, err
	}
	if err := gs.sort(); err != nil {
		return nil, err
	}
	t.finish(r)
	r.Groups, r.groupOf, r.spooled = nil, nil, gs
	return r, nil
}

// tally builds the summary and the groups from the findings in report order.
type tally struct {
	sum             Summary
	sev, cat, score map[string]int
	groups          []Group
	byKey           map[causeKey]int
	idents          [][]string // per group, sorted and made unique by finish
}

func (t *tally) add(sev schema.Severity, cat schema.Category, identity, rule, id string, suppressed, isNew bool,
	kind, key, change string, cut []analysis.Hop) {
	t.count(sev, cat, identity, suppressed, isNew)
	if t.byKey == nil {
		t.byKey = map[causeKey]int{}
	}
	k := causeKeyOf(kind, key)
	gi, ok := t.byKey[k]
	if !ok {
		gi = len(t.groups)
		t.byKey[k] = gi
		t.groups = append(t.groups, Group{ID: "g-" + hex.EncodeToString(k[:8]), Kind: kind, Change: change, Cut: cut,
			Severity: sev, Representative: id, key: k})
		t.idents = append(t.idents, nil)
	}
	g := &t.groups[gi]
	if suppressed {
		g.Suppressed++
	} else {
		g.Count++
	}
	if sev.Rank() < g.Severity.Rank() {
		g.Severity = sev
	}
	if ids := t.idents[gi]; len(ids) == 0 || ids[len(ids)-1] != identity {
		t.idents[gi] = append(ids, identity)
	}
	if !slices.Contains(g.Rules, rule) {
		g.Rules = append(g.Rules, rule)
	}
	g.Findings = append(g.Findings, id)
}

// count adds a finding to the summary.
func (t *tally) count(sev schema.Severity, cat schema.Category, identity string, suppressed, isNew bool) {
	if t.sev == nil {
		t.sev, t.cat, t.score = map[string]int{}, map[string]int{}, map[string]int{}
	}
	if suppressed {
		t.sum.Suppressed++
		return
	}
	t.sum.Total++
	if isNew {
		t.sum.New++
	}
	t.sev[string(sev)]++
	t.cat[string(cat)]++
	t.score[identity] += 1 << (len(schema.Severities) - 1 - sev.Rank())
}

func (t *tally) finish(r *Report) {
	r.Summary = t.sum
	for _, s := range schema.Severities {
		r.Summary.BySeverity = append(r.Summary.BySeverity, Count{string(s), t.sev[string(s)]})
	}
	for _, c := range schema.Categories {
		r.Summary.ByCategory = append(r.Summary.ByCategory, Count{string(c), t.cat[string(c)]})
	}
	for id, n := range t.score {
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
	r.Groups = sortGroups(t.groups, t.idents)
	if r.Groups == nil {
		r.Groups = []Group{}
	}
	// The tally's index, renumbered for the sorted order: at scale it has
	// millions of keys, and a second map beside it would double them.
	r.groupOf = t.byKey
	if r.groupOf == nil {
		r.groupOf = map[causeKey]int{}
	}
	for i := range r.Groups {
		r.groupOf[r.Groups[i].key] = i
	}
	t.byKey = nil
}

// Failing counts the findings that are not suppressed and are at least as
// severe as min (rules.CountFailing, from the summary).
func (r *Report) Failing(min schema.Severity) int {
	n := 0
	for _, c := range r.Summary.BySeverity {
		if schema.Severity(c.Name).Rank() <= min.Rank() {
			n += c.Count
		}
	}
	return n
}

// each calls fn on every finding in report order.
func (r *Report) each(fn func(*rules.Finding) error) error {
	if r.spool != nil {
		return r.spool.Findings(fn)
	}
	for i := range r.Findings {
		if err := fn(&r.Findings[i]); err != nil {
			return err
		}
	}
	return nil
}

// findingCount is the number of findings.
func (r *Report) findingCount() int {
	if r.spool != nil {
		return r.spool.Len()
	}
	return len(r.Findings)
}

// groupCount is the number of root-cause groups.
func (r *Report) groupCount() int {
	if r.spooled != nil {
		return r.spooled.len()
	}
	return len(r.Groups)
}

// eachGroup calls fn on every group in order. A spooled report reuses the
// *Group from call to call (its lists are each group's own: a copy may be
// kept, as topGroups does).
func (r *Report) eachGroup(fn func(i int, g *Group) error) error {
	if r.spooled != nil {
		return r.spooled.eachAhead(fn)
	}
	for i := range r.Groups {
		if err := fn(i, &r.Groups[i]); err != nil {
			return err
		}
	}
	return nil
}

// topGroups returns the first n groups.
func (r *Report) topGroups(n int) ([]Group, error) {
	if r.spooled == nil {
		return r.Groups[:min(n, len(r.Groups))], nil
	}
	var out []Group
	err := r.spooled.each(func(i int, g *Group) error {
		if i >= n {
			return errEnough
		}
		out = append(out, *g)
		return nil
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	return out, err
}

// eachWithGroup calls fn on every finding in report order with its group's
// id and change. A spooled report takes the finding's cause from its record
// instead of working it out again.
func (r *Report) eachWithGroup(fn func(f *rules.Finding, gid, change string) error) error {
	if r.spool == nil || r.spooled == nil {
		return r.each(func(f *rules.Finding) error {
			gid, change := r.groupRef(f)
			return fn(f, gid, change)
		})
	}
	return r.spool.findings(func(d *decoded) error {
		gid, change, _ := r.spooled.ref(d.kind, d.key, d.change)
		return fn(d.f, gid, change)
	})
}

// groupRef returns the id and the change of a finding's group ("" when it
// has none).
func (r *Report) groupRef(f *rules.Finding) (id, change string) {
	kind, key, _, own := Cause(f)
	if r.spooled != nil {
		id, change, _ = r.spooled.ref(kind, key, own)
		return id, change
	}
	if i, ok := r.groupOf[causeKeyOf(kind, key)]; ok {
		return r.Groups[i].ID, r.Groups[i].Change
	}
	return "", ""
}

// SetProvenance records p on the report.
func (r *Report) SetProvenance(p Provenance) { r.Provenance = &p }

// JSON writes the report as indented JSON. A spooled report is written
// finding by finding, with the same bytes.
func (r *Report) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if r.spool == nil {
		return enc.Encode(r)
	}
	// The document with no groups and no findings ends in `"groups": [],`,
	// `"findings": []` and "\n}\n"; the groups and the findings go between
	// their brackets, each indented two levels deep as the encoder indents
	// an element of an array (a spooled finding's JSON is already), one by
	// one, so the whole document is never in memory: at scale the groups
	// alone list millions of finding ids.
	var head bytes.Buffer
	henc := json.NewEncoder(&head)
	henc.SetIndent("", "  ")
	henc.SetEscapeHTML(false)
	hr := *r
	hr.Groups, hr.Findings = []Group{}, []rules.Finding{}
	if err := henc.Encode(&hr); err != nil {
		return err
	}
	tail := []byte("[],\n  \"findings\": []\n}\n")
	if !bytes.HasSuffix(head.Bytes(), tail) {
		return fmt.Errorf("report: unexpected JSON layout")
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.Write(bytes.TrimSuffix(head.Bytes(), tail))
	element := func(first bool, indented []byte) error {
		if !first {
			bw.WriteString(",")
		}
		bw.WriteString("\n" + findingPrefix)
		_, err := bw.Write(indented)
		return err
	}
	if r.groupCount() == 0 {
		bw.WriteString("[]")
	} else {
		var g []byte
		bw.WriteString("[")
		err := r.eachGroup(func(i int, gr *Group) error {
			var ok bool
			if g, ok = appendGroup(g[:0], gr, findingPrefix); !ok {
				var err error
				if g, err = indentedJSON(gr, findingPrefix); err != nil {
					return err
				}
			}
			return element(i == 0, g)
		})
		if err != nil {
			return err
		}
		bw.WriteString("\n  ]")
	}
	bw.WriteString(",\n  \"findings\": ")
	if r.spool.Len() == 0 {
		bw.WriteString("[]\n}\n")
		return bw.Flush()
	}
	bw.WriteString("[")
	first := true
	err := r.spool.Each(func(rec *Record) error {
		err := element(first, rec.JSON)
		first = false
		return err
	})
	if err != nil {
		return err
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
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
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := NewCSVWriter(bw)
	_ = cw.Write(CSVHeader)
	err := r.eachWithGroup(func(f *rules.Finding, gid, change string) error {
		by, until := "", ""
		if f.Suppressed != nil {
			by, until = f.Suppressed.Owner, f.Suppressed.Expires.UTC().Format("2006-01-02")
		}
		_ = cw.Write([]string{r.Snapshot, r.AsOf.Format(time.RFC3339), f.ID, f.Rule, string(f.Category), string(f.Severity),
			f.Identity, strings.Join(f.Actor, " "), f.Credential, f.Resource, string(f.Action), fmt.Sprint(f.Effective),
			fmt.Sprint(f.New), by, until, f.Message, FormatPaths(f.Paths), strings.Join(f.Frameworks, " "),
			FormatAccesses(f.Accesses), FormatFix(f.Fix), FormatAuth(f.Authentication), gid, change, ver, digest, inputs})
		return cw.Error()
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
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
