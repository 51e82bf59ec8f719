package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/diff"
	"github.com/reachgraph/reachgraph/analysis/report"
	"github.com/reachgraph/reachgraph/analysis/session"
)

func newDiffCmd(g *globals) *cobra.Command {
	var rulesFile string
	cmd := &cobra.Command{
		Use:   "diff A B",
		Short: "Identities, critical accesses and findings gained and lost between snapshots A and B",
		Long: `Compare snapshot A (older) with snapshot B (newer), each evaluated at its own as_of
with the same rules: identities, critical accesses (effective and latent) and findings
gained and lost, with evidence paths for what was gained, and the memberships, grants
and delegations whose validity window changed (~). -o table (default) or json.`,
		Example: "  reachgraph diff s-1a2b s-3c4d -o json",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.runDiff(cmd.Context(), args[0], args[1], rulesFile)
		},
	}
	cmd.Flags().StringVar(&rulesFile, "rules", "", "YAML rules file merged over the built-in ruleset")
	return cmd
}

func (g *globals) runDiff(ctx context.Context, a, b, rulesFile string) error {
	if err := g.checkOutput(); err != nil {
		return err
	}
	if g.output == "csv" {
		return usagef("--output csv: diff prints table, wide, json or yaml")
	}
	rs, err := loadRules(rulesFile)
	if err != nil {
		return err
	}
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sa, err := g.openSession(ctx, st, a, session.WithRecords())
	if err != nil {
		return err
	}
	sb, err := g.openSession(ctx, st, b, session.WithRecords())
	if err != nil {
		return err
	}
	res, err := session.Diff(ctx, sa, sb, rs)
	if err != nil {
		return err
	}
	if ok, err := g.structured(res); ok {
		return err
	}
	w := g.env.Stdout
	fmt.Fprintf(w, "from %s (as_of %s) to %s (as_of %s)\n", res.From, res.FromAsOf.Format(time.RFC3339), res.To, res.ToAsOf.Format(time.RFC3339))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANGE\tWHAT\tIDENTITY\tDETAIL\tPATH")
	for _, id := range res.IdentitiesGained {
		fmt.Fprintf(tw, "+\tidentity\t%s\t\t\n", cells(id)...)
	}
	for _, id := range res.IdentitiesLost {
		fmt.Fprintf(tw, "-\tidentity\t%s\t\t\n", cells(id)...)
	}
	for _, c := range res.AccessesGained {
		p := ""
		if len(c.Paths) > 0 {
			p = report.FormatPath(c.Paths[0])
		}
		fmt.Fprintf(tw, "+\t%s access\t%s\t%s %s\t%s\n", cells(c.State, c.Identity, c.Action, c.Resource, p)...)
	}
	for _, c := range res.AccessesLost {
		fmt.Fprintf(tw, "-\t%s access\t%s\t%s %s\t\n", cells(c.State, c.Identity, c.Action, c.Resource)...)
	}
	for _, f := range res.FindingsGained {
		fmt.Fprintf(tw, "+\tfinding %s\t%s\t%s %s\t%s\n", cells(f.Severity, f.Identity, f.Rule, f.ID, report.FormatPaths(f.Paths))...)
	}
	for _, f := range res.FindingsLost {
		fmt.Fprintf(tw, "-\tfinding %s\t%s\t%s %s\t\n", cells(f.Severity, f.Identity, f.Rule, f.ID)...)
	}
	for _, c := range res.WindowsChanged {
		fmt.Fprintf(tw, "~\twindow\t%s\t%s -> %s\t%s => %s\n", c.From, windowEdgeLabel(c), c.To, windowsLabel(c.Before), windowsLabel(c.After))
	}
	return tw.Flush()
}

// windowEdgeLabel is the edge of a window change with what identifies it:
// GRANT(write "native"), CAN_ACT_AS(run_as)@sys, MEMBER_OF.
func windowEdgeLabel(c diff.WindowChange) string {
	return hopLabel(analysis.Hop{Edge: c.Edge, Action: c.Action, Native: c.Native, System: c.System})
}

// windowsLabel renders the windows of an edge's records: "[until 2027-01-01]",
// "[none]" for a record without one.
func windowsLabel(ws []diff.Window) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = analysis.Hop{ValidFrom: w.ValidFrom, ExpiresAt: w.ExpiresAt}.WindowLabel()
		if parts[i] == "" {
			parts[i] = "[none]"
		}
	}
	return strings.Join(parts, " ")
}
