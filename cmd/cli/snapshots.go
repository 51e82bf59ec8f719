package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/graph"
)

func newSnapshotsCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "snapshots",
		Short: "List the stored snapshots, oldest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.checkOutput(); err != nil {
				return err
			}
			st, err := g.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			metas, err := st.Snapshots(cmd.Context())
			if err != nil {
				return err
			}
			if metas == nil {
				metas = []graph.SnapshotMeta{}
			}
			if ok, err := g.structured(struct {
				Snapshots []graph.SnapshotMeta `json:"snapshots"`
			}{metas}); ok {
				return err
			}
			w := g.env.Stdout
			switch g.output {
			case "csv":
				rows := [][]string{{"id", "source", "collected_at", "ingested_at", "identities", "groups", "resources", "grants", "records"}}
				for _, m := range metas {
					rows = append(rows, []string{string(m.ID), m.Source, fmtTime(m.CollectedAt), fmtTime(m.IngestedAt),
						fmt.Sprint(m.Counts.Identities), fmt.Sprint(m.Counts.Groups), fmt.Sprint(m.Counts.Resources), fmt.Sprint(m.Counts.Grants), fmt.Sprint(m.Counts.Total())})
				}
				return writeCSV(w, rows...)
			}
			if len(metas) == 0 {
				fmt.Fprintf(w, "no snapshots in %s\n", g.storeURL())
				return nil
			}
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSOURCE\tCOLLECTED_AT\tINGESTED_AT\tIDENTITIES\tGROUPS\tRESOURCES\tGRANTS\tRECORDS")
			for _, m := range metas {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", cells(m.ID, m.Source, fmtTime(m.CollectedAt), fmtTime(m.IngestedAt),
					m.Counts.Identities, m.Counts.Groups, m.Counts.Resources, m.Counts.Grants, m.Counts.Total())...)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			_, err = fmt.Fprintf(w, "%d snapshots\n", len(metas))
			return err
		},
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
