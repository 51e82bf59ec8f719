package awsiam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/reachgraph/reachgraph/ingest"
)

// jsonError is an input that is not valid authorization-details JSON: the
// line it goes wrong on and why, in JSON terms.
type jsonError struct {
	line int
	msg  string
}

func (e *jsonError) Error() string { return e.msg }

// detailsLists are the lists of an authorization-details document, decoded
// entry by entry.
var detailsLists = []string{"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"}

// listKey is the list a top-level key names ("" for none). Keys match
// case-insensitively, as encoding/json matches struct fields.
func listKey(k string) string {
	for _, l := range detailsLists {
		if strings.EqualFold(k, l) {
			return l
		}
	}
	return ""
}

// window reads for a json.Decoder and keeps the bytes the decoder may still
// report an error in (to tell its line), or every byte while keep is set
// (the input may turn out not to be authorization details and be parsed
// whole). limit caps what one list entry may take (0: no cap).
type window struct {
	r     io.Reader
	n     int64  // bytes read
	base  int64  // input offset of buf[0]
	lines int    // newlines before base
	buf   []byte // the bytes read from base on
	keep  bool
	limit int64
	mark  int64 // input offset of the current entry
}

var errEntryTooLarge = errors.New("entry too large")

func (w *window) Read(p []byte) (int, error) {
	if w.limit > 0 {
		rest := w.mark + w.limit - w.n
		if rest <= 0 {
			return 0, errEntryTooLarge
		}
		if int64(len(p)) > rest {
			p = p[:rest]
		}
	}
	n, err := w.r.Read(p)
	w.n += int64(n)
	w.buf = append(w.buf, p[:n]...)
	return n, err
}

// next starts an entry at input offset off: the bytes before it are parsed
// and forgotten (unless keep).
func (w *window) next(off int64) {
	w.mark = off
	if w.keep || off <= w.base {
		return
	}
	k := min(off-w.base, int64(len(w.buf)))
	w.lines += bytes.Count(w.buf[:k], []byte("\n"))
	w.buf, w.base = w.buf[k:], w.base+k
	if cap(w.buf) > 1<<20 && cap(w.buf) > 8*len(w.buf) {
		w.buf = append([]byte(nil), w.buf...) // let a large old buffer go
	}
}

// line is the 1-based line of input offset off (clamped to what is kept).
func (w *window) line(off int64) int {
	k := min(max(off-w.base, 0), int64(len(w.buf)))
	return w.lines + bytes.Count(w.buf[:k], []byte("\n")) + 1
}

// decodeJSON reads a JSON input. An authorization-details document (an
// object with one of detailsLists) is decoded as a stream, entry by entry,
// so memory grows with the parsed entries, not with the text; for any other
// JSON it returns the bytes read so far in prefix (nil Details), for the
// caller to read the rest and parse it whole. Invalid JSON is a *jsonError;
// read errors (limits) come back as they are. recordLimit caps one entry
// (0: none).
func decodeJSON(r io.Reader, recordLimit int64) (d *Details, problems []Problem, prefix []byte, err error) {
	w := &window{r: r, keep: true, limit: recordLimit}
	dec := json.NewDecoder(w)
	fail := func(err error, off int64) error { return w.fail(err, off, recordLimit) }
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, nil, fail(err, dec.InputOffset())
	}
	if tok != json.Delim('{') {
		return nil, nil, w.buf, nil
	}
	b := &builder{d: &Details{Policies: map[string]*ManagedPolicy{}}}
	details := false
	for dec.More() {
		w.next(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, nil, fail(err, dec.InputOffset())
		}
		key := listKey(tok.(string))
		if key == "" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, nil, nil, fail(err, dec.InputOffset())
			}
			continue
		}
		details, w.keep = true, false
		if err := b.list(dec, w, key); err != nil {
			return nil, nil, nil, err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, nil, nil, fail(err, dec.InputOffset())
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("unexpected data after the top-level object")
		}
		return nil, nil, nil, fail(err, dec.InputOffset())
	}
	if !details {
		return nil, nil, w.buf, nil
	}
	return b.d, b.problems, nil, nil
}

// list decodes the list of top-level key, entry by entry.
func (b *builder) list(dec *json.Decoder, w *window, key string) error {
	tok, err := dec.Token()
	if err != nil {
		return w.fail(err, dec.InputOffset(), w.limit)
	}
	if tok == nil {
		return nil // null: an empty list
	}
	if tok != json.Delim('[') {
		return &jsonError{line: w.line(dec.InputOffset()), msg: key + ": expected a list, got " + tokenKind(tok)}
	}
	for i := 0; dec.More(); i++ {
		base := dec.InputOffset()
		w.next(base)
		if err := b.entry(dec, key, i); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				te.Field = strings.TrimSuffix(key+"."+te.Field, ".")
				return &jsonError{line: w.line(base + te.Offset), msg: typeMsg(te)}
			}
			return w.fail(err, dec.InputOffset(), w.limit)
		}
	}
	_, err = dec.Token() // the closing bracket
	if err != nil {
		return w.fail(err, dec.InputOffset(), w.limit)
	}
	return nil
}

// entry decodes entry i of list key and adds it.
func (b *builder) entry(dec *json.Decoder, key string, i int) error {
	switch key {
	case "UserDetailList":
		var u rawUser
		if err := dec.Decode(&u); err != nil {
			return err
		}
		b.user(i, &u)
	case "GroupDetailList":
		var g rawGroup
		if err := dec.Decode(&g); err != nil {
			return err
		}
		b.group(i, &g)
	case "RoleDetailList":
		var r rawRole
		if err := dec.Decode(&r); err != nil {
			return err
		}
		b.role(i, &r)
	default:
		var p rawPolicy
		if err := dec.Decode(&p); err != nil {
			return err
		}
		b.policy(i, &p)
	}
	return nil
}

// fail turns a decoder error into a *jsonError with its line; an error of
// the underlying reader (a limit) is returned as it is.
func (w *window) fail(err error, off int64, recordLimit int64) error {
	var se *json.SyntaxError
	switch {
	case errors.Is(err, errEntryTooLarge):
		start := w.base + int64(len(w.buf)-len(bytes.TrimLeft(w.buf, " \t\r\n,")))
		return &jsonError{line: w.line(start), msg: fmt.Sprintf("a single entry is larger than the %s limit", ingest.ByteSize(recordLimit))}
	case errors.As(err, &se):
		return &jsonError{line: w.line(se.Offset), msg: se.Error()}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &jsonError{line: w.line(w.n), msg: "unexpected end of JSON input"}
	case errors.As(err, new(*json.UnmarshalTypeError)):
		return &jsonError{line: w.line(off), msg: err.Error()}
	}
	return err
}

// tokenKind names the JSON value a token starts.
func tokenKind(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		if tok == json.Delim('{') {
			return "an object"
		}
		return "a list"
	case string:
		return "a string"
	case bool:
		return "true or false"
	}
	return "a number"
}
