package ingest

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// The limit table: every reader caps what one input may hold, so that a
// hostile or broken export (a 1 GB CSV cell, a 1 GB YAML line, /dev/zero)
// fails with a located error instead of exhausting memory. docs/security.md
// lists the same table; Options.Limits overrides it (tests use small caps).
const (
	// DefaultMaxFileBytes caps one input file or stream read by a streaming
	// reader (JSON bundles, CSV bundle files).
	DefaultMaxFileBytes int64 = 8 << 30
	// DefaultMaxWholeFileBytes caps an input a reader parses whole in memory
	// (aws-iam authorization details and credential reports).
	DefaultMaxWholeFileBytes int64 = 512 << 20
	// DefaultMaxYAMLBytes caps a YAML bundle: the YAML library builds a tree
	// of the whole document, several times its size (use JSON or CSV beyond).
	DefaultMaxYAMLBytes int64 = 64 << 20
	// DefaultMaxRecordBytes caps one record: a CSV row, a JSON section
	// element or header value.
	DefaultMaxRecordBytes = 64 << 20
	// DefaultMaxValueBytes caps one text value: a CSV cell, a JSON or YAML
	// string, a tag, an id.
	DefaultMaxValueBytes = 1 << 20
	// MaxIDBytes caps a node id, in every store alike: Neo4j's index refuses
	// keys of about 8 KB, and both stores must accept the same inputs and
	// give the same answers.
	MaxIDBytes = 4096
)

// Limits are the caps of one Load; a zero field takes its default.
type Limits struct {
	FileBytes      int64
	WholeFileBytes int64
	YAMLBytes      int64
	RecordBytes    int
	ValueBytes     int
}

// withDefaults fills the zero fields.
func (l Limits) withDefaults() Limits {
	if l.FileBytes <= 0 {
		l.FileBytes = DefaultMaxFileBytes
	}
	if l.WholeFileBytes <= 0 {
		l.WholeFileBytes = DefaultMaxWholeFileBytes
	}
	if l.YAMLBytes <= 0 {
		l.YAMLBytes = DefaultMaxYAMLBytes
	}
	if l.RecordBytes <= 0 {
		l.RecordBytes = DefaultMaxRecordBytes
	}
	if l.ValueBytes <= 0 {
		l.ValueBytes = DefaultMaxValueBytes
	}
	return l
}

// LimitError is a read past a file's cap (Limits): Load reports it as a
// problem of the file, so the load fails like any invalid input.
type LimitError struct {
	File  string
	Limit int64
	What  string // what the cap is for
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s: larger than the %s limit for %s (see the limits in docs/security.md)", e.File, ByteSize(e.Limit), e.What)
}

// errAsLimit reports err as a problem when it is a *LimitError.
func (l *loader) errAsLimit(err error) bool {
	var le *LimitError
	if !errors.As(err, &le) {
		return false
	}
	l.stopped = true
	l.counts[le.File]++
	l.problems = append(l.problems, Problem{File: le.File, Msg: fmt.Sprintf("larger than the %s limit for %s; nothing after it was read", ByteSize(le.Limit), le.What)})
	return true
}

// ByteSize renders n as B, KiB, MiB or GiB when it is a whole multiple.
func ByteSize(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// Limits returns the caps of the load the file belongs to.
func (f *File) Limits() Limits { return f.l.limits }

// ReadWhole tells the file that its reader parses it whole in memory: the
// cap becomes Limits.WholeFileBytes, or Limits.YAMLBytes when yaml is set.
// Call it before the first Read.
func (f *File) ReadWhole(yaml bool) {
	if yaml {
		f.limit, f.limitWhat = f.l.limits.YAMLBytes, "a YAML bundle (use JSON or CSV for larger inputs)"
		return
	}
	f.limit, f.limitWhat = f.l.limits.WholeFileBytes, "an input read whole"
}

// Err is the *LimitError a Read returned, if any: readers whose parser
// hides read errors behind its own message check it.
func (f *File) Err() error { return f.limitErr }

// capRead shortens p so the file stays within its cap; it returns the
// *LimitError once the cap is reached.
func (f *File) capRead(p []byte) ([]byte, error) {
	if f.limit == 0 {
		f.limit, f.limitWhat = f.l.limits.FileBytes, "an input file"
	}
	if f.nread == 0 && f.overCap() {
		f.limitErr = &LimitError{File: f.name, Limit: f.limit, What: f.limitWhat}
		return nil, f.limitErr
	}
	if f.nread >= f.limit {
		// One byte past the cap tells a file of exactly the cap from a larger one.
		var one [1]byte
		if n, err := f.fh.Read(one[:]); n == 0 {
			if err == nil {
				err = io.EOF // the file ends exactly at the cap
			}
			return nil, err
		}
		f.limitErr = &LimitError{File: f.name, Limit: f.limit, What: f.limitWhat}
		return nil, f.limitErr
	}
	if rest := f.limit - f.nread; int64(len(p)) > rest {
		p = p[:rest]
	}
	return p, nil
}

// overCap reports whether the file is a regular file already larger than
// its cap: it is refused at its first read rather than after the cap's
// worth of reading (minutes for a bundle of several gigabytes).
func (f *File) overCap() bool {
	fh, ok := f.fh.(*os.File)
	if !ok {
		return false
	}
	st, err := fh.Stat()
	return err == nil && st.Mode().IsRegular() && st.Size() > f.limit
}
