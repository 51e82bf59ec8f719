package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/report"
)

// accessSink writes an access answer one access at a time in one output
// form, byte for byte as the whole answer would be written at once. Nothing
// is written before the first add or finish, so a question that fails its
// checks prints nothing.
type accessSink interface {
	add(a analysis.Access) error
	// finish ends the output; abort drops what is held back (the table's
	// spilled rows) after an error.
	finish() error
	abort()
}

// newAccessSink returns the sink of -o for q's answer, writing to w. native
// adds the native columns of `whocan --native` to CSV.
func (g *globals) newAccessSink(w *bufio.Writer, q query, native bool) accessSink {
	snap, asOf := string(q.s.Meta().ID), q.at()
	switch g.output {
	case "json":
		return &jsonSink{w: w, snap: snap, asOf: asOf}
	case "yaml":
		return &yamlSink{w: w, snap: snap, asOf: asOf}
	case "csv":
		return &csvSink{cw: report.NewCSVWriter(w), native: native}
	}
	return &tableSink{g: g, w: w, head: fmt.Sprintf("snapshot %s  as_of %s\n", snap, asOf.Format(time.RFC3339))}
}

// jsonSink writes the accessReport document: its head, each access as it
// comes (indented as json.Encoder with SetIndent("", "  ") indents it inside
// the document), and its end.
type jsonSink struct {
	w       *bufio.Writer
	snap    string
	asOf    time.Time
	n       int
	buf     bytes.Buffer
	enc     *json.Encoder
	started bool
}

func (s *jsonSink) start() error {
	s.started = true
	s.enc = json.NewEncoder(&s.buf)
	s.enc.SetEscapeHTML(false)
	snap, err := s.encode(s.snap)
	if err != nil {
		return err
	}
	s.w.WriteString("{\n  \"snapshot\": ")
	s.w.Write(snap)
	asOf, err := s.encode(s.asOf)
	if err != nil {
		return err
	}
	s.w.WriteString(",\n  \"as_of\": ")
	s.w.Write(asOf)
	_, err = s.w.WriteString(",\n  \"accesses\": [")
	s.enc.SetIndent("    ", "  ")
	return err
}

// encode returns v's JSON without the encoder's trailing newline; the bytes
// are valid until the next call.
func (s *jsonSink) encode(v any) ([]byte, error) {
	s.buf.Reset()
	if err := s.enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")), nil
}

func (s *jsonSink) add(a analysis.Access) error {
	if !s.started {
		if err := s.start(); err != nil {
			return err
		}
	}
	sep := ",\n    "
	if s.n == 0 {
		sep = "\n    "
	}
	s.n++
	// Appended in place into the writer's free buffer when it fits, so the
	// write copies nothing (a new array when it does not).
	b, ok := jsonAccess(append(s.w.AvailableBuffer(), sep...), &a, "    ")
	if !ok { // what only encoding/json writes (and refuses)
		enc, err := s.encode(a)
		if err != nil {
			return err
		}
		b = append(append(b[:0], sep...), enc...)
	}
	_, err := s.w.Write(b)
	return err
}

func (s *jsonSink) finish() error {
	if !s.started {
		if err := s.start(); err != nil {
			return err
		}
	}
	end := "\n  ]\n}\n"
	if s.n == 0 {
		end = "]\n}\n"
	}
	_, err := s.w.WriteString(end)
	return err
}

func (s *jsonSink) abort() {}

// yamlSink writes the accessReport as YAML: the keys come sorted, so the
// accesses first, each as a one-item sequence indented under "accesses:"
// (yamlAccess, else the encoder), then as_of and snapshot.
type yamlSink struct {
	w       *bufio.Writer
	snap    string
	asOf    time.Time
	n       int
	buf     bytes.Buffer
	scalars yamlScalars // how the encoder writes each string, remembered
}

func (s *yamlSink) add(a analysis.Access) error {
	if s.n == 0 {
		s.w.WriteString("accesses:\n")
	}
	s.n++
	if b, ok := yamlAccess(s.w.AvailableBuffer(), &a, &s.scalars); ok {
		_, err := s.w.Write(b)
		return err
	}
	tree, err := jsonTree(a) // what only the encoder writes (or refuses)
	if err != nil {
		return err
	}
	s.buf.Reset()
	if err := writeYAML(&s.buf, []any{tree}); err != nil {
		return err
	}
	for line := range bytes.Lines(s.buf.Bytes()) {
		s.w.WriteString("  ")
		s.w.Write(line)
	}
	return nil
}

func (s *yamlSink) finish() error {
	rest := map[string]any{"as_of": s.asOf, "snapshot": s.snap}
	if s.n == 0 {
		rest["accesses"] = []analysis.Access{}
	}
	return writeYAML(s.w, rest)
}

func (s *yamlSink) abort() {}

// csvSink writes RFC 4180 CSV, every cell neutralised against formula
// injection (report.SafeCell), cell by cell into the buffer: a row makes no
// strings (a million rows of `whocan --kind`).
type csvSink struct {
	cw      *report.CSVWriter
	native  bool
	started bool
	path    []byte // appendPath's buffer, reused
}

// accessHeader is the CSV header; native answers add two columns.
var accessHeader = []string{"identity", "resource", "action", "authorized", "effective", "critical", "path", "authentication"}

func (s *csvSink) start() error {
	s.started = true
	header := accessHeader
	if s.native {
		header = append(header[:len(header):len(header)], "native_action", "conditional")
	}
	return s.cw.Write(header)
}

func (s *csvSink) add(a analysis.Access) error {
	if !s.started {
		if err := s.start(); err != nil {
			return err
		}
	}
	cw := s.cw
	cw.Cell(a.Identity)
	cw.Cell(a.Resource)
	cw.Cell(string(a.Action))
	cw.Cell(strconv.FormatBool(a.Authorized))
	cw.Cell(strconv.FormatBool(a.Effective))
	cw.Cell(strconv.FormatBool(a.Critical))
	if p := firstPath(a); len(p) > 0 {
		s.path = appendPath(s.path[:0], p)
		cw.CellBytes(s.path)
	} else {
		cw.Cell("-")
	}
	cw.Cell(formatAuth(a.Authentication))
	if s.native {
		cw.Cell(a.Native)
		cw.Cell(strconv.FormatBool(a.Conditional))
	}
	return cw.EndRow()
}

func (s *csvSink) finish() error {
	if !s.started {
		if err := s.start(); err != nil {
			return err
		}
	}
	s.cw.Flush()
	return s.cw.Error()
}

func (s *csvSink) abort() {}
