package projection

import (
	"cmp"
	"slices"
	"strings"
)

// memberNative is one membership record's native text (an index into
// Strings) with that record's validity window.
type memberNative struct {
	W Window
	S int32
}

// memberNatives keeps the native texts of the memberships that have one,
// keyed by (member node, group node); memberships without one cost nothing.
type memberNatives map[uint64][]memberNative

// pendingNative is a membership native read before the strings are interned
// (memberships are read concurrently with grants, which intern too).
type pendingNative struct {
	key uint64
	w   Window
	s   string
}

// internMemberNatives moves the collected membership natives into Strings
// and the projection's table, once the concurrent edge reads are done.
func (b *builder) internMemberNatives() {
	if len(b.memberNat) == 0 {
		return
	}
	m := make(memberNatives, len(b.memberNat))
	for _, n := range b.memberNat {
		m[n.key] = append(m[n.key], memberNative{W: n.w, S: b.intern(n.s)})
	}
	// In content order, so that which record's text a path shows does not
	// depend on the order the records were ingested in.
	for _, ns := range m {
		if len(ns) > 1 {
			slices.SortFunc(ns, func(a, c memberNative) int {
				return cmp.Or(strings.Compare(b.p.Strings[a.S], b.p.Strings[c.S]),
					cmp.Compare(a.W.From, c.W.From), cmp.Compare(a.W.Until, c.W.Until))
			})
		}
	}
	b.p.memberNat = m
}

// MemberNative returns the native text of a record of membership from → to
// and that record's window: the first record, in order of text then window,
// with a native text whose window includes t (unix nanoseconds). When none does, it returns "" if the pair
// also has a record without a native text (that record is the one that
// counts), else the first record's. ok is false when no record of the pair
// has a native text.
func (p *Projection) MemberNative(from, to int32, t int64) (native string, w Window, ok bool) {
	ns := p.memberNat[pairKey(from, to)]
	if len(ns) == 0 {
		return "", Always, false
	}
	for _, n := range ns {
		if n.W.Live(t) {
			return p.Strings[n.S], n.W, true
		}
	}
	records := 0
	for _, g := range p.MemberOut.Of(from) {
		if g == to {
			records++
		}
	}
	if records > len(ns) {
		return "", Always, false
	}
	return p.Strings[ns[0].S], ns[0].W, true
}

func (m memberNatives) bytes() int {
	b := 0
	for _, ns := range m {
		b += 8 + 24 + 24*cap(ns)
	}
	return b
}

// putMemberNatives stores m as sorted keys, per-key counts, then every
// entry's window and string index.
func putMemberNatives(e *encoder, m memberNatives) {
	keys := make([]uint64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp.Compare)
	counts := make([]uint32, len(keys))
	var ws []Window
	var ss []int32
	for i, k := range keys {
		counts[i] = uint32(len(m[k]))
		for _, n := range m[k] {
			ws = append(ws, n.W)
			ss = append(ss, n.S)
		}
	}
	put(e, keys)
	put(e, counts)
	put(e, ws)
	put(e, ss)
}

// loadMemberNatives reads what putMemberNatives wrote; every string index
// must be one of the nstrings interned strings.
func loadMemberNatives(d *decoder, nstrings int) memberNatives {
	keys, counts, ws, ss := view[uint64](d), view[uint32](d), view[Window](d), view[int32](d)
	if d.err != nil || len(keys) != len(counts) || len(ws) != len(ss) {
		d.fail("membership natives")
		return nil
	}
	if len(keys) == 0 {
		return nil
	}
	m := make(memberNatives, len(keys))
	at := 0
	for i, k := range keys {
		n := int(counts[i])
		if n == 0 || at+n > len(ws) {
			d.fail("membership natives")
			return nil
		}
		for j := at; j < at+n; j++ {
			if ss[j] < 0 || int(ss[j]) >= nstrings {
				d.fail("membership native string %d of %d", ss[j], nstrings)
				return nil
			}
			m[k] = append(m[k], memberNative{W: ws[j], S: ss[j]})
		}
		at += n
	}
	if at != len(ws) {
		d.fail("membership natives")
		return nil
	}
	return m
}

// addMemberNative records membership from → to's native text s and window w.
func (b *builder) addMemberNative(from, to int32, w Window, s string) {
	b.memberNat = append(b.memberNat, pendingNative{key: pairKey(from, to), w: w, s: strings.Clone(s)})
}
