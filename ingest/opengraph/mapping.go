package opengraph

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/schema"
)

// maxMapBytes caps the map file.
const maxMapBytes = 1 << 20

// NodeTarget is what an OpenGraph node kind maps to: a bundle node section
// and, optionally, the value of that section's type field (identity and
// credential type, group type, resource and system kind) for nodes whose
// properties do not give one.
type NodeTarget struct {
	Section string // systems, resources, identities, groups or credentials
	Sub     string
}

// EdgeTarget is what an OpenGraph edge kind maps to: a reachgraph edge kind,
// the action of a grant, the default kind of a delegation, and whether the
// OpenGraph edge points the other way (Reverse: end → start in reachgraph).
type EdgeTarget struct {
	Edge       schema.EdgeKind
	Action     schema.Action
	Delegation schema.DelegationKind
	Reverse    bool
}

// Map maps OpenGraph node and edge kinds onto the model. DefaultMap maps
// reachgraph's own RG_* kinds; ParseMap reads the kinds of other sources.
type Map struct {
	Nodes map[string]NodeTarget
	Edges map[string]EdgeTarget
}

// subField is the field a NodeTarget.Sub fills, per section.
var subField = map[string]string{"systems": "kind", "resources": "kind", "identities": "type", "groups": "type", "credentials": "type"}

// sectionOf is the section of a node target name in a map file.
var sectionOf = map[string]string{"system": "systems", "resource": "resources", "identity": "identities", "group": "groups", "credential": "credentials"}

// DefaultMap returns the mapping of reachgraph's own kinds
// (schema.OpenGraphNodeKinds and OpenGraphEdgeKinds), so that what
// `reachgraph export --format opengraph` writes is read back unchanged.
func DefaultMap() *Map {
	m := &Map{Nodes: map[string]NodeTarget{}, Edges: map[string]EdgeTarget{}}
	for _, k := range schema.OpenGraphNodeKinds {
		sec := map[schema.NodeKind]string{schema.KindSystem: "systems", schema.KindResource: "resources",
			schema.KindIdentity: "identities", schema.KindGroup: "groups", schema.KindCredential: "credentials"}[k.Node]
		m.Nodes[k.Name] = NodeTarget{Section: sec, Sub: string(k.Identity) + string(k.Group)}
	}
	for _, k := range schema.OpenGraphEdgeKinds {
		m.Edges[k.Name] = EdgeTarget{Edge: k.Edge, Action: k.Action}
	}
	return m
}

// Problem is a problem in a map file at a 1-based line (0 when unknown).
type Problem struct {
	Line int
	Msg  string
}

// ParseMap reads a map file and adds its entries to DefaultMap (an entry for
// an RG_* kind replaces the default):
//
//	nodes:
//	  Okta_User: identity:human      # section[:type]
//	  Okta_Group: group
//	  GH_Repository: resource:repository
//	edges:
//	  Okta_MemberOf: member_of
//	  GH_CanWrite: grant:write
//	  Okta_ResetPassword: can_act_as:impersonate
//	  GH_Contains: {as: in_system, reverse: true}
//
// Every problem names its line; unknown keys are problems.
func ParseMap(r io.Reader) (*Map, []Problem, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxMapBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxMapBytes {
		return nil, []Problem{{Msg: fmt.Sprintf("map file larger than %d MiB", maxMapBytes>>20)}}, nil
	}
	m := DefaultMap()
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if err == io.EOF {
			return m, nil, nil
		}
		return nil, []Problem{{Msg: "invalid YAML: " + err.Error()}}, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, []Problem{{Line: root.Line, Msg: "the map must be a mapping with nodes: and edges:"}}, nil
	}
	var probs []Problem
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		switch key.Value {
		case "nodes":
			probs = append(probs, eachEntry(val, func(kind string, v *yaml.Node) *Problem { return m.addNode(kind, v) })...)
		case "edges":
			probs = append(probs, eachEntry(val, func(kind string, v *yaml.Node) *Problem { return m.addEdge(kind, v) })...)
		default:
			probs = append(probs, Problem{Line: key.Line, Msg: fmt.Sprintf("unknown key %q (want nodes or edges)", key.Value)})
		}
	}
	if len(probs) > 0 {
		return nil, probs, nil
	}
	return m, nil, nil
}

// eachEntry calls add for every key of a mapping node.
func eachEntry(n *yaml.Node, add func(kind string, v *yaml.Node) *Problem) []Problem {
	if n.Kind != yaml.MappingNode {
		if n.Tag == "!!null" {
			return nil
		}
		return []Problem{{Line: n.Line, Msg: "want a mapping of kind names to targets"}}
	}
	var probs []Problem
	for i := 0; i+1 < len(n.Content); i += 2 {
		if p := add(n.Content[i].Value, n.Content[i+1]); p != nil {
			probs = append(probs, *p)
		}
	}
	return probs
}

func (m *Map) addNode(kind string, v *yaml.Node) *Problem {
	if v.Kind != yaml.ScalarNode {
		return &Problem{Line: v.Line, Msg: fmt.Sprintf("node kind %s: want section[:type], e.g. identity:service_account", kind)}
	}
	base, sub, _ := strings.Cut(v.Value, ":")
	sec, ok := sectionOf[base]
	if !ok {
		return &Problem{Line: v.Line, Msg: fmt.Sprintf("node kind %s: %q is not one of system, resource, identity, group, credential", kind, base)}
	}
	var enum []string
	switch sec {
	case "identities":
		enum = schema.Strings(schema.IdentityTypes)
	case "groups":
		enum = schema.Strings(schema.GroupTypes)
	case "credentials":
		enum = schema.Strings(schema.CredentialTypes)
	}
	if sub != "" && enum != nil && !contains(enum, sub) {
		return &Problem{Line: v.Line, Msg: fmt.Sprintf("node kind %s: %s type %q is not one of %s", kind, base, sub, strings.Join(enum, ", "))}
	}
	m.Nodes[kind] = NodeTarget{Section: sec, Sub: sub}
	return nil
}

func (m *Map) addEdge(kind string, v *yaml.Node) *Problem {
	target, reverse := v.Value, false
	if v.Kind == yaml.MappingNode {
		target = ""
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], v.Content[i+1]
			switch k.Value {
			case "as":
				target = val.Value
			case "reverse":
				if err := val.Decode(&reverse); err != nil {
					return &Problem{Line: val.Line, Msg: fmt.Sprintf("edge kind %s: reverse: want true or false", kind)}
				}
			default:
				return &Problem{Line: k.Line, Msg: fmt.Sprintf("edge kind %s: unknown key %q (want as, reverse)", kind, k.Value)}
			}
		}
	} else if v.Kind != yaml.ScalarNode {
		return &Problem{Line: v.Line, Msg: fmt.Sprintf("edge kind %s: want a target such as member_of or {as: grant:write, reverse: true}", kind)}
	}
	t, err := parseEdgeTarget(target)
	if err != nil {
		return &Problem{Line: v.Line, Msg: fmt.Sprintf("edge kind %s: %v", kind, err)}
	}
	t.Reverse = reverse
	m.Edges[kind] = t
	return nil
}

// parseEdgeTarget reads member_of, grant:ACTION, can_act_as[:KIND],
// has_credential, stored_in, in_system or child_of.
func parseEdgeTarget(s string) (EdgeTarget, error) {
	base, sub, hasSub := strings.Cut(s, ":")
	simple := map[string]schema.EdgeKind{"member_of": schema.EdgeMemberOf, "has_credential": schema.EdgeHasCredential,
		"stored_in": schema.EdgeStoredIn, "in_system": schema.EdgeInSystem, "child_of": schema.EdgeChildOf}
	switch {
	case base == "grant":
		if a := schema.Action(sub); a.Valid() {
			return EdgeTarget{Edge: schema.EdgeGrant, Action: a}, nil
		}
		return EdgeTarget{}, fmt.Errorf("grant needs an action: grant:%s", strings.Join(schema.Strings(schema.Actions), ", grant:"))
	case base == "can_act_as":
		if hasSub && !contains(schema.Strings(schema.DelegationKinds), sub) {
			return EdgeTarget{}, fmt.Errorf("delegation kind %q is not one of %s", sub, strings.Join(schema.Strings(schema.DelegationKinds), ", "))
		}
		return EdgeTarget{Edge: schema.EdgeCanActAs, Delegation: schema.DelegationKind(sub)}, nil
	case simple[base] != "" && !hasSub:
		return EdgeTarget{Edge: simple[base]}, nil
	}
	return EdgeTarget{}, fmt.Errorf("target %q is not one of member_of, grant:ACTION, can_act_as[:KIND], has_credential, stored_in, in_system, child_of", s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
