package cli

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/report"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// financeSample is testdata/finance/bundle.yaml, embedded so the demo runs from
// the binary alone; a test keeps the two files identical.
//
//go:embed demodata/finance.yaml
var financeSample []byte

// sapSample is testdata/sap (the table files and sap.yaml), embedded for
// the demo's SAP question; a test keeps the copies identical.
//
//go:embed demodata/sap
var sapSample embed.FS

// sapDemoResource is the SAP question of the demo: journal entries of
// company code 1000 in the sample system PRD, client 100.
const sapDemoResource = "sap:PRD:100:bukrs:1000:journal_entry"

func newDemoCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Load the bundled finance, SAP and multi-platform samples into a fresh store and print the headline answers",
		Long: `demo ingests the bundled finance sample (testdata/finance) into a fresh temporary
store (or --store if given), then prints who can approve journal entries — effective
and latent, with one path each — the critical reach of the riskiest non-human
identity, and a summary of non-human identities holding critical access. It then
ingests the bundled SAP extract (testdata/sap) as a second snapshot and prints who
can approve journal entries in SAP company code 1000. Last it ingests the bundled
estate (testdata/estate: Kubernetes, AWS, SAP, Vault and an identity-provider
bundle joined by a link file) as a third snapshot and prints how a CI workload's
service account approves SAP journal entries, hop by hop with each platform's
evidence.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := os.MkdirTemp("", "reachgraph-demo-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			if g.store == "" {
				g.store = "file:" + filepath.Join(dir, "reachgraph.db")
			}
			src := filepath.Join(dir, "finance.yaml")
			if err := os.WriteFile(src, financeSample, 0o600); err != nil {
				return err
			}
			_, q, done, err := g.demoSnapshot(cmd, []string{src}, "bundle", sourceConfigs{})
			if err != nil {
				return err
			}
			defer done()
			if err := printDemo(cmd.Context(), g.env.Stdout, q); err != nil {
				return err
			}
			if err := printToxicSummary(cmd.Context(), g.env.Stdout, q); err != nil {
				return err
			}
			if err := g.demoSAP(cmd, dir); err != nil {
				return err
			}
			return g.demoEstate(cmd, dir)
		},
	}
}

// demoSAP ingests the embedded SAP extract as a second snapshot and prints
// who can approve journal entries in one company code.
func (g *globals) demoSAP(cmd *cobra.Command, dir string) error {
	src := filepath.Join(dir, "sap")
	if err := writeEmbedded(sapSample, "demodata/sap", src); err != nil {
		return err
	}
	meta, q, done, err := g.demoSnapshot(cmd, []string{src}, "sap", sourceConfigs{})
	if err != nil {
		return err
	}
	defer done()
	accs, err := q.s.WhoCan(cmd.Context(), q.asOf, session.WhoCan{Action: schema.ActionApprove, Resource: sapDemoResource})
	if err != nil {
		return err
	}
	w := g.env.Stdout
	eff, lat := countAccess(accs)
	fmt.Fprintf(w, "\n== SAP (bundled extract, snapshot %s, as_of %s)\n", meta.ID, q.at().Format(time.RFC3339))
	fmt.Fprintf(w, "== Who can approve journal entries in SAP company code 1000? %d effective, %d latent\n", eff, lat)
	printAccessTable(w, q.s.Projection(), accs)
	return nil
}

func printDemo(ctx context.Context, w io.Writer, q query) error {
	e := q.s.Engine(q.asOf)
	p := e.Projection()
	c := q.s.Meta().Counts
	fmt.Fprintf(w, "reachgraph demo: bundled finance sample\n")
	fmt.Fprintf(w, "snapshot %s  as_of %s\n", q.s.Meta().ID, e.AsOf().Format(time.RFC3339))
	fmt.Fprintf(w, "%d systems, %d resources, %d identities, %d groups, %d grants, %d credentials, %d delegations\n\n",
		c.Systems, c.Resources, c.Identities, c.Groups, c.Grants, c.Credentials, c.Delegations)

	accs, err := q.s.WhoCan(ctx, q.asOf, session.WhoCan{Kind: "journal_entry", Action: schema.ActionApprove})
	if err != nil {
		return err
	}
	eff, lat := countAccess(accs)
	fmt.Fprintf(w, "== Who can approve journal entries? %d effective, %d latent\n", eff, lat)
	printAccessTable(w, p, accs)

	nh := nonHumanCritical(ctx, p, e)
	if len(nh) == 0 {
		fmt.Fprintln(w, "\nno non-human identity holds critical access")
		return nil
	}
	top := nh[0]
	fmt.Fprintf(w, "\n== Riskiest non-human identity: %s (%s): %d effective and %d latent critical accesses\n",
		top.id, top.typ, top.effective, top.latent)
	printGroupedReach(w, top.accesses)

	fmt.Fprintf(w, "\n== Non-human identities with critical access (write/approve/export/admin on SOX scope)\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "IDENTITY\tTYPE\tEFFECTIVE\tLATENT\tVIA EXPOSED CREDENTIAL\tVIA DELEGATION")
	for _, r := range nh {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\n", r.id, r.typ, r.effective, r.latent, r.exposed, r.delegated)
	}
	return tw.Flush()
}

func countAccess(accs []analysis.Access) (eff, lat int) {
	for _, a := range accs {
		if a.Effective {
			eff++
		} else {
			lat++
		}
	}
	return eff, lat
}

func printAccessTable(w io.Writer, p *projection.Projection, accs []analysis.Access) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RESOURCE\tACTION\tIDENTITY\tTYPE\tACCESS\tAUTHENTICATION\tPATH")
	for _, a := range accs {
		typ := "-"
		if n, ok := p.Lookup(a.Identity); ok {
			typ = string(p.IdentityType(n))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Resource, a.Action, a.Identity, typ, accessWord(a),
			formatAuth(a.Authentication), formatPath(firstPath(a)))
	}
	_ = tw.Flush()
}

// printGroupedReach prints one row per (resource, access, path), the actions
// that share them joined, so an admin grant does not fill a screen.
func printGroupedReach(w io.Writer, accs []analysis.Access) {
	type row struct{ resource, access, auth, path string }
	var order []row
	actions := map[row][]string{}
	for _, a := range accs {
		r := row{a.Resource, accessWord(a), formatAuth(a.Authentication), formatPath(firstPath(a))}
		if _, ok := actions[r]; !ok {
			order = append(order, r)
		}
		actions[r] = append(actions[r], string(a.Action))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RESOURCE\tACTIONS\tACCESS\tAUTHENTICATION\tPATH")
	for _, r := range order {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.resource, strings.Join(actions[r], ","), r.access, r.auth, r.path)
	}
	_ = tw.Flush()
}

// nhRow summarises one non-human identity's critical access.
type nhRow struct {
	id, typ                               string
	effective, latent, exposed, delegated int
	accesses                              []analysis.Access
}

// nonHumanCritical lists non-human identities with critical access, riskiest
// first (most effective, then most latent critical accesses, then id).
func nonHumanCritical(ctx context.Context, p *projection.Projection, e *reach.Engine) []nhRow {
	var rows []nhRow
	lo, hi := p.Range(projection.Identity)
	for n := lo; n < hi; n++ {
		if !p.IdentityType(n).NonHuman() {
			continue
		}
		accs, err := e.Reach(ctx, reach.ReachQuery{Identity: p.ID(n), CriticalOnly: true})
		if err != nil || len(accs) == 0 {
			continue
		}
		r := nhRow{id: p.ID(n), typ: string(p.IdentityType(n)), accesses: accs}
		r.effective, r.latent = countAccess(accs)
		for _, a := range accs {
			path := formatPath(firstPath(a))
			if strings.Contains(path, string(schema.EdgeStoredIn)) {
				r.exposed++
			}
			if strings.Contains(path, string(schema.EdgeCanActAs)) {
				r.delegated++
			}
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b nhRow) int {
		if c := cmp.Compare(b.effective, a.effective); c != 0 {
			return c
		}
		if c := cmp.Compare(b.latent, a.latent); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return rows
}

// printToxicSummary prints the built-in toxic-path rules' findings on the
// demo snapshot: per rule, how many are effective and latent, and the most
// severe example with its evidence path.
func printToxicSummary(ctx context.Context, w io.Writer, q query) error {
	rs, err := rules.Load()
	if err != nil {
		return err
	}
	_, fs, err := q.s.Findings(ctx, rs, q.asOf)
	if err != nil {
		return err
	}
	type row struct {
		rule, title    string
		eff, lat       int
		severity       schema.Severity
		example, proof string
	}
	var rows []*row
	byRule := map[string]*row{}
	for _, f := range fs { // report order: most severe first
		if f.Category != schema.CatToxicPath {
			continue
		}
		r := byRule[f.Rule]
		if r == nil {
			r = &row{rule: f.Rule, title: f.Title, severity: f.Severity, example: f.Identity}
			if len(f.Paths) > 0 {
				r.proof = report.FormatPath(f.Paths[0])
			}
			byRule[f.Rule] = r
			rows = append(rows, r)
		}
		if f.Effective {
			r.eff++
		} else {
			r.lat++
		}
	}
	fmt.Fprintf(w, "\n== Toxic paths (built-in rules; `reachgraph report` for every finding)\n")
	if len(rows) == 0 {
		fmt.Fprintln(w, "no toxic path found")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tEFFECTIVE\tLATENT\tEXAMPLE\tPATH")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", cells(r.rule, string(r.severity), fmt.Sprint(r.eff), fmt.Sprint(r.lat), r.example, r.proof)...)
	}
	return tw.Flush()
}

// demoSnapshot ingests paths as one snapshot into the demo's store and opens
// it for the demo's questions; done releases it.
func (g *globals) demoSnapshot(cmd *cobra.Command, paths []string, format string, conf sourceConfigs) (graph.SnapshotMeta, query, func(), error) {
	st, err := g.openStore(cmd.Context())
	if err != nil {
		return graph.SnapshotMeta{}, query{}, nil, err
	}
	meta, err := g.ingest(cmd, st, paths, format, time.Time{}, conf)
	st.Close()
	if err != nil {
		return graph.SnapshotMeta{}, query{}, nil, err
	}
	g.snapshot = string(meta.ID)
	q, done, err := g.openQuery(cmd.Context()) // not in place: the demo ingests again while this session is open
	return meta, q, done, err
}
