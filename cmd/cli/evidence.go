package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/analysis/report"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
)

// Names inside an evidence pack.
const (
	packManifest = "manifest.json"
	packReport   = "report.json"
	packEnvelope = "statement.dsse.json"
	packFormat   = "reachgraph-evidence/1"
)

// packManifest is manifest.json: what the pack holds and what it was made from.
type evidenceManifest struct {
	Format        string             `json:"format"`
	Snapshot      string             `json:"snapshot"`
	AsOf          time.Time          `json:"as_of"`
	Source        string             `json:"source"`
	CollectedAt   time.Time          `json:"collected_at,omitzero"`
	Inputs        []graph.SourceFile `json:"inputs"`
	Tool          string             `json:"tool"`
	Version       string             `json:"version"`
	Commit        string             `json:"commit,omitempty"`
	RulesetSHA256 string             `json:"ruleset_sha256"`
	Rules         string             `json:"rules,omitempty"`
	Queries       []packQuery        `json:"queries"`
	Report        string             `json:"report,omitempty"`
	Completeness  completeness       `json:"completeness"`
}

// packQuery is one query of the pack and the file holding its JSON answer.
type packQuery struct {
	Command string   `json:"command"`
	Args    []string `json:"args"`
	File    string   `json:"file"`
}

// completeness states what the answers rest on and what they may miss.
type completeness struct {
	Sources           []string     `json:"sources"`
	Counts            graph.Counts `json:"counts"`
	ConditionalGrants int          `json:"conditional_grants"`
	TimeBoundEdges    int          `json:"time_bound_edges"`
	// IncompleteAnswers names the queries whose answer says it is not
	// complete (a limit was hit).
	IncompleteAnswers []string `json:"incomplete_answers"`
	Notes             []string `json:"notes"`
}

type evidenceFlags struct {
	out, key, rules string
	queries         []string
	report          bool
}

func newEvidenceCmd(g *globals) *cobra.Command {
	var f evidenceFlags
	cmd := &cobra.Command{
		Use:   "evidence --out PACK.zip --key KEYFILE [--query 'whocan …']… [--report]",
		Short: "Write a signed evidence pack: queries and their answers, the report, input hashes, provenance",
		Long: `evidence runs each --query (a query command line of this CLI: whocan, reach, paths or ls,
without global flags) in-process against the same store, snapshot and as_of, and writes a
zip with manifest.json (snapshot id, as_of, the SHA-256 of every input file, tool version,
ruleset digest, the queries and a statement of completeness), one JSON answer per query,
report.json with --report, and statement.dsse.json: an in-toto v1 Statement whose subjects
are those files with their SHA-256, signed with the Ed25519 key in a DSSE envelope.
Check a pack with reachgraph verify.`,
		Example: `  reachgraph keygen audit.key
  reachgraph evidence --key audit.key --out pack.zip --report \
    --query 'whocan --action approve --resource sap:fi:je' --query 'reach --identity svc-sap-batch'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return g.runEvidence(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "", "write the pack (zip) to FILE (required)")
	fl.StringVar(&f.key, "key", "", "Ed25519 private key from reachgraph keygen (required)")
	fl.StringArrayVar(&f.queries, "query", nil, "a query command line to run and record (repeatable)")
	fl.BoolVar(&f.report, "report", false, "include the findings report (JSON)")
	fl.StringVar(&f.rules, "rules", "", "YAML rules file merged over the built-in ruleset, for --report and the digest")
	return cmd
}

func (g *globals) runEvidence(ctx context.Context, f evidenceFlags) error {
	if f.out == "" || f.key == "" {
		return usagef("evidence needs --out PACK.zip and --key KEYFILE")
	}
	if len(f.queries) == 0 && !f.report {
		return usagef("evidence needs at least one --query or --report")
	}
	key, err := readPrivateKey(f.key)
	if err != nil {
		return err
	}
	m, err := g.evidenceManifest(ctx, f.rules)
	if err != nil {
		return err
	}
	files := map[string][]byte{}
	for i, q := range f.queries {
		args, err := parseQuery(q)
		if err != nil {
			return usagef("--query %q: %v", q, err)
		}
		out, err := g.runPinned(ctx, m, args)
		if err != nil {
			return usagef("--query %q: %v", q, err)
		}
		name := fmt.Sprintf("queries/%03d-%s.json", i+1, args[0])
		files[name] = out
		m.Queries = append(m.Queries, packQuery{Command: q, Args: args, File: name})
		if bytes.Contains(out, []byte(`"complete": false`)) {
			m.Completeness.IncompleteAnswers = append(m.Completeness.IncompleteAnswers, q)
		}
	}
	if f.report {
		args := []string{"report", "--format", "json"}
		if f.rules != "" {
			args = append(args, "--rules", f.rules)
		}
		out, err := g.runPinned(ctx, m, args)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		files[packReport], m.Report = out, packReport
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	files[packManifest] = append(mb, '\n')
	zb, err := sealPack(key, files, mb)
	if err != nil {
		return err
	}
	if err := writeOut(nil, f.out, zb); err != nil {
		return err
	}
	fmt.Fprintf(g.env.Stdout, "wrote %s: snapshot %s, %d quer(ies)%s, %d files signed by key %s\n", f.out, m.Snapshot,
		len(m.Queries), map[bool]string{true: " and the report", false: ""}[f.report], len(files), keyID(key.Public().(ed25519.PublicKey)))
	return nil
}

// evidenceManifest reads the snapshot's metadata and records, and fills
// everything of the manifest but the queries and the report.
func (g *globals) evidenceManifest(ctx context.Context, rulesPath string) (*evidenceManifest, error) {
	rs, err := loadRules(rulesPath)
	if err != nil {
		return nil, err
	}
	digest, err := report.RulesetDigest(rs)
	if err != nil {
		return nil, err
	}
	q, done, err := g.openQuery(ctx, session.WithRecords())
	if err != nil {
		return nil, err
	}
	defer done() // closed before the queries run: each opens the store itself
	recs, err := q.s.Records(ctx)
	if err != nil {
		return nil, err
	}
	meta, b := q.s.Meta(), Build()
	m := &evidenceManifest{Format: packFormat, Snapshot: string(meta.ID), AsOf: q.at().UTC(), Source: meta.Source,
		CollectedAt: meta.CollectedAt, Inputs: meta.Files, Tool: "reachgraph", Version: b.Version, Commit: b.Commit,
		RulesetSHA256: digest, Rules: rulesPath, Queries: []packQuery{}}
	if m.Inputs == nil {
		m.Inputs = []graph.SourceFile{}
	}
	m.Completeness = completenessOf(meta, recs.Data())
	return m, nil
}

// completenessOf counts what the answers rest on.
func completenessOf(meta graph.SnapshotMeta, d *graph.Dataset) completeness {
	c := completeness{Counts: meta.Counts, IncompleteAnswers: []string{}, Sources: []string{}}
	for _, f := range meta.Files {
		c.Sources = append(c.Sources, f.Name)
	}
	for _, gr := range d.GrantList {
		if gr.Conditional {
			c.ConditionalGrants++
		}
		if !gr.ValidFrom.IsZero() || !gr.ExpiresAt.IsZero() {
			c.TimeBoundEdges++
		}
	}
	for _, m := range d.MembershipList {
		if !m.ValidFrom.IsZero() || !m.ExpiresAt.IsZero() {
			c.TimeBoundEdges++
		}
	}
	for _, dl := range d.DelegationList {
		if !dl.ValidFrom.IsZero() || !dl.ExpiresAt.IsZero() {
			c.TimeBoundEdges++
		}
	}
	c.Notes = []string{
		"answers cover only the sources listed; systems not ingested are not seen",
		"conditional grants count as granted (their conditions are not evaluated)",
		"ingest-time warnings and approximations of the ingesters are not recorded in the snapshot and are not counted here",
	}
	return c
}

// runPinned runs one command of this CLI in-process on the manifest's
// store, snapshot and as_of with JSON output and returns its stdout.
func (g *globals) runPinned(ctx context.Context, m *evidenceManifest, args []string) ([]byte, error) {
	full := append([]string{"--store", g.storeURL(), "--snapshot", m.Snapshot, "--as-of", m.AsOf.Format(time.RFC3339Nano),
		"-o", "json"}, args...)
	if args[0] == "report" {
		full = slices.Delete(full, 6, 8) // report takes --format, not -o
	}
	var out, errb bytes.Buffer
	root := NewRoot(Env{Stdout: &out, Stderr: &errb, Getenv: g.env.Getenv})
	root.SetArgs(full)
	if err := root.ExecuteContext(ctx); err != nil {
		return nil, fmt.Errorf("%v %s", err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}

// queryCommands are the commands a pack may record.
var queryCommands = []string{"whocan", "reach", "paths", "ls"}

// parseQuery splits a query command line (single and double quotes group
// words) and checks it is a query command without global flags.
func parseQuery(s string) ([]string, error) {
	args, err := splitWords(s)
	if err != nil {
		return nil, err
	}
	if len(args) > 0 && args[0] == "reachgraph" {
		args = args[1:]
	}
	if len(args) == 0 || !slices.Contains(queryCommands, args[0]) {
		return nil, fmt.Errorf("want one of %s and its flags", strings.Join(queryCommands, ", "))
	}
	for _, a := range args[1:] {
		name, _, _ := strings.Cut(a, "=")
		switch name {
		case "--store", "--snapshot", "--as-of", "-o", "--output", "--jq":
			return nil, fmt.Errorf("%s is set by evidence itself (same store, snapshot and as_of for every query)", name)
		}
	}
	return args, nil
}

// splitWords splits s at blanks outside quotes.
func splitWords(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	var quote rune
	in := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c quote", quote)
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}

// sealPack writes files and the signed statement over them as a zip.
func sealPack(key ed25519.PrivateKey, files map[string][]byte, predicate []byte) ([]byte, error) {
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range files {
			if !yield(n) {
				return
			}
		}
	})
	st := statement{Type: inTotoStatement, PredicateType: evidencePredicate, Predicate: predicate}
	for _, n := range names {
		h := sha256.Sum256(files[n])
		st.Subject = append(st.Subject, subject{Name: n, Digest: map[string]string{"sha256": hex.EncodeToString(h[:])}})
	}
	body, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	env, err := signEnvelope(key, body)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	stamp := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) // reproducible archives
	for _, n := range append(names, packEnvelope) {
		b := files[n]
		if n == packEnvelope {
			b = env
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(b); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
