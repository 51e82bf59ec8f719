package projection

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

type builder struct {
	p       *Projection
	strs    map[string]int32
	parents []pendingRef // resource → parent id, resolved once every resource is known
	sameAs  []pendingRef
	member  edgeList
	delegBy edgeList
	delegTo edgeList
	credSys edgeList
	sysRes  edgeList
	// targets indexes systems and resources, groups the groups: the ids
	// edges point to, in tables small enough to stay in cache.
	targets, groupIDs *idRange
	// delegStrs are the distinct delegation native strings, which Deleg.native
	// indexes until internDelegNatives maps them into Strings: delegations are
	// read concurrently with grants, whose natives go through intern too.
	delegStrs []string
	// memberWin collects the windows of windowed memberships until pack.
	memberWin pendingMembers
	// memberNat collects the native texts of memberships until
	// internMemberNatives.
	memberNat []pendingNative
}

type pendingRef struct {
	node int32
	ref  string
}

// Build reads every record of r and returns its projection. Records of one
// kind get contiguous node numbers in the order systems, resources,
// identities, groups, credentials, each in read order.
func Build(ctx context.Context, r graph.Reader) (*Projection, error) {
	meta := r.Meta()
	c := meta.Counts
	p := &Projection{Meta: meta, ids: newIDTable(c.Systems + c.Resources + c.Identities + c.Groups + c.Credentials)}
	b := &builder{p: p, strs: map[string]int32{}}
	for k := range p.base {
		p.base[k] = math.MaxInt32 // kinds not read yet: Kind never answers them
	}
	steps := []struct {
		kind Kind
		read func(context.Context, graph.Reader) error
	}{
		{System, b.systems}, {Resource, b.resources}, {Identity, b.identities}, {Group, b.groups},
		{Credential, b.credentials},
	}
	for _, s := range steps {
		p.base[s.kind] = int32(p.ids.len())
		if err := s.read(ctx, r); err != nil {
			return nil, fmt.Errorf("build projection of %s: %w", meta.ID, err)
		}
	}
	p.base[numKinds] = int32(p.ids.len())
	b.targets = p.ids.index(p.base[System], p.base[Resource+1])
	b.groupIDs = p.ids.index(p.base[Group], p.base[Group+1])
	if err := b.resolve(ctx, r); err != nil {
		return nil, fmt.Errorf("build projection of %s: %w", meta.ID, err)
	}
	// Edges only read the finished id table and each fills its own lists, so
	// the three edge sections are read and resolved concurrently.
	edges := []func(context.Context, graph.Reader) error{b.memberships, b.grants, b.delegations}
	errs := make([]error, len(edges))
	var wg sync.WaitGroup
	var crash atomic.Value
	for i, step := range edges {
		wg.Go(func() {
			defer func() { // carried to the caller's goroutine: see below
				if p := recover(); p != nil {
					crash.CompareAndSwap(nil, fmt.Sprintf("%v\n\nworker goroutine:\n%s", p, debug.Stack()))
				}
			}()
			errs[i] = step(ctx, r)
		})
	}
	wg.Wait()
	if c := crash.Load(); c != nil {
		panic(c) // in the caller's goroutine, where the process's handler sees it
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("build projection of %s: %w", meta.ID, err)
	}
	b.internDelegNatives()
	b.internMemberNatives()
	b.pack()
	return p, nil
}

// pack turns the edge lists into CSRs over the node ranges that can have them.
func (b *builder) pack() {
	p := b.p
	r := func(k Kind) (int32, int32) { return p.base[k], p.base[k+1] }
	principals := func() (int32, int32) { return p.base[Identity], p.base[Group+1] }
	p.MemberIn = b.member.reversed().build(r(Group))
	p.MemberOut = b.member.build(principals())
	p.members = b.memberWin.finish(&p.MemberOut, p.base[Identity], p.base[Group+1])
	// Grants and credentials are indexed by their fields: they are read
	// into p.Grants and p.Creds in order, so no edge list is needed.
	p.GrantOut = indexBy(p.base[Identity], p.base[Group+1], len(p.Grants), func(i int) int32 { return p.Grants[i].Principal })
	p.GrantIn = indexBy(p.base[System], p.base[Resource+1], len(p.Grants), func(i int) int32 { return p.Grants[i].Target })
	p.DelegOut = b.delegBy.build(principals())
	p.DelegIn = b.delegTo.build(r(Identity))
	p.CredsOf = indexBy(p.base[Identity], p.base[Identity+1], len(p.Creds), func(i int) int32 { return p.Creds[i].Owner })
	p.StoredAt = indexBy(p.base[Resource], p.base[Resource+1], len(p.Creds), func(i int) int32 { return p.Creds[i].StoredIn })
	p.SysRes = b.sysRes.build(r(System))
	p.CredSys = b.credSys.build(0, int32(len(p.Creds)))
	var child edgeList
	for i, par := range p.resParent {
		if par != None {
			child.add(par, p.base[Resource]+int32(i))
		}
	}
	p.Children = child.build(r(Resource))
	*b = builder{p: p}
}

// sizeHint is a count from the snapshot's metadata as a capacity to reserve:
// a slice filled by appending one record at a time would otherwise hold up
// to twice its final size while it grows (gigabytes for the grants at tier
// L). It is only a hint, so an implausible count reserves nothing.
func sizeHint(n int) int {
	if n < 0 || n > 1<<28 {
		return 0
	}
	return n
}

func (b *builder) intern(s string) int32 {
	if i, ok := b.strs[s]; ok {
		return i
	}
	i := int32(len(b.p.Strings))
	s = strings.Clone(s) // s may be a view of a whole store chunk (graph.DecodeXShared)
	b.p.Strings = append(b.p.Strings, s)
	b.strs[s] = i
	return i
}

func (b *builder) node(id string) (int32, error) {
	n, fresh := b.p.ids.add(id)
	if !fresh {
		return 0, fmt.Errorf("duplicate id %q", id)
	}
	return n, nil
}

// memo remembers the last id a reference field resolved: exports list the
// edges of one principal together, so consecutive records often repeat it,
// and a string compare is far cheaper than a random probe of the id table.
type memo struct {
	id string
	n  int32
}

// refMemo is ref through m.
func (b *builder) refMemo(m *memo, id string, what string, kinds ...Kind) (int32, error) {
	if m.id == id && m.id != "" {
		return m.n, nil
	}
	n, err := b.ref(id, what, kinds...)
	if err == nil {
		*m = memo{id: id, n: n}
	}
	return n, err
}

// refIn resolves id to a node of the range ix indexes.
func refIn(ix *idRange, id string, what string) (int32, error) {
	if n, ok := ix.lookup(id); ok {
		return n, nil
	}
	return None, fmt.Errorf("%w: %s %q", ErrDangling, what, id)
}

// ref resolves id to a node of one of kinds. Only kinds already read resolve.
func (b *builder) ref(id string, what string, kinds ...Kind) (int32, error) {
	if n, ok := b.p.ids.lookup(id); ok && slices.Contains(kinds, b.p.Kind(n)) {
		return n, nil
	}
	return None, fmt.Errorf("%w: %s %q", ErrDangling, what, id)
}

// unsetEnum marks an empty enum value (records that bypassed validation, such
// as hand-built test datasets); accessors return "" for it.
const unsetEnum = 255

func enumIndex[T ~string](all []T, v T, what string) (uint8, error) {
	if v == "" {
		return unsetEnum, nil
	}
	i := slices.Index(all, v)
	if i < 0 {
		return 0, fmt.Errorf("%s %q: %w", what, v, schema.ErrUnknownValue)
	}
	return uint8(i), nil
}

func enumAt[T ~string](all []T, i uint8) T {
	if int(i) >= len(all) {
		return ""
	}
	return all[i]
}

func (b *builder) systems(ctx context.Context, r graph.Reader) error {
	for s, err := range r.Systems(ctx) {
		if err != nil {
			return err
		}
		if _, err := b.node(s.ID); err != nil {
			return err
		}
		b.p.sox = append(b.p.sox, boolSox(s.SOXScope))
	}
	return nil
}

func boolSox(v bool) int8 {
	if v {
		return 1
	}
	return 0
}

func (b *builder) resources(ctx context.Context, r graph.Reader) error {
	p := b.p
	for res, err := range r.Resources(ctx) {
		if err != nil {
			return err
		}
		n, err := b.node(res.ID)
		if err != nil {
			return err
		}
		sys, err := b.ref(res.System, "resource system", System)
		if err != nil {
			return err
		}
		p.resSystem = append(p.resSystem, sys)
		p.resParent = append(p.resParent, None)
		b.sysRes.add(sys, n)
		if res.Parent != "" {
			b.parents = append(b.parents, pendingRef{node: n, ref: res.Parent})
		}
		sox := int8(-1)
		if res.SOXScope != nil {
			sox = boolSox(*res.SOXScope)
		}
		p.sox = append(p.sox, sox)
		kind := int32(-1)
		if res.Kind != "" {
			kind = b.intern(res.Kind)
		}
		p.resKind = append(p.resKind, kind)
	}
	return nil
}

func (b *builder) identities(ctx context.Context, r graph.Reader) error {
	p := b.p
	for id, err := range r.Identities(ctx) {
		if err != nil {
			return err
		}
		n, err := b.node(id.ID)
		if err != nil {
			return err
		}
		t, err := enumIndex(schema.IdentityTypes, id.Type, "identity type")
		if err != nil {
			return err
		}
		p.identType = append(p.identType, t)
		p.active = append(p.active, id.Status == schema.StatusActive || id.Status == "")
		for _, other := range id.SameAs {
			b.sameAs = append(b.sameAs, pendingRef{node: n, ref: other})
		}
	}
	return nil
}

func (b *builder) groups(ctx context.Context, r graph.Reader) error {
	for g, err := range r.Groups(ctx) {
		if err != nil {
			return err
		}
		if _, err := b.node(g.ID); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) credentials(ctx context.Context, r graph.Reader) error {
	p := b.p
	p.Creds = slices.Grow(p.Creds, sizeHint(r.Meta().Counts.Credentials))
	var lastOwner memo
	for c, err := range r.Credentials(ctx) {
		if err != nil {
			return err
		}
		if _, err := b.node(c.ID); err != nil {
			return err
		}
		owner, err := b.refMemo(&lastOwner, c.Identity, "credential identity", Identity)
		if err != nil {
			return err
		}
		t, err := enumIndex(schema.CredentialTypes, c.Type, "credential type")
		if err != nil {
			return err
		}
		idx := int32(len(p.Creds))
		cr := Cred{Owner: owner, StoredIn: None, Type: t, Revoked: c.Revoked,
			Expires: Nano(c.ExpiresAt), LastRotated: Nano(c.LastRotatedAt)}
		if from := Nano(c.ValidFrom); from != NoTime {
			cr.validFrom = true
			p.credFrom.set(idx, from)
		}
		for _, s := range c.Systems {
			sys, err := b.ref(s, "credential system", System)
			if err != nil {
				return err
			}
			b.credSys.add(idx, sys)
		}
		if c.StoredIn != "" {
			loc, err := b.ref(c.StoredIn, "credential stored_in", Resource)
			if err != nil {
				return err
			}
			cr.StoredIn = loc
		}
		p.Creds = append(p.Creds, cr)
	}
	return nil
}

// resolve resolves references that may point forward in the input (resource
// parents, same_as), checks parent chains for cycles and groups actors.
func (b *builder) resolve(context.Context, graph.Reader) error {
	p := b.p
	for _, pr := range b.parents {
		par, err := b.ref(pr.ref, "resource parent", Resource)
		if err != nil {
			return err
		}
		p.resParent[pr.node-p.base[Resource]] = par
	}
	if err := checkParentCycles(p); err != nil {
		return err
	}
	pairs := make([][2]int32, 0, len(b.sameAs))
	for _, pr := range b.sameAs {
		other, err := b.ref(pr.ref, "same_as", Identity)
		if err != nil {
			return err
		}
		pairs = append(pairs, [2]int32{pr.node, other})
	}
	p.sameAs = len(pairs)
	p.actor = actors(p, pairs)
	return nil
}

// checkParentCycles rejects a resource parent chain that loops, which would make
// ancestor walks endless. Validated ingests never produce one.
func checkParentCycles(p *Projection) error {
	lo, hi := p.Range(Resource)
	state := make([]uint8, hi-lo) // 0 unseen, 1 on current walk, 2 done
	for n := lo; n < hi; n++ {
		var walk []int32
		for c := n; c != None && state[c-lo] == 0; c = p.resParent[c-lo] {
			state[c-lo] = 1
			walk = append(walk, c)
			if q := p.resParent[c-lo]; q != None && state[q-lo] == 1 {
				return fmt.Errorf("resource parent cycle through %q", p.ID(q))
			}
		}
		for _, c := range walk {
			state[c-lo] = 2
		}
	}
	return nil
}

func (b *builder) memberships(ctx context.Context, r graph.Reader) error {
	var last memo
	for m, err := range r.Memberships(ctx) {
		if err != nil {
			return err
		}
		from, err := b.refMemo(&last, m.Member, "membership member", Identity, Group)
		if err != nil {
			return err
		}
		to, err := refIn(b.groupIDs, m.Group, "membership group")
		if err != nil {
			return err
		}
		b.member.add(from, to)
		w := windowOf(m.ValidFrom, m.ExpiresAt)
		if w.Bounded() {
			b.memberWin.add(from, to, w)
		}
		if m.Native != "" {
			b.addMemberNative(from, to, w, m.Native)
		}
	}
	return nil
}

func (b *builder) grants(ctx context.Context, r graph.Reader) error {
	p := b.p
	p.Grants = slices.Grow(p.Grants, sizeHint(r.Meta().Counts.Grants))
	var last memo
	for g, err := range r.Grants(ctx) {
		if err != nil {
			return err
		}
		from, err := b.refMemo(&last, g.Principal, "grant principal", Identity, Group)
		if err != nil {
			return err
		}
		to, err := refIn(b.targets, g.Resource, "grant resource")
		if err != nil {
			return err
		}
		a, err := enumIndex(schema.Actions, g.Action, "grant action")
		if err != nil {
			return err
		}
		idx := int32(len(p.Grants))
		native := b.intern(g.Native)
		if native > maxNative {
			return fmt.Errorf("more than %d distinct grant native strings", maxNative)
		}
		w := windowOf(g.ValidFrom, g.ExpiresAt)
		gr := Grant{Principal: from, Target: to, meta: packGrant(native, a, g.Conditional, w.Bounded())}
		if w.Bounded() {
			p.grantWin.set(idx, w)
		}
		p.Grants = append(p.Grants, gr)
	}
	return nil
}

func (b *builder) delegations(ctx context.Context, r graph.Reader) error {
	p := b.p
	local := map[string]int32{}
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
		k, err := enumIndex(schema.DelegationKinds, d.Kind, "delegation kind")
		if err != nil {
			return err
		}
		sys := None
		if d.System != "" {
			if sys, err = b.ref(d.System, "delegation system", System); err != nil {
				return err
			}
		}
		native, ok := local[d.Native]
		if !ok {
			native = int32(len(b.delegStrs))
			s := strings.Clone(d.Native) // d.Native may be a view of a store chunk
			b.delegStrs = append(b.delegStrs, s)
			local[s] = native
		}
		idx := int32(len(p.Delegs))
		w := windowOf(d.ValidFrom, d.ExpiresAt)
		if w.Bounded() {
			p.delegWin.set(idx, w)
		}
		p.Delegs = append(p.Delegs, Deleg{From: from, To: to, Kind: k, System: sys, native: native, windowed: w.Bounded()})
		b.delegBy.add(from, idx)
		b.delegTo.add(to, idx)
	}
	return nil
}

// internDelegNatives moves the delegation native strings into Strings, once
// the concurrent edge reads are done.
func (b *builder) internDelegNatives() {
	global := make([]int32, len(b.delegStrs))
	for i, s := range b.delegStrs {
		global[i] = b.intern(s)
	}
	for i := range b.p.Delegs {
		d := &b.p.Delegs[i]
		d.native = global[d.native]
	}
}

// actors groups identities linked by same_as (symmetric, transitive; R7) with a
// union-find and returns, per identity, the smallest identity node of its actor.
func actors(p *Projection, pairs [][2]int32) []int32 {
	lo, hi := p.Range(Identity)
	parent := make([]int32, hi-lo)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, pr := range pairs {
		a, b := find(pr[0]-lo), find(pr[1]-lo)
		if a < b {
			parent[b] = a
		} else if b < a {
			parent[a] = b
		}
	}
	out := make([]int32, hi-lo)
	for i := range out {
		out[i] = find(int32(i)) + lo
	}
	return out
}
