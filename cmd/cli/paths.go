package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/schema"
)

// pathsReport is the JSON shape of `paths`.
type pathsReport struct {
	Snapshot string          `json:"snapshot"`
	AsOf     time.Time       `json:"as_of"`
	From     string          `json:"from"`
	Resource string          `json:"resource"`
	Action   schema.Action   `json:"action"`
	Paths    []analysis.Path `json:"paths"`
}

func newPathsCmd(g *globals) *cobra.Command {
	var from, resource, action string
	var k int
	cmd := &cobra.Command{
		Use:     "paths --from ID --resource ID --action A [-k N]",
		Short:   "Show the k shortest authorization paths from an identity to a resource",
		Example: `  reachgraph paths --from alice.m --resource sap:fi:je --action approve -k 3`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.checkOutput(); err != nil {
				return err
			}
			a, err := schema.ParseAction(action)
			if err != nil {
				return usageErr(err)
			}
			q, done, err := g.openQuery(cmd.Context(), g.inPlace())
			if err != nil {
				return err
			}
			defer done()
			ps, err := q.s.Paths(cmd.Context(), q.asOf, from, resource, a, k)
			if err != nil {
				return queryErr(err)
			}
			rep := pathsReport{Snapshot: string(q.s.Meta().ID), AsOf: q.at(), From: from, Resource: resource, Action: a, Paths: ps}
			if ok, err := g.structured(rep); ok {
				return err
			}
			w := g.env.Stdout
			if g.output == "csv" {
				rows := [][]string{{"rank", "hops", "path"}}
				for i, p := range ps {
					rows = append(rows, []string{fmt.Sprint(i + 1), fmt.Sprint(len(p)), formatPath(p)})
				}
				return writeCSV(w, rows...)
			}
			fmt.Fprintf(w, "snapshot %s  as_of %s\n", rep.Snapshot, rep.AsOf.Format(time.RFC3339))
			if len(ps) == 0 {
				fmt.Fprintf(w, "%s is not authorized to %s %s\n", cells(from, a, resource)...)
			}
			for i, p := range ps {
				fmt.Fprintf(w, "%d. (%d hops) %s\n", i+1, len(p), escapeText(formatPath(p)))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "identity id (required)")
	f.StringVar(&resource, "resource", "", "resource or system id (required)")
	f.StringVar(&action, "action", "", "action (required)")
	f.IntVarP(&k, "k", "k", 1, "how many shortest paths")
	for _, n := range []string{"from", "resource", "action"} {
		_ = cmd.MarkFlagRequired(n)
	}
	return cmd
}
