package cli

import (
	"bufio"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/ingest/bundle"
)

func newGenCmd(g *globals) *cobra.Command {
	var tierName, out string
	var seed int64
	cmd := &cobra.Command{
		Use:   "gen --tier XS|S|M|L [--seed N] [--out FILE]",
		Short: "Write a deterministic synthetic estate as a reachgraph/v1 JSON bundle",
		Long: `gen writes a synthetic estate shaped like a real one (mostly non-human identities,
nested groups with cycles, vault exposure chains, expired and revoked credentials …)
at the size tiers of docs/performance.md. The same tier and seed always give the
same bundle, byte for byte.`,
		Example: `  reachgraph gen --tier S --seed 1 --out tier-s.json && reachgraph ingest tier-s.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tier, err := gen.TierByName(tierName)
			if err != nil {
				return usageErr(err)
			}
			var w io.Writer = g.env.Stdout
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return usageErr(err)
				}
				defer f.Close()
				w = f
			}
			bw := bufio.NewWriterSize(w, 1<<20)
			meta := gen.Meta(tier, seed)
			jw := bundle.NewJSONWriter(bw, meta.Source, meta.CollectedAt)
			update, done := g.progress("gen "+tier.Name, false)
			err = gen.Generate(cmd.Context(), tier, seed, jw, update)
			done()
			if err != nil {
				return err
			}
			if err := jw.Close(); err != nil {
				return err
			}
			return bw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&tierName, "tier", "S", "size tier: XS, S, M or L")
	f.Int64Var(&seed, "seed", 1, "random seed")
	f.StringVar(&out, "out", "", "output file (default standard output)")
	return cmd
}
