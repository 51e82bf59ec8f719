package projection

import (
	"errors"
	"math"
	"strings"
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

// Node kinds in the projection. Nodes of one kind have contiguous numbers, in
// this order.
const (
	System Kind = iota
	Resource
	Identity
	Group
	Credential
	numKinds
)

// NoTime is the unix nanosecond value of an unset time; it sorts after every
// real one.
const NoTime int64 = math.MaxInt64

// Grant is one GRANT edge (12 bytes).
type Grant struct {
	Principal int32
	Target    int32  // resource or system node
	meta      uint32 // native string index (bits 0–26), action (27–29), conditional (30), windowed (31)
}

const (
	nativeBits   = 27
	maxNative    = 1<<nativeBits - 1
	actionShift  = nativeBits
	condBit      = 1 << 30
	windowedBit  = 1 << 31
	actionMask   = 7
	unsetActionV = 7
)

func packGrant(native int32, action uint8, cond, windowed bool) uint32 {
	a := uint32(action)
	if action >= unsetActionV {
		a = unsetActionV
	}
	m := uint32(native) | a<<actionShift
	if cond {
		m |= condBit
	}
	if windowed {
		m |= windowedBit
	}
	return m
}

// ActionIndex is the grant's action as an index into schema.Actions (7 when unset).
func (g *Grant) ActionIndex() uint8 { return uint8(g.meta >> actionShift & actionMask) }

// Conditional reports whether the grant carries a condition (kept as evidence).
func (g *Grant) Conditional() bool { return g.meta&condBit != 0 }

func (g *Grant) native() int32  { return int32(g.meta & maxNative) }
func (g *Grant) windowed() bool { return g.meta&windowedBit != 0 }

// Cred is one credential; its node is CredBase plus its index (32 bytes).
type Cred struct {
	Owner       int32 // identity node
	StoredIn    int32 // resource node or None
	Expires     int64 // unix nanoseconds, NoTime when it never expires
	LastRotated int64 // unix nanoseconds, NoTime when unknown
	Type        uint8 // index into schema.CredentialTypes
	Revoked     bool
	// validFrom marks a credential usable only from a given instant (an
	// extension of SPEC §1), kept in credFrom: few have one.
	validFrom bool
}

// Deleg is one CAN_ACT_AS edge (20 bytes).
type Deleg struct {
	From   int32 // identity or group node
	To     int32 // identity node
	System int32 // system node, or None when the delegation names no system
	native int32 // index into Strings of the native text ("" interned too)
	Kind   uint8 // index into schema.DelegationKinds
	// windowed marks a delegation with a validity window (in delegWin).
	windowed bool
}

// Projection is the compact, immutable in-memory form of one snapshot.
type Projection struct {
	Meta graph.SnapshotMeta

	ids  *idTable
	base [numKinds + 1]int32 // first node of each kind; base[numKinds] = Len()

	// Strings interns repeated text (grant, delegation and membership native
	// strings, resource kinds).
	Strings []string

	resParent []int32 // per resource: parent resource node or None
	resSystem []int32 // per resource: its system node
	resKind   []int32 // per resource: index into Strings, -1 when empty
	sox       []int8  // per system then resource: 1 in scope, 0 out, -1 unset
	identType []uint8 // per identity: index into schema.IdentityTypes
	active    []bool  // per identity: status active
	actor     []int32 // per identity: smallest identity node of its actor (R7)

	Grants   []Grant
	grantWin sparse[Window] // grant index → validity window, for windowed grants only
	Creds    []Cred
	CredSys  CSR // credential index → accepting system nodes; none means every system
	Delegs   []Deleg
	delegWin sparse[Window] // delegation index → validity window, for windowed ones only
	credFrom sparse[int64]  // credential index → valid_from (unix nanoseconds), for those that have one
	members  memberWindows  // validity windows of the memberships that have one
	// memberNat holds the native texts of the memberships that have one.
	memberNat memberNatives
	sameAs    int

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
}

// Len is the number of nodes.
func (p *Projection) Len() int { return int(p.base[numKinds]) }

// ID returns the string id of node n.
func (p *Projection) ID(n int32) string {
	if p.ids.borrowed { // the id must outlive the store's mapping
		return strings.Clone(p.ids.id(n))
	}
	return p.ids.id(n)
}

// SortByID sorts nodes ns by their ids (bytewise, as strings compare), the
// order answers are listed in.
func (p *Projection) SortByID(ns []int32) { p.ids.sortByID(ns) }

// IDRanks returns each node's place in id order (bytewise), so that nodes
// compare by id as two numbers; nil for a projection built rather than
// loaded, whose ids have no stored order (compare the ids then).
func (p *Projection) IDRanks() []int32 { return p.ids.ranks() }

// Kind returns the kind of node n.
func (p *Projection) Kind(n int32) Kind {
	k := Kind(0)
	for k+1 < numKinds && n >= p.base[k+1] {
		k++
	}
	return k
}

// Range returns the node numbers [lo, hi) of kind k.
func (p *Projection) Range(k Kind) (lo, hi int32) { return p.base[k], p.base[k+1] }

// CredBase is the node of Creds[0]: Creds[n-CredBase()] is the credential of node n.
func (p *Projection) CredBase() int32 { return p.base[Credential] }

// Lookup returns the node with the given id.
func (p *Projection) Lookup(id string) (int32, bool) { return p.ids.lookup(id) }

// Parent returns a resource's parent resource, None for a root resource or any
// other node.
func (p *Projection) Parent(n int32) int32 {
	if p.Kind(n) != Resource {
		return None
	}
	return p.resParent[n-p.base[Resource]]
}

// SystemOf returns a resource's system, a system itself, None otherwise.
func (p *Projection) SystemOf(n int32) int32 {
	switch p.Kind(n) {
	case System:
		return n
	case Resource:
		return p.resSystem[n-p.base[Resource]]
	}
	return None
}

// ResourceKind returns a resource's kind text ("" when unset or not a resource).
func (p *Projection) ResourceKind(n int32) string {
	if p.Kind(n) != Resource || p.resKind[n-p.base[Resource]] < 0 {
		return ""
	}
	return p.Strings[p.resKind[n-p.base[Resource]]]
}

// IdentityType returns an identity's type ("" for other nodes).
func (p *Projection) IdentityType(n int32) schema.IdentityType {
	if p.Kind(n) != Identity {
		return ""
	}
	return enumAt(schema.IdentityTypes, p.identType[n-p.base[Identity]])
}

// Active reports whether node n is an identity with status active.
func (p *Projection) Active(n int32) bool {
	return p.Kind(n) == Identity && p.active[n-p.base[Identity]]
}

// Actor returns the representative (smallest node) of identity n's actor
// (R7), None for other nodes.
func (p *Projection) Actor(n int32) int32 {
	if p.Kind(n) != Identity {
		return None
	}
	return p.actor[n-p.base[Identity]]
}

// Sox reports whether resource or system n is in SOX scope (R8): the resource's
// own sox_scope, else its nearest ancestor's that sets it, else its own system's.
func (p *Projection) Sox(n int32) bool {
	for c := n; c != None; c = p.Parent(c) {
		if s := p.sox[c]; s >= 0 {
			return s == 1
		}
	}
	if sys := p.SystemOf(n); sys != None {
		return p.sox[sys] == 1
	}
	return false
}

// Covering returns the nodes a grant on which covers resource r (R2): r, its
// ancestors (parent chain) and r's own system. For a system it returns just
// the system.
func (p *Projection) Covering(r int32) []int32 {
	var out []int32
	for c := r; c != None; c = p.Parent(c) {
		out = append(out, c)
	}
	if p.Kind(r) == Resource {
		out = append(out, p.SystemOf(r))
	}
	return out
}

// Subtree calls fn on every node a grant on t covers: for a resource, t and
// all its descendants; for a system, t and every resource of that system.
func (p *Projection) Subtree(t int32, fn func(int32)) {
	fn(t)
	if p.Kind(t) == System {
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

// GrantAction returns grant gi's action.
func (p *Projection) GrantAction(gi int32) schema.Action {
	return enumAt(schema.Actions, p.Grants[gi].ActionIndex())
}

// GrantNative returns grant gi's native permission string.
func (p *Projection) GrantNative(gi int32) string { return p.Strings[p.Grants[gi].native()] }

// GrantExpires returns grant gi's expiry in unix nanoseconds, NoTime when it
// never expires.
func (p *Projection) GrantExpires(gi int32) int64 { return p.GrantWindow(gi).Until }

// CredValidFrom returns when credential ci becomes usable (unix
// nanoseconds), NoTime when it always was.
func (p *Projection) CredValidFrom(ci int32) int64 {
	if !p.Creds[ci].validFrom {
		return NoTime
	}
	from, _ := p.credFrom.get(ci)
	return from
}

// GrantWindow returns grant gi's validity window (Always when it has none).
func (p *Projection) GrantWindow(gi int32) Window {
	if !p.Grants[gi].windowed() {
		return Always
	}
	w, _ := p.grantWin.get(gi)
	return w
}

// GrantLive reports whether grant gi counts at t (unix nanoseconds; R2).
func (p *Projection) GrantLive(gi int32, t int64) bool {
	if !p.Grants[gi].windowed() {
		return true
	}
	w, _ := p.grantWin.get(gi)
	return w.Live(t)
}

// DelegWindow returns delegation di's validity window (Always when it has none).
func (p *Projection) DelegWindow(di int32) Window {
	if !p.Delegs[di].windowed {
		return Always
	}
	w, _ := p.delegWin.get(di)
	return w
}

// DelegLive reports whether delegation di counts at t (unix nanoseconds; R3a).
func (p *Projection) DelegLive(di int32, t int64) bool {
	if !p.Delegs[di].windowed {
		return true
	}
	w, _ := p.delegWin.get(di)
	return w.Live(t)
}

// CredNode returns the node of credential ci.
func (p *Projection) CredNode(ci int32) int32 { return p.base[Credential] + ci }

// CredType returns credential ci's type.
func (p *Projection) CredType(ci int32) schema.CredentialType {
	return enumAt(schema.CredentialTypes, p.Creds[ci].Type)
}

// DelegKind returns delegation di's kind.
func (p *Projection) DelegKind(di int32) schema.DelegationKind {
	return enumAt(schema.DelegationKinds, p.Delegs[di].Kind)
}

// DelegNative returns delegation di's native text, "" when the source gave none.
func (p *Projection) DelegNative(di int32) string { return p.Strings[p.Delegs[di].native] }

// Edges returns the number of edges of every kind (memberships, grants,
// delegations, credential ownership and storage, resource containment in
// systems and parents, same_as links), each counted once.
func (p *Projection) Edges() int {
	return len(p.MemberOut.Adj) + len(p.Grants) + len(p.Delegs) + len(p.Creds) + len(p.StoredAt.Adj) +
		len(p.Children.Adj) + len(p.SysRes.Adj) + p.sameAs
}

// Bytes estimates the memory held by the projection: adjacency, attributes,
// the id buffer and the id hash table.
func (p *Projection) Bytes() int {
	b := p.ids.bytes()
	for _, c := range []*CSR{&p.CredSys, &p.MemberOut, &p.MemberIn, &p.GrantOut, &p.GrantIn, &p.DelegOut, &p.DelegIn, &p.CredsOf, &p.StoredAt, &p.Children, &p.SysRes} {
		b += c.bytes()
	}
	b += 12*cap(p.Grants) + 32*cap(p.Creds) + 20*cap(p.Delegs) + p.grantWin.bytes(16) + p.delegWin.bytes(16) + p.credFrom.bytes(8)
	b += p.members.bytes() + p.memberNat.bytes()
	b += 4*(len(p.resParent)+len(p.resSystem)+len(p.resKind)+len(p.actor)) + len(p.sox) + len(p.identType) + len(p.active)
	for _, s := range p.Strings {
		b += 16 + len(s)
	}
	return b
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
