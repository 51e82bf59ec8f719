package ingest

import (
	"fmt"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Node kinds as bits, so a reference's allowed kinds are one mask.
const (
	bitSystem uint8 = 1 << iota
	bitResource
	bitIdentity
	bitGroup
	bitCredential
)

func kindBit(k schema.NodeKind) uint8 {
	switch k {
	case schema.KindSystem:
		return bitSystem
	case schema.KindResource:
		return bitResource
	case schema.KindIdentity:
		return bitIdentity
	case schema.KindGroup:
		return bitGroup
	case schema.KindCredential:
		return bitCredential
	}
	panic(fmt.Sprintf("ingest: unknown node kind %q", k))
}

// kindNames renders a mask as "a Resource or System".
func kindNames(mask uint8) string {
	out := ""
	for _, k := range schema.NodeKinds {
		if mask&kindBit(k) == 0 {
			continue
		}
		if out == "" {
			out = article(string(k)) + " " + string(k)
		} else {
			out += " or " + string(k)
		}
	}
	return out
}

// kindName is the name of one kind bit: "Identity".
func kindName(bit uint8) string {
	for _, k := range schema.NodeKinds {
		if kindBit(k) == bit {
			return string(k)
		}
	}
	panic(fmt.Sprintf("ingest: not one kind bit: %#x", bit))
}

func article(s string) string {
	if s != "" && (s[0] == 'I' || s[0] == 'A' || s[0] == 'E' || s[0] == 'O' || s[0] == 'U') {
		return "an"
	}
	return "a"
}

// parsed is one field's value after validation.
type parsed struct {
	set  bool
	s    string
	b    bool
	n    int
	t    time.Time
	list []string
	m    map[string]string
}

// builder holds one record of each kind; setters fill the one of the current
// section. It is reused across records.
type builder struct {
	system     graph.System
	resource   graph.Resource
	identity   graph.Identity
	group      graph.Group
	membership graph.Membership
	grant      graph.Grant
	credential graph.Credential
	delegation graph.Delegation
}

type setter func(b *builder, v *parsed)

func boolPtr(v bool) *bool { return &v }

// setters maps every schema field to the graph record field it fills. init
// checks that every field of schema.Sections has one, so a field added to the
// schema without a mapping fails every test at once.
var setters = map[string]map[string]setter{
	"systems": {
		"id":        func(b *builder, v *parsed) { b.system.ID = v.s },
		"name":      func(b *builder, v *parsed) { b.system.Name = v.s },
		"kind":      func(b *builder, v *parsed) { b.system.Kind = v.s },
		"sox_scope": func(b *builder, v *parsed) { b.system.SOXScope = v.b },
		"owner":     func(b *builder, v *parsed) { b.system.Owner = v.s },
	},
	"resources": {
		"id":        func(b *builder, v *parsed) { b.resource.ID = v.s },
		"system":    func(b *builder, v *parsed) { b.resource.System = v.s },
		"parent":    func(b *builder, v *parsed) { b.resource.Parent = v.s },
		"name":      func(b *builder, v *parsed) { b.resource.Name = v.s },
		"kind":      func(b *builder, v *parsed) { b.resource.Kind = v.s },
		"sox_scope": func(b *builder, v *parsed) { b.resource.SOXScope = boolPtr(v.b) },
	},
	"identities": {
		"id":     func(b *builder, v *parsed) { b.identity.ID = v.s },
		"name":   func(b *builder, v *parsed) { b.identity.Name = v.s },
		"type":   func(b *builder, v *parsed) { b.identity.Type = schema.IdentityType(v.s) },
		"status": func(b *builder, v *parsed) { b.identity.Status = schema.Status(v.s) },
		"owners": func(b *builder, v *parsed) {
			b.identity.Owners = graph.Owners{Business: v.m["business"], Technical: v.m["technical"]}
		},
		"purpose":               func(b *builder, v *parsed) { b.identity.Purpose = v.s },
		"nonhuman_rationale":    func(b *builder, v *parsed) { b.identity.NonhumanRationale = v.s },
		"shared":                func(b *builder, v *parsed) { b.identity.Shared = v.b },
		"break_glass":           func(b *builder, v *parsed) { b.identity.BreakGlass = v.b },
		"vendor":                func(b *builder, v *parsed) { b.identity.Vendor = v.s },
		"created_at":            func(b *builder, v *parsed) { b.identity.CreatedAt = v.t },
		"last_used_at":          func(b *builder, v *parsed) { b.identity.LastUsedAt = v.t },
		"compensating_controls": func(b *builder, v *parsed) { b.identity.CompensatingControls = v.list },
		"same_as":               func(b *builder, v *parsed) { b.identity.SameAs = v.list },
		"tags":                  func(b *builder, v *parsed) { b.identity.Tags = v.m },
	},
	"groups": {
		"id":     func(b *builder, v *parsed) { b.group.ID = v.s },
		"name":   func(b *builder, v *parsed) { b.group.Name = v.s },
		"type":   func(b *builder, v *parsed) { b.group.Type = schema.GroupType(v.s) },
		"system": func(b *builder, v *parsed) { b.group.System = v.s },
	},
	"memberships": {
		"member":     func(b *builder, v *parsed) { b.membership.Member = v.s },
		"group":      func(b *builder, v *parsed) { b.membership.Group = v.s },
		"valid_from": func(b *builder, v *parsed) { b.membership.ValidFrom = v.t },
		"expires_at": func(b *builder, v *parsed) { b.membership.ExpiresAt = v.t },
		"native":     func(b *builder, v *parsed) { b.membership.Native = v.s },
	},
	"grants": {
		"principal":    func(b *builder, v *parsed) { b.grant.Principal = v.s },
		"action":       func(b *builder, v *parsed) { b.grant.Action = schema.Action(v.s) },
		"resource":     func(b *builder, v *parsed) { b.grant.Resource = v.s },
		"native":       func(b *builder, v *parsed) { b.grant.Native = v.s },
		"conditional":  func(b *builder, v *parsed) { b.grant.Conditional = v.b },
		"last_used_at": func(b *builder, v *parsed) { b.grant.LastUsedAt = v.t },
		"valid_from":   func(b *builder, v *parsed) { b.grant.ValidFrom = v.t },
		"expires_at":   func(b *builder, v *parsed) { b.grant.ExpiresAt = v.t },
	},
	"credentials": {
		"id":              func(b *builder, v *parsed) { b.credential.ID = v.s },
		"identity":        func(b *builder, v *parsed) { b.credential.Identity = v.s },
		"type":            func(b *builder, v *parsed) { b.credential.Type = schema.CredentialType(v.s) },
		"systems":         func(b *builder, v *parsed) { b.credential.Systems = v.list },
		"created_at":      func(b *builder, v *parsed) { b.credential.CreatedAt = v.t },
		"last_rotated_at": func(b *builder, v *parsed) { b.credential.LastRotatedAt = v.t },
		"valid_from":      func(b *builder, v *parsed) { b.credential.ValidFrom = v.t },
		"expires_at":      func(b *builder, v *parsed) { b.credential.ExpiresAt = v.t },
		"last_used_at":    func(b *builder, v *parsed) { b.credential.LastUsedAt = v.t },
		"rotation_days":   func(b *builder, v *parsed) { b.credential.RotationDays = v.n },
		"revoked":         func(b *builder, v *parsed) { b.credential.Revoked = v.b },
		"vaulted":         func(b *builder, v *parsed) { b.credential.Vaulted = v.b },
		"stored_in":       func(b *builder, v *parsed) { b.credential.StoredIn = v.s },
	},
	"delegations": {
		"from":       func(b *builder, v *parsed) { b.delegation.From = v.s },
		"to":         func(b *builder, v *parsed) { b.delegation.To = v.s },
		"kind":       func(b *builder, v *parsed) { b.delegation.Kind = schema.DelegationKind(v.s) },
		"system":     func(b *builder, v *parsed) { b.delegation.System = v.s },
		"native":     func(b *builder, v *parsed) { b.delegation.Native = v.s },
		"valid_from": func(b *builder, v *parsed) { b.delegation.ValidFrom = v.t },
		"expires_at": func(b *builder, v *parsed) { b.delegation.ExpiresAt = v.t },
	},
}

// sectionOps are the per-section record operations that do not depend on a field.
type sectionOps struct {
	reset    func(b *builder)
	defaults func(b *builder)
	encode   func(b *builder, dst []byte) []byte
	put      func(w graph.Writer, src []byte) ([]byte, error)
}

func putter[T any](decode func([]byte) (T, []byte, error), put func(graph.Writer, T) error) func(graph.Writer, []byte) ([]byte, error) {
	return func(w graph.Writer, src []byte) ([]byte, error) {
		r, rest, err := decode(src)
		if err != nil {
			return nil, err
		}
		return rest, put(w, r)
	}
}

var ops = map[string]sectionOps{
	"systems": {
		reset:  func(b *builder) { b.system = graph.System{} },
		encode: func(b *builder, dst []byte) []byte { return graph.AppendSystem(dst, b.system) },
		put:    putter(graph.DecodeSystem, graph.Writer.PutSystem),
	},
	"resources": {
		reset:  func(b *builder) { b.resource = graph.Resource{} },
		encode: func(b *builder, dst []byte) []byte { return graph.AppendResource(dst, b.resource) },
		put:    putter(graph.DecodeResource, graph.Writer.PutResource),
	},
	"identities": {
		reset: func(b *builder) { b.identity = graph.Identity{} },
		defaults: func(b *builder) {
			if b.identity.Status == "" {
				b.identity.Status = schema.StatusActive
			}
		},
		encode: func(b *builder, dst []byte) []byte { return graph.AppendIdentity(dst, b.identity) },
		put:    putter(graph.DecodeIdentity, graph.Writer.PutIdentity),
	},
	"groups": {
		reset: func(b *builder) { b.group = graph.Group{} },
		defaults: func(b *builder) {
			if b.group.Type == "" {
				b.group.Type = schema.GroupGroup
			}
		},
		encode: func(b *builder, dst []byte) []byte { return graph.AppendGroup(dst, b.group) },
		put:    putter(graph.DecodeGroup, graph.Writer.PutGroup),
	},
	"memberships": {
		reset:  func(b *builder) { b.membership = graph.Membership{} },
		encode: func(b *builder, dst []byte) []byte { return graph.AppendMembership(dst, b.membership) },
		put:    putter(graph.DecodeMembership, graph.Writer.PutMembership),
	},
	"grants": {
		reset:  func(b *builder) { b.grant = graph.Grant{} },
		encode: func(b *builder, dst []byte) []byte { return graph.AppendGrant(dst, b.grant) },
		put:    putter(graph.DecodeGrant, graph.Writer.PutGrant),
	},
	"credentials": {
		reset:  func(b *builder) { b.credential = graph.Credential{} },
		encode: func(b *builder, dst []byte) []byte { return graph.AppendCredential(dst, b.credential) },
		put:    putter(graph.DecodeCredential, graph.Writer.PutCredential),
	},
	"delegations": {
		reset: func(b *builder) { b.delegation = graph.Delegation{} },
		defaults: func(b *builder) {
			if b.delegation.Kind == "" {
				b.delegation.Kind = schema.DelegOther
			}
		},
		encode: func(b *builder, dst []byte) []byte { return graph.AppendDelegation(dst, b.delegation) },
		put:    putter(graph.DecodeDelegation, graph.Writer.PutDelegation),
	},
}

// fieldSpec is a schema field with what validation needs precomputed.
type fieldSpec struct {
	schema.Field
	refMask uint8 // allowed target kinds of a TRef / TRefList
	set     setter
	enum    map[string]bool
}

// sectionSpec is a schema section with its fields indexed by name.
type sectionSpec struct {
	schema.Section
	index   int // position in schema.Sections
	nodeBit uint8
	fields  []fieldSpec
	byName  map[string]int
	idField int // index of "id" for node sections, -1 for edge sections
	ops     sectionOps
}

// specs is derived once from schema.Sections and never changed.
var specs, specByName = buildSpecs()

func buildSpecs() ([]*sectionSpec, map[string]*sectionSpec) {
	list := make([]*sectionSpec, 0, len(schema.Sections))
	byName := make(map[string]*sectionSpec, len(schema.Sections))
	for i, sec := range schema.Sections {
		sp := &sectionSpec{Section: sec, index: i, byName: map[string]int{}, idField: -1}
		if sec.Node != "" {
			sp.nodeBit = kindBit(sec.Node)
		}
		var ok bool
		if sp.ops, ok = ops[sec.Name]; !ok {
			panic("ingest: no record operations for section " + sec.Name)
		}
		if len(sec.Fields) > 32 {
			panic("ingest: too many fields in section " + sec.Name)
		}
		for j, f := range sec.Fields {
			fs := fieldSpec{Field: f, set: setters[sec.Name][f.Name]}
			if fs.set == nil {
				panic("ingest: no setter for field " + sec.Name + "." + f.Name)
			}
			for _, k := range f.Ref {
				fs.refMask |= kindBit(k)
			}
			if f.Type == schema.TEnum {
				fs.enum = make(map[string]bool, len(f.Enum))
				for _, e := range f.Enum {
					fs.enum[e] = true
				}
			}
			for _, sub := range f.Sub {
				if sub.Type != schema.TString {
					panic("ingest: unsupported sub-field type in " + sec.Name + "." + f.Name)
				}
			}
			if f.Name == "id" && sec.Node != "" {
				sp.idField = j
			}
			sp.byName[f.Name] = j
			sp.fields = append(sp.fields, fs)
		}
		if sec.Node != "" && sp.idField < 0 {
			panic("ingest: node section without id: " + sec.Name)
		}
		list = append(list, sp)
		byName[sec.Name] = sp
	}
	return list, byName
}
