package link

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/schema"
)

// sameAs parses one same_as item: {pair: [A, B], rule} or {join: RULE, keys}.
func (p *parser) sameAs(n *yaml.Node) (SameAs, bool) {
	f := p.fields(n, "same_as", []string{"pair", "rule", "join", "keys"}, nil)
	before := len(p.probs)
	s := SameAs{Line: n.Line}
	switch {
	case f["pair"] != nil && f["join"] != nil:
		p.bad(n, "same_as: give either pair or join, not both")
	case f["pair"] != nil:
		if f["keys"] != nil {
			p.bad(f["keys"], "same_as: keys belong to a join, not a pair")
		}
		s.Rule = p.str(f["rule"], "same_as rule")
		if s.Rule == "" {
			s.Rule = "pair"
		}
		for _, it := range p.items(f["pair"], "same_as pair") {
			s.Pair = append(s.Pair, p.str(it, "same_as pair item"))
		}
		if len(s.Pair) != 2 {
			p.bad(f["pair"], "same_as pair: want two identity ids, got %d", len(s.Pair))
		} else if s.Pair[0] == s.Pair[1] && s.Pair[0] != "" {
			p.bad(f["pair"], "same_as pair: an identity is already the same as itself")
		}
	case f["join"] != nil:
		if f["rule"] != nil {
			p.bad(f["rule"], "same_as: a join is named by join, not rule")
		}
		s.Rule = p.str(f["join"], "same_as join")
		s.Keys = p.keys(f["keys"], s.Rule)
	default:
		p.bad(n, "same_as: want pair: [ID, ID] or join: ATTRIBUTE")
	}
	return s, len(p.probs) == before
}

// keys parses a join's keys: "tag:KEY", "name", or {key: …, id_prefix: …}.
func (p *parser) keys(n *yaml.Node, rule string) []Key {
	if n == nil {
		return []Key{{Tag: rule}}
	}
	var out []Key
	for _, it := range p.items(n, "same_as keys") {
		var k Key
		text := ""
		if it.Kind == yaml.MappingNode {
			f := p.fields(it, "same_as key", []string{"key", "id_prefix"}, []string{"key"})
			text, k.IDPrefix = p.str(f["key"], "same_as key"), p.str(f["id_prefix"], "same_as key id_prefix")
		} else {
			text = p.str(it, "same_as key")
		}
		switch {
		case text == "":
		case text == "name":
		case strings.HasPrefix(text, "tag:") && len(text) > 4:
			k.Tag = text[4:]
		default:
			p.bad(it, "same_as key %q: want name or tag:KEY (tag:email, tag:employee_id)", text)
		}
		out = append(out, k)
	}
	if n.Kind == yaml.SequenceNode && len(out) == 0 {
		p.bad(n, "same_as keys: want at least one key")
	}
	return out
}

// storedIn parses one stored_in item.
func (p *parser) storedIn(n *yaml.Node) (StoredIn, bool) {
	before := len(p.probs)
	f := p.fields(n, "stored_in", []string{"credential", "resource", "vaulted"}, []string{"credential", "resource"})
	s := StoredIn{Line: n.Line, Credential: p.str(f["credential"], "stored_in credential"),
		Resource: p.str(f["resource"], "stored_in resource"), Vaulted: p.boolean(f["vaulted"], "stored_in vaulted")}
	return s, len(p.probs) == before
}

// actAs parses one act_as item.
func (p *parser) actAs(n *yaml.Node) (ActAs, bool) {
	before := len(p.probs)
	f := p.fields(n, "act_as", []string{"from", "to", "kind", "system", "why", "credential"}, []string{"from", "to"})
	a := ActAs{Line: n.Line, From: p.str(f["from"], "act_as from"), To: p.str(f["to"], "act_as to"),
		Kind: p.str(f["kind"], "act_as kind"), System: p.str(f["system"], "act_as system"),
		Why: p.str(f["why"], "act_as why"), Credential: p.str(f["credential"], "act_as credential")}
	if a.Kind != "" && !slices.Contains(schema.DelegationKinds, schema.DelegationKind(a.Kind)) {
		p.bad(f["kind"], "act_as kind %q: want one of %s", a.Kind, strings.Join(schema.Strings(schema.DelegationKinds), ", "))
	}
	if a.Credential != "" && a.System == "" {
		p.bad(f["credential"], "act_as credential: names the credential a system accepts; give that system too")
	}
	return a, len(p.probs) == before
}
