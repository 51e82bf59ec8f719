package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/neo4jstore"
	"github.com/reachgraph/reachgraph/graph/stores"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/ingest/k8srbac"
	"github.com/reachgraph/reachgraph/ingest/link"
	"github.com/reachgraph/reachgraph/ingest/opengraph"
	"github.com/reachgraph/reachgraph/ingest/postgres"
	"github.com/reachgraph/reachgraph/ingest/sap"
	"github.com/reachgraph/reachgraph/ingest/vault"
)

func newIngestCmd(g *globals) *cobra.Command {
	var format, collectedAt, neo4jImport string
	var awsContext []string
	var conf sourceConfigs
	cmd := &cobra.Command{
		Use:   "ingest [FORMAT=]SOURCE... [--link FILE]",
		Short: "Validate sources and land them as one new immutable snapshot (all or nothing)",
		Long: `ingest reads one or more sources (a reachgraph/v1 bundle as YAML, JSON or a CSV
directory), validates everything, and lands it as ONE new snapshot whose id is
derived from the content. Any problem — unknown field, bad enum or time, dangling
reference, duplicate id, secret-bearing field — is reported with its file and
line or JSON pointer, and nothing is stored (exit 2).

Sources of different formats ingest together: each is detected on its own, or
named as FORMAT=PATH (sap=extracts/ k8s-rbac=cluster.json). --link FILE joins
them: same_as, stored_in and act_as links between their ids (docs/links.md).`,
		Example: `  reachgraph ingest testdata/finance/bundle.yaml
  reachgraph ingest --k8s-config k8s.yaml prod-export/   # kubectl get … -o json output
  reachgraph ingest vault-export/                        # vault read -format=json output
  reachgraph ingest --opengraph-map map.yaml okta-opengraph.json   # BloodHound OpenGraph payload
  reachgraph ingest --store file:/var/lib/reachgraph.db export.json
  reachgraph ingest --neo4j-import /tmp/import export.json   # CSVs for neo4j-admin database import full
  reachgraph ingest k8s/ aws/ sap=sap/ vault-export/ --link links.yaml
  PGPASSWORD=… reachgraph ingest --pg-config pg.yaml 'postgres://audit@db1:5432/finance?sslmode=require'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.checkOutput(); err != nil {
				return err
			}
			if conf.maxFileBytes <= 0 {
				return usagef("--max-file-bytes %d: want a positive number of bytes", conf.maxFileBytes)
			}
			var st graph.Ingester
			if neo4jImport != "" {
				st = stores.Neo4jBulkImport(neo4jImport, storedDerived())
				// The validated records wait on the disk the files will take.
				if abs, err := filepath.Abs(neo4jImport); err == nil {
					conf.tempDir = neo4jstore.ExistingParent(abs)
				}
			} else {
				s, err := g.openStore(cmd.Context())
				if err != nil {
					return err
				}
				defer s.Close()
				st = s
				if f, ok := s.(interface{ Path() string }); ok { // the embedded store
					conf.tempDir = filepath.Dir(f.Path())
				}
			}
			var err error
			var at time.Time
			if collectedAt != "" {
				if at, err = time.Parse(time.RFC3339, collectedAt); err != nil {
					return usagef("--collected-at %q: want an RFC 3339 time such as 2026-10-31T00:00:00Z", collectedAt)
				}
			}
			conf.warn = g.env.Stderr
			conf.awsOpts.AsOf = at
			if conf.awsOpts.Context, err = awsiam.ParseContext(awsContext); err != nil {
				return usageErr(err)
			}
			meta, err := g.ingest(cmd, st, args, format, at, conf)
			if err != nil {
				return err
			}
			if err := g.printIngested(meta); err != nil || neo4jImport == "" {
				return err
			}
			fmt.Fprintf(g.env.Stderr, "wrote the CSVs of a new Neo4j database to %s; with Neo4j stopped, run\n"+
				"  neo4j-admin database import full neo4j --overwrite-destination @%s/import.args\n", neo4jImport, strings.TrimSuffix(neo4jImport, "/"))
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "auto", "auto, bundle, aws-iam, k8s-rbac, postgres, sap, vault or opengraph")
	cmd.Flags().StringVar(&conf.aws, "aws-config", "", "aws-iam configuration (YAML): account names and SOX scope, identity-type overrides, finance ARN patterns (docs/ingest-aws.md)")
	cmd.Flags().StringArrayVar(&awsContext, "aws-context", nil, "aws-iam request context for policy conditions, key=value (repeatable), e.g. aws:MultiFactorAuthPresent=true")
	cmd.Flags().StringVar(&conf.k8s, "k8s-config", "", "k8s-rbac configuration (YAML): cluster name, SOX scope, namespace patterns → resource kinds (docs/ingest-kubernetes.md)")
	cmd.Flags().StringVar(&conf.pg.Config, "pg-config", "", "postgres configuration (YAML): cluster name, SOX scope, table patterns → kind and scope, role patterns → identity type (docs/ingest-postgres.md)")
	cmd.Flags().BoolVar(&conf.pg.Fetch.AllDatabases, "all-databases", false, "postgres: read every database the login may connect to, not only the URL's")
	cmd.Flags().StringVar(&conf.opengraphMap, "opengraph-map", "", "opengraph map (YAML): node and edge kinds of other sources → reachgraph kinds (docs/interop.md)")
	cmd.Flags().StringVar(&conf.vault, "vault-config", "", "vault configuration (YAML): cluster name, SOX scope, kubernetes auth mount → Kubernetes cluster, jwt mount → issuer (docs/ingest-vault.md); default vault.yaml in the export directory")
	cmd.Flags().StringArrayVar(&conf.links, "link", nil, "link file (YAML) joining the sources: same_as, stored_in, act_as (docs/links.md); repeatable")
	cmd.Flags().StringVar(&neo4jImport, "neo4j-import", "", "write the snapshot as the CSVs of neo4j-admin database import full into this empty directory instead of storing it (a new Neo4j database, built offline; docs/neo4j.md)")
	cmd.Flags().Int64Var(&conf.maxFileBytes, "max-file-bytes", ingest.DefaultMaxFileBytes, "cap on one streamed input (a JSON bundle, each CSV file, a pipe) in bytes; raise it for a larger single export (docs/security.md)")
	cmd.Flags().StringVar(&collectedAt, "collected-at", "", "when the inputs were exported (RFC 3339), for sources that do not say (aws-iam); the default as_of of analyses")
	return cmd
}

// ingest loads sources into st with a progress bar on a terminal.
func (g *globals) ingest(cmd *cobra.Command, st graph.Ingester, paths []string, format string, collectedAt time.Time, conf sourceConfigs) (graph.SnapshotMeta, error) {
	srcs := make([]ingest.Source, len(paths))
	for i, p := range paths {
		srcs[i] = sourceArg(p, format)
	}
	rs, vr := readers(conf), vault.New(conf.vault)
	rs.Vault = vr.Read // the same reader answers the link pass about KV secrets
	update, done := g.progress("ingest", true)
	meta, err := ingest.Load(cmd.Context(), st, srcs, ingest.Options{Progress: update, Readers: rs, CollectedAt: collectedAt,
		Limits: ingest.Limits{FileBytes: conf.maxFileBytes}, TempDir: conf.tempDir,
		Link: link.Config{Files: conf.links, SecretWritten: vr.KVUpdated}.LinkFunc()})
	done()
	if err != nil {
		if errors.Is(err, ingest.ErrInvalid) {
			return meta, &ExitError{Code: ExitUsage, Err: fmt.Errorf("nothing was stored:\n%w", err)}
		}
		return meta, usageErr(err)
	}
	return meta, nil
}

// sourceConfigs are the configuration of the source readers ("" for none):
// --aws-config, --k8s-config, --vault-config, --opengraph-map, and the
// postgres options (--pg-config, --all-databases); warn receives the readers'
// warnings (nil: dropped).
type sourceConfigs struct {
	maxFileBytes int64 // --max-file-bytes: ingest.Limits.FileBytes (0: the default)
	aws          string
	k8s          string
	vault        string
	opengraphMap string
	pg           postgres.Options
	warn         io.Writer
	links        []string // --link files
	tempDir      string   // where the load spills its records: next to an embedded store ("": the system's)
	// awsOpts are the aws-iam condition-evaluation options (--collected-at,
	// --aws-context).
	awsOpts awsiam.Options
}

// sourceArg is one SOURCE argument: FORMAT=PATH (sap=extracts/) names its
// format, a plain path takes --format.
func sourceArg(arg, format string) ingest.Source {
	if f, path, ok := strings.Cut(arg, "="); ok && f != ingest.FormatAuto && slices.Contains(ingest.Formats, f) && !ingest.IsPostgresURL(arg) {
		return ingest.Source{Path: path, Format: f}
	}
	return ingest.Source{Path: arg, Format: format}
}

// readers wires the source readers into ingest (ingest cannot import them).
// The readers serve one load.
func readers(conf sourceConfigs) ingest.Readers {
	return ingest.Readers{Bundle: bundle.Read, AWSIAM: awsiam.NewReaderWith(conf.aws, conf.awsOpts), K8sRBAC: k8srbac.NewReader(conf.k8s),
		SAP: sap.Read, Vault: vault.NewReader(conf.vault), Postgres: postgres.NewReader(conf.pg), OpenGraph: opengraph.NewReader(opengraph.Options{Map: conf.opengraphMap, Warn: conf.warnFunc()})}
}

// warnFunc prints reader warnings as "warning: …" lines on conf.warn.
func (conf sourceConfigs) warnFunc() func(string) {
	if conf.warn == nil {
		return nil
	}
	return func(msg string) { fmt.Fprintf(conf.warn, "warning: %s\n", msg) }
}

func (g *globals) printIngested(m graph.SnapshotMeta) error {
	if ok, err := g.structured(m); ok {
		return err
	}
	c := m.Counts
	fmt.Fprintf(g.env.Stdout, "snapshot %s  source %s  collected_at %s\n", m.ID, escapeText(m.Source), fmtTime(m.CollectedAt))
	fmt.Fprintf(g.env.Stdout, "  %d systems, %d resources, %d identities, %d groups, %d memberships, %d grants, %d credentials, %d delegations\n",
		c.Systems, c.Resources, c.Identities, c.Groups, c.Memberships, c.Grants, c.Credentials, c.Delegations)
	return nil
}
