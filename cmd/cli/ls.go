package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest/link"
	"github.com/reachgraph/reachgraph/schema"
)

// lsWhat are the lists `ls` prints.
var lsWhat = []string{"kinds", "systems", "identities", "resources"}

// listing is one `ls` answer: column names and rows, printed as a table,
// JSON (a list of objects keyed by lower-case column) or CSV.
type listing struct {
	cols []string
	rows [][]string
}

func newLsCmd(g *globals) *cobra.Command {
	var typ, kind, system string
	cmd := &cobra.Command{
		Use:   "ls kinds|systems|identities|resources [--type T] [--kind K] [--system S]",
		Short: "List what a snapshot holds: resource kinds, systems, identities or resources",
		Long: `List what the snapshot holds, so a question can name what exists: resource kinds
(with how many resources each), systems, identities (--type filters by identity
type) or resources (--kind and --system filter). A count line follows the table.`,
		Example: `  reachgraph ls kinds
  reachgraph ls identities --type service_account -o csv
  reachgraph ls resources --kind journal_entry --system sap`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: lsWhat,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.checkOutput(); err != nil {
				return err
			}
			if !slices.Contains(lsWhat, args[0]) {
				return usagef("ls %q: want one of %s", args[0], strings.Join(lsWhat, ", "))
			}
			if typ != "" {
				if args[0] != "identities" {
					return usagef("--type goes with ls identities")
				}
				if _, err := schema.ParseIdentityType(typ); err != nil {
					return usageErr(err)
				}
			}
			if (kind != "" || system != "") && args[0] != "resources" {
				return usagef("--kind and --system go with ls resources")
			}
			q, done, err := g.openQuery(cmd.Context(), g.inPlace())
			if err != nil {
				return err
			}
			defer done()
			l, err := list(cmd.Context(), q.s, args[0], typ, kind, system)
			if err != nil {
				return queryErr(err)
			}
			return g.printListing(args[0], l)
		},
	}
	f := cmd.Flags()
	f.StringVar(&typ, "type", "", "with identities: only this identity type ("+strings.Join(schema.Strings(schema.IdentityTypes), ", ")+")")
	f.StringVar(&kind, "kind", "", "with resources: only this resource kind")
	f.StringVar(&system, "system", "", "with resources: only resources of this system")
	return cmd
}

func list(ctx context.Context, s *session.Session, what, typ, kind, system string) (listing, error) {
	recs, err := s.Records(ctx)
	if err != nil {
		return listing{}, err
	}
	switch what {
	case "kinds":
		return listKinds(recs), nil
	case "systems":
		l := listing{cols: []string{"ID", "NAME", "KIND", "SOX_SCOPE", "OWNER"}}
		for _, id := range recs.SystemIDs() {
			x, _ := recs.System(id)
			l.rows = append(l.rows, []string{x.ID, x.Name, x.Kind, fmt.Sprint(x.SOXScope), x.Owner})
		}
		return l, nil
	case "identities":
		return listIdentities(recs, typ), nil
	}
	return listResources(s, recs, kind, system)
}

// listIdentities lists the identities of type typ ("" for all), with a
// SAME_AS column if any of them is linked to another: the identities it is
// declared the same as, either way round, each with the link rule that made
// the link when one did.
func listIdentities(recs *graph.Index, typ string) listing {
	same := map[string][]string{}
	for _, id := range recs.IdentityIDs() {
		x, _ := recs.Identity(id)
		for _, o := range x.SameAs {
			rule := ""
			if r := x.Tags[link.TagPrefix+o]; r != "" {
				rule = " (" + r + ")"
			}
			same[id] = append(same[id], o+rule)
			same[o] = append(same[o], id+rule)
		}
	}
	l := listing{cols: []string{"ID", "NAME", "TYPE", "STATUS"}}
	linked := false
	for _, id := range recs.IdentityIDs() {
		x, _ := recs.Identity(id)
		if typ == "" || string(x.Type) == typ {
			linked = linked || len(same[id]) > 0
			l.rows = append(l.rows, []string{x.ID, x.Name, string(x.Type), string(x.Status), strings.Join(same[id], "; ")})
		}
	}
	if linked {
		l.cols = append(l.cols, "SAME_AS")
		return l
	}
	for i := range l.rows {
		l.rows[i] = l.rows[i][:4]
	}
	return l
}

func listKinds(recs *graph.Index) listing {
	n := map[string]int{}
	for _, id := range recs.ResourceIDs() {
		r, _ := recs.Resource(id)
		if r.Kind != "" {
			n[r.Kind]++
		}
	}
	l := listing{cols: []string{"KIND", "RESOURCES"}}
	for _, k := range slices.Sorted(mapKeys(n)) {
		l.rows = append(l.rows, []string{k, fmt.Sprint(n[k])})
	}
	return l
}

func listResources(s *session.Session, recs *graph.Index, kind, system string) (listing, error) {
	if kind != "" && !slices.Contains(s.Kinds(), kind) {
		return listing{}, &session.UnknownError{What: "kind", ID: kind}
	}
	if _, ok := recs.System(system); system != "" && !ok {
		return listing{}, &session.UnknownError{What: "system", ID: system}
	}
	l := listing{cols: []string{"ID", "NAME", "KIND", "SYSTEM", "PARENT"}}
	for _, id := range recs.ResourceIDs() {
		r, _ := recs.Resource(id)
		if (kind == "" || r.Kind == kind) && (system == "" || r.System == system) {
			l.rows = append(l.rows, []string{r.ID, r.Name, r.Kind, r.System, r.Parent})
		}
	}
	return l, nil
}

func mapKeys[K comparable, V any](m map[K]V) func(yield func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (g *globals) printListing(what string, l listing) error {
	w := g.env.Stdout
	out := make([]map[string]string, len(l.rows))
	for i, row := range l.rows {
		out[i] = map[string]string{}
		for j, c := range l.cols {
			out[i][strings.ToLower(c)] = row[j]
		}
	}
	if ok, err := g.structured(out); ok {
		return err
	}
	switch g.output {
	case "csv":
		cw := csv.NewWriter(w)
		cols := make([]string, len(l.cols))
		for i, c := range l.cols {
			cols[i] = strings.ToLower(c)
		}
		_ = cw.Write(cols)
		_ = cw.WriteAll(l.rows)
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(l.cols, "\t"))
	for _, row := range l.rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d %s\n", len(l.rows), what)
	return err
}
