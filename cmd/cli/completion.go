package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// maxCompletions caps the ids offered for one flag value.
const maxCompletions = 200

// registerCompletions gives flag values shell completion (`reachgraph
// completion bash|zsh|fish|powershell` prints the script): fixed lists for
// actions, formats, outputs, severities and tiers, and the kinds, systems,
// identities, resources and snapshots of the store for the flags that name
// them.
func registerCompletions(g *globals, root *cobra.Command) {
	fixed := func(vs ...string) cobra.CompletionFunc {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return vs, cobra.ShellCompDirectiveNoFileComp
		}
	}
	actions := schema.Strings(schema.Actions)
	_ = root.RegisterFlagCompletionFunc("output", fixed(outputs...))
	_ = root.RegisterFlagCompletionFunc("snapshot", g.completeSnapshots)
	for _, c := range root.Commands() {
		for name, fn := range map[string]cobra.CompletionFunc{
			"action":   fixed(actions...),
			"fail-on":  fixed(schema.Strings(schema.Severities)...),
			"tier":     fixed(tierNames()...),
			"kind":     g.completeNodes(kindsOf),
			"system":   g.completeNodes(idsOf(projection.System)),
			"identity": g.completeNodes(idsOf(projection.Identity)),
			"from":     g.completeNodes(idsOf(projection.Identity)),
			"resource": g.completeNodes(idsOf(projection.Resource, projection.System)),
			"type":     fixed(schema.Strings(schema.IdentityTypes)...),
		} {
			if c.Flags().Lookup(name) != nil {
				_ = c.RegisterFlagCompletionFunc(name, fn)
			}
		}
		if c.Flags().Lookup("format") != nil {
			switch c.Name() {
			case "ingest":
				_ = c.RegisterFlagCompletionFunc("format", fixed(ingest.Formats...))
			case "report":
				_ = c.RegisterFlagCompletionFunc("format", fixed("json", "csv", "md", "html"))
			}
		}
	}
}

func tierNames() []string {
	var out []string
	for _, t := range gen.Tiers() {
		out = append(out, t.Name)
	}
	return out
}

// completeSnapshots offers the ids of the store's snapshots.
func (g *globals) completeSnapshots(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
	defer cancel()
	st, err := g.openStore(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	defer st.Close()
	metas, err := st.Snapshots(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []string
	for _, m := range metas {
		if strings.HasPrefix(string(m.ID), prefix) {
			out = append(out, string(m.ID)+"\t"+m.Source)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeNodes offers what list returns from the chosen snapshot, filtered
// by the prefix typed so far.
func (g *globals) completeNodes(list func(*session.Session) []string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q, done, err := g.openQuery(ctx, g.inPlace())
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		defer done()
		var out []string
		for _, id := range list(q.s) {
			if strings.HasPrefix(id, prefix) {
				out = append(out, id)
				if len(out) == maxCompletions {
					break
				}
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func kindsOf(s *session.Session) []string { return s.Kinds() }

func idsOf(kinds ...projection.Kind) func(*session.Session) []string {
	return func(s *session.Session) []string {
		p := s.Projection()
		var out []string
		for _, k := range kinds {
			lo, hi := p.Range(k)
			for n := lo; n < hi; n++ {
				out = append(out, p.ID(n))
			}
		}
		return out
	}
}
