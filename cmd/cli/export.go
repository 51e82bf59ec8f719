package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/export"
)

// The export formats.
const (
	exportOpenGraph = "opengraph"
	exportGraphML   = "graphml"
)

func newExportCmd(g *globals) *cobra.Command {
	var format, out, extension string
	cmd := &cobra.Command{
		Use:   "export --format opengraph|graphml [--out FILE]",
		Short: "Write a snapshot as BloodHound OpenGraph JSON or GraphML",
		Long: `export writes the chosen snapshot (--snapshot, default newest) for other tools:

  opengraph  a BloodHound OpenGraph data payload (upload it in BloodHound's Quick
             Upload / File Ingest); --extension FILE also writes the extension
             definition schema that makes memberships, grants and delegations
             traversable for BloodHound's pathfinding
  graphml    GraphML for networkx, Gephi, yEd, Cytoscape

Nodes are systems, resources, identities, groups and credentials (metadata only:
reachgraph never holds secret values); edges are memberships, one edge kind per
grant action, delegations, credential owners and locations, and containment.
Output is sorted, so the same snapshot always exports to the same bytes.`,
		Example: `  reachgraph export --format opengraph --out acme.json --extension reachgraph-extension.json
  reachgraph export --format graphml --out acme.graphml
  reachgraph export --format opengraph --snapshot 3f2a | gzip > acme.json.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != exportOpenGraph && format != exportGraphML {
				return usagef("--format %q: want opengraph or graphml", format)
			}
			if extension != "" && format != exportOpenGraph {
				return usagef("--extension is for --format opengraph only")
			}
			return g.export(cmd.Context(), format, out, extension)
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "opengraph or graphml (required)")
	cmd.Flags().StringVar(&out, "out", "", "write to FILE (replaced only when the export succeeds) instead of stdout")
	cmd.Flags().StringVar(&extension, "extension", "", "opengraph: also write BloodHound's extension definition schema (kinds, traversable edges) to FILE")
	return cmd
}

// export writes the snapshot in format to out ("" for stdout) and, when
// extension is set, the OpenGraph extension definition schema.
func (g *globals) export(ctx context.Context, format, out, extension string) error {
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.Snapshot(ctx, graph.SnapshotID(g.snapshot))
	switch {
	case errors.Is(err, graph.ErrSnapshotNotFound) && g.snapshot == "":
		return usagef("store %s holds no snapshot yet: run `reachgraph ingest BUNDLE` first", g.storeURL())
	case errors.Is(err, graph.ErrSnapshotNotFound), errors.Is(err, graph.ErrAmbiguousSnapshot):
		return usagef("%v: `reachgraph snapshots` lists them", err)
	case err != nil:
		return err
	}
	write := export.WriteOpenGraph
	if format == exportGraphML {
		write = export.WriteGraphML
	}
	var stats export.Stats
	err = writeOutput(g.env.Stdout, out, func(w io.Writer) (err error) {
		stats, err = write(ctx, w, r)
		return err
	})
	if err != nil {
		return err
	}
	if extension != "" {
		if err := writeOutput(nil, extension, export.WriteOpenGraphExtension); err != nil {
			return err
		}
	}
	if out != "" {
		fmt.Fprintf(g.env.Stderr, "exported snapshot %s as %s: %d nodes, %d edges → %s\n", r.Meta().ID, format, stats.Nodes, stats.Edges, out)
	}
	return nil
}

// writeOutput runs fn on stdout when path is "", else on a temporary file
// next to path that replaces path only when fn succeeds, so a failed export
// never leaves a truncated file behind.
func writeOutput(stdout io.Writer, path string, fn func(io.Writer) error) error {
	if path == "" {
		return fn(stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return usageErr(err)
	}
	defer os.Remove(tmp.Name())
	if err := fn(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return usageErr(err)
	}
	return nil
}
