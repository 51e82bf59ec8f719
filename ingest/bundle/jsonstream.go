package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/reachgraph/reachgraph/ingest"
)

// The JSON reader streams. jsonStream reads the input into buffers that are
// never written again once filled, and jsonParser parses each section element
// (and each top-level key and header value) in place, strictly (RFC 8259),
// into ingest Values whose strings are views of those buffers (no copy). ingest
// copies the strings it keeps, so a buffer is garbage once its records are
// encoded. An element cut by the end of a buffer is parsed again after the rest
// is read into a new buffer. Measured on this project's records,
// encoding/json's Decoder needs ~13 ns/byte just to cut an element out of the
// stream (Decode into json.RawMessage), which alone misses the 50 MB/s target
// once validation is added; this parser makes one pass and reports positions
// exactly.

const (
	maxJSONDepth = 256 // nesting limit; bundles need 3
	readBufSize  = 256 << 10
)

// syntaxError is a syntax error at a line of the input.
type syntaxError struct {
	line int
	msg  string
}

func (e *syntaxError) Error() string { return e.msg }

// jsonStream reads a JSON document from r in chunks and tracks the line.
type jsonStream struct {
	r    io.Reader
	buf  []byte
	pos  int
	end  int
	line int // line of buf[pos]
	eof  bool
	err  error // a read error other than io.EOF

	maxValue int // largest single element or header value (ingest.Limits.RecordBytes)
}

func newJSONStream(r io.Reader, maxValue int) *jsonStream {
	return &jsonStream{r: r, line: 1, maxValue: maxValue}
}

// fill makes sure a byte is available at pos; false at the end of input.
func (s *jsonStream) fill() bool {
	if s.pos < s.end {
		return true
	}
	return s.more()
}

// more reads more input after buf[pos:end] into a new buffer, carrying the
// unread bytes over: old buffers are never written again, because parsed
// strings are views of them. It reports whether any byte was added.
func (s *jsonStream) more() bool {
	if s.eof || s.err != nil {
		return false
	}
	carry := s.end - s.pos
	buf := make([]byte, max(readBufSize, 2*carry))
	copy(buf, s.buf[s.pos:s.end])
	s.buf, s.pos, s.end = buf, 0, carry
	for s.end == carry {
		n, err := s.r.Read(buf[s.end:])
		s.end += n
		if err == io.EOF {
			s.eof = true
			break
		}
		if err != nil {
			s.err = err
			break
		}
	}
	return s.end > carry
}

// skipSpace skips JSON whitespace and returns the next byte, or false at EOF.
func (s *jsonStream) skipSpace() (byte, bool) {
	for s.fill() {
		for s.pos < s.end {
			switch c := s.buf[s.pos]; c {
			case ' ', '\t', '\r':
				s.pos++
			case '\n':
				s.pos++
				s.line++
			default:
				return c, true
			}
		}
	}
	return 0, false
}

// expect consumes the byte c after whitespace, or returns a syntax error.
func (s *jsonStream) expect(c byte, what string) error {
	got, ok := s.skipSpace()
	if !ok {
		return s.syntaxf("unexpected end of input, expected %s", what)
	}
	if got != c {
		return s.syntaxf("invalid character %s, expected %s", quoteByte(got), what)
	}
	s.pos++
	return nil
}

func (s *jsonStream) syntaxf(format string, args ...any) error {
	return &syntaxError{line: s.line, msg: fmt.Sprintf(format, args...)}
}

// skipValue skips the JSON value at the next non-space byte without keeping
// it (an unknown top-level key's value). It only checks that brackets balance.
func (s *jsonStream) skipValue() error {
	first, ok := s.skipSpace()
	if !ok {
		return s.syntaxf("unexpected end of input, expected a value")
	}
	scalar := first != '{' && first != '[' && first != '"'
	depth, inStr, esc := 0, false, false
	for {
		if !s.fill() {
			if scalar && s.err == nil {
				return nil
			}
			return s.syntaxf("unexpected end of input inside a value")
		}
		chunk := s.buf[s.pos:s.end]
		i, done := 0, false
	scan:
		for ; i < len(chunk); i++ {
			c := chunk[i]
			switch {
			case scalar:
				if c == ',' || c == ']' || c == '}' || c == ' ' || c == '\n' || c == '\t' || c == '\r' {
					done = true
					break scan
				}
			case inStr:
				switch {
				case esc:
					esc = false
				case c == '\\':
					esc = true
				case c == '"':
					inStr = false
					if depth == 0 {
						i++
						done = true
						break scan
					}
				}
			case c == '"':
				inStr = true
			case c == '{' || c == '[':
				if depth++; depth > maxJSONDepth {
					return s.syntaxf("nesting deeper than %d levels", maxJSONDepth)
				}
			case c == '}' || c == ']':
				if depth--; depth <= 0 {
					i++
					done = true
					break scan
				}
			}
		}
		s.line += bytes.Count(chunk[:i], []byte{'\n'})
		s.pos += i
		if done {
			return nil
		}
	}
}

// value parses the JSON value at the next non-space byte in place; fields is
// reused for the fields of a top-level object. An error is a *syntaxError
// with an absolute line, or a read error.
func (s *jsonStream) value(p *jsonParser, fields []ingest.Field) (ingest.Value, error) {
	if _, ok := s.skipSpace(); !ok {
		if s.err != nil {
			return ingest.Value{}, s.err
		}
		return ingest.Value{}, s.syntaxf("unexpected end of input, expected a value")
	}
	for {
		p.reset(s.buf[s.pos:s.end])
		v, err := p.value(1, fields)
		if p.truncated && !s.eof && s.err == nil {
			if s.end-s.pos >= s.maxValue {
				return v, s.syntaxf("a single record or value is larger than the %s limit", ingest.ByteSize(int64(s.maxValue)))
			}
			if s.more() {
				continue
			}
		}
		if s.err != nil {
			return v, s.err
		}
		if err != nil {
			var se *syntaxError
			if errors.As(err, &se) {
				return v, &syntaxError{line: s.line + se.line, msg: se.msg}
			}
			return v, err
		}
		s.line += bytes.Count(s.buf[s.pos:s.pos+p.i], []byte{'\n'})
		s.pos += p.i
		return v, nil
	}
}
