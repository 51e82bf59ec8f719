package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/ingest/k8srbac"
	"github.com/reachgraph/reachgraph/ingest/sap"
)

func newIngestCmd(g *globals) *cobra.Command {
	var format, collectedAt string
	var awsContext []string
	var conf sourceConfigs
	cmd := &cobra.Command{
		Use:   "ingest SOURCE...",
		Short: "Validate sources and land them as one new immutable snapshot (all or nothing)",
		Long: `ingest reads one or more sources (a reachgraph/v1 bundle as YAML, JSON or a CSV
directory), validates everything, and lands it as ONE new snapshot whose id is
derived from the content. Any problem — unknown field, bad enum or time, dangling
reference, duplicate id, secret-bearing field — is reported with its file and
line or JSON pointer, and nothing is stored (exit 2).`,
		Example: `  reachgraph ingest testdata/finance/bundle.yaml
  reachgraph ingest --k8s-config k8s.yaml prod-export/   # kubectl get … -o json output
  reachgraph ingest --store file:/var/lib/reachgraph.db export.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.checkOutput(); err != nil {
				return err
			}
			st, err := g.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			var at time.Time
			if collectedAt != "" {
				if at, err = time.Parse(time.RFC3339, collectedAt); err != nil {
					return usagef("--collected-at %q: want an RFC 3339 time such as 2026-10-31T00:00:00Z", collectedAt)
				}
			}
			conf.awsOpts.AsOf = at
			if conf.awsOpts.Context, err = awsiam.ParseContext(awsContext); err != nil {
				return usageErr(err)
			}
			meta, err := g.ingest(cmd, st, args, format, at, conf)
			if err != nil {
				return err
			}
			return g.printIngested(meta)
		},
	}
	cmd.Flags().StringVar(&format, "format", "auto", "auto, bundle, aws-iam, k8s-rbac, postgres, sap or vault")
	cmd.Flags().StringVar(&conf.aws, "aws-config", "", "aws-iam configuration (YAML): account names and SOX scope, identity-type overrides, finance ARN patterns (docs/ingest-aws.md)")
	cmd.Flags().StringArrayVar(&awsContext, "aws-context", nil, "aws-iam request context for policy conditions, key=value (repeatable), e.g. aws:MultiFactorAuthPresent=true")
	cmd.Flags().StringVar(&conf.k8s, "k8s-config", "", "k8s-rbac configuration (YAML): cluster name, SOX scope, namespace patterns → resource kinds (docs/ingest-kubernetes.md)")
	cmd.Flags().StringVar(&collectedAt, "collected-at", "", "when the inputs were exported (RFC 3339), for sources that do not say (aws-iam); the default as_of of analyses")
	return cmd
}

// ingest loads sources into st with a progress bar on a terminal.
func (g *globals) ingest(cmd *cobra.Command, st graph.Store, paths []string, format string, collectedAt time.Time, conf sourceConfigs) (graph.SnapshotMeta, error) {
	srcs := make([]ingest.Source, len(paths))
	for i, p := range paths {
		srcs[i] = ingest.Source{Path: p, Format: format}
	}
	update, done := g.progress("ingest", true)
	meta, err := ingest.Load(cmd.Context(), st, srcs, ingest.Options{Progress: update, Readers: readers(conf), CollectedAt: collectedAt})
	done()
	if err != nil {
		if errors.Is(err, ingest.ErrInvalid) {
			return meta, &ExitError{Code: ExitUsage, Err: fmt.Errorf("nothing was stored:\n%w", err)}
		}
		return meta, usageErr(err)
	}
	return meta, nil
}

// sourceConfigs are the configuration files of the source readers ("" for
// none): --aws-config, --k8s-config.
type sourceConfigs struct {
	aws string
	k8s string
	// awsOpts are the aws-iam condition-evaluation options (--collected-at,
	// --aws-context).
	awsOpts awsiam.Options
}

// readers wires the source readers into ingest (ingest cannot import them).
func readers(conf sourceConfigs) ingest.Readers {
	return ingest.Readers{Bundle: bundle.Read, AWSIAM: awsiam.NewReaderWith(conf.aws, conf.awsOpts), K8sRBAC: k8srbac.NewReader(conf.k8s),
		SAP: sap.Read}
}

func (g *globals) printIngested(m graph.SnapshotMeta) error {
	if g.output == "json" {
		return writeJSON(g.env.Stdout, m)
	}
	c := m.Counts
	fmt.Fprintf(g.env.Stdout, "snapshot %s  source %s  collected_at %s\n", m.ID, m.Source, fmtTime(m.CollectedAt))
	fmt.Fprintf(g.env.Stdout, "  %d systems, %d resources, %d identities, %d groups, %d memberships, %d grants, %d credentials, %d delegations\n",
		c.Systems, c.Resources, c.Identities, c.Groups, c.Memberships, c.Grants, c.Credentials, c.Delegations)
	return nil
}
