package bundle

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// HeaderFile is the CSV file holding a directory bundle's header row.
const HeaderFile = "bundle.csv"

// CSVColumn is the CSV column name of a field, or of one sub-field of an
// object field: owners.business becomes owner_business (the field name in the
// singular, "_", the sub-field name); every other column is the field name.
func CSVColumn(f schema.Field, sub string) string {
	if sub == "" {
		return f.Name
	}
	return strings.TrimSuffix(f.Name, "s") + "_" + sub
}

// csvFileNames are the file names a CSV directory may hold, in reading order.
func csvFileNames() []string {
	names := []string{HeaderFile}
	for _, s := range schema.Sections {
		names = append(names, s.Name+".csv")
	}
	return names
}

// readCSVDir reads a bundle laid out as a directory of CSV files: bundle.csv
// for the header and one file per section. Problems carry lines.
func readCSVDir(ctx context.Context, dir string, in *ingest.Input) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, n := range csvFileNames() {
		known[n] = true
	}
	present := map[string]bool{}
	var unknown []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.EqualFold(filepath.Ext(name), ".csv") {
			continue
		}
		if known[name] {
			present[name] = true
		} else {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		in.Problemf(filepath.Join(dir, name), "unknown CSV file%s (allowed: %s)",
			suggestFile(name), strings.Join(csvFileNames(), ", "))
	}
	if !present[HeaderFile] {
		in.NoHeader(filepath.Join(dir, HeaderFile), "missing "+HeaderFile+": a CSV bundle needs it, with the header format,source,collected_at and one row")
	}
	for _, name := range csvFileNames() {
		if !present[name] {
			continue
		}
		if err := readCSVFile(ctx, in, dir, name); err != nil {
			return err
		}
	}
	return nil
}

func suggestFile(name string) string {
	base := strings.ToLower(strings.TrimSuffix(name, filepath.Ext(name)))
	for _, n := range csvFileNames() {
		if strings.TrimSuffix(n, ".csv") == base || strings.TrimSuffix(n, "s.csv") == base || strings.TrimSuffix(n, ".csv") == base+"s" {
			return ` (did you mean "` + n + `"?)`
		}
	}
	return ""
}

func readCSVFile(ctx context.Context, in *ingest.Input, dir, name string) error {
	f, err := in.Open(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	defer f.Close()
	rl := &recordLimit{r: f, max: f.Limits().RecordBytes + readBufSize}
	r := csv.NewReader(bufio.NewReaderSize(rl, readBufSize))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	c := &csvReader{f: f, r: r, rl: rl}
	if name == HeaderFile {
		err = c.header()
	} else {
		err = c.section(ctx, strings.TrimSuffix(name, ".csv"))
	}
	if err != nil {
		return err
	}
	return f.Close()
}

type csvReader struct {
	f    *ingest.File
	r    *csv.Reader
	rl   *recordLimit
	line int // the last line of the last record read
}

// errRecordTooLarge ends a CSV file whose record is over the cap.
var errRecordTooLarge = errors.New("CSV record too large")

// recordLimit caps the bytes read for one CSV record (reset after each):
// encoding/csv keeps a whole record in memory, so a 1 GB cell would take
// gigabytes before any check on the cell could run. The count restarts
// after each record, so bytes read ahead for the next one are not counted:
// a record is cut off after RecordBytes plus at most two read buffers.
type recordLimit struct {
	r      io.Reader
	n, max int
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.n >= l.max {
		return 0, errRecordTooLarge
	}
	if len(p) > l.max-l.n {
		p = p[:l.max-l.n]
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

// column is what one CSV column holds.
type column struct {
	field string // field name; "" for a column to ignore
	sub   string // sub-field of an object field
}

// next reads the next row; bad rows are reported and skipped. It returns
// io.EOF at the end and other errors only for I/O failures.
func (c *csvReader) next() ([]string, int, error) {
	for {
		row, err := c.r.Read()
		var pe *csv.ParseError
		switch {
		case err == nil:
			c.rl.n = 0
			line, _ := c.r.FieldPos(0)
			c.line, _ = c.r.FieldPos(len(row) - 1)
			return row, line, nil
		case errors.Is(err, errRecordTooLarge):
			c.f.Stop(c.line+1, "", fmt.Sprintf("the CSV record starting on this line is larger than the %s limit",
				ingest.ByteSize(int64(c.f.Limits().RecordBytes))))
			return nil, 0, io.EOF
		case errors.As(err, &pe) && (errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote)):
			c.f.Problemf(pe.Line, "", "invalid CSV: %v (column %d)", pe.Err, pe.Column)
			if c.f.Full() {
				return nil, 0, io.EOF
			}
		case errors.As(err, &pe):
			c.f.Problemf(pe.Line, "", "invalid CSV: %v", pe.Err)
			return nil, 0, io.EOF
		default:
			return nil, 0, err
		}
	}
}

// columns maps a header row to fields, reporting unknown, duplicate and secret
// columns and missing required ones.
func (c *csvReader) columns(row []string, line int, fields []schema.Field, section string) []column {
	cols := make([]column, len(row))
	byColumn := map[string]column{}
	var allowed []string
	for _, f := range fields {
		if f.Type == schema.TObject {
			for _, sub := range f.Sub {
				byColumn[CSVColumn(f, sub.Name)] = column{field: f.Name, sub: sub.Name}
				allowed = append(allowed, CSVColumn(f, sub.Name))
			}
			continue
		}
		byColumn[f.Name] = column{field: f.Name}
		allowed = append(allowed, f.Name)
	}
	seen := map[string]bool{}
	for i, name := range row {
		if i == 0 {
			name = strings.TrimPrefix(name, "\uFEFF") // a byte order mark from spreadsheets
		}
		col, ok := byColumn[name]
		switch {
		case !ok && ingest.IsSecretName(name):
			c.f.Problemf(line, "", "column %q carries a secret; reachgraph never stores secret values: remove it from the input (the value is not shown)", name)
		case !ok:
			c.f.Problemf(line, "", "unknown column %q%s", name, ingest.DidYouMean(name, allowed))
		case seen[name]:
			c.f.Problemf(line, "", "duplicate column %q", name)
		default:
			seen[name] = true
			cols[i] = col
		}
	}
	for _, f := range fields {
		if section != "" && f.Required && !seen[f.Name] {
			c.f.Problemf(line, "", "missing required column %q", f.Name)
			c.f.SkipRequired(section, f.Name)
		}
	}
	return cols
}

func (c *csvReader) header() error {
	row, headLine, err := c.next()
	if err == io.EOF { // reported as missing header fields
		c.f.Header(nil, 1)
		return nil
	}
	if err != nil {
		return err
	}
	cols := c.columns(row, headLine, schema.HeaderFields, "")
	row, line, err := c.next()
	if err == io.EOF { // reported as missing header fields
		c.f.Header(nil, headLine)
		return nil
	}
	if err != nil {
		return err
	}
	if len(row) != len(cols) {
		c.f.Problemf(line, "", "row has %d cells, the header has %d", len(row), len(cols))
	}
	fields := c.cells(cols, row, line)
	if _, extra, err := c.next(); err == nil {
		c.f.Problem(extra, "", "more than one data row; "+HeaderFile+" has exactly one")
	} else if err != io.EOF {
		return err
	}
	c.f.Header(fields, line)
	return nil
}

func (c *csvReader) section(ctx context.Context, name string) error {
	sec, _ := schema.SectionByName(name)
	row, line, err := c.next()
	if err == io.EOF {
		return nil // an empty file is an empty section
	}
	if err != nil {
		return err
	}
	cols := c.columns(row, line, sec.Fields, name)
	rec := ingest.Record{Section: name}
	for i := 0; ; i++ {
		if i%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row, line, err := c.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(row) != len(cols) {
			c.f.Problemf(line, "", "row has %d cells, the header has %d", len(row), len(cols))
			continue
		}
		rec.Fields = c.cells(cols, row, line)
		rec.Line, rec.Index = line, i
		c.f.Add(&rec)
	}
}

// cells turns one row into fields: empty cells are unset, object sub-columns
// are gathered into one Map field.
func (c *csvReader) cells(cols []column, row []string, line int) []ingest.Field {
	var fields []ingest.Field
	for i, cell := range row {
		if i >= len(cols) || cell == "" || cols[i].field == "" {
			continue
		}
		col := cols[i]
		if !utf8.ValidString(cell) {
			c.f.Problemf(line, "", "%s: invalid UTF-8", columnName(col))
			continue
		}
		v := ingest.Value{Kind: ingest.Text, Text: cell}
		if col.sub == "" {
			fields = append(fields, ingest.Field{Name: col.field, Value: v, Line: line})
			continue
		}
		j := 0
		for j < len(fields) && fields[j].Name != col.field {
			j++
		}
		if j == len(fields) {
			fields = append(fields, ingest.Field{Name: col.field, Value: ingest.Value{Kind: ingest.Map}, Line: line})
		}
		fields[j].Value.Fields = append(fields[j].Value.Fields, ingest.Field{Name: col.sub, Value: v, Line: line})
	}
	return fields
}

func columnName(col column) string {
	if col.sub == "" {
		return col.field
	}
	return col.field + "." + col.sub
}
