package sap

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// layout is how the cells of a table file are separated.
type layout uint8

const (
	layoutTab    layout = iota // SE16N "unconverted" / RFC_READ_TABLE: tab-separated
	layoutComma                // .csv: comma-separated, "…" quoting
	layoutFramed               // SE16 list: |-framed cells, dashed rule lines (or bars without a frame)
)

// rowError is a malformed line of a table file; reading goes on after it.
type rowError struct {
	line int
	msg  string
}

func (e *rowError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// tableFile streams the rows of one table extract: it decodes UTF-16 (with
// BOM) to UTF-8, finds the header line (technical field names) and splits
// every following line into trimmed cells. It never holds more than a line.
type tableFile struct {
	br      *bufio.Reader
	layout  layout
	line    int
	header  []string
	cells   []string
	scratch []byte
	sniffed bool
}

// newTableFile reads r; comma says the file is a .csv (the framed layout is
// recognised from the content whatever the extension).
func newTableFile(r io.Reader, comma bool) *tableFile {
	dec := unicode.BOMOverride(transform.Nop) // UTF-8 (BOM dropped) unless a UTF-16 BOM says otherwise
	t := &tableFile{br: bufio.NewReaderSize(transform.NewReader(r, dec), 256<<10)}
	if comma {
		t.layout = layoutComma
	}
	return t
}

// readLine returns the next line without its line ending; io.EOF at the end.
// The bytes are valid until the next call.
func (t *tableFile) readLine() ([]byte, error) {
	b, err := t.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		t.scratch = append(t.scratch[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = t.br.ReadSlice('\n')
			t.scratch = append(t.scratch, b...)
		}
		b = t.scratch
	}
	if len(b) == 0 && err != nil {
		return nil, err
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	t.line++
	b = bytes.TrimRight(b, "\r\n")
	return b, nil
}

// isRule reports a framed layout's rule line: only dashes, bars, plus signs
// and blanks, with at least one dash.
func isRule(b []byte) bool {
	dash := false
	for _, c := range b {
		switch c {
		case '-':
			dash = true
		case '|', '+', ' ', '\t':
		default:
			return false
		}
	}
	return dash
}

// next returns the cells of the next line that carries cells (blank lines,
// rule lines and, in the framed layout, title lines without a bar are
// skipped) and its line number. The cells are valid until the next call;
// io.EOF at the end.
func (t *tableFile) next() ([]string, int, error) {
	for {
		b, err := t.readLine()
		if err != nil {
			return nil, t.line, err
		}
		trimmed := bytes.TrimSpace(b)
		if len(trimmed) == 0 {
			continue
		}
		if !t.sniffed {
			switch {
			case trimmed[0] == '|' || isRule(trimmed):
				t.layout = layoutFramed
			case bytes.ContainsRune(b, t.sep()):
			case bytes.IndexByte(b, '|') >= 0:
				t.layout = layoutFramed // RFC_READ_TABLE with DELIMITER '|': bars, no frame
			default:
				continue // a title line above the header ("Table: AGR_1251")
			}
			t.sniffed = true
		}
		if t.layout == layoutFramed {
			if isRule(trimmed) || bytes.IndexByte(trimmed, '|') < 0 {
				continue // rule, title or footer line
			}
			if trimmed[0] == '|' {
				trimmed = bytes.TrimSuffix(trimmed[1:], []byte("|"))
			}
			return t.split(string(trimmed), '|'), t.line, nil
		}
		if t.layout == layoutComma {
			cells, err := t.splitCSV(string(b))
			if err != nil {
				return nil, t.line, &rowError{line: t.line, msg: err.Error()}
			}
			return cells, t.line, nil
		}
		return t.split(string(b), '\t'), t.line, nil
	}
}

func (t *tableFile) sep() rune {
	if t.layout == layoutComma {
		return ','
	}
	return '\t'
}

// split cuts s at sep into trimmed cells.
func (t *tableFile) split(s string, sep byte) []string {
	t.cells = t.cells[:0]
	for {
		i := strings.IndexByte(s, sep)
		if i < 0 {
			t.cells = append(t.cells, strings.TrimSpace(s))
			return t.cells
		}
		t.cells = append(t.cells, strings.TrimSpace(s[:i]))
		s = s[i+1:]
	}
}

// splitCSV cuts one comma-separated line; a cell may be "quoted" with ""
// for a quote inside.
func (t *tableFile) splitCSV(s string) ([]string, error) {
	t.cells = t.cells[:0]
	for {
		s = strings.TrimLeft(s, " ")
		if !strings.HasPrefix(s, `"`) {
			i := strings.IndexByte(s, ',')
			if i < 0 {
				t.cells = append(t.cells, strings.TrimSpace(s))
				return t.cells, nil
			}
			t.cells = append(t.cells, strings.TrimSpace(s[:i]))
			s = s[i+1:]
			continue
		}
		var sb strings.Builder
		i := 1
		for {
			j := strings.IndexByte(s[i:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unterminated quoted cell %d", len(t.cells)+1)
			}
			sb.WriteString(s[i : i+j])
			i += j + 1
			if i < len(s) && s[i] == '"' {
				sb.WriteByte('"')
				i++
				continue
			}
			break
		}
		t.cells = append(t.cells, strings.TrimSpace(sb.String()))
		rest := strings.TrimLeft(s[i:], " ")
		if rest == "" {
			return t.cells, nil
		}
		if rest[0] != ',' {
			return nil, fmt.Errorf("text after the closing quote of cell %d", len(t.cells))
		}
		s = rest[1:]
	}
}

// readHeader reads the header line: the technical field names, upper-cased.
// It returns io.EOF for a file without any line.
func (t *tableFile) readHeader() (int, error) {
	cells, line, err := t.next()
	if err != nil {
		return line, err
	}
	t.header = make([]string, len(cells))
	for i, c := range cells {
		t.header[i] = strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(c, "\ufeff")))
	}
	return line, nil
}
