package cli

import (
	"embed"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// estateSample is testdata/estate (less its golden file and notes), embedded
// for the demo's multi-platform question; a test keeps the copies identical.
//
//go:embed demodata/estate
var estateSample embed.FS

// The estate question: how the CI workload approves SAP journal entries.
const (
	estateWorkload = "k8s:prod:sa:ci/ledger-sync"
	estateResource = "sap:PRD:100:bukrs:1000:journal_entry"
)

// estateSources are the estate's sources, relative to its directory, in mixed
// formats (each detected on its own).
var estateSources = []string{"k8s", "aws/authorization-details.json", "sap", "vault", "people.yaml"}

// demoEstate ingests the embedded estate (five sources and a link file) as a
// third snapshot and prints the CI workload's path to SAP journal entries,
// hop by hop with each platform's evidence.
func (g *globals) demoEstate(cmd *cobra.Command, dir string) error {
	root := filepath.Join(dir, "estate")
	if err := writeEmbedded(estateSample, "demodata/estate", root); err != nil {
		return err
	}
	srcs := make([]string, len(estateSources))
	for i, s := range estateSources {
		srcs[i] = filepath.Join(root, s)
	}
	conf := sourceConfigs{k8s: filepath.Join(root, "k8s-config.yaml"), links: []string{filepath.Join(root, "links.yaml")}}
	meta, q, done, err := g.demoSnapshot(cmd, srcs, "auto", conf)
	if err != nil {
		return err
	}
	defer done()
	accs, err := q.s.WhoCan(cmd.Context(), q.asOf, session.WhoCan{Action: schema.ActionApprove, Resource: estateResource})
	if err != nil {
		return err
	}
	w := g.env.Stdout
	fmt.Fprintf(w, "\n== Estate: Kubernetes + AWS + SAP + Vault + IdP, joined by links.yaml (snapshot %s, as_of %s)\n",
		meta.ID, q.at().Format(time.RFC3339))
	fmt.Fprintf(w, "sources: %s\n", meta.Source)
	recs, err := q.s.Records(cmd.Context())
	if err != nil {
		return err
	}
	for _, a := range accs {
		if a.Identity == estateWorkload {
			printChain(w, a, recs)
			return nil
		}
	}
	fmt.Fprintf(w, "%s cannot approve %s\n", estateWorkload, estateResource)
	return nil
}

// printChain prints one access's first path a hop per line with the
// platform each hop's evidence comes from, after the origin's own login
// into the system of the first hop.
func printChain(w io.Writer, a analysis.Access, recs *graph.Index) {
	fmt.Fprintf(w, "== How can the CI workload %s approve journal entries in SAP company code 1000? %s\n", a.Identity, accessWord(a))
	path := firstPath(a)
	if len(path) > 0 && path[0].System != "" {
		for _, c := range recs.CredentialsOf(a.Identity) {
			if slices.Contains(c.Systems, path[0].System) {
				fmt.Fprintf(w, "  0. [%s] %s logs in to %s with %s (%s)\n", platform(path[0]), a.Identity, path[0].System, c.ID, c.Type)
			}
		}
	}
	for i, h := range path {
		fmt.Fprintf(w, "  %d. [%s] %s -%s-> %s\n", i+1, platform(h), h.From, hopLabel(h), h.To)
	}
	fmt.Fprintf(w, "  authentication: %s\n", formatAuth(a.Authentication))
}

// platform names where a hop's evidence comes from, by the ids' namespaces.
func platform(h analysis.Hop) string {
	if h.Edge == schema.EdgeStoredIn {
		return "links.yaml stored_in"
	}
	id := h.From
	if h.Edge == schema.EdgeCanActAs {
		id = h.To // a login is configured where it lands
	}
	name, _, _ := strings.Cut(id, ":")
	switch name {
	case "k8s":
		return "Kubernetes"
	case "vault":
		return "Vault"
	case "sap":
		return "SAP"
	case "aws":
		return "AWS"
	}
	return name
}

// writeEmbedded copies the embedded tree at dir of fsys to dst.
func writeEmbedded(fsys embed.FS, dir, dst string) error {
	return fs.WalkDir(fsys, dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		out := filepath.Join(dst, strings.TrimPrefix(strings.TrimPrefix(path, dir), "/"))
		if d.IsDir() {
			return os.MkdirAll(out, 0o700)
		}
		b, err := fsys.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o600)
	})
}
