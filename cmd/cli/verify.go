package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/graph"
)

// maxPackFile bounds one file of a pack when reading it.
const maxPackFile = 1 << 30

func newVerifyCmd(g *globals) *cobra.Command {
	var pub string
	cmd := &cobra.Command{
		Use:   "verify PACK.zip --pub KEYFILE.pub",
		Short: "Check an evidence pack: signature, every file's SHA-256 and, with its snapshot in the store, every answer",
		Long: `verify checks the DSSE signature of the pack's in-toto statement with the public key,
that the pack holds exactly the files the statement names with the same SHA-256, and, when
the pack's snapshot is in the store (--store), re-runs every query at the pack's as_of and
compares the answers byte for byte. Exit 0 when all hold; exit 1 naming the first difference.`,
		Example: `  reachgraph verify pack.zip --pub audit.key.pub --store file:reachgraph.db`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if pub == "" {
				return usagef("verify needs --pub KEYFILE.pub")
			}
			return g.runVerify(cmd.Context(), args[0], pub)
		},
	}
	cmd.Flags().StringVar(&pub, "pub", "", "Ed25519 public key (KEYFILE.pub from reachgraph keygen)")
	return cmd
}

// failed is a verification failure: exit 1.
func failed(format string, args ...any) error {
	return &ExitError{Code: ExitFindings, Err: fmt.Errorf("verify: "+format, args...)}
}

func (g *globals) runVerify(ctx context.Context, pack, pubPath string) error {
	pub, err := readPublicKey(pubPath)
	if err != nil {
		return err
	}
	files, err := readPack(pack)
	if err != nil {
		return failed("%s: %v", pack, err)
	}
	env, ok := files[packEnvelope]
	if !ok {
		return failed("%s: no %s", pack, packEnvelope)
	}
	body, err := openEnvelope(pub, env)
	if err != nil {
		return failed("%v", err)
	}
	var st statement
	if err := json.Unmarshal(body, &st); err != nil {
		return failed("statement: %v", err)
	}
	if st.Type != inTotoStatement || st.PredicateType != evidencePredicate {
		return failed("statement: type %q predicate %q, want %q and %q", st.Type, st.PredicateType, inTotoStatement, evidencePredicate)
	}
	if err := checkSubjects(st.Subject, files); err != nil {
		return failed("%v", err)
	}
	var m evidenceManifest
	if err := json.Unmarshal(files[packManifest], &m); err != nil {
		return failed("%s: %v", packManifest, err)
	}
	fmt.Fprintf(g.env.Stdout, "signature: ok (key %s)\nfiles: %d, every SHA-256 matches the signed statement\n", keyID(pub), len(st.Subject))
	present, err := g.hasSnapshot(ctx, m.Snapshot)
	if err != nil {
		return err
	}
	if !present {
		fmt.Fprintf(g.env.Stdout, "answers: not re-run (snapshot %s is not in store %s)\n", m.Snapshot, g.storeURL())
		return nil
	}
	for _, q := range m.Queries {
		got, err := g.runPinned(ctx, &m, q.Args)
		if err != nil {
			return failed("query %q: %v", q.Command, err)
		}
		if d := firstDifference(files[q.File], got); d != "" {
			return failed("query %q: the answer differs from %s: %s", q.Command, q.File, d)
		}
	}
	fmt.Fprintf(g.env.Stdout, "answers: %d quer(ies) re-run on snapshot %s as of %s, identical byte for byte\n",
		len(m.Queries), m.Snapshot, m.AsOf.Format("2006-01-02T15:04:05Z07:00"))
	return nil
}

// readPack reads every file of a zip; duplicate names are an error.
func readPack(path string) (map[string][]byte, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		if _, dup := files[f.Name]; dup {
			return nil, fmt.Errorf("%s appears twice", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxPackFile))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		files[f.Name] = b
	}
	return files, nil
}

// checkSubjects checks the pack holds exactly the subjects (and the
// envelope), each with its SHA-256.
func checkSubjects(subs []subject, files map[string][]byte) error {
	seen := map[string]bool{packEnvelope: true}
	for _, s := range subs {
		b, ok := files[s.Name]
		if !ok {
			return fmt.Errorf("%s is signed but missing from the pack", s.Name)
		}
		h := sha256.Sum256(b)
		if got := hex.EncodeToString(h[:]); got != s.Digest["sha256"] {
			return fmt.Errorf("%s: SHA-256 %s, the statement says %s", s.Name, got, s.Digest["sha256"])
		}
		seen[s.Name] = true
	}
	if !seen[packManifest] {
		return errors.New("the statement does not sign " + packManifest)
	}
	for _, n := range slices.Sorted(func(yield func(string) bool) {
		for n := range files {
			if !yield(n) {
				return
			}
		}
	}) {
		if !seen[n] {
			return fmt.Errorf("%s is in the pack but not signed", n)
		}
	}
	return nil
}

// hasSnapshot reports whether the store holds the snapshot (a missing store is "no").
func (g *globals) hasSnapshot(ctx context.Context, id string) (bool, error) {
	st, err := g.openStore(ctx)
	if err != nil {
		return false, nil
	}
	defer st.Close()
	r, err := st.Snapshot(ctx, graph.SnapshotID(id))
	if errors.Is(err, graph.ErrSnapshotNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if c, ok := r.(io.Closer); ok {
		_ = c.Close()
	}
	return string(r.Meta().ID) == id, nil
}

// firstDifference names the first line where want and got differ, "" when equal.
func firstDifference(want, got []byte) string {
	if bytes.Equal(want, got) {
		return ""
	}
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d: pack has %q, the store gives %q", i+1, w, g)
		}
	}
	return "they differ in length"
}
