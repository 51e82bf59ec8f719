package ingest

import (
	"bytes"
	"errors"
	"io"
	"os"
)

// sniffLen is how much of an input DetectFormat and the readers look at to
// tell formats and syntaxes apart.
const sniffLen = 64 << 10

// stream is a non-regular input — a pipe, /dev/stdin, a process
// substitution (/dev/fd/63), a character device — which can be read only
// once: its head is kept when sniffed and replayed in front of the rest
// when the reader opens it.
type stream struct {
	fh   *os.File
	head []byte
}

// isStream reports whether path exists and is neither a regular file nor a
// directory.
func isStream(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.Mode().IsRegular() && !st.IsDir()
}

// Peek returns up to the first n bytes of the file at path without
// consuming them: a regular file is opened and read; a pipe or other stream
// is opened once, and what was peeked is replayed by Open.
func (in *Input) Peek(path string, n int) ([]byte, error) { return in.l.peek(path, n) }

func (l *loader) peek(path string, n int) ([]byte, error) {
	s := l.streams[path]
	if s == nil {
		if !isStream(path) {
			return peekFile(path, n)
		}
		fh, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		s = &stream{fh: fh}
		if l.streams == nil {
			l.streams = map[string]*stream{}
		}
		l.streams[path] = s
	}
	if len(s.head) < n {
		more := make([]byte, n-len(s.head))
		m, err := io.ReadFull(s.fh, more)
		s.head = append(s.head, more[:m]...)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return s.head, err
		}
	}
	return s.head[:min(n, len(s.head))], nil
}

func peekFile(path string, n int) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	head := make([]byte, n)
	m, err := io.ReadFull(fh, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return head[:m], err
	}
	return head[:m], nil
}

// openInput opens path for reading: a stream that was peeked continues
// with its buffered head.
func (l *loader) openInput(path string) (io.ReadCloser, error) {
	if s := l.streams[path]; s != nil {
		delete(l.streams, path)
		return struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(s.head), s.fh), s.fh}, nil
	}
	return os.Open(path)
}

// closeStreams closes the streams peeked but never opened.
func (l *loader) closeStreams() {
	for p, s := range l.streams {
		_ = s.fh.Close()
		delete(l.streams, p)
	}
}
