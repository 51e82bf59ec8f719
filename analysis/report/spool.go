package report

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/schema"
)

// A Spool holds findings for a report too large to keep in memory: each
// finding is encoded once, as the JSON the report prints, with the fields
// the report sorts, counts and groups by beside it; records are kept in
// memory up to a budget, then sorted and written to a temporary file (a
// run), and read back in report order (rules.Sort) by merging the runs.
// Add may be called from several goroutines; Each and Close may not run
// while Add does.
type Spool struct {
	dir    string
	budget int

	mu    sync.Mutex
	recs  []*Record
	bytes int
	runs  []string
	n     int
	err   error
}

// Record is one spooled finding: its JSON (compact, HTML characters not
// escaped) and what the report reads without decoding it.
type Record struct {
	Severity   schema.Severity
	Category   schema.Category
	Rule       string
	Identity   string
	Resource   string
	Action     string
	Credential string
	ID         string
	Suppressed bool
	New        bool
	// Cause is the finding's root cause (Cause): kind, key, the one-line
	// change and the edges to remove as JSON ("" when none).
	CauseKind, CauseKey, Change string
	Cut                         []byte
	JSON                        []byte
}

// spoolPattern names the spool directories (os.MkdirTemp's pattern: the
// final * is random); each holds pidFile, the process that made it.
const (
	spoolPattern = "reachgraph-report-*"
	pidFile      = "pid"
)

// NewSpool returns an empty spool whose runs go to a new directory under
// dir ("" for the system's temporary directory) once more than budget bytes
// of records are held. It first removes the spool directories of report
// processes that were killed (removeAbandoned): a report at scale spools
// gigabytes, which a killed process cannot clean up.
func NewSpool(dir string, budget int) (*Spool, error) {
	removeAbandoned(dir)
	d, err := os.MkdirTemp(dir, spoolPattern)
	if err != nil {
		return nil, fmt.Errorf("report spool: %w", err)
	}
	if err := os.WriteFile(filepath.Join(d, pidFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		_ = os.RemoveAll(d)
		return nil, fmt.Errorf("report spool: %w", err)
	}
	return &Spool{dir: d, budget: budget}, nil
}

// Dir is the directory the spool writes its runs to.
func (s *Spool) Dir() string { return s.dir }

// Len is the number of findings added.
func (s *Spool) Len() int { return s.n }

// Close removes the spool's files.
func (s *Spool) Close() error { return os.RemoveAll(s.dir) }

// Add encodes fs (in the caller's goroutine) and adds them.
func (s *Spool) Add(fs []rules.Finding) error {
	recs := make([]*Record, len(fs))
	size := 0
	for i := range fs {
		r, err := encodeRecord(&fs[i])
		if err != nil {
			return err
		}
		recs[i] = r
		size += r.size()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.recs = append(s.recs, recs...)
	s.bytes += size
	s.n += len(recs)
	if s.bytes > s.budget {
		s.err = s.spill()
	}
	return s.err
}

func encodeRecord(f *rules.Finding) (*Record, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("report: encode finding %s: %w", f.ID, err)
	}
	kind, key, cut, change := Cause(f)
	r := &Record{Severity: f.Severity, Category: f.Category, Rule: f.Rule, Identity: f.Identity, Resource: f.Resource,
		Action: string(f.Action), Credential: f.Credential, ID: f.ID, Suppressed: f.Suppressed != nil, New: f.New,
		CauseKind: kind, CauseKey: key, Change: change, JSON: bytes.TrimSuffix(b.Bytes(), []byte("\n"))}
	if cut != nil {
		c, err := json.Marshal(cut)
		if err != nil {
			return nil, err
		}
		r.Cut = c
	}
	return r, nil
}

func (r *Record) size() int {
	return 64 + len(r.Rule) + len(r.Identity) + len(r.Resource) + len(r.Action) + len(r.Credential) + len(r.ID) +
		len(r.CauseKind) + len(r.CauseKey) + len(r.Change) + len(r.Cut) + len(r.JSON) + 10*16
}

// compareRecords is rules.Sort's order.
func compareRecords(a, b *Record) int {
	return cmp.Or(cmp.Compare(a.Severity.Rank(), b.Severity.Rank()), cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Identity, b.Identity), cmp.Compare(a.Resource, b.Resource),
		cmp.Compare(a.Action, b.Action), cmp.Compare(a.Credential, b.Credential), cmp.Compare(a.ID, b.ID))
}

// spill sorts the held records and writes them as one run.
func (s *Spool) spill() error {
	slices.SortFunc(s.recs, compareRecords)
	name := filepath.Join(s.dir, fmt.Sprintf("run-%06d", len(s.runs)))
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("report spool: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for _, r := range s.recs {
		writeRecord(w, r)
	}
	err = errors.Join(w.Flush(), f.Close())
	if err != nil {
		return fmt.Errorf("report spool: write %s: %w", name, err)
	}
	s.runs = append(s.runs, name)
	clear(s.recs)
	s.recs, s.bytes = s.recs[:0], 0
	return nil
}

func writeRecord(w *bufio.Writer, r *Record) {
	var n [binary.MaxVarintLen64]byte
	str := func(b []byte) {
		w.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
		w.Write(b)
	}
	flags := byte(0)
	if r.Suppressed {
		flags |= 1
	}
	if r.New {
		flags |= 2
	}
	w.WriteByte(flags)
	for _, v := range []string{string(r.Severity), string(r.Category), r.Rule, r.Identity, r.Resource, r.Action,
		r.Credential, r.ID, r.CauseKind, r.CauseKey, r.Change} {
		str([]byte(v))
	}
	str(r.Cut)
	str(r.JSON)
}

// readRecord reads the next record of a run; io.EOF at its end.
func readRecord(rd *bufio.Reader) (*Record, error) {
	flags, err := rd.ReadByte()
	if err != nil {
		return nil, err
	}
	var fields [13][]byte
	for i := range fields {
		n, err := binary.ReadUvarint(rd)
		if err != nil {
			return nil, io.ErrUnexpectedEOF
		}
		if n > 1<<30 {
			return nil, fmt.Errorf("report spool: record field of %d bytes", n)
		}
		fields[i] = make([]byte, n)
		if _, err := io.ReadFull(rd, fields[i]); err != nil {
			return nil, io.ErrUnexpectedEOF
		}
	}
	r := &Record{Suppressed: flags&1 != 0, New: flags&2 != 0, Severity: schema.Severity(fields[0]),
		Category: schema.Category(fields[1]), Rule: string(fields[2]), Identity: string(fields[3]),
		Resource: string(fields[4]), Action: string(fields[5]), Credential: string(fields[6]), ID: string(fields[7]),
		CauseKind: string(fields[8]), CauseKey: string(fields[9]), Change: string(fields[10]), Cut: fields[11],
		JSON: fields[12]}
	if len(r.Cut) == 0 {
		r.Cut = nil
	}
	return r, nil
}

// Each calls fn on every record in report order.
func (s *Spool) Each(fn func(*Record) error) error {
	if s.err != nil {
		return s.err
	}
	slices.SortFunc(s.recs, compareRecords)
	h := &mergeHeap{}
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, name := range s.runs {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("report spool: %w", err)
		}
		files = append(files, f)
		src := &mergeSource{rd: bufio.NewReaderSize(f, 256<<10), name: name}
		if err := src.next(); err != nil {
			return err
		}
		if src.cur != nil {
			h.srcs = append(h.srcs, src)
		}
	}
	if len(s.recs) > 0 {
		mem := &mergeSource{mem: s.recs}
		if err := mem.next(); err != nil {
			return err
		}
		h.srcs = append(h.srcs, mem)
	}
	heap.Init(h)
	for h.Len() > 0 {
		src := h.srcs[0]
		if err := fn(src.cur); err != nil {
			return err
		}
		if err := src.next(); err != nil {
			return err
		}
		if src.cur == nil {
			heap.Pop(h)
		} else {
			heap.Fix(h, 0)
		}
	}
	return nil
}

// Findings calls fn on every finding, decoded, in report order.
func (s *Spool) Findings(fn func(*rules.Finding) error) error {
	return s.Each(func(r *Record) error {
		var f rules.Finding
		if err := json.Unmarshal(r.JSON, &f); err != nil {
			return fmt.Errorf("report spool: decode finding %s: %w", r.ID, err)
		}
		return fn(&f)
	})
}

// mergeSource is one sorted run (a file, or the records still in memory).
type mergeSource struct {
	rd   *bufio.Reader
	name string
	mem  []*Record
	cur  *Record
}

func (m *mergeSource) next() error {
	if m.rd == nil {
		m.cur = nil
		if len(m.mem) > 0 {
			m.cur, m.mem = m.mem[0], m.mem[1:]
		}
		return nil
	}
	r, err := readRecord(m.rd)
	if err == io.EOF {
		m.cur = nil
		return nil
	}
	if err != nil {
		return fmt.Errorf("report spool: read %s: %w", m.name, err)
	}
	m.cur = r
	return nil
}

type mergeHeap struct{ srcs []*mergeSource }

func (h *mergeHeap) Len() int           { return len(h.srcs) }
func (h *mergeHeap) Less(i, j int) bool { return compareRecords(h.srcs[i].cur, h.srcs[j].cur) < 0 }
func (h *mergeHeap) Swap(i, j int)      { h.srcs[i], h.srcs[j] = h.srcs[j], h.srcs[i] }
func (h *mergeHeap) Push(x any)         { h.srcs = append(h.srcs, x.(*mergeSource)) }
func (h *mergeHeap) Pop() any {
	x := h.srcs[len(h.srcs)-1]
	h.srcs = h.srcs[:len(h.srcs)-1]
	return x
}

// cutOf decodes a record's cut.
func cutOf(r *Record) ([]analysis.Hop, error) {
	if r.Cut == nil {
		return nil, nil
	}
	var cut []analysis.Hop
	if err := json.Unmarshal(r.Cut, &cut); err != nil {
		return nil, fmt.Errorf("report spool: decode the cut of %s: %w", r.ID, err)
	}
	return cut, nil
}
