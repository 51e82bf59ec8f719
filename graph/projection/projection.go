package projection

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// ErrDangling is returned by Build when a record refers to an id that no node
// of an allowed kind has. Validated ingests never produce one.
var ErrDangling = errors.New("dangling reference")

// None marks an absent node reference (no parent, no system, no location).
const None int32 = -1

// Kind is a node kind as a small integer.
type Kind uint8

// Node kinds in the projection.
const (
	System Kind = iota
	Resource
	Identity
	Group
	Credential
)

// NoTime is the unix second value of an unset time; it sorts after every real one.
const NoTime int64 = math.MaxInt64

// Grant is one GRANT edge.
type Grant struct {
	Principal int32
	Target    int32 // resource or system node
	Action    schema.Action
	Native    int32 // index into Strings
	Expires   int64 // unix nanoseconds, NoTime when it never expires
	LastUsed  int64 // unix nanoseconds, NoTime when unknown
	Cond      bool
}

// Cred is one credential.
type Cred struct {
	Node        int32 // the credential's own node
	Owner       int32 // identity node
	StoredIn    int32 // resource node or None
	Type        schema.CredentialType
	Revoked     bool
	Expires     int64 // unix nanoseconds, NoTime when it never expires
	LastRotated int64 // unix nanoseconds, NoTime when unknown
	// Systems are the accepting systems' nodes; empty means every system.
	Systems []int32
}

// Deleg is one CAN_ACT_AS edge.
type Deleg struct {
	From   int32 // identity or group node
	To     int32 // identity node
	Kind   schema.DelegationKind
	System int32 // system node, or None when the delegation names no system
}

// Projection is the compact, immutable in-memory form of one snapshot.
type Projection struct {
	Meta graph.SnapshotMeta

	ids   []string
	index map[string]int32
	kinds []Kind

	// Strings interns repeated text (grant native strings, resource kinds).
	Strings []string

	// Per node (all kinds; meaningful only for the kinds named):
	Parent    []int32               // resource: its parent resource; None otherwise
	SystemOf  []int32               // resource: its system; system: itself; None otherwise
	SOX       []int8                // resource/system: 1 in scope, 0 out, -1 unset (resources inherit)
	ResKind   []int32               // resource: index into Strings of its kind, -1 when empty
	IdentType []schema.IdentityType // identity: its type; "" for other kinds
	Active    []bool                // identity: status active
	Actor     []int32               // identity: representative identity of its same_as actor (R7)

	Grants []Grant
	Creds  []Cred
	Delegs []Deleg

	// CredBase is the node of Creds[0]: credential nodes are contiguous, so
	// Creds[n-CredBase] is the credential of node n.
	CredBase int32

	MemberOut CSR // principal → groups it is a member of
	MemberIn  CSR // group → its direct members
	GrantOut  CSR // principal → indexes into Grants
	GrantIn   CSR // resource/system → indexes into Grants on it
	DelegOut  CSR // principal → indexes into Delegs
	DelegIn   CSR // identity → indexes into Delegs into it
	CredsOf   CSR // identity → indexes into Creds it owns
	StoredAt  CSR // resource → indexes into Creds stored in it
	Children  CSR // resource → its child resources (any system)
	SysRes    CSR // system → every resource of that system
	SameAs    CSR // identity → identities it declares same_as (as given)
}

// Len is the number of nodes.
func (p *Projection) Len() int { return len(p.ids) }

// ID returns the string id of node n.
func (p *Projection) ID(n int32) string { return p.ids[n] }

// Kind returns the kind of node n.
func (p *Projection) Kind(n int32) Kind { return p.kinds[n] }

// Lookup returns the node with the given id.
func (p *Projection) Lookup(id string) (int32, bool) {
	n, ok := p.index[id]
	return n, ok
}

// Edges returns the number of edges of every kind held in the projection
// (memberships, grants, delegations, credential ownership and storage,
// containment and same_as links), each counted once.
func (p *Projection) Edges() int {
	return len(p.MemberOut.Adj) + len(p.Grants) + len(p.Delegs) + len(p.Creds) + len(p.StoredAt.Adj) +
		len(p.Children.Adj) + len(p.SameAs.Adj)
}

// Bytes estimates the memory held by the projection's arrays (adjacency and
// attributes; the id strings and the id index are counted too).
func (p *Projection) Bytes() int {
	b := 0
	for _, c := range []*CSR{&p.MemberOut, &p.MemberIn, &p.GrantOut, &p.GrantIn, &p.DelegOut, &p.DelegIn, &p.CredsOf, &p.StoredAt, &p.Children, &p.SysRes, &p.SameAs} {
		b += c.bytes()
	}
	b += len(p.Grants) * 40
	b += len(p.Delegs) * 32
	for _, c := range p.Creds {
		b += 64 + 4*len(c.Systems)
	}
	for _, s := range p.ids {
		b += 16 + len(s) + 48 // string header + bytes + map entry
	}
	n := len(p.ids)
	b += n * (1 + 4 + 4 + 1 + 4 + 16 + 1 + 4)
	return b
}

// Sox reports whether resource or system n is in SOX scope (R8): the resource's
// own sox_scope, else its nearest ancestor's that sets it, else its own system's.
func (p *Projection) Sox(n int32) bool {
	for c := n; c != None; c = p.Parent[c] {
		if p.SOX[c] >= 0 {
			return p.SOX[c] == 1
		}
	}
	return p.SOX[p.SystemOf[n]] == 1
}

// Covering returns the nodes a grant on which covers resource r (R2): r, its
// ancestors (parent chain) and r's own system. For a system it returns just
// the system.
func (p *Projection) Covering(r int32) []int32 {
	var out []int32
	for c := r; c != None; c = p.Parent[c] {
		out = append(out, c)
	}
	if p.kinds[r] == Resource {
		out = append(out, p.SystemOf[r])
	}
	return out
}

// Subtree calls fn on every node a grant on t covers: for a resource, t and
// all its descendants; for a system, t and every resource of that system.
func (p *Projection) Subtree(t int32, fn func(int32)) {
	fn(t)
	if p.kinds[t] == System {
		for _, r := range p.SysRes.Of(t) {
			fn(r)
		}
		return
	}
	stack := append([]int32(nil), p.Children.Of(t)...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		fn(n)
		stack = append(stack, p.Children.Of(n)...)
	}
}

var (
	maxNano = time.Unix(0, math.MaxInt64-1)
	minNano = time.Unix(0, math.MinInt64)
)

// Nano converts t to unix nanoseconds, NoTime for the zero time. Times past
// 2262 (often used as "never expires") saturate just below NoTime and times
// before 1678 at the minimum, which keeps every comparison with a realistic
// as_of exact.
func Nano(t time.Time) int64 {
	switch {
	case t.IsZero():
		return NoTime
	case !t.Before(maxNano):
		return math.MaxInt64 - 1
	case t.Before(minNano):
		return math.MinInt64
	}
	return t.UnixNano()
}

// Time converts unix nanoseconds back to a UTC time; NoTime gives the zero
// time. Saturated values come back as the saturation bound.
func Time(ns int64) time.Time {
	if ns == NoTime {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

type builder struct {
	p       *Projection
	strs    map[string]int32
	pending []pendingRef
	member  edgeList
	grantBy edgeList
	grantOn edgeList
	delegBy edgeList
	delegTo edgeList
	credsOf edgeList
	stored  edgeList
	child   edgeList
	sysRes  edgeList
	sameAs  edgeList
}

type pendingRef struct {
	node int32
	ref  string
	what string
}

func (b *builder) intern(s string) int32 {
	if i, ok := b.strs[s]; ok {
		return i
	}
	i := int32(len(b.p.Strings))
	b.p.Strings = append(b.p.Strings, s)
	b.strs[s] = i
	return i
}

func (b *builder) node(id string, k Kind) (int32, error) {
	p := b.p
	if _, dup := p.index[id]; dup {
		return 0, fmt.Errorf("duplicate id %q", id)
	}
	n := int32(len(p.ids))
	p.ids = append(p.ids, id)
	p.index[id] = n
	p.kinds = append(p.kinds, k)
	p.Parent = append(p.Parent, None)
	p.SystemOf = append(p.SystemOf, None)
	p.SOX = append(p.SOX, -1)
	p.ResKind = append(p.ResKind, -1)
	p.IdentType = append(p.IdentType, "")
	p.Active = append(p.Active, false)
	p.Actor = append(p.Actor, None)
	return n, nil
}

func (b *builder) ref(id string, what string, kinds ...Kind) (int32, error) {
	n, ok := b.p.index[id]
	if ok {
		for _, k := range kinds {
			if b.p.kinds[n] == k {
				return n, nil
			}
		}
	}
	return None, fmt.Errorf("%w: %s %q", ErrDangling, what, id)
}

// Build reads every record of r and returns its projection.
func Build(ctx context.Context, r graph.Reader) (*Projection, error) {
	meta := r.Meta()
	p := &Projection{Meta: meta, index: make(map[string]int32, meta.Counts.Total()/2+16)}
	b := &builder{p: p, strs: map[string]int32{}}
	steps := []func(context.Context, graph.Reader) error{
		b.systems, b.resources, b.identities, b.groups, b.credentials, b.resolvePending,
		b.memberships, b.grants, b.delegations,
	}
	for _, step := range steps {
		if err := step(ctx, r); err != nil {
			return nil, fmt.Errorf("build projection of %s: %w", meta.ID, err)
		}
	}
	n := p.Len()
	p.MemberOut = b.member.build(n)
	p.MemberIn = reverse(&b.member, n)
	p.GrantOut = b.grantBy.build(n)
	p.GrantIn = b.grantOn.build(n)
	p.DelegOut = b.delegBy.build(n)
	p.DelegIn = b.delegTo.build(n)
	p.CredsOf = b.credsOf.build(n)
	p.StoredAt = b.stored.build(n)
	p.Children = b.child.build(n)
	p.SysRes = b.sysRes.build(n)
	p.SameAs = b.sameAs.build(n)
	p.Actor = actors(p)
	return p, nil
}

func reverse(l *edgeList, n int) CSR {
	r := edgeList{from: l.val, val: l.from}
	return r.build(n)
}

func (b *builder) systems(ctx context.Context, r graph.Reader) error {
	for s, err := range r.Systems(ctx) {
		if err != nil {
			return err
		}
		n, err := b.node(s.ID, System)
		if err != nil {
			return err
		}
		b.p.SystemOf[n] = n
		b.p.SOX[n] = 0
		if s.SOXScope {
			b.p.SOX[n] = 1
		}
	}
	return nil
}

func (b *builder) resources(ctx context.Context, r graph.Reader) error {
	for res, err := range r.Resources(ctx) {
		if err != nil {
			return err
		}
		n, err := b.node(res.ID, Resource)
		if err != nil {
			return err
		}
		sys, err := b.ref(res.System, "resource system", System)
		if err != nil {
			return err
		}
		b.p.SystemOf[n] = sys
		b.sysRes.add(sys, n)
		if res.Parent != "" {
			b.pending = append(b.pending, pendingRef{node: n, ref: res.Parent, what: "parent"})
		}
		if res.SOXScope != nil {
			b.p.SOX[n] = 0
			if *res.SOXScope {
				b.p.SOX[n] = 1
			}
		}
		if res.Kind != "" {
			b.p.ResKind[n] = b.intern(res.Kind)
		}
	}
	return nil
}

func (b *builder) identities(ctx context.Context, r graph.Reader) error {
	for id, err := range r.Identities(ctx) {
		if err != nil {
			return err
		}
		n, err := b.node(id.ID, Identity)
		if err != nil {
			return err
		}
		b.p.IdentType[n] = id.Type
		b.p.Active[n] = id.Status == schema.StatusActive || id.Status == ""
		for _, other := range id.SameAs {
			b.pending = append(b.pending, pendingRef{node: n, ref: other, what: "same_as"})
		}
	}
	return nil
}

func (b *builder) groups(ctx context.Context, r graph.Reader) error {
	for g, err := range r.Groups(ctx) {
		if err != nil {
			return err
		}
		if _, err := b.node(g.ID, Group); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) credentials(ctx context.Context, r graph.Reader) error {
	for c, err := range r.Credentials(ctx) {
		if err != nil {
			return err
		}
		n, err := b.node(c.ID, Credential)
		if err != nil {
			return err
		}
		if len(b.p.Creds) == 0 {
			b.p.CredBase = n
		}
		owner, err := b.ref(c.Identity, "credential identity", Identity)
		if err != nil {
			return err
		}
		cr := Cred{Node: n, Owner: owner, StoredIn: None, Type: c.Type, Revoked: c.Revoked,
			Expires: Nano(c.ExpiresAt), LastRotated: Nano(c.LastRotatedAt)}
		for _, s := range c.Systems {
			sys, err := b.ref(s, "credential system", System)
			if err != nil {
				return err
			}
			cr.Systems = append(cr.Systems, sys)
		}
		idx := int32(len(b.p.Creds))
		if c.StoredIn != "" {
			loc, err := b.ref(c.StoredIn, "credential stored_in", Resource)
			if err != nil {
				return err
			}
			cr.StoredIn = loc
			b.stored.add(loc, idx)
		}
		b.p.Creds = append(b.p.Creds, cr)
		b.credsOf.add(owner, idx)
	}
	return nil
}

// resolvePending resolves references that may point forward in the input:
// resource parents and same_as links. It also fills the containment tree.
func (b *builder) resolvePending(context.Context, graph.Reader) error {
	p := b.p
	for _, pr := range b.pending {
		switch pr.what {
		case "parent":
			par, err := b.ref(pr.ref, "resource parent", Resource)
			if err != nil {
				return err
			}
			p.Parent[pr.node] = par
		case "same_as":
			other, err := b.ref(pr.ref, "same_as", Identity)
			if err != nil {
				return err
			}
			b.sameAs.add(pr.node, other)
		}
	}
	b.pending = nil
	for n := range p.ids {
		if par := p.Parent[n]; par != None {
			b.child.add(par, int32(n))
		}
	}
	return checkParentCycles(p)
}

// checkParentCycles rejects a resource parent chain that loops, which would make
// ancestor walks endless. Validated ingests never produce one.
func checkParentCycles(p *Projection) error {
	state := make([]uint8, len(p.ids)) // 0 unseen, 1 on current walk, 2 done
	for n := range p.ids {
		var walk []int32
		for c := int32(n); c != None && state[c] == 0; c = p.Parent[c] {
			state[c] = 1
			walk = append(walk, c)
			if q := p.Parent[c]; q != None && state[q] == 1 {
				return fmt.Errorf("resource parent cycle through %q", p.ids[q])
			}
		}
		for _, c := range walk {
			state[c] = 2
		}
	}
	return nil
}

func (b *builder) memberships(ctx context.Context, r graph.Reader) error {
	for m, err := range r.Memberships(ctx) {
		if err != nil {
			return err
		}
		from, err := b.ref(m.Member, "membership member", Identity, Group)
		if err != nil {
			return err
		}
		to, err := b.ref(m.Group, "membership group", Group)
		if err != nil {
			return err
		}
		b.member.add(from, to)
	}
	return nil
}

func (b *builder) grants(ctx context.Context, r graph.Reader) error {
	for g, err := range r.Grants(ctx) {
		if err != nil {
			return err
		}
		from, err := b.ref(g.Principal, "grant principal", Identity, Group)
		if err != nil {
			return err
		}
		to, err := b.ref(g.Resource, "grant resource", Resource, System)
		if err != nil {
			return err
		}
		if !g.Action.Valid() {
			return fmt.Errorf("grant action %q: %w", g.Action, schema.ErrUnknownValue)
		}
		idx := int32(len(b.p.Grants))
		b.p.Grants = append(b.p.Grants, Grant{Principal: from, Target: to, Action: g.Action,
			Native: b.intern(g.Native), Expires: Nano(g.ExpiresAt), LastUsed: Nano(g.LastUsedAt), Cond: g.Conditional})
		b.grantBy.add(from, idx)
		b.grantOn.add(to, idx)
	}
	return nil
}

func (b *builder) delegations(ctx context.Context, r graph.Reader) error {
	for d, err := range r.Delegations(ctx) {
		if err != nil {
			return err
		}
		from, err := b.ref(d.From, "delegation from", Identity, Group)
		if err != nil {
			return err
		}
		to, err := b.ref(d.To, "delegation to", Identity)
		if err != nil {
			return err
		}
		sys := None
		if d.System != "" {
			if sys, err = b.ref(d.System, "delegation system", System); err != nil {
				return err
			}
		}
		idx := int32(len(b.p.Delegs))
		b.p.Delegs = append(b.p.Delegs, Deleg{From: from, To: to, Kind: d.Kind, System: sys})
		b.delegBy.add(from, idx)
		b.delegTo.add(to, idx)
	}
	return nil
}

// actors groups identities linked by same_as (symmetric, transitive; R7) with a
// union-find and returns, per node, the smallest node of its actor (None for
// non-identities).
func actors(p *Projection) []int32 {
	parent := make([]int32, len(p.ids))
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(int32) int32
	find = func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for n := range p.ids {
		for _, o := range p.SameAs.Of(int32(n)) {
			a, b := find(int32(n)), find(o)
			if a < b {
				parent[b] = a
			} else if b < a {
				parent[a] = b
			}
		}
	}
	out := make([]int32, len(p.ids))
	for n := range out {
		if p.kinds[n] == Identity {
			out[n] = find(int32(n))
		} else {
			out[n] = None
		}
	}
	return out
}
