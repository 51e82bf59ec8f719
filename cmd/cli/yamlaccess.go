package cli

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/analysis"
)

// yamlAccess appends a as one item of the access report's "accesses:"
// sequence, byte for byte as writeYAML writes it there (its JSON form, keys
// sorted, indented by 2), without going through the JSON tree and the
// YAML encoder: they made `whocan --kind -o yaml` run at about 20k rows/s.
// Each string is written as the YAML encoder writes it alone, which
// scalars remembers. ok is false, and nothing is appended, for what the
// writer leaves to the encoder: a string the encoder writes on several
// lines (a block scalar), a string that is not valid UTF-8 (the JSON form
// replaces its bytes) and a time encoding/json refuses. Tests compare it
// with writeYAML on awkward values.
func yamlAccess(b []byte, a *analysis.Access, scalars *yamlScalars) (_ []byte, ok bool) {
	y := yamlWriter{b: b, scalars: scalars}
	// Keys in the encoder's order: sorted.
	y.b = append(y.b, "  - action:"...) // the item's first key on its "- " line
	y.str(string(a.Action))
	if au := a.Authentication; au != nil {
		y.key(4, "authentication")
		y.auth(au)
	}
	y.key(4, "authorized")
	y.boolean(a.Authorized)
	if a.Conditional {
		y.key(4, "conditional")
		y.boolean(true)
	}
	y.key(4, "critical")
	y.boolean(a.Critical)
	y.key(4, "effective")
	y.boolean(a.Effective)
	y.key(4, "identity")
	y.str(a.Identity)
	if a.Native != "" {
		y.key(4, "native_action")
		y.str(a.Native)
	}
	y.key(4, "paths")
	y.paths(a.Paths)
	y.key(4, "resource")
	y.str(a.Resource)
	y.b = append(y.b, '\n')
	if y.failed {
		return b, false
	}
	return y.b, true
}

// yamlScalars remembers how the YAML encoder writes each string alone (on
// one line, or "" when it needs several). Ids repeat on many rows, so
// each is encoded once; past maxYAMLScalars entries it starts again.
type yamlScalars map[string]string

const maxYAMLScalars = 1 << 20

func (m *yamlScalars) form(s string) string {
	if plainYAML(s) {
		return s
	}
	if f, ok := (*m)[s]; ok {
		return f
	}
	out, err := yaml.Marshal(s)
	f := strings.TrimSuffix(string(out), "\n")
	if err != nil || strings.Contains(f, "\n") {
		f = ""
	}
	if *m == nil || len(*m) >= maxYAMLScalars {
		*m = yamlScalars{}
	}
	(*m)[s] = f
	return f
}

// plainYAML reports whether the YAML encoder surely writes s as it is: it
// starts with a letter, is longer than the words YAML 1.1 reads as
// booleans or nulls ("false", "NULL", "yes" …), holds only letters,
// digits and _ . - / : @, and does not end with ':'. Ids are mostly such;
// everything else asks the encoder (a fuzz test checks this never
// disagrees with it).
func plainYAML(s string) bool {
	if len(s) <= 5 || !yamlLetter(s[0]) || s[len(s)-1] == ':' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !yamlLetter(c) && (c < '0' || c > '9') && c != '_' && c != '.' && c != '-' && c != '/' && c != ':' && c != '@' {
			return false
		}
	}
	return true
}

func yamlLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// yamlWriter appends block YAML as the encoder writes it with indent 2.
type yamlWriter struct {
	b       []byte
	scalars *yamlScalars
	failed  bool
}

// key starts the next key of a mapping indented by indent spaces.
func (y *yamlWriter) key(indent int, name string) {
	y.b = append(y.b, '\n')
	y.b = append(y.b, spaces(indent)...)
	y.b = append(y.b, name...)
	y.b = append(y.b, ':')
}

// spaces returns n spaces (n ≤ len(indent)).
func spaces(n int) string { return indent[:n] }

// indent is the indentation of the depths an access usually reaches.
const indent = "                                "

func (y *yamlWriter) str(s string) {
	if !utf8.ValidString(s) {
		y.failed = true
		return
	}
	f := y.scalars.form(s)
	if f == "" {
		y.failed = true
		return
	}
	y.b = append(y.b, ' ')
	y.b = append(y.b, f...)
}

func (y *yamlWriter) boolean(v bool) {
	y.b = append(y.b, ' ')
	y.b = strconv.AppendBool(y.b, v)
}

// time writes t as its JSON text (a string to YAML).
func (y *yamlWriter) time(t time.Time) {
	q, err := t.MarshalJSON()
	if err != nil {
		y.failed = true
		return
	}
	y.str(string(q[1 : len(q)-1]))
}

// paths writes the value of "paths:" at indent 4: its items at indent 6,
// each path's hops at indent 8.
func (y *yamlWriter) paths(ps []analysis.Path) {
	switch {
	case ps == nil:
		y.b = append(y.b, " null"...)
		return
	case len(ps) == 0:
		y.b = append(y.b, " []"...)
		return
	}
	for _, p := range ps {
		y.b = append(y.b, '\n')
		y.b = append(y.b, spaces(6)...)
		switch {
		case p == nil:
			y.b = append(y.b, "- null"...)
		case len(p) == 0:
			y.b = append(y.b, "- []"...)
		default:
			for i := range p {
				lead := "\n        - " // the next hop, at indent 8
				if i == 0 {
					lead = "- - " // the path's item and its first hop
				}
				y.hop(lead, &p[i])
			}
		}
	}
}

// hop writes one hop's mapping, its first key on the line begun by lead,
// the others at indent 10.
func (y *yamlWriter) hop(lead string, h *analysis.Hop) {
	y.b = append(y.b, lead...)
	started := false
	key := func(name string) {
		if started {
			y.key(10, name)
			return
		}
		started = true
		y.b = append(y.b, name...)
		y.b = append(y.b, ':')
	}
	if h.Action != "" {
		key("action")
		y.str(string(h.Action))
	}
	if h.Conditional {
		key("conditional")
		y.boolean(true)
	}
	key("edge")
	y.str(string(h.Edge))
	if !h.ExpiresAt.IsZero() {
		key("expires_at")
		y.time(h.ExpiresAt)
	}
	key("from")
	y.str(h.From)
	if h.Kind != "" {
		key("kind")
		y.str(string(h.Kind))
	}
	if h.Native != "" {
		key("native")
		y.str(h.Native)
	}
	if h.System != "" {
		key("system")
		y.str(h.System)
	}
	key("to")
	y.str(h.To)
	if !h.ValidFrom.IsZero() {
		key("valid_from")
		y.time(h.ValidFrom)
	}
}

// auth writes the authentication mapping at indent 6.
func (y *yamlWriter) auth(a *analysis.Authentication) {
	opt := func(name, v string) {
		if v != "" {
			y.key(6, name)
			y.str(v)
		}
	}
	opt("credential", a.Credential)
	opt("credential_type", string(a.CredentialType))
	opt("delegation", a.Delegation)
	if a.ExpiresAt != nil {
		y.key(6, "expires_at")
		y.time(*a.ExpiresAt)
	}
	if a.LastRotatedAt != nil {
		y.key(6, "last_rotated_at")
		y.time(*a.LastRotatedAt)
	}
	y.key(6, "system")
	y.str(a.System)
	y.key(6, "via")
	y.str(a.Via)
}
