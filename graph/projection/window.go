package projection

import (
	"fmt"
	"slices"
	"time"
)

// Window is the validity window of a MEMBER_OF, GRANT or CAN_ACT_AS edge in
// unix nanoseconds: the edge counts at t when From ≤ t and t < Until. From is
// NoTime when the edge counts from the start, Until NoTime when it never
// expires.
type Window struct {
	From  int64
	Until int64
}

// Always is the window of an edge without one.
var Always = Window{From: NoTime, Until: NoTime}

func windowOf(from, until time.Time) Window { return Window{From: Nano(from), Until: Nano(until)} }

// Live reports whether the window includes t (unix nanoseconds).
func (w Window) Live(t int64) bool { return (w.From == NoTime || w.From <= t) && t < w.Until }

// Bounded reports whether the window sets either bound.
func (w Window) Bounded() bool { return w.From != NoTime || w.Until != NoTime }

// memberWindows keeps the windows of the memberships that have one, keyed by
// (member node, group node): only those cost memory. A pair listed more than
// once counts while any of its records counts; a pair that also has a record
// without a window always counts and is dropped from the table. It is flat
// arrays (sorted keys, offsets, windows), which the stored form keeps as they
// lie.
type memberWindows struct {
	keys []uint64 // pairKey(member, group), increasing
	off  []uint32 // the windows of keys[i] are ws[off[i]:off[i+1]]
	ws   []Window
	// from marks the members with at least one windowed membership, one bit
	// per principal node from base, so most lookups never search keys.
	from []uint64
	base int32
}

func pairKey(from, to int32) uint64 { return uint64(uint32(from))<<32 | uint64(uint32(to)) }

// pendingMembers collects the windows of windowed memberships during a build.
type pendingMembers map[uint64][]Window

func (m *pendingMembers) add(from, to int32, w Window) {
	if *m == nil {
		*m = pendingMembers{}
	}
	k := pairKey(from, to)
	(*m)[k] = append((*m)[k], w)
}

// finish drops the pairs that also have a record without a window (out holds
// every membership record) and builds the member bits over nodes [lo, hi).
func (m pendingMembers) finish(out *CSR, lo, hi int32) memberWindows {
	if len(m) == 0 {
		return memberWindows{}
	}
	keys := make([]uint64, 0, len(m))
	for k, ws := range m {
		from, to := int32(uint32(k>>32)), int32(uint32(k))
		n := 0
		for _, g := range out.Of(from) {
			if g == to {
				n++
			}
		}
		if n <= len(ws) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return memberWindows{}
	}
	slices.Sort(keys)
	res := memberWindows{keys: keys, off: make([]uint32, 1, len(keys)+1), base: lo, from: make([]uint64, (hi-lo+63)/64)}
	for _, k := range keys {
		res.ws = append(res.ws, m[k]...)
		res.off = append(res.off, uint32(len(res.ws)))
		i := int32(uint32(k>>32)) - lo
		res.from[i/64] |= 1 << (i % 64)
	}
	return res
}

func (m *memberWindows) len() int { return len(m.keys) }

// marked reports whether member node from has a windowed membership.
func (m *memberWindows) marked(from int32) bool {
	i := from - m.base
	return m.from != nil && i >= 0 && int(i)/64 < len(m.from) && m.from[i/64]&(1<<(i%64)) != 0
}

// windows returns the windows of membership from → to, nil when it has none.
func (m *memberWindows) windows(from, to int32) []Window {
	if !m.marked(from) {
		return nil
	}
	i, ok := slices.BinarySearch(m.keys, pairKey(from, to))
	if !ok {
		return nil
	}
	return m.ws[m.off[i]:m.off[i+1]:m.off[i+1]]
}

func (m *memberWindows) bytes() int {
	return 8*len(m.from) + 8*len(m.keys) + 4*len(m.off) + 16*len(m.ws)
}

// check verifies that the arrays fit together (for a stored form).
func (m *memberWindows) check() error {
	if len(m.keys) == 0 {
		if len(m.off) > 1 || len(m.ws) != 0 {
			return fmt.Errorf("membership windows without keys")
		}
		return nil
	}
	if len(m.off) != len(m.keys)+1 || m.off[0] != 0 || !monotone(m.off) || int(m.off[len(m.keys)]) != len(m.ws) {
		return fmt.Errorf("membership window offsets")
	}
	for i := 1; i < len(m.keys); i++ {
		if m.keys[i] <= m.keys[i-1] {
			return fmt.Errorf("membership window keys out of order")
		}
	}
	return nil
}

// MemberLive reports whether the membership from → to counts at t (unix
// nanoseconds; R1): it has no window, or one of its records' windows
// includes t. It does not check that the membership exists.
func (p *Projection) MemberLive(from, to int32, t int64) bool {
	ws := p.members.windows(from, to)
	return ws == nil || slices.ContainsFunc(ws, func(w Window) bool { return w.Live(t) })
}

// MemberWindow returns the window of membership from → to that includes t,
// else its first window, and Always when it has none (evidence shows it).
func (p *Projection) MemberWindow(from, to int32, t int64) Window {
	ws := p.members.windows(from, to)
	if ws == nil {
		return Always
	}
	for _, w := range ws {
		if w.Live(t) {
			return w
		}
	}
	return ws[0]
}

// HasWindows reports whether any membership, grant or delegation has a
// validity window.
func (p *Projection) HasWindows() bool {
	return p.members.len() > 0 || p.grantWin.len() > 0 || p.delegWin.len() > 0
}
