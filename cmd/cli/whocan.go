package cli

import (
	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/iam"
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
				match, class, err := iam.Request(native, resource)
				if err != nil {
					return usageErr(err)
				}
				s, err := g.openEngine(cmd.Context())
				if err != nil {
					return err
				}
				scope := s.engine.MostSpecific(func(id string) bool { return iam.CoversARN(id, resource) })
				return g.printAccesses(s, s.engine.WhoCanNative(reach.NativeQuery{Match: match, Resource: resource, Native: native,
					Action: class, EffectiveOnly: effectiveOnly, Scope: scope}))
			}
			if action == "" {
				return usagef("required flag \"action\" not set (or use --native)")
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
	f.StringVar(&action, "action", "", "read, write, approve, export or admin (required unless --native)")
	f.StringVar(&native, "native", "", "a concrete AWS IAM action (s3:GetObject) to ask about, with --resource ARN")
	f.StringVar(&resource, "resource", "", "resource or system id")
	f.StringVar(&kind, "kind", "", "resource kind, e.g. journal_entry: answers for every resource of that kind")
	f.StringVar(&system, "system", "", "with --kind: only resources of this system")
	f.BoolVar(&effectiveOnly, "effective-only", false, "drop latent accesses (authorized but not exercisable today)")
	return cmd
}
