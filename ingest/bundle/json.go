package bundle

import (
	"context"
	"errors"
	"strconv"

	"github.com/reachgraph/reachgraph/ingest"
)

// checkEvery is how many elements a reader handles between context checks.
const checkEvery = 1024

// readJSON streams one reachgraph/v1 JSON document from f: the top-level keys
// one by one, each section array element by element. Problems carry JSON
// pointers ("/grants/12/action"); a syntax error also carries its line and ends
// the file.
func readJSON(ctx context.Context, f *ingest.File) error {
	r := &jsonReader{
		f: f, s: newJSONStream(f, f.Limits().RecordBytes), elem: -1,
	}
	err := r.document(ctx)
	var se *syntaxError
	switch {
	case errors.As(err, &se):
		if r.s.err != nil {
			return r.s.err
		}
		f.Stop(se.line, r.pointer(), "invalid JSON: "+se.msg)
		return nil
	case err != nil:
		return err
	}
	if r.s.err != nil {
		return r.s.err
	}
	f.Header(r.header, 0)
	return nil
}

type jsonReader struct {
	f      *ingest.File
	s      *jsonStream
	p      jsonParser
	ptr    string // the top-level key being read, as a pointer ("/grants")
	elem   int    // the element of a section being read, -1 for none
	header []ingest.Field
	fields []ingest.Field // reused for each record
	seen   map[string]bool
}

func (r *jsonReader) document(ctx context.Context) error {
	s := r.s
	c, ok := s.skipSpace()
	switch {
	case !ok && s.err == nil:
		return s.syntaxf("empty document, expected a JSON object")
	case !ok:
		return s.err
	case c != '{':
		return s.syntaxf("a bundle is a JSON object; found %s", quoteByte(c))
	}
	s.pos++
	r.seen = map[string]bool{}
	c, ok = s.skipSpace()
	if ok && c == '}' {
		s.pos++
		return r.trailing()
	}
	for {
		key, err := r.key()
		if err != nil {
			return err
		}
		r.ptr, r.elem = "/"+pointerToken(key), -1
		if err := s.expect(':', "':' after an object key"); err != nil {
			return err
		}
		if err := r.member(ctx, key); err != nil {
			return err
		}
		r.ptr, r.elem = "", -1
		c, ok := s.skipSpace()
		if !ok {
			return s.syntaxf("unexpected end of input, expected ',' or '}'")
		}
		s.pos++
		switch c {
		case ',':
		case '}':
			return r.trailing()
		default:
			s.pos--
			return s.syntaxf("invalid character %s after a top-level value, expected ',' or '}'", quoteByte(c))
		}
	}
}

// pointer is the JSON pointer of what is being read.
func (r *jsonReader) pointer() string {
	if r.elem < 0 {
		return r.ptr
	}
	return r.ptr + "/" + strconv.Itoa(r.elem)
}

// trailing checks that nothing but whitespace follows the document.
func (r *jsonReader) trailing() error {
	if c, ok := r.s.skipSpace(); ok {
		return r.s.syntaxf("invalid character %s after the bundle object", quoteByte(c))
	}
	return nil
}

// key reads one top-level object key.
func (r *jsonReader) key() (string, error) {
	c, ok := r.s.skipSpace()
	if !ok {
		return "", r.s.syntaxf("unexpected end of input, expected an object key")
	}
	if c != '"' {
		return "", r.s.syntaxf("invalid character %s, expected a string for an object key", quoteByte(c))
	}
	v, err := r.s.value(&r.p, nil)
	if err != nil {
		return "", err
	}
	return v.Text, nil
}

// member handles the value of one top-level key.
func (r *jsonReader) member(ctx context.Context, key string) error {
	dup := r.seen[key]
	r.seen[key] = true
	switch {
	case ingest.IsHeaderField(key):
		v, err := r.s.value(&r.p, nil)
		if err != nil {
			return err
		}
		r.header = append(r.header, ingest.Field{Name: key, Value: cloneValue(v)})
		return nil
	case ingest.IsSection(key) && !dup:
		return r.section(ctx, key)
	case dup:
		r.f.Problem(0, r.ptr, "section "+strconv.Quote(key)+" given twice")
	default:
		r.f.UnknownTopLevel(key, 0, r.ptr)
	}
	return r.s.skipValue()
}

// section reads one section array element by element.
func (r *jsonReader) section(ctx context.Context, name string) error {
	s := r.s
	c, ok := s.skipSpace()
	if ok && c == 'n' { // null: an empty section
		_, err := s.value(&r.p, nil)
		return err
	}
	if !ok || c != '[' {
		if !ok {
			return s.syntaxf("unexpected end of input, expected a value")
		}
		r.f.Problem(0, r.ptr, "expected a list of "+name)
		return s.skipValue()
	}
	s.pos++
	if c, ok := s.skipSpace(); ok && c == ']' {
		s.pos++
		return nil
	}
	rec := ingest.Record{Section: name}
	for i := 0; ; i++ {
		if i%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		r.elem = i
		v, err := s.value(&r.p, r.fields)
		if err != nil {
			return err
		}
		if v.Kind == ingest.Map {
			r.fields = v.Fields
			rec.Fields, rec.Index = v.Fields, i
			r.f.Add(&rec)
		} else {
			r.f.Problem(0, r.pointer(), "expected an object, got "+v.Kind.String())
		}
		c, ok := s.skipSpace()
		if !ok {
			return s.syntaxf("unexpected end of input, expected ',' or ']'")
		}
		s.pos++
		switch c {
		case ',':
		case ']':
			return nil
		default:
			s.pos--
			return s.syntaxf("invalid character %s after an array element, expected ',' or ']'", quoteByte(c))
		}
	}
}

// cloneValue deep-copies the slices of v (the parser reuses its field slice).
func cloneValue(v ingest.Value) ingest.Value {
	if v.Fields != nil {
		fs := make([]ingest.Field, len(v.Fields))
		copy(fs, v.Fields)
		v.Fields = fs
	}
	return v
}
