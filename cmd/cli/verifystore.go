package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/neo4jstore"
	"github.com/reachgraph/reachgraph/graph/stores"
)

// verifiedSnapshot is one line of verify-store's JSON output.
type verifiedSnapshot struct {
	ID     string `json:"id"`
	Source string `json:"source,omitempty"`
	Intact bool   `json:"intact"`
	Error  string `json:"error,omitempty"`
}

func newVerifyStoreCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "verify-store",
		Short: "Check every snapshot of the store for damage (exit 2 naming the damaged ones)",
		Long: `verify-store reads the whole embedded store file: bbolt's page structure, every
snapshot's metadata, every chunk's checksum, every record, and the content hash of
each snapshot recomputed from its records (it must be the snapshot's id). On Neo4j it
reads every snapshot's records back and recomputes the content hash the same way
(a changed, added or deleted node or relationship shows), and checks the stored
projection's parts against their size and SHA-256. It exits 0 when everything is
intact and 2 naming the damaged snapshots otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.checkOutput(); err != nil {
				return err
			}
			st, err := g.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			switch st := st.(type) {
			case *memstore.Store:
				v, err := st.Verify(cmd.Context())
				if err != nil {
					return usageErr(err)
				}
				checks := make([]snapshotCheck, len(v.Snapshots))
				for i, c := range v.Snapshots {
					checks[i] = snapshotCheck{Meta: c.Meta, Err: c.Err}
				}
				if err := g.printVerification(v.File, checks); err != nil {
					return err
				}
				if v.Pending > 0 {
					fmt.Fprintf(g.env.Stderr, "note: %d bytes of records from an ingest that did not finish wait in %s: no snapshot, not damage; the next ingest removes them\n", v.Pending, st.Path())
				}
				return verificationErr("store file "+st.Path(), v.File, checks)
			case *neo4jstore.Store:
				v, err := st.Verify(cmd.Context())
				if err != nil {
					return usageErr(err)
				}
				checks := make([]snapshotCheck, len(v))
				for i, c := range v {
					checks[i] = snapshotCheck{Meta: c.Meta, Err: c.Err}
				}
				if err := g.printVerification(nil, checks); err != nil {
					return err
				}
				return verificationErr("store "+redactedStore(g.storeURL()), nil, checks)
			}
			return usagef("verify-store checks the embedded store (file:PATH) or Neo4j; %s is neither", redactedStore(g.storeURL()))
		},
	}
}

// redactedStore is the store URL without a password, for messages.
func redactedStore(url string) string {
	t, err := stores.Parse(url)
	if err != nil {
		return "the store"
	}
	return t.Redacted()
}

// snapshotCheck is what verify-store found for one snapshot (Err nil: intact).
type snapshotCheck struct {
	Meta graph.SnapshotMeta
	Err  error
}

func (g *globals) printVerification(file error, checks []snapshotCheck) error {
	rows := make([]verifiedSnapshot, len(checks))
	for i, s := range checks {
		rows[i] = verifiedSnapshot{ID: string(s.Meta.ID), Source: s.Meta.Source, Intact: s.Err == nil}
		if s.Err != nil {
			rows[i].Error = s.Err.Error()
		}
	}
	w := g.env.Stdout
	if g.output == "json" {
		out := struct {
			Intact    bool               `json:"intact"`
			File      string             `json:"file_error,omitempty"`
			Snapshots []verifiedSnapshot `json:"snapshots"`
		}{Intact: intact(file, checks), Snapshots: rows}
		if file != nil {
			out.File = file.Error()
		}
		return writeJSON(w, out)
	}
	if len(rows) == 0 && file == nil {
		fmt.Fprintf(w, "no snapshots in %s\n", g.storeURL())
	}
	for _, r := range rows {
		status := "intact"
		if !r.Intact {
			status = "DAMAGED"
		}
		fmt.Fprintf(w, "%s  %-7s  %s\n", r.ID, status, escapeText(r.Source))
	}
	return nil
}

// intact reports whether verify-store found nothing wrong.
func intact(file error, checks []snapshotCheck) bool {
	for _, c := range checks {
		if c.Err != nil {
			return false
		}
	}
	return file == nil
}

// verificationErr is nil when nothing was found, else an exit-2 error naming
// the store (where), the file's damage and every damaged snapshot.
func verificationErr(where string, file error, checks []snapshotCheck) error {
	if intact(file, checks) {
		return nil
	}
	var lines []string
	if file != nil {
		lines = append(lines, file.Error())
	}
	var ids []string
	for _, s := range checks {
		if s.Err != nil {
			ids = append(ids, string(s.Meta.ID))
			lines = append(lines, s.Err.Error())
		}
	}
	if len(ids) == 0 {
		return usageErr(file) // it names the file
	}
	head := fmt.Sprintf("%s is damaged; damaged snapshots: %s", where, strings.Join(ids, ", "))
	return usageErr(errors.New(head + "\n  " + strings.Join(lines, "\n  ")))
}
