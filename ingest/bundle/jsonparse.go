package bundle

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/reachgraph/reachgraph/ingest"
)

// jsonParser parses one value from a byte slice. Containers are built into
// Values down to buildDepth (record → field → list item); deeper ones are
// checked and skipped. Strings without escapes are views of the slice.
type jsonParser struct {
	b         []byte
	i         int
	buf       []byte // scratch for unescaping
	truncated bool   // the value ran into the end of b: more input may complete it
}

func (p *jsonParser) reset(b []byte) { p.b, p.i, p.truncated = b, 0, false }

// view returns b as a string without copying; b must never change afterwards.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

const buildDepth = 3

// errorf returns a syntax error at p.i, whose line is relative to the start
// of b (0-based). An error at the end of b marks the value truncated.
func (p *jsonParser) errorf(format string, args ...any) error {
	if p.i >= len(p.b) {
		p.truncated = true
	}
	line := bytes.Count(p.b[:min(p.i, len(p.b))], []byte{'\n'})
	return &syntaxError{line: line, msg: fmt.Sprintf(format, args...)}
}

func (p *jsonParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

// value parses the value at p.i; fields is reused for the top object's fields.
func (p *jsonParser) value(depth int, fields []ingest.Field) (ingest.Value, error) {
	p.space()
	if p.i >= len(p.b) {
		return ingest.Value{}, p.errorf("unexpected end of input, expected a value")
	}
	if depth > maxJSONDepth {
		return ingest.Value{}, p.errorf("nesting deeper than %d levels", maxJSONDepth)
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth, fields)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str(depth <= buildDepth)
		return ingest.Value{Kind: ingest.String, Text: s}, err
	case c == 't':
		return ingest.Value{Kind: ingest.Bool, Text: "true"}, p.literal("true")
	case c == 'f':
		return ingest.Value{Kind: ingest.Bool, Text: "false"}, p.literal("false")
	case c == 'n':
		return ingest.Value{Kind: ingest.Null}, p.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		if err := p.number(); err != nil {
			return ingest.Value{}, err
		}
		text := ""
		if depth <= buildDepth {
			text = view(p.b[start:p.i])
		}
		return ingest.Value{Kind: ingest.Number, Text: text}, nil
	default:
		return ingest.Value{}, p.errorf("invalid character %s looking for the beginning of a value", quoteByte(c))
	}
}

func (p *jsonParser) object(depth int, fields []ingest.Field) (ingest.Value, error) {
	p.i++ // {
	build := depth <= buildDepth
	v := ingest.Value{Kind: ingest.Map}
	if build {
		v.Fields = fields[:0]
	}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return v, nil
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return v, p.unexpected("a string for an object key")
		}
		key, err := p.str(build)
		if err != nil {
			return v, err
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return v, p.unexpected("':' after an object key")
		}
		p.i++
		val, err := p.value(depth+1, nil)
		if err != nil {
			return v, err
		}
		if build {
			v.Fields = append(v.Fields, ingest.Field{Name: key, Value: val})
		}
		p.space()
		if p.i >= len(p.b) {
			return v, p.unexpected("',' or '}' after an object value")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return v, nil
		default:
			return v, p.unexpected("',' or '}' after an object value")
		}
	}
}

func (p *jsonParser) array(depth int) (ingest.Value, error) {
	p.i++ // [
	build := depth <= buildDepth
	v := ingest.Value{Kind: ingest.List}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return v, nil
	}
	for {
		item, err := p.value(depth+1, nil)
		if err != nil {
			return v, err
		}
		if build {
			v.Items = append(v.Items, item)
		}
		p.space()
		if p.i >= len(p.b) {
			return v, p.unexpected("',' or ']' after an array element")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return v, nil
		default:
			return v, p.unexpected("',' or ']' after an array element")
		}
	}
}

func (p *jsonParser) unexpected(what string) error {
	if p.i >= len(p.b) {
		return p.errorf("unexpected end of input, expected %s", what)
	}
	return p.errorf("invalid character %s, expected %s", quoteByte(p.b[p.i]), what)
}

func (p *jsonParser) literal(word string) error {
	if len(p.b)-p.i >= len(word) && string(p.b[p.i:p.i+len(word)]) == word {
		p.i += len(word)
		return nil
	}
	if rest := p.b[p.i:]; len(rest) < len(word) && string(rest) == word[:len(rest)] {
		p.truncated = true
	}
	return p.errorf("invalid literal, expected %q", word)
}

// number checks the JSON number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
func (p *jsonParser) number() error {
	b := p.b
	if p.i < len(b) && b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(b) && b[p.i] == '0':
		p.i++
	case p.i < len(b) && b[p.i] >= '1' && b[p.i] <= '9':
		for p.i < len(b) && b[p.i] >= '0' && b[p.i] <= '9' {
			p.i++
		}
	default:
		return p.unexpected("a digit")
	}
	if p.i < len(b) && b[p.i] == '.' {
		p.i++
		if p.i >= len(b) || b[p.i] < '0' || b[p.i] > '9' {
			return p.unexpected("a digit after the decimal point")
		}
		for p.i < len(b) && b[p.i] >= '0' && b[p.i] <= '9' {
			p.i++
		}
	}
	if p.i < len(b) && (b[p.i] == 'e' || b[p.i] == 'E') {
		p.i++
		if p.i < len(b) && (b[p.i] == '+' || b[p.i] == '-') {
			p.i++
		}
		if p.i >= len(b) || b[p.i] < '0' || b[p.i] > '9' {
			return p.unexpected("a digit in the exponent")
		}
		for p.i < len(b) && b[p.i] >= '0' && b[p.i] <= '9' {
			p.i++
		}
	}
	if p.i == len(b) { // the number may go on in the next buffer
		p.truncated = true
	}
	return nil
}

// str parses the string at p.i. With build false it only checks it.
func (p *jsonParser) str(build bool) (string, error) {
	p.i++ // opening quote
	start := p.i
	b := p.b
	for p.i < len(b) {
		c := b[p.i]
		if c == '"' {
			raw := b[start:p.i]
			p.i++
			if !build {
				return "", nil
			}
			return view(raw), nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return p.slowStr(start, build)
		}
		p.i++
	}
	return "", p.errorf("unexpected end of input inside a string")
}

// slowStr handles strings with escapes, control characters or non-ASCII.
func (p *jsonParser) slowStr(start int, build bool) (string, error) {
	out := append(p.buf[:0], p.b[start:p.i]...)
	b := p.b
	for p.i < len(b) {
		c := b[p.i]
		switch {
		case c == '"':
			p.i++
			p.buf = out
			if !build {
				return "", nil
			}
			return string(out), nil
		case c < 0x20:
			return "", p.errorf("invalid control character %s in a string (escape it)", quoteByte(c))
		case c == '\\':
			if p.i+1 >= len(b) {
				p.i = len(b)
				return "", p.errorf("unexpected end of input inside a string")
			}
			p.i += 2
			switch e := b[p.i-1]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					if rest := b[p.i:]; len(rest) < 6 && (len(rest) == 0 || rest[0] == '\\' && (len(rest) == 1 || rest[1] == 'u')) {
						p.i = len(b) // the low surrogate may be in the next buffer
						return "", p.errorf("unexpected end of input inside a string")
					}
					r2 := rune(-1)
					if p.i+1 < len(b) && b[p.i] == '\\' && b[p.i+1] == 'u' {
						save := p.i
						p.i += 2
						if r2, err = p.hex4(); err != nil {
							return "", err
						}
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							r = dec
						} else {
							p.i, r = save, utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", p.errorf("invalid escape %s in a string", strconv.Quote(`\`+string(e)))
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			p.i++
		default:
			r, size := utf8.DecodeRune(b[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errorf("invalid UTF-8 in a string")
			}
			out = append(out, b[p.i:p.i+size]...)
			p.i += size
		}
	}
	p.buf = out
	return "", p.errorf("unexpected end of input inside a string")
}

func (p *jsonParser) hex4() (rune, error) {
	if len(p.b)-p.i < 4 {
		p.i = len(p.b)
		return 0, p.errorf("unexpected end of input in a \\u escape")
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, p.errorf("invalid character %s in a \\u escape", quoteByte(c))
		}
	}
	p.i += 4
	return r, nil
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("0x%02x", c)
}
