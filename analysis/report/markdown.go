package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/analysis/rules"
)

// mdEscape keeps table cells intact.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

// Markdown writes the report as a Markdown document.
func (r *Report) Markdown(w io.Writer) error {
	b := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(b, "# reachgraph report\n\nSnapshot `%s`, as of %s", r.Snapshot, r.AsOf.Format(time.RFC3339))
	if r.Since != "" {
		fmt.Fprintf(b, ", new since `%s`", r.Since)
	}
	fmt.Fprintf(b, ".\n\n%d findings (%d suppressed).\n\n", r.Summary.Total, r.Summary.Suppressed)
	b.WriteString("## Summary\n\n| severity | findings |\n|---|---:|\n")
	for _, c := range r.Summary.BySeverity {
		fmt.Fprintf(b, "| %s | %d |\n", c.Name, c.Count)
	}
	b.WriteString("\n| category | findings |\n|---|---:|\n")
	for _, c := range r.Summary.ByCategory {
		if c.Count > 0 {
			fmt.Fprintf(b, "| %s | %d |\n", c.Name, c.Count)
		}
	}
	b.WriteString("\n| riskiest identities | score |\n|---|---:|\n")
	for _, c := range r.Summary.TopIdentities {
		fmt.Fprintf(b, "| `%s` | %d |\n", c.Name, c.Count)
	}
	if err := r.groupsMarkdown(b); err != nil {
		return err
	}
	b.WriteString("\n## Findings\n\n| severity | rule | identity | resource | action | access | finding |\n|---|---|---|---|---|---|---|\n")
	err := r.each(func(f *rules.Finding) error {
		sev := string(f.Severity)
		if f.Suppressed != nil {
			sev += " (suppressed)"
		} else if f.New {
			sev += " (new)"
		}
		acc := "latent"
		if f.Effective {
			acc = "effective"
		}
		fmt.Fprintf(b, "| %s | %s | `%s` | %s | %s | %s | %s |\n", sev, f.Rule, f.Identity, mdEscape(f.Resource),
			f.Action, acc, mdEscape(f.Message))
		return nil
	})
	if err != nil {
		return err
	}
	b.WriteString("\n## Evidence\n")
	err = r.each(func(f *rules.Finding) error {
		fmt.Fprintf(b, "\n### %s — %s\n\n- id `%s`, category `%s`, severity **%s**, actor %s\n", f.Rule, mdEscape(f.Title), f.ID,
			f.Category, f.Severity, "`"+strings.Join(f.Actor, "`, `")+"`")
		if f.Credential != "" {
			fmt.Fprintf(b, "- credential `%s`\n", f.Credential)
		}
		if f.Authentication != nil {
			fmt.Fprintf(b, "- authentication: %s\n", mdEscape(FormatAuth(f.Authentication)))
		}
		if f.Suppressed != nil {
			fmt.Fprintf(b, "- suppressed by %s until %s: %s\n", mdEscape(f.Suppressed.Owner),
				f.Suppressed.Expires.UTC().Format("2006-01-02"), mdEscape(f.Suppressed.Reason))
		}
		fmt.Fprintf(b, "- %s\n", mdEscape(f.Message))
		if len(f.Accesses) > 0 {
			fmt.Fprintf(b, "- accesses: %s", mdEscape(FormatAccesses(f.Accesses)))
			if f.AccessesOmitted > 0 {
				fmt.Fprintf(b, " (+%d more)", f.AccessesOmitted)
			}
			b.WriteString("\n")
		}
		for _, p := range f.Paths {
			fmt.Fprintf(b, "- path: `%s`\n", FormatPath(p))
		}
		if f.PathsOmitted > 0 {
			fmt.Fprintf(b, "- %d more path(s) not shown\n", f.PathsOmitted)
		}
		if f.Fix != nil {
			fmt.Fprintf(b, "- fix: remove `%s`", strings.Join(strings.Split(FormatHops(f.Fix.Cut), "; "), "`, `"))
			if len(f.Fix.ChokePoints) > 0 {
				fmt.Fprintf(b, "; choke points `%s`", strings.Join(f.Fix.ChokePoints, "`, `"))
			}
			b.WriteString("\n")
		}
		if len(f.Frameworks) > 0 {
			fmt.Fprintf(b, "- frameworks: %s\n", "`"+strings.Join(f.Frameworks, "`, `")+"`")
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.provenanceMarkdown(b)
	fmt.Fprintf(b, "\n---\nSnapshot `%s`, as of %s.\n", r.Snapshot, r.AsOf.Format(time.RFC3339))
	return b.Flush()
}

// provenanceMarkdown writes the Provenance section, when the report has one.
func (r *Report) provenanceMarkdown(b *bufio.Writer) {
	p := r.Provenance
	if p == nil {
		return
	}
	fmt.Fprintf(b, "\n## Provenance\n\n- tool: %s %s", mdEscape(p.Tool), mdEscape(p.Version))
	if p.Commit != "" {
		fmt.Fprintf(b, " (commit `%s`)", mdEscape(p.Commit))
	}
	fmt.Fprintf(b, "\n- ruleset SHA-256: `%s`\n- snapshot: `%s`, as of %s\n- source: %s\n", p.RulesetSHA256, p.Snapshot,
		p.AsOf.Format(time.RFC3339), mdEscape(p.Source))
	if !p.CollectedAt.IsZero() {
		fmt.Fprintf(b, "- collected at: %s\n", p.CollectedAt.UTC().Format(time.RFC3339))
	}
	b.WriteString("\n| input file | SHA-256 |\n|---|---|\n")
	for _, f := range p.Files {
		fmt.Fprintf(b, "| %s | `%s` |\n", mdEscape(f.Name), f.SHA256)
	}
}

// groupsMarkdown writes the Root causes table: the HTMLMaxGroups most
// severe groups with what to change, the open count and the identities.
func (r *Report) groupsMarkdown(b *bufio.Writer) error {
	n := r.groupCount()
	fmt.Fprintf(b, "\n## Root causes\n\n%d change(s) close the %d open finding(s).\n\n", n, r.Summary.Total)
	b.WriteString("| group | severity | open | change | identities | first finding |\n|---|---|---:|---|---|---|\n")
	top, err := r.topGroups(HTMLMaxGroups)
	if err != nil {
		return err
	}
	for _, g := range top {
		ids := g.Identities[:min(len(g.Identities), 5)]
		more := ""
		if n := len(g.Identities) - len(ids); n > 0 {
			more = fmt.Sprintf(" +%d", n)
		}
		fmt.Fprintf(b, "| `%s` | %s | %d | %s | %s%s | `%s` |\n", g.ID, g.Severity, g.Count, mdEscape(g.Change),
			mdEscape(strings.Join(ids, ", ")), more, g.Representative)
	}
	if n > len(top) {
		fmt.Fprintf(b, "\n%d more group(s) are in the JSON and CSV reports.\n", n-len(top))
	}
	return nil
}
