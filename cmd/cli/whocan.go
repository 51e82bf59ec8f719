package cli

import (
	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/schema"
)

func newWhoCanCmd(g *globals) *cobra.Command {
	var action, resource, kind, system, native string
	var effectiveOnly bool
	cmd := &cobra.Command{
		Use:   "whocan (--action A (--resource ID | --kind K [--system S]) | --native IAM-ACTION --resource ARN)",
		Short: "List every identity authorized for an action on a resource, effective and latent",
		Long: `List every identity authorized for an action on a resource, effective and latent.

With --native, ask in the source's own terms (AWS IAM): who can make this IAM
action on this ARN, through policies, groups, assumable roles and escalation
techniques. See docs/ingest-aws.md "Native queries".`,
		Example: `  reachgraph whocan --action approve --kind journal_entry
  reachgraph whocan --action write --resource sap:fi:je -o json
  reachgraph whocan --native s3:GetObject --resource arn:aws:s3:::fin-ledger/2026/q3.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.checkOutput(); err != nil {
				return err
			}
			if native != "" {
				if action != "" || kind != "" || resource == "" {
					return usagef("--native goes with --resource ARN only (no --action or --kind)")
				}
			} else if action == "" {
				return usagef("required flag \"action\" not set (or use --native)")
			}
			var a schema.Action
			if native == "" {
				var err error
				if a, err = schema.ParseAction(action); err != nil {
					return usageErr(err)
				}
			}
			q, done, err := g.openQuery(cmd.Context(), g.inPlace())
			if err != nil {
				return err
			}
			defer done()
			if native != "" {
				accs, err := q.s.WhoCanNative(cmd.Context(), q.asOf, native, resource, effectiveOnly)
				if err != nil {
					return queryErr(err)
				}
				return g.printAccesses(q, accs)
			}
			wq := session.WhoCan{Action: a, Resource: resource, Kind: kind, System: system, EffectiveOnly: effectiveOnly}
			return g.streamAccesses(q, false, func(fn func(analysis.Access) error) error {
				return queryErr(q.s.WhoCanEach(cmd.Context(), q.asOf, wq, fn))
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&action, "action", "", "read, write, approve, export or admin (required unless --native)")
	f.StringVar(&native, "native", "", "a concrete AWS IAM action (s3:GetObject) to ask about, with --resource ARN")
	f.StringVar(&resource, "resource", "", "resource or system id")
	f.StringVar(&kind, "kind", "", "resource kind, e.g. journal_entry: answers for every resource of that kind")
	f.StringVar(&system, "system", "", "with --kind: only resources of this system")
	f.BoolVar(&effectiveOnly, "effective-only", false, "drop latent accesses (authorized but not exercisable today)")
	return cmd
}
