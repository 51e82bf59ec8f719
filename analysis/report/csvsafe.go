package report

import (
	"encoding/csv"
	"io"
)

// SafeCell neutralises a CSV cell against formula injection: a spreadsheet
// runs a cell starting with = + - @ (or a tab or carriage return before
// one) as a formula, so such a cell gets a leading apostrophe, which
// spreadsheets show as text and do not display. A lone "-" (the "none"
// placeholder) cannot be a formula and is kept.
func SafeCell(s string) string {
	if s == "" || s == "-" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// CSVWriter writes RFC 4180 CSV (encoding/csv) with every cell passed
// through SafeCell. Every CSV reachgraph writes goes through it.
type CSVWriter struct {
	w   *csv.Writer
	row []string
}

// NewCSVWriter returns a CSVWriter on w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w)} }

// Write writes one row, each cell neutralised.
func (c *CSVWriter) Write(row []string) error {
	c.row = c.row[:0]
	for _, cell := range row {
		c.row = append(c.row, SafeCell(cell))
	}
	return c.w.Write(c.row)
}

// Flush writes any buffered data to the underlying writer.
func (c *CSVWriter) Flush() { c.w.Flush() }

// Error reports any error of a previous Write or Flush.
func (c *CSVWriter) Error() error { return c.w.Error() }
