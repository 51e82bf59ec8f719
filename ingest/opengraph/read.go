package opengraph

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// Options configure the reader.
type Options struct {
	// Map is a map file (ParseMap) for kinds other than reachgraph's own; ""
	// for none. It is read as part of every source, so its SHA-256 is in the
	// snapshot's files and its problems stop the load like any input's.
	Map string
	// Warn, when not nil, receives one located line per edge kind that was
	// not imported ("file: /graph/edges/7: …") and a summary line.
	Warn func(msg string)
}

// Read is the ingest.ReadFunc of the opengraph format without a map file:
// it reads payloads that use reachgraph's own kinds (what `reachgraph export
// --format opengraph` writes).
func Read(ctx context.Context, path string, in *ingest.Input) error {
	return read(ctx, path, in, Options{})
}

// NewReader returns the opengraph ingest.ReadFunc with opts.
func NewReader(opts Options) ingest.ReadFunc {
	return func(ctx context.Context, path string, in *ingest.Input) error { return read(ctx, path, in, opts) }
}

func read(ctx context.Context, path string, in *ingest.Input, opts Options) error {
	m := DefaultMap()
	if opts.Map != "" {
		mm, ok, err := ingest.ParseSideFile(in, opts.Map, path, "invalid OpenGraph map file", parseMap, reportLine)
		if !ok {
			return err
		}
		m = mm
	}
	f, err := in.Open(path)
	if err != nil {
		return err
	}
	label := ""
	problems := 0
	problem := func(ptr, msg string) { problems++; f.Problem(0, ptr, msg) }
	t := newTransformer(m, f.Add, problem)
	err = Decode(ctxReader{ctx, f}, Sink{
		Metadata: func(sk string) { label = sk },
		Node:     t.node,
		Edge:     t.edge,
		Problem:  problem,
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	if se, ok := err.(*SyntaxError); ok {
		f.Stop(0, "", se.Error())
		return nil
	}
	if err != nil {
		return err
	}
	skipped := t.finish()
	if label == "" {
		label = "opengraph:" + strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	f.Header([]ingest.Field{str("format", schema.FormatV1), str("source", label)}, 0)
	if problems == 0 { // else the load fails anyway, and the nodes' problems come first
		warnSkipped(opts.Warn, f.Name(), skipped, t.edges)
	}
	return nil
}

// ctxReader stops reading once ctx is done, so a long decode ends promptly.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// warnSkipped reports the edges that were not imported, one line per kind
// and a total.
func warnSkipped(warn func(string), file string, skipped []Skipped, edges int) {
	if warn == nil || len(skipped) == 0 {
		return
	}
	total := 0
	for _, s := range skipped {
		total += s.Count
		warn(fmt.Sprintf("%s: %s: %d edge%s of kind %q not imported: the kind is not mapped, so it is not traversable for reachgraph (map it under edges: in --opengraph-map)",
			file, s.First, s.Count, plural(s.Count), s.Kind))
	}
	warn(fmt.Sprintf("%s: %d of %d edges not imported (%d unmapped edge kind%s)", file, total, edges, len(skipped), plural(len(skipped))))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func parseMap(f *ingest.File) (*Map, []Problem, error) { return ParseMap(f) }

func reportLine(f *ingest.File, p Problem) { f.Problem(p.Line, "", p.Msg) }
