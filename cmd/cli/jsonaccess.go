package cli

import (
	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/jsonw"
)

// jsonAccess appends a as encoding/json with SetIndent(prefix, "  ") and
// SetEscapeHTML(false) writes it (without the trailing newline), written by
// hand because reflection made JSON the slowest part of `whocan --kind -o
// json`. A test compares it with encoding/json on awkward values. ok is false,
// and nothing is appended, for a value encoding/json refuses (a time outside
// years 0–9999), so that the caller falls back to encoding/json and reports
// its error.
func jsonAccess(b []byte, a *analysis.Access, prefix string) (_ []byte, ok bool) {
	j := jsonw.Writer{B: b, Prefix: prefix}
	j.Open('{')
	j.Field("identity")
	j.Str(a.Identity)
	j.Field("resource")
	j.Str(a.Resource)
	j.Field("action")
	j.Str(string(a.Action))
	j.Field("authorized")
	j.Bool(a.Authorized)
	j.Field("effective")
	j.Bool(a.Effective)
	j.Field("critical")
	j.Bool(a.Critical)
	j.Field("paths")
	j.Paths(a.Paths)
	if au := a.Authentication; au != nil {
		j.Field("authentication")
		j.Auth(au)
	}
	j.OptStr("native_action", a.Native)
	if a.Conditional {
		j.Field("conditional")
		j.Bool(true)
	}
	j.Close('}')
	if j.Failed {
		return b, false
	}
	return j.B, true
}
