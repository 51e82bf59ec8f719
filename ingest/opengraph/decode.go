package opengraph

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// RawNode is one element of graph.nodes as read.
type RawNode struct {
	ID         *string        `json:"id"`
	Kinds      []string       `json:"kinds"`
	Properties map[string]any `json:"properties"` // numbers as json.Number
}

// RawEnd is the start or end of an edge as read.
type RawEnd struct {
	MatchBy          string          `json:"match_by"`
	Value            *string         `json:"value"`
	Kind             string          `json:"kind"`
	PropertyMatchers json.RawMessage `json:"property_matchers"`
}

// RawEdge is one element of graph.edges as read.
type RawEdge struct {
	Kind       *string        `json:"kind"`
	Start      *RawEnd        `json:"start"`
	End        *RawEnd        `json:"end"`
	Properties map[string]any `json:"properties"`
}

// Sink receives what Decode reads. Pointers are JSON pointers into the
// document ("/graph/nodes/3"). Problem reports a problem that does not stop
// the decoding.
type Sink struct {
	Metadata func(sourceKind string)
	Node     func(ptr string, n *RawNode)
	Edge     func(ptr string, e *RawEdge)
	Problem  func(ptr, msg string)
}

// SyntaxError is a JSON syntax error, after which nothing more can be read.
type SyntaxError struct {
	Offset int64 // byte offset (0-based) where the decoder stood: the bad token starts there or just after
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte offset %d: %s", e.Offset, e.Msg)
}

// Decode reads an OpenGraph data payload from r element by element (never the
// whole document at once) and hands metadata, nodes and edges to s in document
// order. Unknown keys and elements of the wrong shape are reported through
// s.Problem and skipped. It returns a *SyntaxError for malformed JSON and the
// read error for I/O failures.
func Decode(r io.Reader, s Sink) error {
	d := &decoder{dec: json.NewDecoder(r), s: s}
	d.dec.UseNumber()
	d.dec.DisallowUnknownFields()
	if err := d.object("", d.top); err != nil {
		return err
	}
	end := d.dec.InputOffset()
	if _, err := d.dec.Token(); err != io.EOF {
		return &SyntaxError{Offset: end, Msg: "data after the end of the document"}
	}
	switch {
	case !d.sawGraph:
		d.problem("", `missing field "graph" (an OpenGraph payload is {"graph": {"nodes": [...], "edges": [...]}})`)
	case !d.sawNodes:
		d.problem("/graph", `missing field "nodes"`)
	case !d.sawEdges:
		d.problem("/graph", `missing field "edges"`)
	}
	return nil
}

type decoder struct {
	dec      *json.Decoder
	s        Sink
	sawGraph bool
	sawNodes bool
	sawEdges bool
}

// syntax wraps a decoding error that ends the document as a *SyntaxError
// (I/O errors are returned as they are).
func (d *decoder) syntax(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return &SyntaxError{Offset: d.dec.InputOffset(), Msg: strings.TrimPrefix(se.Error(), "json: ")}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &SyntaxError{Offset: d.dec.InputOffset(), Msg: "unexpected end of input"}
	}
	return err
}

// delim reads one token and requires it to be want ('{' or '[').
func (d *decoder) delim(ptr string, want json.Delim, what string) (bool, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return false, d.syntax(err)
	}
	if tok != want {
		d.problem(ptr, "want "+what+", got "+describe(tok))
		return false, d.skipRest(tok)
	}
	return true, nil
}

// skipRest skips the rest of a value whose first token was tok.
func (d *decoder) skipRest(tok json.Token) error {
	if tok != json.Delim('{') && tok != json.Delim('[') {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := d.dec.Token()
		if err != nil {
			return d.syntax(err)
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// skip skips one value.
func (d *decoder) skip() error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.syntax(err)
	}
	return d.skipRest(tok)
}

func (d *decoder) problem(ptr, msg string) {
	if ptr == "" {
		ptr = "/"
	}
	d.s.Problem(ptr, msg)
}

// object reads an object at ptr, calling field for each key; field must
// consume the value.
func (d *decoder) object(ptr string, field func(ptr, key string) error) error {
	ok, err := d.delim(ptr, '{', "an object")
	if !ok || err != nil {
		return err
	}
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return d.syntax(err)
		}
		key, _ := tok.(string)
		if err := field(ptr+"/"+pointerToken(key), key); err != nil {
			return err
		}
	}
	_, err = d.dec.Token() // '}'
	return d.syntax(err)
}

func (d *decoder) top(ptr, key string) error {
	switch key {
	case "metadata":
		var md map[string]any
		if err := d.dec.Decode(&md); err != nil {
			return d.element(ptr, err)
		}
		for k, v := range md {
			sk, isString := v.(string)
			switch {
			case k != "source_kind":
				d.problem(ptr+"/"+pointerToken(k), fmt.Sprintf("unknown field %q (metadata has only source_kind)", k))
			case v != nil && !isString:
				d.problem(ptr+"/source_kind", "want a string")
			case d.s.Metadata != nil && sk != "":
				d.s.Metadata(sk)
			}
		}
		return nil
	case "graph":
		d.sawGraph = true
		return d.object(ptr, d.graph)
	}
	d.problem(ptr, fmt.Sprintf("unknown field %q (an OpenGraph payload has metadata and graph)", key))
	return d.skip()
}

func (d *decoder) graph(ptr, key string) error {
	switch key {
	case "nodes":
		d.sawNodes = true
		return d.array(ptr, func(p string) error {
			var n RawNode
			if err := d.dec.Decode(&n); err != nil {
				return d.element(p, err)
			}
			d.s.Node(p, &n)
			return nil
		})
	case "edges":
		d.sawEdges = true
		return d.array(ptr, func(p string) error {
			var e RawEdge
			if err := d.dec.Decode(&e); err != nil {
				return d.element(p, err)
			}
			d.s.Edge(p, &e)
			return nil
		})
	}
	d.problem(ptr, fmt.Sprintf("unknown field %q (graph has nodes and edges)", key))
	return d.skip()
}

// array reads an array at ptr, calling elem with each element's pointer.
func (d *decoder) array(ptr string, elem func(ptr string) error) error {
	ok, err := d.delim(ptr, '[', "an array")
	if !ok || err != nil {
		return err
	}
	for i := 0; d.dec.More(); i++ {
		if err := elem(ptr + "/" + strconv.Itoa(i)); err != nil {
			return err
		}
	}
	_, err = d.dec.Token() // ']'
	return d.syntax(err)
}

// element turns an error of Decode into a problem at ptr when the element
// was read whole (a type mismatch, an unknown field), or into a
// *SyntaxError.
func (d *decoder) element(ptr string, err error) error {
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		at := ptr
		if te.Field != "" {
			at += "/" + strings.ReplaceAll(te.Field, ".", "/")
		}
		d.problem(at, "want "+jsonType(te.Type.Kind().String())+", got "+te.Value)
		return nil
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		d.problem(ptr, strings.TrimPrefix(err.Error(), "json: "))
		return nil
	}
	return d.syntax(err)
}

// jsonType names a Go kind the way JSON does.
func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	}
	return kind
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a number"
}

// pointerToken escapes one JSON pointer reference token (RFC 6901 §3).
func pointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
