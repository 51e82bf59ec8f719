package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
)

// The input formats Load accepts (Source.Format; SPEC §5.1 --format).
const (
	FormatAuto     = "auto"
	FormatBundle   = "bundle"
	FormatAWSIAM   = "aws-iam"
	FormatK8sRBAC  = "k8s-rbac"
	FormatPostgres = "postgres"
	FormatSAP      = "sap"
	FormatVault    = "vault"
	// FormatOpenGraph is a BloodHound OpenGraph data payload (JSON).
	FormatOpenGraph = "opengraph"
)

// Formats lists the format names Load accepts, FormatAuto first.
var Formats = []string{FormatAuto, FormatBundle, FormatAWSIAM, FormatK8sRBAC, FormatPostgres, FormatSAP, FormatVault, FormatOpenGraph}

// Source is one input of a Load: a file or directory path (a connection string
// for postgres) and its format; "" or "auto" detects the format.
type Source struct {
	Path   string
	Format string
}

// ReadFunc reads one source: it opens its files through in (so they are hashed
// and counted), hands every record to File.Add and the header to File.Header,
// and reports syntax problems through the File. It returns an error only for
// I/O failures and cancellation; invalid input is reported as problems.
type ReadFunc func(ctx context.Context, path string, in *Input) error

// Readers are the source readers Load dispatches to. ingest cannot import them
// (each imports ingest), so the caller wires them in, e.g.
// ingest.Readers{Bundle: bundle.Read}. A nil reader makes its format
// unsupported.
type Readers struct {
	Bundle   ReadFunc
	AWSIAM   ReadFunc
	K8sRBAC  ReadFunc
	Postgres ReadFunc
	SAP      ReadFunc
	Vault    ReadFunc
	// OpenGraph reads BloodHound OpenGraph payloads (ingest/opengraph).
	OpenGraph ReadFunc
}

// Options tune a Load. The zero value is usable (but has no readers).
type Options struct {
	// MaxProblemsPerFile caps the problems reported per input file; further
	// ones are counted in ValidationError.Omitted. 0 means
	// DefaultMaxProblemsPerFile; a negative value means no cap.
	MaxProblemsPerFile int
	// Progress, when not nil, is called as input bytes are read with the bytes
	// read so far and the total size of every input file.
	Progress func(bytesRead, totalBytes int64)
	// Readers are the source readers, one per format.
	Readers Readers
	// Now gives the ingest time recorded in the snapshot metadata; nil means
	// time.Now.
	Now func() time.Time
	// CollectedAt is the collection time of the sources whose input states
	// none (exports such as AWS IAM's carry no time); zero leaves them
	// without one. The snapshot's collected_at is the latest of all.
	CollectedAt time.Time
	// Limits caps input sizes (see limits.go); zero fields take the defaults.
	Limits Limits
	// TempDir is where the load spills the validated records it holds past
	// 64 MiB until they are written to the store (an unnamed temporary file,
	// gone when the load returns); empty means the system's temporary
	// directory. The CLI puts it next to an embedded store.
	TempDir string
	// spillAt overrides the 64 MiB (tests; negative spills every chunk),
	// chunk the size of record chunks.
	spillAt, chunk int
	// Link, when not nil, runs after every source has been read without a
	// problem and before references are resolved: the cross-source links
	// (ingest/link). Its files are listed in the snapshot's Files.
	Link LinkFunc
}

// Load reads every source, validates all of it, and — only when there is no
// problem at all — lands everything as ONE new snapshot through st.Ingest.
// Ids must be unique across all sources (but see File.AddPlaceholder); the snapshot's source label is the
// sources' labels joined with "+", its collected_at the latest one, and its
// Files every input file (each CSV file of a directory) with the SHA-256 of its
// bytes, in reading order. Records are written section by section in
// schema.Sections order, each section in input order.
//
// Invalid input returns a *ValidationError (errors.Is ErrInvalid) and st is not
// called. A format without a reader returns an error wrapping
// ErrUnsupportedFormat. I/O errors and store errors are returned wrapped.
func Load(ctx context.Context, st graph.Ingester, sources []Source, opts Options) (graph.SnapshotMeta, error) {
	if len(sources) == 0 {
		return graph.SnapshotMeta{}, fmt.Errorf("ingest: no sources")
	}
	l := newLoader(opts)
	defer l.closeStreams()
	defer l.pool.Close()
	readers := make([]ReadFunc, len(sources))
	for i, src := range sources {
		fn, err := readerFor(src, opts.Readers, l)
		if err != nil {
			return graph.SnapshotMeta{}, err
		}
		readers[i] = fn
	}
	l.total = totalSize(sources)
	inputs := make([]*Input, len(sources))
	for i, src := range sources {
		in := &Input{l: l, path: src.Path}
		inputs[i] = in
		err := readers[i](ctx, src.Path, in)
		for len(l.open) > 0 {
			if cerr := l.open[0].Close(); err == nil && cerr != nil {
				err = cerr
			}
		}
		if err != nil && !l.errAsLimit(err) {
			return graph.SnapshotMeta{}, fmt.Errorf("ingest %s: %w", src.Path, err)
		}
		if err := l.pool.Err(); err != nil { // no room to spill: stop before memory runs out
			return graph.SnapshotMeta{}, err
		}
		in.finish()
	}
	if err := ctx.Err(); err != nil {
		return graph.SnapshotMeta{}, err
	}
	if opts.Link != nil && !l.failed() {
		if err := l.link(ctx, opts.Link); err != nil {
			return graph.SnapshotMeta{}, fmt.Errorf("ingest links: %w", err)
		}
	}
	l.finishRefs()
	if l.failed() {
		return graph.SnapshotMeta{}, &ValidationError{Problems: sortProblems(l.problems), Omitted: l.omitted}
	}
	meta := l.meta(inputs, opts.Now, opts.CollectedAt)
	// Validation is over: what only it needed goes before the store takes
	// the records in (the id index alone is about 100 bytes an id).
	l.ids, l.placeholders, l.parents, l.lastRef, l.vals = nil, nil, nil, nil, nil
	out, err := st.Ingest(ctx, meta, func(w graph.Writer) error { return l.replay(ctx, w) })
	if err != nil {
		return graph.SnapshotMeta{}, fmt.Errorf("ingest: %w", err)
	}
	return out, nil
}

// readerFor is the format dispatch: a plain switch, one case per format.
func readerFor(src Source, r Readers, l *loader) (ReadFunc, error) {
	format := src.Format
	if format == "" || format == FormatAuto {
		format = l.detectFormat(src.Path)
	}
	var fn ReadFunc
	switch format {
	case FormatBundle:
		fn = r.Bundle
	case FormatAWSIAM:
		fn = r.AWSIAM
	case FormatK8sRBAC:
		fn = r.K8sRBAC
	case FormatPostgres:
		fn = r.Postgres
	case FormatSAP:
		fn = r.SAP
	case FormatVault:
		fn = r.Vault
	case FormatOpenGraph:
		fn = r.OpenGraph
	default:
		return nil, fmt.Errorf("ingest %s: unknown format %q (allowed: %s)", src.Path, format, strings.Join(Formats, ", "))
	}
	if fn == nil {
		return nil, fmt.Errorf("ingest %s: format %s is not supported yet: %w", src.Path, format, ErrUnsupportedFormat)
	}
	return fn, nil
}

// DetectFormat guesses the format of the input at path: a directory holding
// a USR02 table file is an SAP extract, one whose files are Kubernetes RBAC
// lists is k8s-rbac (detectDir), another a bundle (CSV); a file is sniffed
// from its first 64 KiB — AWS
// get-account-authorization-details and credential reports are aws-iam,
// Kubernetes RBAC lists are k8s-rbac, anything else is a bundle (whose reader
// then reports what is wrong). Unreadable paths are bundles too, so the reader
// reports the error.
func DetectFormat(path string) string {
	l := newLoader(Options{})
	defer l.closeStreams()
	return l.detectFormat(path)
}

// detectFormat is DetectFormat; a pipe's head stays buffered in l for its
// reader (Input.Open replays it).
func (l *loader) detectFormat(path string) string {
	if IsPostgresURL(path) {
		return FormatPostgres
	}
	st, err := os.Stat(path)
	if err != nil {
		return FormatBundle
	}
	if st.IsDir() {
		switch {
		case isSAPExtract(path):
			return FormatSAP
		case isVaultExport(path):
			return FormatVault
		}
		return detectDir(path)
	}
	head, err := l.peek(path, sniffLen)
	if err != nil {
		return FormatBundle
	}
	switch {
	case bytes.Contains(head, []byte("reachgraph/v1")):
		return FormatBundle
	case bytes.Contains(head, []byte(`"UserDetailList"`)) || bytes.Contains(head, []byte(`"RoleDetailList"`)) ||
		bytes.HasPrefix(head, []byte("user,arn,user_creation_time")):
		return FormatAWSIAM
	case bytes.Contains(head, []byte("rbac.authorization.k8s.io")):
		return FormatK8sRBAC
	case isOpenGraph(head):
		return FormatOpenGraph
	}
	return FormatBundle
}

// isOpenGraph reports a JSON document that looks like a BloodHound OpenGraph
// payload: a "graph" key and nodes with "kinds" in its first 64 KiB.
func isOpenGraph(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n\ufeff")
	return bytes.HasPrefix(head, []byte("{")) && bytes.Contains(head, []byte(`"graph"`)) &&
		(bytes.Contains(head, []byte(`"kinds"`)) || bytes.Contains(head, []byte(`"edges"`)))
}

// isVaultExport reports a directory holding sys/policy/, sys/policies/acl/
// or sys/auth.json: a Vault or OpenBao export (ingest/vault).
func isVaultExport(dir string) bool {
	for _, p := range []string{"sys/policy", "sys/policies/acl", "sys/auth.json"} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err == nil {
			return true
		}
	}
	return false
}

// isSAPExtract reports a directory holding a USR02 table file (USR02.txt,
// .tsv or .csv, any case): an SAP table extract.
func isSAPExtract(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		n := strings.ToUpper(e.Name())
		if n == "USR02.TXT" || n == "USR02.TSV" || n == "USR02.CSV" {
			return true
		}
	}
	return false
}

// IsPostgresURL reports whether a source names a PostgreSQL server
// (postgres:// or postgresql://) rather than a file.
func IsPostgresURL(path string) bool {
	return strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://")
}

// totalSize is the byte size of every input file, for progress (an upper
// bound for directories: a reader may skip some of their files).
func totalSize(sources []Source) int64 {
	var total int64
	for _, src := range sources {
		st, err := os.Stat(src.Path)
		if err != nil {
			continue
		}
		if st.Mode().IsRegular() {
			total += st.Size()
			continue
		}
		if !st.IsDir() {
			continue // a pipe or device: its size is unknown
		}
		// Every regular file below the directory: CSV bundles, SAP
		// extracts, kubectl output and Vault exports all read some of them.
		_ = filepath.WalkDir(src.Path, func(_ string, e os.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				if info, err := e.Info(); err == nil {
					total += info.Size()
				}
			}
			return nil
		})
	}
	return total
}

// meta builds the snapshot metadata of a valid load.
func (l *loader) meta(inputs []*Input, now func() time.Time, fallback time.Time) graph.SnapshotMeta {
	if now == nil {
		now = time.Now
	}
	labels := make([]string, 0, len(inputs))
	var collected time.Time
	for _, in := range inputs {
		labels = append(labels, in.source)
		at := in.collectedAt
		if at.IsZero() {
			at = fallback
		}
		if at.After(collected) {
			collected = at
		}
	}
	return graph.SnapshotMeta{
		Source:      strings.Join(labels, "+"),
		CollectedAt: collected,
		IngestedAt:  now().UTC(),
		Files:       append([]graph.SourceFile(nil), l.files...),
	}
}

// replay writes every kept record to w, section by section, leaving out the
// placeholders a later declaration superseded. It releases the buffers as it
// goes, so it runs once: a second call fails.
func (l *loader) replay(ctx context.Context, w graph.Writer) error {
	if l.replayed {
		return errors.New("ingest: the records were already written (a store called its Ingest callback twice)")
	}
	l.replayed = true
	for i, sp := range specs {
		n := 0
		err := l.bufs[i].drain(func(rec []byte) ([]byte, error) {
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			rest, err := sp.ops.put(w, rec)
			if err != nil {
				return nil, fmt.Errorf("write %s: %w", sp.Name, err)
			}
			return rest, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// detectDir is the format of a directory: k8s-rbac when it has no
// bundle.csv and a .yaml, .yml or .json file in it or one level below sniffs
// as k8s-rbac (a directory of kubectl output); a bundle otherwise.
func detectDir(dir string) string {
	if _, err := os.Stat(filepath.Join(dir, "bundle.csv")); err == nil {
		return FormatBundle
	}
	for _, pattern := range []string{"*", "*/*"} {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			switch strings.ToLower(filepath.Ext(m)) {
			case ".yaml", ".yml", ".json":
				if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() && DetectFormat(m) == FormatK8sRBAC {
					return FormatK8sRBAC
				}
			}
		}
	}
	return FormatBundle
}
