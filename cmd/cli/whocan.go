package cli

import (
	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/schema"
)

func newWhoCanCmd(g *globals) *cobra.Command {
	var action, resource, kind, system string
	var effectiveOnly bool
	cmd := &cobra.Command{
		Use:   "whocan --action A (--resource ID | --kind K [--system S])",
		Short: "List every identity authorized for an action on a resource, effective and latent",
		Example: `  reachgraph whocan --action approve --kind journal_entry
  reachgraph whocan --action write --resource sap:fi:je -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.checkOutput(); err != nil {
				return err
			}
			a, err := schema.ParseAction(action)
			if err != nil {
				return usageErr(err)
			}
			if (resource == "") == (kind == "") {
				return usagef("give exactly one of --resource or --kind")
			}
			if system != "" && kind == "" {
				return usagef("--system goes with --kind")
			}
			s, err := g.openEngine(cmd.Context())
			if err != nil {
				return err
			}
			var accs []reachAccess
			if resource != "" {
				accs, err = s.engine.WhoCan(reach.WhoCanQuery{Action: a, Resource: resource, EffectiveOnly: effectiveOnly})
			} else {
				accs, err = s.engine.WhoCanKind(kind, system, a, effectiveOnly)
			}
			if err != nil {
				return usageErr(err)
			}
			return g.printAccesses(s, accs)
		},
	}
	f := cmd.Flags()
	f.StringVar(&action, "action", "", "read, write, approve, export or admin (required)")
	f.StringVar(&resource, "resource", "", "resource or system id")
	f.StringVar(&kind, "kind", "", "resource kind, e.g. journal_entry: answers for every resource of that kind")
	f.StringVar(&system, "system", "", "with --kind: only resources of this system")
	f.BoolVar(&effectiveOnly, "effective-only", false, "drop latent accesses (authorized but not exercisable today)")
	_ = cmd.MarkFlagRequired("action")
	return cmd
}
