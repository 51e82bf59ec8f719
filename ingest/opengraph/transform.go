package opengraph

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// Skipped counts the edges of one OpenGraph kind that were not imported
// because the map has no target for the kind, and where the first one is.
type Skipped struct {
	Kind  string
	Count int
	First string // JSON pointer of the first such edge
}

// transformer turns decoded nodes and edges into bundle records. It does no
// I/O: records go to add, problems to problem. Resources and credentials are
// held until every edge is read, since their system, parent, owner and
// location come from edges (IN_SYSTEM, CHILD_OF, HAS_CREDENTIAL, STORED_IN)
// that may come anywhere in the document.
type transformer struct {
	m       *Map
	add     func(rec *ingest.Record)
	problem func(ptr, msg string)

	pending []*ingest.Record          // resources and credentials, in input order
	held    map[string]*ingest.Record // the same, by section and id
	derived map[string]derivedField   // by section, field and node id
	order   []string                  // keys of derived in input order

	skipped map[string]*Skipped
	edges   int
}

// derivedField is a field of a held node set by an edge at ptr.
type derivedField struct {
	section, id, field, value, ptr, edgeKind string
}

func newTransformer(m *Map, add func(*ingest.Record), problem func(ptr, msg string)) *transformer {
	return &transformer{m: m, add: add, problem: problem, held: map[string]*ingest.Record{},
		derived: map[string]derivedField{}, skipped: map[string]*Skipped{}}
}

// resolve finds the target of a node's kinds: the first kind the map knows
// decides the section; the type comes from the first known kind that gives
// one. Kinds the map does not know (such as a source kind) are ignored.
func (t *transformer) resolve(ptr string, kinds []string) (NodeTarget, bool) {
	var got NodeTarget
	first := ""
	for _, k := range kinds {
		nt, ok := t.m.Nodes[k]
		switch {
		case !ok:
			continue
		case first == "":
			got, first = nt, k
		case nt.Section != got.Section:
			t.problem(ptr+"/kinds", fmt.Sprintf("kinds %q and %q map to different node kinds (%s, %s)", first, k, got.Section, nt.Section))
			return NodeTarget{}, false
		case got.Sub == "":
			got.Sub = nt.Sub
		}
	}
	if first == "" {
		t.problem(ptr+"/kinds", fmt.Sprintf("no mapping for node kinds %s: map one of them under nodes: in the --opengraph-map file "+
			"to system, resource, identity:TYPE, group[:role] or credential:TYPE", quoteAll(kinds)))
		return NodeTarget{}, false
	}
	return got, true
}

func (t *transformer) node(ptr string, n *RawNode) {
	if n.ID == nil || *n.ID == "" {
		t.problem(ptr+"/id", "missing id")
		return
	}
	target, ok := t.resolve(ptr, n.Kinds)
	if !ok {
		return
	}
	sec, _ := schema.SectionByName(target.Section)
	rec := &ingest.Record{Section: sec.Name, Pointer: ptr + "/properties"}
	rec.Fields = append(rec.Fields, str("id", *n.ID))
	t.properties(ptr+"/properties", sec, n.Properties, rec)
	if sub := subField[sec.Name]; target.Sub != "" && field(rec, sub) == nil {
		rec.Fields = append(rec.Fields, str(sub, target.Sub))
	}
	if sec.Name == "resources" || sec.Name == "credentials" {
		t.pending = append(t.pending, rec)
		t.held[sec.Name+"\x00"+*n.ID] = rec
		return
	}
	t.add(rec)
}

// properties converts the properties that name a field of sec into fields of
// rec (and secret-named ones, which ingest rejects); others are ignored.
// Identities take owners_business and owners_technical as owners, and tags as
// "key=value" strings.
func (t *transformer) properties(ptr string, sec schema.Section, props map[string]any, rec *ingest.Record) {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var owners []ingest.Field
	for _, k := range keys {
		v := props[k]
		_, known := sec.Field(k)
		switch {
		case k == "id":
			continue // the node's id is the top-level id
		case sec.Name == "identities" && (k == "owners_business" || k == "owners_technical"):
			owners = append(owners, ingest.Field{Name: strings.TrimPrefix(k, "owners_"), Value: value(v)})
		case sec.Name == "identities" && k == "tags":
			rec.Fields = append(rec.Fields, t.tags(ptr+"/tags", v))
		case known || isSecretName(k):
			rec.Fields = append(rec.Fields, ingest.Field{Name: k, Value: value(v)})
		}
	}
	if len(owners) > 0 {
		rec.Fields = append(rec.Fields, ingest.Field{Name: "owners", Value: ingest.Value{Kind: ingest.Map, Fields: owners}})
	}
}

// tags reads a list of "key=value" strings as the tags map.
func (t *transformer) tags(ptr string, v any) ingest.Field {
	list, ok := v.([]any)
	if !ok {
		return ingest.Field{Name: "tags", Value: value(v)} // ingest reports the type
	}
	m := ingest.Value{Kind: ingest.Map}
	for i, item := range list {
		s, _ := item.(string)
		k, val, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			t.problem(fmt.Sprintf("%s/%d", ptr, i), `want a "key=value" string`)
			continue
		}
		m.Fields = append(m.Fields, ingest.Field{Name: k, Value: ingest.Value{Kind: ingest.String, Text: val}})
	}
	return ingest.Field{Name: "tags", Value: m}
}

// end checks one end of an edge and returns the node id it matches.
func (t *transformer) end(ptr string, e *RawEnd) (string, bool) {
	switch {
	case e == nil:
		t.problem(ptr, "missing edge end")
	case e.MatchBy != "" && e.MatchBy != "id":
		t.problem(ptr+"/match_by", fmt.Sprintf("match_by %q is not supported: reachgraph matches edge ends by node id (match_by \"id\")", e.MatchBy))
	case e.Value == nil || *e.Value == "":
		t.problem(ptr+"/value", "missing value (the id of the node)")
	default:
		return *e.Value, true
	}
	return "", false
}

func (t *transformer) edge(ptr string, e *RawEdge) {
	t.edges++
	if e.Kind == nil || *e.Kind == "" {
		t.problem(ptr+"/kind", "missing kind")
		return
	}
	start, ok1 := t.end(ptr+"/start", e.Start)
	end, ok2 := t.end(ptr+"/end", e.End)
	if !ok1 || !ok2 {
		return
	}
	target, ok := t.m.Edges[*e.Kind]
	if !ok {
		t.skip(*e.Kind, ptr)
		return
	}
	if target.Reverse {
		start, end = end, start
	}
	switch target.Edge {
	case schema.EdgeMemberOf:
		t.edgeRecord(ptr, "memberships", e.Properties, str("member", start), str("group", end))
	case schema.EdgeGrant:
		t.edgeRecord(ptr, "grants", e.Properties, str("principal", start), str("action", string(target.Action)), str("resource", end))
	case schema.EdgeCanActAs:
		fs := []ingest.Field{str("from", start), str("to", end)}
		if _, given := e.Properties["kind"]; !given && target.Delegation != "" {
			fs = append(fs, str("kind", string(target.Delegation)))
		}
		t.edgeRecord(ptr, "delegations", e.Properties, fs...)
	case schema.EdgeHasCredential:
		t.derive(ptr, *e.Kind, "credentials", end, "identity", start)
	case schema.EdgeStoredIn:
		t.derive(ptr, *e.Kind, "credentials", start, "stored_in", end)
	case schema.EdgeInSystem:
		t.derive(ptr, *e.Kind, "resources", start, "system", end)
	case schema.EdgeChildOf:
		t.derive(ptr, *e.Kind, "resources", start, "parent", end)
	}
}

// edgeRecord adds a membership, grant or delegation: the fields from the
// edge's ends and kind, then its properties that name fields of the section.
func (t *transformer) edgeRecord(ptr, section string, props map[string]any, fs ...ingest.Field) {
	sec, _ := schema.SectionByName(section)
	rec := &ingest.Record{Section: section, Pointer: ptr + "/properties", Fields: fs}
	t.properties(ptr+"/properties", sec, props, rec)
	t.add(rec)
}

// derive records that the edge at ptr sets field of the held node id.
func (t *transformer) derive(ptr, kind, section, id, fieldName, val string) {
	key := section + "\x00" + fieldName + "\x00" + id
	if d, ok := t.derived[key]; ok {
		if d.value != val {
			t.problem(ptr, fmt.Sprintf("%s: %s %q already has %s %q from the %s edge at %s", kind, strings.TrimSuffix(section, "s"), id, fieldName, d.value, d.edgeKind, d.ptr))
		}
		return
	}
	t.derived[key] = derivedField{section: section, id: id, field: fieldName, value: val, ptr: ptr, edgeKind: kind}
	t.order = append(t.order, key)
}

func (t *transformer) skip(kind, ptr string) {
	s := t.skipped[kind]
	if s == nil {
		s = &Skipped{Kind: kind, First: ptr}
		t.skipped[kind] = s
	}
	s.Count++
}

// finish applies the derived fields to the held resources and credentials,
// adds them in input order, and returns the skipped edge kinds by name.
func (t *transformer) finish() []Skipped {
	for _, key := range t.order {
		d := t.derived[key]
		rec := t.held[d.section+"\x00"+d.id]
		if rec == nil {
			t.problem(d.ptr, fmt.Sprintf("%s edge: %q is not a %s node of this payload", d.edgeKind, d.id, strings.TrimSuffix(d.section, "s")))
			continue
		}
		if f := field(rec, d.field); f != nil {
			if f.Value.Kind != ingest.String || f.Value.Text != d.value {
				t.problem(d.ptr, fmt.Sprintf("%s edge sets %s %q of %q, but its %s property says %s", d.edgeKind, d.field, d.value, d.id, d.field, describeValue(f.Value)))
			}
			continue
		}
		rec.Fields = append(rec.Fields, str(d.field, d.value))
	}
	for _, rec := range t.pending {
		t.add(rec)
	}
	out := make([]Skipped, 0, len(t.skipped))
	for _, s := range t.skipped {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Skipped) int { return strings.Compare(a.Kind, b.Kind) })
	return out
}

func field(rec *ingest.Record, name string) *ingest.Field {
	for i := range rec.Fields {
		if rec.Fields[i].Name == name {
			return &rec.Fields[i]
		}
	}
	return nil
}

func str(name, v string) ingest.Field {
	return ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.String, Text: v}}
}

// value converts a decoded JSON value (numbers as json.Number).
func value(v any) ingest.Value {
	switch v := v.(type) {
	case string:
		return ingest.Value{Kind: ingest.String, Text: v}
	case json.Number:
		return ingest.Value{Kind: ingest.Number, Text: v.String()}
	case bool:
		if v {
			return ingest.Value{Kind: ingest.Bool, Text: "true"}
		}
		return ingest.Value{Kind: ingest.Bool, Text: "false"}
	case []any:
		out := ingest.Value{Kind: ingest.List}
		for _, item := range v {
			out.Items = append(out.Items, value(item))
		}
		return out
	case map[string]any:
		out := ingest.Value{Kind: ingest.Map}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out.Fields = append(out.Fields, ingest.Field{Name: k, Value: value(v[k])})
		}
		return out
	}
	return ingest.Value{Kind: ingest.Null}
}

func describeValue(v ingest.Value) string {
	if v.Kind == ingest.String {
		return fmt.Sprintf("%q", v.Text)
	}
	return v.Kind.String()
}

// isSecretName reports a property named like a secret-bearing field
// (schema.SecretFields, ignoring case and "-" for "_"); such properties are
// passed on so that ingest rejects them.
func isSecretName(name string) bool {
	n := strings.ReplaceAll(strings.ToLower(name), "-", "_")
	return slices.Contains(schema.SecretFields, n)
}

func quoteAll(kinds []string) string {
	if len(kinds) == 0 {
		return "[] (none)"
	}
	q := make([]string, len(kinds))
	for i, k := range kinds {
		q[i] = fmt.Sprintf("%q", k)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
