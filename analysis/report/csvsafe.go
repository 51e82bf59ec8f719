package report

import (
	"bufio"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// SafeCell neutralises a CSV cell against formula injection: a spreadsheet
// runs a cell starting with = + - @ (or a tab or carriage return before
// one) as a formula, so such a cell gets a leading apostrophe, which
// spreadsheets show as text and do not display. A lone "-" (the "none"
// placeholder) cannot be a formula and is kept.
func SafeCell(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

// formulaLike reports whether SafeCell prefixes s with an apostrophe.
func formulaLike(s string) bool {
	if len(s) == 0 || len(s) == 1 && s[0] == '-' {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// CSVWriter writes RFC 4180 CSV with every cell passed through SafeCell.
// Every CSV reachgraph writes goes through it. Its bytes are those of
// encoding/csv's Writer with its defaults (comma, "\n" line ends; a test
// compares the two on awkward cells), written straight into one buffer
// because encoding/csv was most of the time of a million-row `whocan
// --kind -o csv`.
type CSVWriter struct {
	w     *bufio.Writer
	cells int // cells written in the current row
}

// NewCSVWriter returns a CSVWriter on w; a *bufio.Writer of at least 4 KiB
// is written to directly.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: bufio.NewWriter(w)} }

// Write writes one row, each cell neutralised.
func (c *CSVWriter) Write(row []string) error {
	for _, cell := range row {
		c.Cell(cell)
	}
	return c.EndRow()
}

// Cell writes the next cell of the current row, neutralised.
func (c *CSVWriter) Cell(s string) { writeCell(c, s) }

// CellBytes is Cell for a cell held as bytes. The bytes are copied into
// the buffer (or written through) before it returns and never kept, so
// viewing them as a string costs no copy.
func (c *CSVWriter) CellBytes(b []byte) { writeCell(c, unsafe.String(unsafe.SliceData(b), len(b))) }

// EndRow ends the current row and reports any write error so far.
func (c *CSVWriter) EndRow() error {
	c.cells = 0
	return c.w.WriteByte('\n')
}

func writeCell(c *CSVWriter, s string) {
	w := c.w
	if c.cells > 0 {
		w.WriteByte(',')
	}
	c.cells++
	safe := formulaLike(s)
	if !needsQuotes(s, safe) {
		if safe {
			w.WriteByte('\'')
		}
		w.WriteString(s)
		return
	}
	w.WriteByte('"')
	if safe {
		w.WriteByte('\'')
	}
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			w.WriteString(s)
			break
		}
		w.WriteString(s[:i+1])
		w.WriteByte('"') // a quote is doubled
		s = s[i+1:]
	}
	w.WriteByte('"')
}

// needsQuotes is encoding/csv's fieldNeedsQuotes (comma, "\n" line ends) for
// the cell s, with an apostrophe in front of it when safe is set.
func needsQuotes(s string, safe bool) bool {
	if len(s) == 0 {
		return false
	}
	if len(s) == 2 && s[0] == '\\' && s[1] == '.' {
		return true
	}
	for i := 0; i < len(s); i++ {
		if quoted[s[i]] {
			return true
		}
	}
	if safe {
		return false // the cell starts with the apostrophe
	}
	if s[0] < utf8.RuneSelf {
		return asciiSpace[s[0]]
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

// quoted holds the bytes that make encoding/csv quote a cell.
var quoted = [256]bool{'\n': true, '\r': true, '"': true, ',': true}

// asciiSpace is unicode.IsSpace for the ASCII bytes.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// Flush writes any buffered data to the underlying writer.
func (c *CSVWriter) Flush() { c.w.Flush() }

// Error reports any error of a previous Write or Flush.
func (c *CSVWriter) Error() error {
	_, err := c.w.Write(nil)
	return err
}
