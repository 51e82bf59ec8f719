package export

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Node is one exported node: its id, its OpenGraph kinds (the first is the
// primary kind) and its properties sorted by key.
type Node struct {
	ID    string
	Kinds []string
	Props []Prop
}

// Edge is one exported edge from Start to End (node ids) of an OpenGraph
// edge kind, with its properties sorted by key.
type Edge struct {
	Kind  string
	Start string
	End   string
	Props []Prop
}

// Prop is one property. Value is a string, a bool, an int or a []string; unset
// record fields are left out, so no property is empty.
type Prop struct {
	Key   string
	Value any
}

// Visitor receives the nodes and then the edges of a Walk. An error stops the
// walk and is returned by Walk.
type Visitor struct {
	Node func(Node) error
	Edge func(Edge) error
}

// Walk visits every node of r and then every edge, in the deterministic
// order described in the package documentation. It holds one section's
// records at a time, to sort them.
func Walk(ctx context.Context, r graph.Reader, v Visitor) error {
	steps := []func(context.Context, graph.Reader, Visitor) error{
		walkSystems, walkResources, walkIdentities, walkGroups, walkCredentials,
		walkMemberships, walkGrants, walkDelegations, walkCredentialEdges, walkResourceEdges,
	}
	for _, step := range steps {
		if err := step(ctx, r, v); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// collect reads every record of seq.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for rec, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// props builds a property list, leaving out unset values, sorted by key.
type props []Prop

func (p *props) str(key, v string) {
	if v != "" {
		*p = append(*p, Prop{key, v})
	}
}

func (p *props) flag(key string, v bool) {
	if v {
		*p = append(*p, Prop{key, true})
	}
}

func (p *props) time(key string, t time.Time) {
	if !t.IsZero() {
		*p = append(*p, Prop{key, t.UTC().Format(time.RFC3339Nano)})
	}
}

func (p *props) list(key string, v []string) {
	if len(v) > 0 {
		*p = append(*p, Prop{key, slices.Clone(v)})
	}
}

func (p props) sorted() []Prop {
	slices.SortFunc(p, func(a, b Prop) int { return strings.Compare(a.Key, b.Key) })
	return p
}

func walkSystems(ctx context.Context, r graph.Reader, v Visitor) error {
	recs, err := collect(r.Systems(ctx))
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b graph.System) int { return strings.Compare(a.ID, b.ID) })
	for _, s := range recs {
		var p props
		p.str("name", s.Name)
		p.str("kind", s.Kind)
		p = append(p, Prop{"sox_scope", s.SOXScope})
		p.str("owner", s.Owner)
		if err := v.Node(Node{ID: s.ID, Kinds: []string{schema.OGSystem}, Props: p.sorted()}); err != nil {
			return err
		}
	}
	return nil
}

func walkResources(ctx context.Context, r graph.Reader, v Visitor) error {
	recs, err := collect(r.Resources(ctx))
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b graph.Resource) int { return strings.Compare(a.ID, b.ID) })
	for _, s := range recs {
		var p props
		p.str("name", s.Name)
		p.str("kind", s.Kind)
		if s.SOXScope != nil {
			p = append(p, Prop{"sox_scope", *s.SOXScope})
		}
		if err := v.Node(Node{ID: s.ID, Kinds: []string{schema.OGResource}, Props: p.sorted()}); err != nil {
			return err
		}
	}
	return nil
}

func walkIdentities(ctx context.Context, r graph.Reader, v Visitor) error {
	recs, err := collect(r.Identities(ctx))
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b graph.Identity) int { return strings.Compare(a.ID, b.ID) })
	for _, s := range recs {
		if err := v.Node(identityNode(s)); err != nil {
			return err
		}
	}
	return nil
}

func identityNode(s graph.Identity) Node {
	var p props
	p.str("name", s.Name)
	p.str("type", string(s.Type))
	p.str("status", string(s.Status))
	p.str("owners_business", s.Owners.Business)
	p.str("owners_technical", s.Owners.Technical)
	p.str("purpose", s.Purpose)
	p.str("nonhuman_rationale", s.NonhumanRationale)
	p.flag("shared", s.Shared)
	p.flag("break_glass", s.BreakGlass)
	p.str("vendor", s.Vendor)
	p.time("created_at", s.CreatedAt)
	p.time("last_used_at", s.LastUsedAt)
	p.list("compensating_controls", s.CompensatingControls)
	p.list("same_as", s.SameAs)
	if len(s.Tags) > 0 {
		tags := make([]string, 0, len(s.Tags))
		for k, val := range s.Tags {
			tags = append(tags, k+"="+val)
		}
		slices.Sort(tags)
		p = append(p, Prop{"tags", tags})
	}
	kinds := []string{schema.OGIdentity}
	if k := schema.OpenGraphIdentityKind(s.Type); k != "" {
		kinds = append(kinds, k)
	}
	return Node{ID: s.ID, Kinds: kinds, Props: p.sorted()}
}

func walkGroups(ctx context.Context, r graph.Reader, v Visitor) error {
	recs, err := collect(r.Groups(ctx))
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b graph.Group) int { return strings.Compare(a.ID, b.ID) })
	for _, s := range recs {
		var p props
		p.str("name", s.Name)
		p.str("type", string(s.Type))
		p.str("system", s.System)
		kinds := []string{schema.OGGroup}
		if s.Type == schema.GroupRole {
			kinds = append(kinds, schema.OGRole)
		}
		if err := v.Node(Node{ID: s.ID, Kinds: kinds, Props: p.sorted()}); err != nil {
			return err
		}
	}
	return nil
}

func walkCredentials(ctx context.Context, r graph.Reader, v Visitor) error {
	recs, err := collect(r.Credentials(ctx))
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b graph.Credential) int { return strings.Compare(a.ID, b.ID) })
	for _, s := range recs {
		var p props
		p.str("type", string(s.Type))
		p.list("systems", s.Systems)
		p.time("created_at", s.CreatedAt)
		p.time("last_rotated_at", s.LastRotatedAt)
		p.time("valid_from", s.ValidFrom)
		p.time("expires_at", s.ExpiresAt)
		p.time("last_used_at", s.LastUsedAt)
		if s.RotationDays != 0 {
			p = append(p, Prop{"rotation_days", s.RotationDays})
		}
		p.flag("revoked", s.Revoked)
		p.flag("vaulted", s.Vaulted)
		if err := v.Node(Node{ID: s.ID, Kinds: []string{schema.OGCredential}, Props: p.sorted()}); err != nil {
			return err
		}
	}
	return nil
}

// cmpTime orders times, the zero time first.
func cmpTime(a, b time.Time) int { return a.Compare(b) }

func walkMemberships(ctx context.Context, r graph.Reader, v Visitor) error {
	recs, err := collect(r.Memberships(ctx))
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b graph.Membership) int {
		return cmp.Or(strings.Compare(a.Member, b.Member), strings.Compare(a.Group, b.Group),
			cmpTime(a.ValidFrom, b.ValidFrom), cmpTime(a.ExpiresAt, b.ExpiresAt), strings.Compare(a.Native, b.Native))
	})
	for _, m := range recs {
		var p props
		p.time("valid_from", m.ValidFrom)
		p.time("expires_at", m.ExpiresAt)
		p.str("native", m.Native)
		if err := v.Edge(Edge{Kind: schema.OGMemberOf, Start: m.Member, End: m.Group, Props: p.sorted()}); err != nil {
			return err
		}
	}
	return nil
}

func walkGrants(ctx context.Context, r graph.Reader, v Visitor) error {
	recs, err := collect(r.Grants(ctx))
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b graph.Grant) int {
		return cmp.Or(cmp.Compare(a.Action.Index(), b.Action.Index()), strings.Compare(a.Principal, b.Principal),
			strings.Compare(a.Resource, b.Resource), strings.Compare(a.Native, b.Native),
			cmpBool(a.Conditional, b.Conditional), cmpTime(a.LastUsedAt, b.LastUsedAt),
			cmpTime(a.ValidFrom, b.ValidFrom), cmpTime(a.ExpiresAt, b.ExpiresAt))
	})
	for _, g := range recs {
		var p props
		p.str("native", g.Native)
		p.flag("conditional", g.Conditional)
		p.time("last_used_at", g.LastUsedAt)
		p.time("valid_from", g.ValidFrom)
		p.time("expires_at", g.ExpiresAt)
		e := Edge{Kind: schema.OpenGraphGrantKind(g.Action), Start: g.Principal, End: g.Resource, Props: p.sorted()}
		if err := v.Edge(e); err != nil {
			return err
		}
	}
	return nil
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func walkDelegations(ctx context.Context, r graph.Reader, v Visitor) error {
	recs, err := collect(r.Delegations(ctx))
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b graph.Delegation) int {
		return cmp.Or(strings.Compare(a.From, b.From), strings.Compare(a.To, b.To), strings.Compare(string(a.Kind), string(b.Kind)),
			strings.Compare(a.System, b.System), strings.Compare(a.Native, b.Native),
			cmpTime(a.ValidFrom, b.ValidFrom), cmpTime(a.ExpiresAt, b.ExpiresAt))
	})
	for _, d := range recs {
		var p props
		p.str("kind", string(d.Kind))
		p.str("system", d.System)
		p.str("native", d.Native)
		p.time("valid_from", d.ValidFrom)
		p.time("expires_at", d.ExpiresAt)
		if err := v.Edge(Edge{Kind: schema.OGCanActAs, Start: d.From, End: d.To, Props: p.sorted()}); err != nil {
			return err
		}
	}
	return nil
}

// walkCredentialEdges emits HAS_CREDENTIAL (identity → credential) and then
// STORED_IN (credential → resource) edges.
func walkCredentialEdges(ctx context.Context, r graph.Reader, v Visitor) error {
	recs, err := collect(r.Credentials(ctx))
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b graph.Credential) int {
		return cmp.Or(strings.Compare(a.Identity, b.Identity), strings.Compare(a.ID, b.ID))
	})
	for _, c := range recs {
		if err := v.Edge(Edge{Kind: schema.OGHasCredential, Start: c.Identity, End: c.ID}); err != nil {
			return err
		}
	}
	slices.SortFunc(recs, func(a, b graph.Credential) int { return strings.Compare(a.ID, b.ID) })
	for _, c := range recs {
		if c.StoredIn == "" {
			continue
		}
		if err := v.Edge(Edge{Kind: schema.OGStoredIn, Start: c.ID, End: c.StoredIn}); err != nil {
			return err
		}
	}
	return nil
}

// walkResourceEdges emits IN_SYSTEM and then CHILD_OF edges, both from the
// resource.
func walkResourceEdges(ctx context.Context, r graph.Reader, v Visitor) error {
	recs, err := collect(r.Resources(ctx))
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b graph.Resource) int { return strings.Compare(a.ID, b.ID) })
	for _, res := range recs {
		if err := v.Edge(Edge{Kind: schema.OGInSystem, Start: res.ID, End: res.System}); err != nil {
			return err
		}
	}
	for _, res := range recs {
		if res.Parent == "" {
			continue
		}
		if err := v.Edge(Edge{Kind: schema.OGChildOf, Start: res.ID, End: res.Parent}); err != nil {
			return err
		}
	}
	return nil
}
