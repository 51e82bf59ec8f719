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

	"github.com/klauspost/compress/s2"
	"github.com/reachgraph/reachgraph/analysis/jsonw"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/schema"
	fastjson "github.com/segmentio/encoding/json"
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
	seq   int // the number of the next run's files
	n     int
	err   error
	// closers release what reports over the spool hold (NewFromSpool).
	closers []func()
}

// Record is one spooled finding: its JSON (HTML characters not escaped,
// indented as the report prints it: findingPrefix) and what the report
// reads without decoding it.
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

// findingPrefix is the indentation of a finding in the JSON report.
const findingPrefix = "    "

// scratch holds the buffers findings are encoded in before their JSON is
// copied out at its exact size.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

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

// Close removes the spool's files and releases the groups of the reports
// made over it.
func (s *Spool) Close() error {
	for _, c := range s.closers {
		c()
	}
	s.closers = nil
	return os.RemoveAll(s.dir)
}

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
	// The JSON is written as the report prints it, indented as an element
	// of its findings array, so writing the report copies it.
	sc := scratch.Get().(*[]byte)
	defer scratch.Put(sc)
	js, ok := appendFinding((*sc)[:0], f, findingPrefix)
	if ok {
		*sc = js
		js = bytes.Clone(js)
	} else {
		var err error
		if js, err = indentedJSON(f, findingPrefix); err != nil {
			return nil, fmt.Errorf("report: encode finding %s: %w", f.ID, err)
		}
	}
	kind, key, cut, change := Cause(f)
	r := &Record{Severity: f.Severity, Category: f.Category, Rule: f.Rule, Identity: f.Identity, Resource: f.Resource,
		Action: string(f.Action), Credential: f.Credential, ID: f.ID, Suppressed: f.Suppressed != nil, New: f.New,
		CauseKind: kind, CauseKey: key, Change: change, JSON: js}
	if cut != nil {
		j := jsonw.Writer{Compact: true}
		if j.Hops(cut); j.Failed {
			c, err := json.Marshal(cut)
			if err != nil {
				return nil, err
			}
			j.B = c
		}
		r.Cut = j.B
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

// spill sorts the held records and writes them as one run: two files in
// the same order, the records without their JSON (run-N) and the JSON
// (run-N.json), so that the pass that counts and groups reads only the
// first.
func (s *Spool) spill() error {
	slices.SortFunc(s.recs, compareRecords)
	w, err := s.newRun()
	if err != nil {
		return err
	}
	for _, r := range s.recs {
		w.write(r)
	}
	if err := w.close(); err != nil {
		return err
	}
	s.runs = append(s.runs, w.name)
	clear(s.recs)
	s.recs, s.bytes = s.recs[:0], 0
	return nil
}

// runWriter writes one run: its records and, beside them, their JSON.
type runWriter struct {
	name         string
	files        [2]*os.File
	zmeta, zbody *s2.Writer
	meta, body   *bufio.Writer
}

// newRun creates the files of the spool's next run.
func (s *Spool) newRun() (*runWriter, error) {
	w := &runWriter{name: filepath.Join(s.dir, fmt.Sprintf("run-%06d", s.seq))}
	s.seq++
	for i, n := range []string{w.name, w.name + bodySuffix} {
		f, err := os.OpenFile(n, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			if w.files[0] != nil {
				w.files[0].Close()
			}
			return nil, fmt.Errorf("report spool: %w", err)
		}
		w.files[i] = f
	}
	w.zmeta, w.zbody = newRunWriter(w.files[0]), newRunWriter(w.files[1])
	w.meta, w.body = bufio.NewWriterSize(w.zmeta, 64<<10), bufio.NewWriterSize(w.zbody, 64<<10)
	return w, nil
}

func (w *runWriter) write(r *Record) { writeRecord(w.meta, w.body, r) }

func (w *runWriter) close() error {
	err := errors.Join(w.meta.Flush(), w.body.Flush(), w.zmeta.Close(), w.zbody.Close(), w.files[0].Close(), w.files[1].Close())
	if err != nil {
		return fmt.Errorf("report spool: write %s: %w", w.name, err)
	}
	return nil
}

// maxFanIn is how many runs one merge reads at once: each open run holds
// two files and their read buffers (about 150 KiB), and a report at ten
// million identities writes hundreds of runs. Beyond it, runs are first
// merged in groups of maxFanIn into longer runs (reduce). A variable for
// the tests.
var maxFanIn = 128

// reduce merges the runs, maxFanIn at a time, into longer ones until no
// more than maxFanIn are left; each merged run's files are removed once
// the run that holds its records is written.
func (s *Spool) reduce() error {
	for len(s.runs) > maxFanIn {
		var next []string
		for i := 0; i < len(s.runs); i += maxFanIn {
			group := s.runs[i:min(i+maxFanIn, len(s.runs))]
			if len(group) == 1 {
				next = append(next, group[0])
				continue
			}
			w, err := s.newRun()
			if err != nil {
				return err
			}
			err = merge(group, nil, true, func(r *Record) error { w.write(r); return nil })
			if err = errors.Join(err, w.close()); err != nil {
				return err
			}
			for _, name := range group {
				if err := errors.Join(os.Remove(name), os.Remove(name+bodySuffix)); err != nil {
					return fmt.Errorf("report spool: %w", err)
				}
			}
			next = append(next, w.name)
		}
		s.runs = next
	}
	return nil
}

// bodySuffix names the file of a run that holds the findings' JSON.
const bodySuffix = ".json"

// runBlock is the block size of a run's compressed stream. A reader holds
// about two blocks, and the merge reads every run at once (hundreds at ten
// million identities), so blocks are small.
const runBlock = 64 << 10

// newRunWriter compresses a run's file as it is written (S2, a Snappy
// extension: about a gigabyte a second per core). The findings' JSON is
// repetitive, indented text: compressed, the spool takes about an eighth
// of the disk space and traffic (tier M: 2.87 GB for a 22.5 GB report).
func newRunWriter(f *os.File) *s2.Writer {
	return s2.NewWriter(f, s2.WriterBlockSize(runBlock), s2.WriterConcurrency(1))
}

// newRunReader decompresses a run's file as it is read.
func newRunReader(f *os.File, size int) *bufio.Reader {
	return bufio.NewReaderSize(s2.NewReader(f, s2.ReaderMaxBlockSize(runBlock)), size)
}

func writeRecord(meta, body *bufio.Writer, r *Record) {
	var n [binary.MaxVarintLen64]byte
	str := func(w *bufio.Writer, s string) {
		w.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		w.WriteString(s)
	}
	// bs is str for bytes (a conversion to string would copy them).
	bs := func(w *bufio.Writer, b []byte) {
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
	meta.WriteByte(flags)
	for _, v := range []string{string(r.Severity), string(r.Category), r.Rule, r.Identity, r.Resource, r.Action,
		r.Credential, r.ID, r.CauseKind, r.CauseKey, r.Change} {
		str(meta, v)
	}
	bs(meta, r.Cut)
	bs(body, r.JSON)
}

// metaFields is how many length-prefixed fields follow a record's flags.
const metaFields = 12

// readField reads one length-prefixed field into buf (grown as needed).
func readField(rd *bufio.Reader, buf []byte) ([]byte, error) { return appendField(rd, buf[:0]) }

// appendField reads one length-prefixed field and appends it to dst.
func appendField(rd *bufio.Reader, dst []byte) ([]byte, error) {
	n, err := binary.ReadUvarint(rd)
	if err != nil {
		return dst, truncated(err)
	}
	if n > 1<<30 {
		return dst, fmt.Errorf("report spool: record field of %d bytes", n)
	}
	start := len(dst)
	dst = slices.Grow(dst, int(n))[:start+int(n)]
	if _, err := io.ReadFull(rd, dst[start:]); err != nil {
		return dst[:start], truncated(err)
	}
	return dst, nil
}

// truncated maps the end of a run's file inside a record to
// io.ErrUnexpectedEOF; any other error (a damaged compressed block) is
// returned as it is.
func truncated(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// interned are the fields of a record that take few values (severity,
// category, rule, action, cause kind), kept once per run instead of once per
// record.
var interned = [metaFields]bool{0: true, 1: true, 2: true, 5: true, 8: true}

// readRecord reads the next record of a run into r; io.EOF at its end. The
// JSON is read when body is not nil, appended to *arena (r.JSON is that
// part of it). strs holds the interned field values.
func readRecord(meta, body *bufio.Reader, r *Record, scratch *[]byte, strs map[string]string, arena *[]byte) error {
	flags, err := meta.ReadByte()
	if err != nil {
		return err
	}
	var fields [metaFields]string
	for i := range fields {
		b, err := readField(meta, *scratch)
		if err != nil {
			return err
		}
		*scratch = b
		if !interned[i] {
			fields[i] = string(b)
			continue
		}
		v, ok := strs[string(b)] // looked up without copying b
		if !ok {
			v = intern(strs, string(b))
		}
		fields[i] = v
	}
	*r = Record{Suppressed: flags&1 != 0, New: flags&2 != 0, Severity: schema.Severity(fields[0]),
		Category: schema.Category(fields[1]), Rule: fields[2], Identity: fields[3], Resource: fields[4],
		Action: fields[5], Credential: fields[6], ID: fields[7], CauseKind: fields[8], CauseKey: fields[9],
		Change: fields[10]}
	if fields[11] != "" {
		r.Cut = []byte(fields[11])
	}
	if body != nil {
		start := len(*arena)
		if *arena, err = appendField(body, *arena); err != nil {
			return err
		}
		r.JSON = (*arena)[start:len(*arena):len(*arena)]
	}
	return nil
}

// Each calls fn on every record in report order. The record and its JSON
// are valid only during the call.
func (s *Spool) Each(fn func(*Record) error) error { return s.each(true, fn) }

// eachMeta is Each without reading the findings' JSON (Record.JSON is
// empty for the records of a run).
func (s *Spool) eachMeta(fn func(*Record) error) error { return s.each(false, fn) }

func (s *Spool) each(withJSON bool, fn func(*Record) error) error {
	if s.err != nil {
		return s.err
	}
	if err := s.reduce(); err != nil {
		s.err = err
		return err
	}
	slices.SortFunc(s.recs, compareRecords)
	return merge(s.runs, s.recs, withJSON, fn)
}

// merge calls fn on every record of the runs and of mem (sorted), in
// report order. The JSON is read when withJSON is set. Each run is read
// and decompressed on its own goroutine, a batch or two ahead of the
// merge (readAhead), so that the merge and fn have a core to themselves:
// at scale this pass reads gigabytes and is the one part of a report that
// does not otherwise run in parallel.
func merge(runs []string, mem []*Record, withJSON bool, fn func(*Record) error) error {
	h := &mergeHeap{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var files []*os.File
	defer func() {
		close(stop)
		wg.Wait() // the readers are done with the files
		for _, f := range files {
			f.Close()
		}
	}()
	open := func(name string, size int) (*bufio.Reader, error) {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("report spool: %w", err)
		}
		files = append(files, f)
		return newRunReader(f, size), nil
	}
	var srcs []*mergeSource
	for _, name := range runs {
		meta, err := open(name, 16<<10)
		if err != nil {
			return err
		}
		var body *bufio.Reader
		if withJSON {
			if body, err = open(name+bodySuffix, 16<<10); err != nil {
				return err
			}
		}
		src := &mergeSource{batches: make(chan *runBatch, 1), free: make(chan *runBatch, 2)}
		for range 2 {
			src.free <- &runBatch{}
		}
		wg.Go(func() { readAhead(name, meta, body, src.batches, src.free, stop) })
		srcs = append(srcs, src)
	}
	if len(mem) > 0 {
		srcs = append(srcs, &mergeSource{mem: mem})
	}
	for _, src := range srcs {
		if err := src.next(); err != nil {
			return err
		}
		if src.cur != nil {
			h.srcs = append(h.srcs, src)
		}
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

// runBatch is a run's next records, read ahead of the merge: their JSON
// is in arena. A batch ends the run when err is io.EOF.
type runBatch struct {
	recs  []Record
	arena []byte
	err   error
}

// Limits of a runBatch: a merge reads up to maxFanIn runs at once, each
// with two batches (one merged, one read), about 16 MiB in all.
// Variables for the tests.
var (
	batchRecords = 256
	batchBytes   = 64 << 10
)

// readAhead reads the records of one run (JSON from body unless it is
// nil) in batches: it fills a batch from free and sends it on out, until
// the run ends or fails (the last batch sent carries the error, io.EOF at
// the end) or stop is closed.
func readAhead(name string, meta, body *bufio.Reader, out chan<- *runBatch, free <-chan *runBatch, stop <-chan struct{}) {
	var scratch []byte
	strs := map[string]string{}
	for {
		var b *runBatch
		select {
		case b = <-free:
		case <-stop:
			return
		}
		clear(b.recs)
		b.recs, b.arena = b.recs[:0], b.arena[:0]
		for len(b.recs) < batchRecords && len(b.arena) < batchBytes {
			var r Record
			if err := readRecord(meta, body, &r, &scratch, strs, &b.arena); err != nil {
				if err != io.EOF {
					err = fmt.Errorf("report spool: read %s: %w", name, err)
				}
				b.err = err
				break
			}
			b.recs = append(b.recs, r)
		}
		select {
		case out <- b:
		case <-stop:
			return
		}
		if b.err != nil {
			return
		}
	}
}

// Findings calls fn on every finding, decoded, in report order. Reading
// and decoding run on their own goroutine, a batch ahead of fn, so a
// writer formats one batch while the next is decoded.
func (s *Spool) Findings(fn func(*rules.Finding) error) error {
	return s.findings(func(d *decoded) error { return fn(d.f) })
}

// decoded is a decoded finding with the root cause its record holds.
type decoded struct {
	f                 *rules.Finding
	kind, key, change string
}

func (s *Spool) findings(fn func(*decoded) error) error {
	return ahead(64, func(emit func(decoded) bool) error {
		return s.Each(func(r *Record) error {
			f, err := decodeFinding(r)
			if err != nil {
				return err
			}
			// The record's strings are its own (readRecord makes them).
			if !emit(decoded{f, r.CauseKind, r.CauseKey, r.Change}) {
				return errAheadStopped
			}
			return nil
		})
	}, fn)
}

// errAheadStopped ends a producer of ahead whose consumer has failed.
var errAheadStopped = errors.New("stopped")

// ahead runs produce on another goroutine and hands what it emits to fn in
// batches of batchLen, so that fn works on one batch while the next is
// produced. emit returns false once fn has failed: produce should then
// stop (returning errAheadStopped, or any error: it is ignored). ahead
// returns fn's error, else produce's, and leaves no goroutine behind.
func ahead[T any](batchLen int, produce func(emit func(T) bool) error, fn func(*T) error) error {
	batches := make(chan []T, 2)
	stop := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		defer close(batches)
		b := make([]T, 0, batchLen)
		stopped := false
		send := func() bool {
			select {
			case batches <- b:
				b = make([]T, 0, batchLen)
				return true
			case <-stop:
				stopped = true
				return false
			}
		}
		err := produce(func(v T) bool {
			if b = append(b, v); len(b) == batchLen {
				return send()
			}
			return true
		})
		if err == nil && len(b) > 0 {
			send()
		}
		if stopped {
			err = nil
		}
		errc <- err
	}()
	var err error
	for b := range batches {
		for i := range b {
			if err = fn(&b[i]); err != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	close(stop)
	for range batches { // let the producer see stop and finish
	}
	if perr := <-errc; err == nil {
		err = perr
	}
	return err
}

// decodeFinding decodes a spooled finding. The spool holds the JSON the
// report prints, so every format but JSON decodes each finding once; the
// decoder is a drop-in for encoding/json's (same results, tested against
// it) that decodes these documents about four times faster.
func decodeFinding(r *Record) (*rules.Finding, error) {
	var f rules.Finding
	if err := fastjson.Unmarshal(r.JSON, &f); err != nil {
		return nil, fmt.Errorf("report spool: decode finding %s: %w", r.ID, err)
	}
	return &f, nil
}

// mergeSource is one sorted run (a file read ahead by readAhead, or the
// records still in memory).
type mergeSource struct {
	mem           []*Record
	batches, free chan *runBatch
	batch         *runBatch // the batch cur is in
	i             int       // the index of cur in batch
	cur           *Record
}

func (m *mergeSource) next() error {
	if m.batches == nil {
		m.cur = nil
		if len(m.mem) > 0 {
			m.cur, m.mem = m.mem[0], m.mem[1:]
		}
		return nil
	}
	m.i++
	for m.batch == nil || m.i >= len(m.batch.recs) {
		if m.batch != nil {
			if err := m.batch.err; err != nil {
				m.cur, m.batches = nil, nil
				if err == io.EOF {
					return nil
				}
				return err
			}
			m.free <- m.batch // room: the reader holds at most the other one
		}
		m.batch, m.i = <-m.batches, 0
	}
	m.cur = &m.batch.recs[m.i]
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

// intern returns the copy of s that strs holds, adding s when it has none.
func intern(strs map[string]string, s string) string {
	if v, ok := strs[s]; ok {
		return v
	}
	strs[s] = s
	return s
}
