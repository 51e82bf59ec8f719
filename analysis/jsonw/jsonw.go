// Package jsonw appends JSON by hand, byte for byte as encoding/json writes
// it with SetEscapeHTML(false), either indented (SetIndent(prefix, "  "))
// or compact. It exists because reflection made encoding/json the slowest
// part of the writers that emit millions of accesses or findings; each
// writer built on it has a test comparing it with encoding/json on awkward
// values.
package jsonw

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/reachgraph/reachgraph/analysis"
)

// Writer appends JSON to B. The zero Writer (with B set) writes indented
// JSON with no prefix; Compact drops the newlines and indentation. Failed
// is set when a value was one encoding/json refuses (a time outside years
// 0–9999): the caller then falls back to encoding/json and reports its
// error.
type Writer struct {
	B       []byte
	Prefix  string
	Compact bool
	Failed  bool

	depth int
	first bool // the next element of the innermost object or array is its first
}

func (j *Writer) newline() {
	if j.Compact {
		return
	}
	j.B = append(j.B, '\n')
	j.B = append(j.B, j.Prefix...)
	if n := 2 * j.depth; n <= len(indent) {
		j.B = append(j.B, indent[:n]...)
		return
	}
	for range j.depth {
		j.B = append(j.B, ' ', ' ')
	}
}

// indent is the indentation of the depths values usually reach.
const indent = "                                "

// Open starts an object ('{') or an array ('[').
func (j *Writer) Open(c byte) {
	j.B = append(j.B, c)
	j.depth++
	j.first = true
}

// Close ends the innermost object ('}') or array (']').
func (j *Writer) Close(c byte) {
	j.depth--
	if !j.first { // an empty object or array stays "{}" / "[]"
		j.newline()
	}
	j.B = append(j.B, c)
	j.first = false
}

// Elem starts an array element.
func (j *Writer) Elem() {
	if !j.first {
		j.B = append(j.B, ',')
	}
	j.first = false
	j.newline()
}

// Field starts an object member; name must need no escaping.
func (j *Writer) Field(name string) {
	j.Elem()
	j.B = append(j.B, '"')
	j.B = append(j.B, name...)
	if j.Compact {
		j.B = append(j.B, '"', ':')
		return
	}
	j.B = append(j.B, '"', ':', ' ')
}

// Bool appends true or false.
func (j *Writer) Bool(v bool) { j.B = strconv.AppendBool(j.B, v) }

// Int appends v.
func (j *Writer) Int(v int) { j.B = strconv.AppendInt(j.B, int64(v), 10) }

// Null appends null.
func (j *Writer) Null() { j.B = append(j.B, "null"...) }

// Time appends t as Time.MarshalJSON does (times are rare: validity
// windows, credential dates).
func (j *Writer) Time(t time.Time) {
	q, err := t.MarshalJSON()
	j.Failed = j.Failed || err != nil
	j.B = append(j.B, q...)
}

// Str appends s quoted; text that needs escaping goes through encoding/json.
func (j *Writer) Str(s string) {
	if Plain(s) {
		j.B = append(j.B, '"')
		j.B = append(j.B, s...)
		j.B = append(j.B, '"')
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	j.Failed = j.Failed || enc.Encode(s) != nil
	j.B = append(j.B, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// OptStr appends the member name: v unless v is empty (omitempty).
func (j *Writer) OptStr(name, v string) {
	if v != "" {
		j.Field(name)
		j.Str(v)
	}
}

// Strings appends a list of strings; nil is null.
func (j *Writer) Strings(ss []string) {
	if ss == nil {
		j.Null()
		return
	}
	j.Open('[')
	for _, s := range ss {
		j.Elem()
		j.Str(s)
	}
	j.Close(']')
}

// Plain reports whether s needs no escaping at all.
func Plain(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 { // eight bytes at a time while none is special
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if specialWord(w) {
			break
		}
	}
	for i < len(s) && !asciiSpecial[s[i]] {
		i++
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpecial[c] {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += n
	}
	return true
}

// specialWord reports whether one of the eight bytes of w is special
// (asciiSpecial): below 0x20, a quote, a backslash or not ASCII. It may
// report a word that has none (then the bytes are scanned one by one),
// never miss one.
func specialWord(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (w - 0x20*ones) &^ w // a byte below 0x20 sets its high bit (or borrows from one that does)
	quote := w ^ '"'*ones
	quote = (quote - ones) &^ quote // a zero byte (a quote) sets its high bit
	bslash := w ^ '\\'*ones
	bslash = (bslash - ones) &^ bslash
	return (below|quote|bslash|w)&highs != 0
}

// asciiSpecial holds the bytes that end Plain's fast scan: what
// encoding/json escapes among ASCII (control bytes, quote, backslash) and
// every non-ASCII byte, which is checked rune by rune.
var asciiSpecial = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf
	}
	return t
}()

// Paths appends a list of paths as analysis.Path marshals; nil is null.
func (j *Writer) Paths(ps []analysis.Path) {
	if ps == nil {
		j.Null()
		return
	}
	j.Open('[')
	for _, p := range ps {
		j.Elem()
		j.Hops(p)
	}
	j.Close(']')
}

// Hops appends a list of hops (a path, a cut); nil is null.
func (j *Writer) Hops(hs []analysis.Hop) {
	if hs == nil {
		j.Null()
		return
	}
	j.Open('[')
	for i := range hs {
		j.Elem()
		j.Hop(&hs[i])
	}
	j.Close(']')
}

// Hop appends one hop as analysis.Hop marshals.
func (j *Writer) Hop(h *analysis.Hop) {
	j.Open('{')
	j.Field("from")
	j.Str(h.From)
	j.Field("edge")
	j.Str(string(h.Edge))
	j.Field("to")
	j.Str(h.To)
	j.OptStr("action", string(h.Action))
	j.OptStr("native", h.Native)
	if h.Conditional {
		j.Field("conditional")
		j.Bool(true)
	}
	j.OptStr("kind", string(h.Kind))
	j.OptStr("system", h.System)
	if !h.ValidFrom.IsZero() {
		j.Field("valid_from")
		j.Time(h.ValidFrom)
	}
	if !h.ExpiresAt.IsZero() {
		j.Field("expires_at")
		j.Time(h.ExpiresAt)
	}
	j.Close('}')
}

// Auth appends an authentication as analysis.Authentication marshals.
func (j *Writer) Auth(a *analysis.Authentication) {
	j.Open('{')
	j.Field("system")
	j.Str(a.System)
	j.Field("via")
	j.Str(a.Via)
	j.OptStr("credential", a.Credential)
	j.OptStr("credential_type", string(a.CredentialType))
	if a.ExpiresAt != nil {
		j.Field("expires_at")
		j.Time(*a.ExpiresAt)
	}
	if a.LastRotatedAt != nil {
		j.Field("last_rotated_at")
		j.Time(*a.LastRotatedAt)
	}
	j.OptStr("delegation", a.Delegation)
	j.Close('}')
}
