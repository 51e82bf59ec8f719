package cli

import (
	"io"
	"time"

	"github.com/reachgraph/reachgraph/schema"
	"github.com/spf13/cobra"
)

// Env is what the commands may touch of the process: output streams and the
// environment. Tests pass their own.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// IsTerminal reports whether progress may be drawn on Stderr; nil means never.
	IsTerminal func() bool
}

// globals are the persistent flags every command shares.
type globals struct {
	env      Env
	store    string
	snapshot string
	asOf     string
	output   string
	jq       string
	noVerify bool
}

// NewRoot builds the reachgraph command tree.
func NewRoot(env Env) *cobra.Command {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.IsTerminal == nil {
		env.IsTerminal = defaultIsTerminal(env.Stderr)
	}
	g := &globals{env: env}
	root := &cobra.Command{
		Use:   "reachgraph",
		Short: "Who can really write, approve or export in your finance systems, and through which path",
		Long: `reachgraph loads identities, groups, credentials, systems, resources, grants and
delegations into a graph and answers who is authorized (what the entitlement data
says) and who has effective access (can connect and walk the path today).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Build().String(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	pf := root.PersistentFlags()
	pf.StringVar(&g.store, "store", "", "store URL: file:PATH (embedded, default ./reachgraph.db) or neo4j://… (env REACHGRAPH_STORE)")
	pf.StringVar(&g.snapshot, "snapshot", "", "snapshot id or unique prefix (default: newest)")
	pf.StringVar(&g.asOf, "as-of", "", "instant of analysis, RFC 3339 or a date YYYY-MM-DD (default: the snapshot's collected_at)")
	pf.StringVarP(&g.output, "output", "o", "table", "output format: table, wide (no truncated cells), json, yaml or csv")
	pf.BoolVar(&g.noVerify, "no-verify", false, "questions (whocan, reach, paths, ls) use the stored projection without checking its checksums: less CPU and memory on a large store; `verify-store` checks them")
	pf.StringVar(&g.jq, "jq", "", "filter the JSON output with a jq expression (gojq), e.g. '.accesses[].identity'")
	root.AddCommand(
		newIngestCmd(g),
		newWhoCanCmd(g),
		newReachCmd(g),
		newPathsCmd(g),
		newSnapshotsCmd(g),
		newDemoCmd(g),
		newGenCmd(g),
		newReportCmd(g),
		newDiffCmd(g),
		newServeCmd(g),
		newTokenCmd(g),
		newLsCmd(g),
		newVersionCmd(g),
		newExportCmd(g),
		newVerifyStoreCmd(g),
		newKeygenCmd(g),
		newEvidenceCmd(g),
		newVerifyCmd(g),
	)
	registerCompletions(g, root)
	for _, c := range root.Commands() {
		c.SilenceUsage = true
		c.Args = wrapArgs(c.Args)
	}
	return root
}

// wrapArgs turns positional-argument errors into usage errors (exit 2).
func wrapArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	if check == nil {
		return nil
	}
	return func(cmd *cobra.Command, args []string) error { return usageErr(check(cmd, args)) }
}

func (g *globals) storeURL() string {
	if g.store != "" {
		return g.store
	}
	if v := g.env.Getenv("REACHGRAPH_STORE"); v != "" {
		return v
	}
	return "file:./reachgraph.db"
}

// parseAsOf parses --as-of; zero when unset.
func (g *globals) parseAsOf() (time.Time, error) {
	if g.asOf == "" {
		return time.Time{}, nil
	}
	t, err := schema.ParseInstant(g.asOf)
	if err != nil {
		return time.Time{}, usagef("--as-of: %v", err)
	}
	return t, nil
}
