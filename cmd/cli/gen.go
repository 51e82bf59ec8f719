package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/ingest/sap/sapgen"
)

func newGenCmd(g *globals) *cobra.Command {
	var tierName, out, sapDir string
	var seed int64
	var sapOpts sapgen.Options
	cmd := &cobra.Command{
		Use:   "gen (--tier XS|S|M|L [--out FILE] | --sap DIR [--sap-rows N]) [--seed N]",
		Short: "Write a deterministic synthetic estate as a reachgraph/v1 JSON bundle",
		Long: `gen writes a synthetic estate shaped like a real one (mostly non-human identities,
nested groups with cycles, vault exposure chains, expired and revoked credentials …)
at the size tiers of docs/performance.md. The same tier and seed always give the
same bundle, byte for byte.`,
		Example: `  reachgraph gen --tier S --seed 1 --out tier-s.json && reachgraph ingest tier-s.json
  reachgraph gen --sap /tmp/sap-5m --sap-rows 5000000 && reachgraph ingest /tmp/sap-5m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if sapDir != "" {
				sapOpts.Seed = uint64(seed)
				n, err := sapgen.Generate(cmd.Context(), sapDir, sapOpts)
				if err != nil {
					return usageErr(err)
				}
				fmt.Fprintf(g.env.Stdout, "wrote SAP extract %s: AGR_1251 %d rows\n", sapDir, n)
				return nil
			}
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
	f.StringVar(&sapDir, "sap", "", "write a synthetic SAP table extract into this directory instead (reachgraph ingest --format sap DIR)")
	f.IntVar(&sapOpts.Rows, "sap-rows", sapgen.DefaultOptions.Rows, "with --sap: AGR_1251 rows")
	f.IntVar(&sapOpts.Users, "sap-users", sapgen.DefaultOptions.Users, "with --sap: users (USR02 rows)")
	f.IntVar(&sapOpts.Roles, "sap-roles", sapgen.DefaultOptions.Roles, "with --sap: single roles")
	f.IntVar(&sapOpts.CompanyCodes, "sap-company-codes", sapgen.DefaultOptions.CompanyCodes, "with --sap: company codes")
	return cmd
}
