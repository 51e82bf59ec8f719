package rules

import (
	"maps"
	"slices"
	"strconv"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// A toxic_path predicate is a pure function of the fields of identity,
// access and path it reads, so its result can be remembered per value of
// those fields: most (identity, access, path) triples of an estate repeat
// the same few values (a non-human identity, an effective critical approve,
// a path with no other identity on it). refs lists what a predicate reads;
// a predicate that uses a variable other than as `var.field` is not
// memoized. The values of list fields are keyed by the ids they list
// (identity and credential fields are fixed per id within a snapshot).

// refs are the fields one predicate reads, per variable.
type refs struct {
	identity, access, path []string
	// elems are, for the lists path.identities and path.credentials, the
	// fields the predicate reads of their elements, when it reads the list
	// only as the range of comprehensions that use their element only as
	// `elem.field` (`path.identities.exists(i, i.shared)`): the list is
	// then keyed by those fields' values, which repeat across paths far
	// more than the ids do. A list read otherwise is not in elems and is
	// keyed by its ids.
	elems map[string][]string
	// auth are the fields of path.authentication the predicate reads, when
	// it reads it only as `path.authentication.field`; nil otherwise (then
	// the whole authentication is the key).
	auth []string
}

// authFields are the fields of path.authentication (pathVars).
var authFields = setOf("via", "system", "credential", "credential_type")

// elemFields are the fields of the elements of the path's lists of
// identities and credentials (identityVars, credVars).
var elemFields = map[string]map[string]bool{
	"identities": knownFields["identity"],
	"credentials": setOf("id", "identity", "type", "static", "vaulted", "revoked", "expired", "past_rotation",
		"rotation_age_days", "last_used_age_days"),
}

// knownFields are the fields each variable has (docs/reports.md); a predicate
// reading any other field errs at evaluation, so it is not memoized (the
// error must surface as before).
var knownFields = map[string]map[string]bool{
	"identity": setOf("id", "type", "human", "nonhuman", "ai_agent", "status", "active", "shared", "break_glass", "vendor",
		"vendor_managed", "business_owner", "technical_owner", "owned", "purpose", "rationale", "compensating_controls", "tags"),
	"access": setOf("resource", "action", "critical", "effective", "authorized", "resource_kind", "system", "sox"),
	"path": setOf("edges", "hops", "length", "through_exposure", "through_delegation", "identities", "credentials",
		"credential_past_rotation", "authentication"),
}

func setOf(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// referenced returns the fields a compiled predicate reads, or ok false
// when it reads a variable whole (or a field it does not have).
func referenced(a *cel.Ast) (r refs, ok bool) {
	seen := map[string]bool{}
	ok = true
	byID := map[string]bool{} // lists read other than as a comprehension's range
	elems := map[string]map[string]bool{}
	auth, authWhole := map[string]bool{}, false
	note := func(v, f string) {
		if !seen[v+"."+f] {
			seen[v+"."+f] = true
			switch v {
			case "identity":
				r.identity = append(r.identity, f)
			case "access":
				r.access = append(r.access, f)
			default:
				r.path = append(r.path, f)
			}
		}
	}
	var walk func(e celast.Expr, parentSelects bool)
	walk = func(e celast.Expr, parentSelects bool) {
		switch e.Kind() {
		case celast.IdentKind:
			if v := e.AsIdent(); knownFields[v] != nil && !parentSelects {
				ok = false // a variable used whole
			}
		case celast.SelectKind:
			s := e.AsSelect()
			if op := s.Operand(); op.Kind() == celast.SelectKind && authFields[s.FieldName()] {
				in := op.AsSelect()
				if io := in.Operand(); io.Kind() == celast.IdentKind && io.AsIdent() == "path" && in.FieldName() == "authentication" {
					note("path", "authentication")
					auth[s.FieldName()] = true
					return
				}
			}
			if op := s.Operand(); op.Kind() == celast.IdentKind && knownFields[op.AsIdent()] != nil {
				v, f := op.AsIdent(), s.FieldName()
				if !knownFields[v][f] {
					ok = false
					return
				}
				if v == "path" && elemFields[f] != nil {
					byID[f] = true
				}
				if v == "path" && f == "authentication" {
					authWhole = true
				}
				note(v, f)
				return
			}
			walk(s.Operand(), false)
		case celast.CallKind:
			c := e.AsCall()
			if c.IsMemberFunction() {
				walk(c.Target(), false)
			}
			for _, x := range c.Args() {
				walk(x, false)
			}
		case celast.ListKind:
			for _, x := range e.AsList().Elements() {
				walk(x, false)
			}
		case celast.MapKind:
			for _, en := range e.AsMap().Entries() {
				me := en.AsMapEntry()
				walk(me.Key(), false)
				walk(me.Value(), false)
			}
		case celast.ComprehensionKind:
			c := e.AsComprehension()
			parts := []celast.Expr{c.AccuInit(), c.LoopCondition(), c.LoopStep(), c.Result()}
			if list, fields, isElem := elemRange(c, parts); isElem {
				note("path", list)
				if elems[list] == nil {
					elems[list] = map[string]bool{}
				}
				for _, f := range fields {
					elems[list][f] = true
				}
			} else {
				walk(c.IterRange(), false)
			}
			for _, x := range parts {
				walk(x, false)
			}
		}
	}
	walk(a.NativeRep().Expr(), false)
	if !authWhole {
		r.auth = slices.Sorted(maps.Keys(auth))
	}
	for list, fs := range elems {
		if byID[list] {
			continue
		}
		if r.elems == nil {
			r.elems = map[string][]string{}
		}
		for _, f := range slices.Sorted(maps.Keys(fs)) {
			r.elems[list] = append(r.elems[list], f)
		}
	}
	return r, ok
}

// elemRange reports whether comprehension c ranges over path.identities or
// path.credentials and uses its element, in parts, only as `elem.field`
// with fields the elements have; it returns the list and those fields.
func elemRange(c celast.ComprehensionExpr, parts []celast.Expr) (list string, fields []string, ok bool) {
	rg := c.IterRange()
	if rg.Kind() != celast.SelectKind || c.IterVar2() != "" {
		return "", nil, false
	}
	s := rg.AsSelect()
	if op := s.Operand(); op.Kind() != celast.IdentKind || op.AsIdent() != "path" || elemFields[s.FieldName()] == nil {
		return "", nil, false
	}
	list, v := s.FieldName(), c.IterVar()
	ok = true
	var scan func(e celast.Expr)
	scan = func(e celast.Expr) {
		switch e.Kind() {
		case celast.IdentKind:
			if e.AsIdent() == v {
				ok = false // the element used whole
			}
		case celast.SelectKind:
			sel := e.AsSelect()
			if op := sel.Operand(); op.Kind() == celast.IdentKind && op.AsIdent() == v {
				if !elemFields[list][sel.FieldName()] {
					ok = false
				}
				fields = append(fields, sel.FieldName())
				return
			}
			scan(sel.Operand())
		case celast.CallKind:
			call := e.AsCall()
			if call.IsMemberFunction() {
				scan(call.Target())
			}
			for _, x := range call.Args() {
				scan(x)
			}
		case celast.ListKind:
			for _, x := range e.AsList().Elements() {
				scan(x)
			}
		case celast.MapKind:
			for _, en := range e.AsMap().Entries() {
				me := en.AsMapEntry()
				scan(me.Key())
				scan(me.Value())
			}
		case celast.ComprehensionKind:
			in := e.AsComprehension()
			if in.IterVar() == v || in.IterVar2() == v || in.AccuVar() == v {
				ok = false // shadowed: keep it simple
				return
			}
			for _, x := range []celast.Expr{in.IterRange(), in.AccuInit(), in.LoopCondition(), in.LoopStep(), in.Result()} {
				scan(x)
			}
		}
	}
	for _, x := range parts {
		scan(x)
	}
	return list, fields, ok
}

// pathSummary is what a path's variables are made of, gathered without
// building them: enough to key a memoized result.
type pathSummary struct {
	identities, credentials []string
	exposure, delegation    bool
	stale                   bool
	length                  int
	hops                    analysis.Path
	auth                    *analysis.Authentication
	// ord numbers the path among the current identity's (lazyVars.sums):
	// a predicate that reads the hops is remembered for one identity at a
	// time, so within its memo the number stands for the hops.
	ord int
	// vars are the path variables, once built (lazyVars.path).
	vars map[string]any
}

// summarize gathers what the variables of path p, exercised with
// authentication au, are made of (pathVars builds them from it).
// It fills s, reusing its lists' room (the summary lives only while its
// path is evaluated).
func (x *index) summarize(s *pathSummary, a *analysis.Access, p analysis.Path, au *analysis.Authentication, st Settings) {
	*s = pathSummary{identities: s.identities[:0], credentials: s.credentials[:0], length: len(p), hops: p, auth: au}
	addIdent := func(id string) {
		if id == a.Identity {
			return
		}
		if x.recs.IsIdentity(id) && !slices.Contains(s.identities, id) {
			s.identities = append(s.identities, id)
		}
	}
	addCred := func(id string) {
		if c, ok := x.recs.Credential(id); ok && !slices.Contains(s.credentials, id) {
			s.credentials = append(s.credentials, id)
			s.stale = s.stale || x.pastRotation(c, st)
		}
	}
	for i, h := range p {
		switch h.Edge {
		case schema.EdgeStoredIn:
			s.exposure = true
			addCred(h.To)
		case schema.EdgeHasCredential:
			addCred(h.From)
		case schema.EdgeCanActAs:
			s.delegation = true
		}
		if i == 0 || h.From != p[i-1].To { // a hop starts where the one before ends
			addIdent(h.From)
		}
		addIdent(h.To)
	}
	if au != nil {
		addCred(au.Credential)
	}
}

// The memo key of one predicate for one (identity, access, path) is the
// values of the fields it reads, each followed by a separator: first the
// identity's (idKey), the same for all of one identity's accesses, then the
// access's and the path's (accessKey). The path summary is gathered only
// for a predicate that reads the path.

// idKey appends the identity's part of the memo key.
func (r *refs) idKey(b []byte, x *index, id string) []byte {
	if len(r.identity) > 0 {
		b = x.appendFields(b, id, r.identity)
	}
	return b
}

// accessKey appends the memo key's part after the identity's.
func (r *refs) accessKey(b []byte, x *index, a *analysis.Access, summary func() *pathSummary, st Settings) []byte {
	for _, f := range r.access {
		// The values accessVars gives, read straight from the access.
		switch f {
		case "resource":
			b = append(b, a.Resource...)
		case "action":
			b = append(b, a.Action...)
		case "critical":
			b = appendBool(b, a.Critical)
		case "effective":
			b = appendBool(b, a.Effective)
		case "authorized":
			b = appendBool(b, a.Authorized)
		case "resource_kind":
			if f := x.factsOf(a); f != nil {
				b = append(b, f.kind...)
			}
		case "system":
			if f := x.factsOf(a); f != nil {
				b = append(b, f.sys...)
			}
		case "sox":
			b = appendBool(b, x.soxOf(a))
		}
		b = append(b, 2)
	}
	var ps *pathSummary
	if len(r.path) > 0 {
		ps = summary()
	}
	for _, f := range r.path {
		switch f {
		case "edges", "hops":
			// Only predicates remembered per identity read these
			// (toxicRule.perIdentity), so the path's number among the
			// identity's paths stands for its hops.
			b = strconv.AppendInt(append(b, 'p'), int64(ps.ord), 10)
		case "length":
			b = strconv.AppendInt(b, int64(ps.length), 10)
		case "through_exposure":
			b = appendBool(b, ps.exposure)
		case "through_delegation":
			b = appendBool(b, ps.delegation)
		case "credential_past_rotation":
			b = appendBool(b, ps.stale)
		case "identities":
			if fs, ok := r.elems[f]; ok {
				for _, id := range ps.identities {
					b = append(x.appendFields(b, id, fs), 3)
				}
				break
			}
			b = appendList(b, ps.identities)
		case "credentials":
			if fs, ok := r.elems[f]; ok {
				for _, id := range ps.credentials {
					cv := x.credVars(id, st)
					for _, g := range fs {
						b = appendValue(b, cv[g])
					}
					b = append(b, 3)
				}
				break
			}
			b = appendList(b, ps.credentials)
		case "authentication":
			au := ps.auth
			if au == nil {
				break
			}
			if r.auth == nil {
				b = append(append(append(append(append(b, au.Via...), 0), au.System...), 0), au.Credential...)
				break
			}
			for _, g := range r.auth {
				switch g {
				case "via":
					b = append(b, au.Via...)
				case "system":
					b = append(b, au.System...)
				case "credential":
					b = append(b, au.Credential...)
				case "credential_type":
					if c, ok := x.recs.Credential(au.Credential); ok {
						b = append(b, c.Type...)
					}
				}
				b = append(b, 0)
			}
		}
		b = append(b, 2)
	}
	return b
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 't')
	}
	return append(b, 'f')
}

func appendList(b []byte, xs []string) []byte {
	for _, x := range xs {
		b = append(append(b, x...), 0)
	}
	return b
}

// appendFields appends the fields fs of identity id (appendField), looking
// its record up once.
func (x *index) appendFields(b []byte, id string, fs []string) []byte {
	i, ok := x.recs.Identity(id)
	for _, f := range fs {
		b = x.appendField(b, &i, ok, id, f)
	}
	return b
}

// appendField appends identity field f of record i (of id; ok false when
// id is not an identity) as appendValue appends fieldOf's value,
// without building the list or map of compensating_controls and tags.
func (x *index) appendField(b []byte, i *graph.Identity, ok bool, id, f string) []byte {
	if ok {
		switch f {
		case "compensating_controls":
			for _, c := range i.CompensatingControls {
				b = append(append(b, c...), 0)
			}
			return append(b, 2)
		case "tags":
			keys := make([]string, 0, len(i.Tags))
			for k := range i.Tags {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				b = append(append(append(append(b, k...), 0), i.Tags[k]...), 0)
			}
			return append(b, 2)
		}
	}
	return appendValue(b, x.fieldOf(i, ok, id, f))
}

// appendValue appends one variable field's value (of the types identityVars
// and accessVars use) and a separator.
func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		b = append(b, v...)
	case bool:
		b = appendBool(b, v)
	case int64:
		b = strconv.AppendInt(b, v, 10)
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				b = append(b, s...)
			}
			b = append(b, 0)
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			s, _ := v[k].(string)
			b = append(append(append(append(b, k...), 0), s...), 0)
		}
	}
	return append(b, 2)
}

// memo remembers predicate results of one worker, per rule.
type memo struct {
	results []map[string]bool
	buf     []byte
	// idKeys are, per rule, the identity's part of its memo key (refs.idKey)
	// for the identity idKeyOf names, made once per identity, not per access.
	idKeys  [][]byte
	idKeyOf []string
	live    []int // the rules still to match on the current access (toxic)
	// matched are, per rule, the findings (group keys) the current access
	// has joined (toxic).
	matched [][]string
	// once are, per rule that reads identity fields alone, its result for
	// the current identity.
	once []outcome
	// lazy, vars and summary are the toxic predicates' variables, built
	// on demand for the current access and path (eval.go).
	lazy    lazyVars
	vars    map[string]any
	summary func() *pathSummary
	// idVars and idScope are the variables of the rules that read identity
	// fields alone, for identityOutcomes.
	idVars  map[string]any
	idScope identityScope
	// sod is the array the current actor's SoD accesses are listed in
	// (sodAccesses), reused from actor to actor.
	sod []sodAccess
}

// outcome is a remembered predicate result.
type outcome uint8

const (
	unknown outcome = iota
	holds
	fails
)

// maxMemo bounds one rule's remembered results (a worker starts over past it).
const maxMemo = 1 << 20

func newMemo(rules int) *memo {
	m := &memo{results: make([]map[string]bool, rules), matched: make([][]string, rules), once: make([]outcome, rules),
		idKeys: make([][]byte, rules), idKeyOf: make([]string, rules)}
	for i := range m.results {
		m.results[i] = map[string]bool{}
	}
	return m
}
