package ingest

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/spill"
)

// loader is the state of one Load: the id namespace, the problems, and the
// validated records waiting for the commit. It is used by one goroutine.
type loader struct {
	max      int
	limits   Limits
	progress func(read, total int64)
	read     int64
	total    int64

	ids       map[string]uint32 // node id → kind bit | index in fileNames << 8
	replayed  bool              // replay has run (it releases the buffers)
	fileNames []string
	counts    map[string]int // problems per file name
	problems  []Problem
	omitted   int

	placeholders map[string]*placeholder // ids declared by a placeholder only, so far

	deferred []deferredRef // references whose target was not declared yet
	parents  []parentLink  // resources with a parent, for the cycle check

	bufs    []recordBuf    // validated records per schema section
	pool    *spill.Pool    // where bufs put their sealed chunks
	chunk   int            // when set, the size of every recordBuf chunk (tests)
	lastRef [][32]resolved // per section and field: the last resolved reference
	b       builder
	vals    []parsed

	open    []*File
	files   []graph.SourceFile
	streams map[string]*stream // pipes and other streams peeked before they are opened

	// stopped is set when a reader gave up on a file (a syntax error): the
	// rest of that file is unknown, so whole-load checks (dangling references,
	// cycles, a missing header) would only produce noise and are skipped.
	stopped bool
}

func newLoader(opts Options) *loader {
	l := &loader{
		max:      opts.MaxProblemsPerFile,
		limits:   opts.Limits.withDefaults(),
		progress: opts.Progress,
		ids:      make(map[string]uint32),
		counts:   make(map[string]int),
		bufs:     make([]recordBuf, len(specs)),
		pool:     spill.New(opts.TempDir, "records", cmp.Or(opts.spillAt, spillAt)),
		chunk:    opts.chunk,
		lastRef:  make([][32]resolved, len(specs)),
		vals:     make([]parsed, 32),
	}
	if l.max == 0 {
		l.max = DefaultMaxProblemsPerFile
	}
	for i := range l.bufs {
		l.bufs[i] = l.newBuf()
	}
	return l
}

// newBuf is an empty record buffer of the load.
func (l *loader) newBuf() recordBuf { return recordBuf{pool: l.pool, fixed: l.chunk} }

// report records p unless its file has reached the cap.
func (l *loader) report(p Problem) {
	l.counts[p.File]++
	if l.max > 0 && l.counts[p.File] > l.max {
		l.omitted++
		return
	}
	l.problems = append(l.problems, p)
}

func (l *loader) failed() bool { return len(l.problems) > 0 || l.omitted > 0 }

// Input is one source being read by a ReadFunc: it opens the source's files
// (hashing them for the snapshot metadata and counting bytes for progress) and
// carries the source's header (provenance label, collected_at).
type Input struct {
	l           *loader
	path        string
	headerSeen  bool
	source      string
	collectedAt time.Time
}

// Path is the source path as given to Load.
func (in *Input) Path() string { return in.path }

// Open opens one file of the source. Every byte read through the File is
// hashed (SHA-256) and counted for Options.Progress; Close hashes whatever was
// not read, so the snapshot metadata always carries the hash of the whole file.
// Files are listed in the snapshot metadata in the order they were opened.
func (in *Input) Open(path string) (*File, error) {
	fh, err := in.l.openInput(path)
	if err != nil {
		return nil, err
	}
	f := &File{in: in, l: in.l, name: cleanName(path), fh: fh, h: sha256.New()}
	f.idx = uint32(len(in.l.fileNames))
	in.l.fileNames = append(in.l.fileNames, f.name)
	in.l.open = append(in.l.open, f)
	return f, nil
}

// OpenData opens a source that is not a file on disk, such as a live
// database catalog: name is shown in problems and recorded verbatim in the
// snapshot metadata (a connection URL stays a URL), data is the content whose
// SHA-256 is recorded, so identical content gives an identical snapshot id.
// The reader must not put secrets in name or data. The File reads data.
func (in *Input) OpenData(name string, data []byte) *File {
	f := &File{in: in, l: in.l, name: name, fh: io.NopCloser(bytes.NewReader(data)), h: sha256.New(), verbatim: true}
	f.idx = uint32(len(in.l.fileNames))
	in.l.fileNames = append(in.l.fileNames, f.name)
	in.l.open = append(in.l.open, f)
	return f
}

// Problem reports a problem that belongs to no open file, such as an
// unexpected file in a CSV directory. file is shown as given.
func (in *Input) Problem(file string, msg string) {
	in.l.report(Problem{File: cleanName(file), Msg: msg})
}

// NoHeader reports that the source has no header, as msg at file, in place
// of the generic "missing bundle header" problem.
func (in *Input) NoHeader(file, msg string) {
	in.headerSeen = true
	in.Problem(file, msg)
}

// Problemf is Problem with a format string.
func (in *Input) Problemf(file string, format string, args ...any) {
	in.Problem(file, fmt.Sprintf(format, args...))
}

// cleanName is how a path is shown; a connection URL is shown as given.
func cleanName(path string) string {
	if IsPostgresURL(path) {
		return path
	}
	return filepath.ToSlash(filepath.Clean(path))
}

// provenance is the name a file is recorded under in the snapshot metadata
// (and so in the snapshot id): relative to the directory holding the source,
// e.g. "bundle.yaml" or "export-csv/grants.csv". Where the source was on disk
// does not change the id; its name and content do.
func (in *Input) provenance(name string) string {
	rel, err := filepath.Rel(filepath.Dir(filepath.Clean(in.path)), filepath.FromSlash(name))
	if err != nil || strings.HasPrefix(rel, "..") {
		return filepath.Base(name)
	}
	return filepath.ToSlash(rel)
}

// File is one input file being read: an io.Reader over its bytes and the sink
// its reader hands records, the header and syntax problems to. A File is used
// by one goroutine; the Record passed to Add may be reused after Add returns.
type File struct {
	in     *Input
	l      *loader
	name   string
	idx    uint32
	fh     io.ReadCloser
	h      hash.Hash
	closed bool
	skip   map[string]bool // "section.field" reported missing once already
	// verbatim files (OpenData) keep their name as given in the metadata.
	verbatim bool

	nread     int64  // bytes read so far
	limit     int64  // cap on nread (Limits); 0 until the first Read
	limitWhat string // what the cap is for, for the message
	limitErr  error  // the *LimitError a Read returned
	// edgesOnly refuses node records (files of a link pass, Linker.Open).
	edgesOnly bool
}

// Name is the file's path as shown in problems.
func (f *File) Name() string { return f.name }

// Read reads the file's bytes, hashing them and reporting progress.
func (f *File) Read(p []byte) (int, error) {
	if f.closed {
		return 0, os.ErrClosed
	}
	if f.limitErr != nil {
		return 0, f.limitErr
	}
	p, err := f.capRead(p)
	if err != nil || len(p) == 0 {
		return 0, err
	}
	n, err := f.fh.Read(p)
	f.nread += int64(n)
	if n > 0 {
		f.h.Write(p[:n])
		f.l.read += int64(n)
		if f.l.progress != nil {
			f.l.progress(f.l.read, f.l.total)
		}
	}
	return n, err
}

// Close reads and hashes the rest of the file, closes it and records it (name
// and SHA-256) for the snapshot metadata. Closing twice is a no-op.
func (f *File) Close() error {
	if f.closed {
		return nil
	}
	var err error
	if !f.l.failed() && f.limitErr == nil { // the rest is hashed only for a snapshot that may be stored
		_, err = io.Copy(io.Discard, struct{ io.Reader }{f})
	}
	f.closed = true
	if cerr := f.fh.Close(); err == nil {
		err = cerr
	}
	name := f.name
	if !f.verbatim {
		name = f.in.provenance(f.name)
	}
	f.l.files = append(f.l.files, graph.SourceFile{Name: name, SHA256: hex.EncodeToString(f.h.Sum(nil))})
	for i, o := range f.l.open {
		if o == f {
			f.l.open = append(f.l.open[:i], f.l.open[i+1:]...)
			break
		}
	}
	return err
}

// Problem reports a problem in this file that the reader found itself, such as
// a syntax error; line is 1-based (0 when unknown), pointer a JSON pointer or "".
func (f *File) Problem(line int, pointer, msg string) {
	f.l.report(Problem{File: f.name, Line: line, Pointer: pointer, Msg: msg})
}

// Problemf is Problem with a format string.
func (f *File) Problemf(line int, pointer, format string, args ...any) {
	f.Problem(line, pointer, fmt.Sprintf(format, args...))
}

// Stop reports a problem after which the reader cannot go on with the file,
// such as a JSON or YAML syntax error. Since the rest of the file is unknown,
// Load then skips the checks that need the whole input (dangling references,
// cycles, a missing header): they are reported once the syntax is fixed.
//
// The problem is reported even past the file's cap, since it explains why
// the file's problems end there.
func (f *File) Stop(line int, pointer, msg string) {
	f.l.stopped = true
	f.l.counts[f.name]++
	f.l.problems = append(f.l.problems, Problem{File: f.name, Line: line, Pointer: pointer, Msg: msg})
}

// Full reports whether the file has reached its problem cap; readers may stop
// early then (further problems would only be counted as omitted).
func (f *File) Full() bool { return f.l.max > 0 && f.l.counts[f.name] >= f.l.max }

// SkipRequired tells Add not to report field as missing from this file's
// records of section: the reader has already reported it once, e.g. a CSV
// header that lacks a required column.
func (f *File) SkipRequired(section, field string) {
	if f.skip == nil {
		f.skip = map[string]bool{}
	}
	f.skip[section+"."+field] = true
}

// spot is a position that can be turned into a Problem later (references and
// cycles are resolved after every file is read).
type spot struct {
	file    string
	line    int
	index   int
	item    int // list item index, -1 for none
	sub     string
	recPtr  string // explicit record pointer, "" for "/section/index"
	section string
	field   string // "" for the record itself
}

// problem renders msg at the spot. With line positions a value problem is
// prefixed by its field path ("expires_at: invalid time …"), because a line of
// CSV holds many fields; JSON pointers name the field already.
func (s spot) problem(msg string, prefixField bool) Problem {
	p := Problem{File: s.file, Msg: msg}
	if s.line > 0 {
		p.Line = s.line
		if prefixField && s.field != "" {
			p.Msg = s.label() + ": " + msg
		}
		return p
	}
	if s.section == "" && s.recPtr == "" { // the bundle header
		if s.field != "" {
			p.Pointer = "/" + pointerToken(s.field)
		}
		return p
	}
	ptr := s.recPtr
	if ptr == "" {
		ptr = "/" + pointerToken(s.section) + "/" + strconv.Itoa(s.index)
	}
	if s.field != "" {
		ptr += "/" + pointerToken(s.field)
		if s.sub != "" {
			ptr += "/" + pointerToken(s.sub)
		} else if s.item >= 0 {
			ptr += "/" + strconv.Itoa(s.item)
		}
	}
	p.Pointer = ptr
	return p
}

// position renders the spot inside a message: "in report.csv at line 3",
// "in details.json at /UserDetailList/3/id".
func (s spot) position() string {
	p := s.problem("", false)
	switch {
	case p.Line > 0:
		return "in " + p.File + " at line " + strconv.Itoa(p.Line)
	case p.Pointer != "":
		return "in " + p.File + " at " + p.Pointer
	}
	return "in " + p.File
}

// label is the field path used in line-based messages: owners.business, same_as[2].
func (s spot) label() string {
	switch {
	case s.sub != "":
		return s.field + "." + s.sub
	case s.item >= 0:
		return s.field + "[" + strconv.Itoa(s.item) + "]"
	}
	return s.field
}
