package cli

import (
	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/schema"
)

type reachAccess = analysis.Access

func newReachCmd(g *globals) *cobra.Command {
	var identity string
	var actions []string
	var criticalOnly, effectiveOnly bool
	cmd := &cobra.Command{
		Use:     "reach --identity ID [--action A]... [--critical-only]",
		Short:   "List everything one identity is authorized to do, and what of it is effective",
		Example: `  reachgraph reach --identity svc-sap-batch --critical-only`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.checkOutput(); err != nil {
				return err
			}
			var as []schema.Action
			for _, s := range actions {
				a, err := schema.ParseAction(s)
				if err != nil {
					return usageErr(err)
				}
				as = append(as, a)
			}
			q, done, err := g.openQuery(cmd.Context(), g.inPlace())
			if err != nil {
				return err
			}
			defer done()
			accs, err := q.s.Reach(cmd.Context(), q.asOf, reach.ReachQuery{Identity: identity, Actions: as, CriticalOnly: criticalOnly, EffectiveOnly: effectiveOnly})
			if err != nil {
				return queryErr(err)
			}
			return g.printAccesses(q, accs)
		},
	}
	f := cmd.Flags()
	f.StringVar(&identity, "identity", "", "identity id (required)")
	f.StringSliceVar(&actions, "action", nil, "only these actions (repeatable; default all)")
	f.BoolVar(&criticalOnly, "critical-only", false, "only critical accesses: write/approve/export/admin on SOX-scope resources")
	f.BoolVar(&effectiveOnly, "effective-only", false, "drop latent accesses")
	_ = cmd.MarkFlagRequired("identity")
	return cmd
}
