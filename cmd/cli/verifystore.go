package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/graph/memstore"
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
		Short: "Check every snapshot of the embedded store for damage (exit 2 naming the damaged ones)",
		Long: `verify-store reads the whole embedded store file: bbolt's page structure, every
snapshot's metadata, every chunk's checksum, every record, and the content hash of
each snapshot recomputed from its records (it must be the snapshot's id). It exits
0 when everything is intact and 2 naming the damaged snapshots otherwise.`,
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
			ms, ok := st.(*memstore.Store)
			if !ok {
				return usagef("verify-store checks the embedded store (file:PATH); %s is not one", g.storeURL())
			}
			v, err := ms.Verify(cmd.Context())
			if err != nil {
				return usageErr(err)
			}
			if err := g.printVerification(v); err != nil {
				return err
			}
			return verificationErr(ms.Path(), v)
		},
	}
}

func (g *globals) printVerification(v memstore.Verification) error {
	rows := make([]verifiedSnapshot, len(v.Snapshots))
	for i, s := range v.Snapshots {
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
		}{Intact: v.Intact(), Snapshots: rows}
		if v.File != nil {
			out.File = v.File.Error()
		}
		return writeJSON(w, out)
	}
	if len(rows) == 0 && v.File == nil {
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

// verificationErr is nil when v found nothing, else an exit-2 error naming
// the file's damage and every damaged snapshot.
func verificationErr(path string, v memstore.Verification) error {
	if v.Intact() {
		return nil
	}
	var lines []string
	if v.File != nil {
		lines = append(lines, v.File.Error())
	}
	var ids []string
	for _, s := range v.Snapshots {
		if s.Err != nil {
			ids = append(ids, string(s.Meta.ID))
			lines = append(lines, s.Err.Error())
		}
	}
	if len(ids) == 0 {
		return usageErr(v.File) // it names the file
	}
	head := fmt.Sprintf("store file %s is damaged; damaged snapshots: %s", path, strings.Join(ids, ", "))
	return usageErr(errors.New(head + "\n  " + strings.Join(lines, "\n  ")))
}
