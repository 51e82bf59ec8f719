package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode/utf8"

	"github.com/reachgraph/reachgraph/analysis"
)

// tableColumns is the number of aligned columns of the access table; the
// path, last, is not padded.
const tableColumns = 6

// tableHeader is the access table's header row.
var tableHeader = [tableColumns + 1]string{"IDENTITY", "RESOURCE", "ACTION", "ACCESS", "CRITICAL", "AUTHENTICATION", "PATH"}

// tableSpill is how many bytes of rows the table holds in memory before it
// moves them to a temporary file (a variable so tests can lower it).
var tableSpill = 32 << 20

// tableSink writes the access table in two passes, so that its columns are
// as wide as their widest cell over the whole answer, exactly as
// text/tabwriter (padding 2) aligns it: the first pass keeps each row's
// escaped cells, tab-separated, in memory and, past tableSpill bytes, in a
// private temporary file (removed at the end), and measures the columns;
// finish writes the rows padded. Memory stays bounded whatever the number
// of rows.
type tableSink struct {
	g      *globals
	w      *bufio.Writer
	head   string
	widths [tableColumns]int
	rows   bytes.Buffer
	spill  *os.File
	spillw *bufio.Writer
	n, eff int
	path   []byte // appendPath's buffer, reused
}

func (s *tableSink) add(a analysis.Access) error {
	if s.n == 0 {
		for i, c := range tableHeader {
			s.cell(i, c)
		}
	}
	s.n++
	if a.Effective {
		s.eff++
	}
	s.cell(0, a.Identity)
	s.cell(1, a.Resource)
	if a.Native != "" {
		s.cell(2, a.Native+" ("+string(a.Action)+")")
	} else {
		s.cell(2, string(a.Action))
	}
	s.cell(3, accessWord(a))
	s.cell(4, yesNo(a.Critical))
	s.cell(5, s.g.fit(formatAuth(a.Authentication)))
	if p := firstPath(a); len(p) > 0 {
		s.path = appendPath(s.path[:0], p)
		if len(s.path) <= maxCell { // fewer runes than bytes: fit keeps it whole
			s.cellBytes(6, s.path)
		} else {
			s.cell(6, s.g.fit(string(s.path)))
		}
	} else {
		s.cell(6, "-")
	}
	if s.spill == nil && s.rows.Len() >= tableSpill {
		return s.spillRows()
	}
	if s.spill != nil && s.rows.Len() >= 1<<20 {
		_, err := s.rows.WriteTo(s.spillw)
		return err
	}
	return nil
}

// cell keeps column i's cell of the current row, escaped (escapeText), and
// measures it.
func (s *tableSink) cell(i int, c string) {
	width := len(c)
	if !plainText(c) {
		c = escapeText(c)
		width = utf8.RuneCountInString(c)
	}
	s.rows.WriteString(c)
	s.endCell(i, width)
}

// cellBytes is cell for a cell held as bytes, kept without a copy when it
// needs no escaping.
func (s *tableSink) cellBytes(i int, b []byte) {
	if !plainText(b) {
		s.cell(i, string(b))
		return
	}
	s.rows.Write(b)
	s.endCell(i, len(b))
}

// endCell ends column i's cell, width runes wide: the cells of a row are
// kept tab-separated and the last ends the line.
func (s *tableSink) endCell(i, width int) {
	if i < tableColumns {
		s.widths[i] = max(s.widths[i], width)
		s.rows.WriteByte('\t')
		return
	}
	s.rows.WriteByte('\n')
}

func (s *tableSink) spillRows() error {
	f, err := os.CreateTemp("", "reachgraph-table-*") // mode 0600
	if err != nil {
		return fmt.Errorf("table output: %w", err)
	}
	s.spill, s.spillw = f, bufio.NewWriterSize(f, 1<<20)
	_, err = s.rows.WriteTo(s.spillw)
	return err
}

func (s *tableSink) finish() error {
	defer s.abort()
	s.w.WriteString(s.head)
	if s.n == 0 {
		_, err := s.w.WriteString("no access found\n")
		return err
	}
	var in io.Reader = &s.rows
	if s.spill != nil {
		if _, err := s.rows.WriteTo(s.spillw); err != nil {
			return err
		}
		if err := s.spillw.Flush(); err != nil {
			return err
		}
		if _, err := s.spill.Seek(0, io.SeekStart); err != nil {
			return err
		}
		in = s.spill
	}
	if err := s.pad(bufio.NewReaderSize(in, 1<<20)); err != nil {
		return err
	}
	_, err := fmt.Fprintf(s.w, "%d accesses: %d effective, %d latent\n", s.n, s.eff, s.n-s.eff)
	return err
}

// pad copies the kept rows, each aligned cell followed by spaces up to its
// column's width plus 2.
func (s *tableSink) pad(r *bufio.Reader) error {
	var spaces [64]byte
	for i := range spaces {
		spaces[i] = ' '
	}
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, io.EOF) && len(line) == 0 {
			return nil
		}
		if err != nil {
			return fmt.Errorf("table output: %w", err)
		}
		for col := 0; col < tableColumns; col++ {
			i := bytes.IndexByte(line, '\t')
			if i < 0 {
				return errors.New("table output: a kept row lost a cell (" + strconv.Itoa(col) + ")")
			}
			s.w.Write(line[:i])
			for pad := s.widths[col] + 2 - utf8.RuneCount(line[:i]); pad > 0; pad -= len(spaces) {
				s.w.Write(spaces[:min(pad, len(spaces))])
			}
			line = line[i+1:]
		}
		if _, err := s.w.Write(line); err != nil {
			return err
		}
	}
}

// abort removes the temporary file, if any.
func (s *tableSink) abort() {
	if s.spill != nil {
		_ = s.spill.Close()
		_ = os.Remove(s.spill.Name())
		s.spill = nil
	}
}
