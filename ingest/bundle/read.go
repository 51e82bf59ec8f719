package bundle

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
)

// Syntaxes of a bundle, as returned by DetectSyntax.
const (
	SyntaxYAML = "yaml"
	SyntaxJSON = "json"
	SyntaxCSV  = "csv"
)

// Read is the bundle format's ingest.ReadFunc: it reads the bundle at path —
// a directory of CSV files, a .json file, a .yaml/.yml file, or any other file
// whose first non-space byte says which ({ or [ for JSON, else YAML) — and
// hands it to in. It returns an error only for I/O failures and cancellation.
func Read(ctx context.Context, path string, in *ingest.Input) error {
	syntax, err := detectSyntax(path, in.Peek)
	if err != nil {
		return err
	}
	if syntax == SyntaxCSV {
		return readCSVDir(ctx, path, in)
	}
	f, err := in.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if syntax == SyntaxJSON {
		err = readJSON(ctx, f)
	} else {
		err = readYAML(ctx, f)
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// DetectSyntax tells how the bundle at path is written: a directory is CSV;
// a .json file JSON; a .yaml or .yml file YAML; otherwise the first non-space
// byte decides ('{' or '[' is JSON, anything else YAML).
func DetectSyntax(path string) (string, error) {
	return detectSyntax(path, func(path string, n int) ([]byte, error) {
		fh, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		head := make([]byte, n)
		m, _ := io.ReadFull(fh, head)
		return head[:m], nil
	})
}

// detectSyntax is DetectSyntax with peek reading the head of the file
// without consuming it (Input.Peek keeps a pipe's head for the reader).
func detectSyntax(path string, peek func(string, int) ([]byte, error)) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		return SyntaxCSV, nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return SyntaxJSON, nil
	case ".yaml", ".yml":
		return SyntaxYAML, nil
	}
	head, err := peek(path, 64<<10)
	if err != nil {
		return "", err
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return SyntaxJSON, nil
	}
	return SyntaxYAML, nil
}

// Load is ingest.Load with the bundle reader wired in (Options.Readers.Bundle
// set to Read when it is nil): convenient for tests, the demo and the data
// generator.
func Load(ctx context.Context, st graph.Ingester, sources []ingest.Source, opts ingest.Options) (graph.SnapshotMeta, error) {
	if opts.Readers.Bundle == nil {
		opts.Readers.Bundle = Read
	}
	return ingest.Load(ctx, st, sources, opts)
}

// pointerToken escapes one JSON pointer reference token (RFC 6901 §3).
func pointerToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
