package cli

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/reachgraph/reachgraph/analysis"
)

// jsonAccess appends a as encoding/json with SetIndent(prefix, "  ") and
// SetEscapeHTML(false) writes it (without the trailing newline), written by
// hand because reflection made JSON the slowest part of `whocan --kind -o
// json`. A test compares it with encoding/json on awkward values. ok is false,
// and nothing is appended, for a value encoding/json refuses (a time outside
// years 0–9999), so that the caller falls back to encoding/json and reports
// its error.
func jsonAccess(b []byte, a *analysis.Access, prefix string) (_ []byte, ok bool) {
	j := jsonWriter{b: b, prefix: prefix}
	j.open('{')
	j.field("identity")
	j.str(a.Identity)
	j.field("resource")
	j.str(a.Resource)
	j.field("action")
	j.str(string(a.Action))
	j.field("authorized")
	j.boolean(a.Authorized)
	j.field("effective")
	j.boolean(a.Effective)
	j.field("critical")
	j.boolean(a.Critical)
	j.field("paths")
	j.paths(a.Paths)
	if au := a.Authentication; au != nil {
		j.field("authentication")
		j.auth(au)
	}
	if a.Native != "" {
		j.field("native_action")
		j.str(a.Native)
	}
	if a.Conditional {
		j.field("conditional")
		j.boolean(true)
	}
	j.close('}')
	if j.failed {
		return b, false
	}
	return j.b, true
}

// jsonWriter appends indented JSON. first is whether the next element of
// the innermost object or array is its first.
type jsonWriter struct {
	b      []byte
	prefix string
	depth  int
	first  bool
	failed bool // a value encoding/json refuses
}

func (j *jsonWriter) newline() {
	j.b = append(j.b, '\n')
	j.b = append(j.b, j.prefix...)
	if n := 2 * j.depth; n <= len(indent) {
		j.b = append(j.b, indent[:n]...)
		return
	}
	for range j.depth {
		j.b = append(j.b, ' ', ' ')
	}
}

// indent is the indentation of the depths an access usually reaches.
const indent = "                                "

func (j *jsonWriter) open(c byte) {
	j.b = append(j.b, c)
	j.depth++
	j.first = true
}

func (j *jsonWriter) close(c byte) {
	j.depth--
	if !j.first { // an empty object or array stays "{}" / "[]"
		j.newline()
	}
	j.b = append(j.b, c)
	j.first = false
}

// elem starts an array element or an object member.
func (j *jsonWriter) elem() {
	if !j.first {
		j.b = append(j.b, ',')
	}
	j.first = false
	j.newline()
}

func (j *jsonWriter) field(name string) {
	j.elem()
	j.b = append(j.b, '"')
	j.b = append(j.b, name...)
	j.b = append(j.b, '"', ':', ' ')
}

func (j *jsonWriter) boolean(v bool) { j.b = strconv.AppendBool(j.b, v) }

// time appends t as Time.MarshalJSON does (times are rare: validity
// windows and credential dates).
func (j *jsonWriter) time(t time.Time) {
	q, err := t.MarshalJSON()
	j.failed = j.failed || err != nil
	j.b = append(j.b, q...)
}

// str appends s quoted; text that needs escaping goes through encoding/json.
func (j *jsonWriter) str(s string) {
	if plainJSON(s) {
		j.b = append(j.b, '"')
		j.b = append(j.b, s...)
		j.b = append(j.b, '"')
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	j.failed = j.failed || enc.Encode(s) != nil
	j.b = append(j.b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// plainJSON reports whether s needs no escaping at all.
func plainJSON(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 { // eight bytes at a time while none is special
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if jsonSpecialWord(w) {
			break
		}
	}
	for i < len(s) && !jsonASCIISpecial[s[i]] {
		i++
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonASCIISpecial[c] {
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

// jsonSpecialWord reports whether one of the eight bytes of w is special
// (jsonASCIISpecial): below 0x20, a quote, a backslash or not ASCII. It
// may report a word that has none (then the bytes are scanned one by
// one), never miss one.
func jsonSpecialWord(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (w - 0x20*ones) &^ w // a byte below 0x20 sets its high bit (or borrows from one that does)
	quote := w ^ '"'*ones
	quote = (quote - ones) &^ quote // a zero byte (a quote) sets its high bit
	bslash := w ^ '\\'*ones
	bslash = (bslash - ones) &^ bslash
	return (below|quote|bslash|w)&highs != 0
}

// jsonASCIISpecial holds the bytes that end plainJSON's fast scan: what
// encoding/json escapes among ASCII (control bytes, quote, backslash) and
// every non-ASCII byte, which is checked rune by rune.
var jsonASCIISpecial = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf
	}
	return t
}()

func (j *jsonWriter) paths(ps []analysis.Path) {
	if ps == nil {
		j.b = append(j.b, "null"...)
		return
	}
	j.open('[')
	for _, p := range ps {
		j.elem()
		if p == nil {
			j.b = append(j.b, "null"...)
			continue
		}
		j.open('[')
		for i := range p {
			j.elem()
			j.hop(&p[i])
		}
		j.close(']')
	}
	j.close(']')
}

func (j *jsonWriter) hop(h *analysis.Hop) {
	j.open('{')
	j.field("from")
	j.str(h.From)
	j.field("edge")
	j.str(string(h.Edge))
	j.field("to")
	j.str(h.To)
	j.optStr("action", string(h.Action))
	j.optStr("native", h.Native)
	if h.Conditional {
		j.field("conditional")
		j.boolean(true)
	}
	j.optStr("kind", string(h.Kind))
	j.optStr("system", h.System)
	if !h.ValidFrom.IsZero() {
		j.field("valid_from")
		j.time(h.ValidFrom)
	}
	if !h.ExpiresAt.IsZero() {
		j.field("expires_at")
		j.time(h.ExpiresAt)
	}
	j.close('}')
}

func (j *jsonWriter) optStr(name, v string) {
	if v != "" {
		j.field(name)
		j.str(v)
	}
}

func (j *jsonWriter) auth(a *analysis.Authentication) {
	j.open('{')
	j.field("system")
	j.str(a.System)
	j.field("via")
	j.str(a.Via)
	j.optStr("credential", a.Credential)
	j.optStr("credential_type", string(a.CredentialType))
	if a.ExpiresAt != nil {
		j.field("expires_at")
		j.time(*a.ExpiresAt)
	}
	if a.LastRotatedAt != nil {
		j.field("last_rotated_at")
		j.time(*a.LastRotatedAt)
	}
	j.optStr("delegation", a.Delegation)
	j.close('}')
}
