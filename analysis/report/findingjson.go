package report

import (
	"bytes"
	"encoding/json"

	"github.com/reachgraph/reachgraph/analysis/jsonw"
	"github.com/reachgraph/reachgraph/analysis/rules"
)

// appendFinding appends f as the bytes encoding/json writes with
// SetEscapeHTML(false) and SetIndent(prefix, "  ") (without its newline),
// written by hand: at tier M a report encodes ten million findings, and
// reflection was most of the cost of spooling them. ok is false, and b is
// returned as it was, for a finding encoding/json refuses (a time outside
// years 0–9999), so the caller falls back to encoding/json and reports its
// error.
func appendFinding(b []byte, f *rules.Finding, prefix string) (_ []byte, ok bool) {
	j := jsonw.Writer{B: b, Prefix: prefix}
	j.Open('{')
	j.Field("id")
	j.Str(f.ID)
	j.Field("rule")
	j.Str(f.Rule)
	j.Field("title")
	j.Str(f.Title)
	j.Field("category")
	j.Str(string(f.Category))
	j.Field("severity")
	j.Str(string(f.Severity))
	j.Field("identity")
	j.Str(f.Identity)
	j.Field("actor")
	j.Strings(f.Actor)
	j.OptStr("credential", f.Credential)
	j.OptStr("resource", f.Resource)
	j.OptStr("action", string(f.Action))
	j.Field("effective")
	j.Bool(f.Effective)
	if f.Authentication != nil {
		j.Field("authentication")
		j.Auth(f.Authentication)
	}
	if len(f.Accesses) > 0 {
		j.Field("accesses")
		j.Open('[')
		for i := range f.Accesses {
			c := &f.Accesses[i]
			j.Elem()
			j.Open('{')
			j.Field("resource")
			j.Str(c.Resource)
			j.Field("actions")
			if c.Actions == nil {
				j.Null()
			} else {
				j.Open('[')
				for _, a := range c.Actions {
					j.Elem()
					j.Str(string(a))
				}
				j.Close(']')
			}
			j.Field("effective")
			j.Bool(c.Effective)
			j.Close('}')
		}
		j.Close(']')
	}
	if f.AccessesOmitted != 0 {
		j.Field("accesses_omitted")
		j.Int(f.AccessesOmitted)
	}
	j.Field("message")
	j.Str(f.Message)
	if c := f.Conflict; c != nil {
		j.Field("conflict")
		j.Open('{')
		j.Field("a")
		side(&j, &c.A)
		j.Field("b")
		side(&j, &c.B)
		j.Close('}')
	}
	j.Field("paths")
	j.Paths(f.Paths)
	if f.PathsOmitted != 0 {
		j.Field("paths_omitted")
		j.Int(f.PathsOmitted)
	}
	if fx := f.Fix; fx != nil {
		j.Field("fix")
		j.Open('{')
		j.Field("cut")
		j.Hops(fx.Cut)
		j.Field("choke_points")
		j.Strings(fx.ChokePoints)
		j.Close('}')
	}
	j.Field("frameworks")
	j.Strings(f.Frameworks)
	if s := f.Suppressed; s != nil {
		j.Field("suppressed")
		j.Open('{')
		j.OptStr("id", s.ID)
		j.OptStr("rule", s.Rule)
		j.OptStr("identity", s.Identity)
		j.OptStr("resource", s.Resource)
		j.Field("owner")
		j.Str(s.Owner)
		j.Field("reason")
		j.Str(s.Reason)
		j.Field("expires")
		j.Time(s.Expires)
		j.Close('}')
	}
	if f.New {
		j.Field("new")
		j.Bool(true)
	}
	j.Close('}')
	if j.Failed {
		return b, false
	}
	return j.B, true
}

func side(j *jsonw.Writer, s *rules.Side) {
	j.Open('{')
	j.Field("function")
	j.Str(s.Function)
	j.Field("identity")
	j.Str(s.Identity)
	j.Field("resource")
	j.Str(s.Resource)
	j.Field("action")
	j.Str(string(s.Action))
	j.Field("effective")
	j.Bool(s.Effective)
	j.Close('}')
}

// indentedJSON is v as encoding/json writes it with SetEscapeHTML(false)
// and SetIndent(prefix, "  "), without the newline: what appendFinding and
// appendGroup fall back to, and the error they leave to it.
func indentedJSON(v any, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// appendGroup appends g as encoding/json writes it with
// SetEscapeHTML(false) and SetIndent(prefix, "  "); see appendFinding.
func appendGroup(b []byte, g *Group, prefix string) (_ []byte, ok bool) {
	j := jsonw.Writer{B: b, Prefix: prefix}
	j.Open('{')
	j.Field("id")
	j.Str(g.ID)
	j.Field("kind")
	j.Str(g.Kind)
	j.Field("change")
	j.Str(g.Change)
	if len(g.Cut) > 0 {
		j.Field("cut")
		j.Hops(g.Cut)
	}
	j.Field("severity")
	j.Str(string(g.Severity))
	j.Field("count")
	j.Int(g.Count)
	j.Field("suppressed")
	j.Int(g.Suppressed)
	j.Field("identities")
	j.Strings(g.Identities)
	j.Field("rules")
	j.Strings(g.Rules)
	j.Field("representative")
	j.Str(g.Representative)
	j.Field("findings")
	j.Strings(g.Findings)
	j.Close('}')
	if j.Failed {
		return b, false
	}
	return j.B, true
}
