package report

import (
	"container/heap"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"

	fastjson "github.com/segmentio/encoding/json"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph/spill"
	"github.com/reachgraph/reachgraph/schema"
)

// groupSpool holds the root-cause groups of a spooled report without
// holding their lists. At scale a report has millions of groups that list
// every finding's id and identity (8 GB at tier M); what stays in memory is
// one small record per group (its key, severity and counts) and the index
// of the keys, while each finding's contribution (id, identity, rule, and
// for a group's first finding the change and the cut) is written, in
// report order, as an item to a spill pool (memory up to a budget, then a
// temporary file). The groups are sorted once every finding is counted;
// the items are then sorted by their group's place (sorted runs in the
// pool, merged), so each group is put together from consecutive items, one
// at a time, as it is written.
type groupSpool struct {
	pool       *spill.Pool
	chunks     []spill.Ref // the items in report order, until sorted
	cur        []byte      // the open chunk
	sortBudget int         // bytes of items sorted at once into a run

	byKey map[causeKey]int32
	stats []groupStat
	sevs  []schema.Severity // the severities seen, indexed by groupStat.sev
	seed  maphash.Seed
	items uint32 // items added: the next finding's place in report order

	// differ marks the groups some of whose findings print another
	// change than the group's first (the same edges, another validity
	// window): a CSV row then needs the group's change, kept in changes
	// once the items are sorted.
	differ  map[int32]bool
	changes map[int32]string

	sorted bool
	order  []int32  // the groups in report order
	runs   []sorted // the sorted runs of items
	err    error
}

// groupStat is what a spooled group holds in memory.
type groupStat struct {
	key               causeKey
	change            uint64 // hash of the first finding's change
	count, suppressed int32
	sev               uint8
}

// sorted is one sorted run of items: chunks in the pool, or (the last run)
// the sort buffer itself with its items' offsets in order.
type sorted struct {
	refs []spill.Ref
	mem  []byte
	offs []int32
}

// itemChunk is the size of the chunks items are written in.
const itemChunk = 1 << 20

// Item flags.
const itemHead = 1 // the group's first finding: kind, change and cut follow

func newGroupSpool(pool *spill.Pool, sortBudget int) *groupSpool {
	return &groupSpool{pool: pool, sortBudget: max(sortBudget, 1), byKey: map[causeKey]int32{}, seed: maphash.MakeSeed(),
		differ: map[int32]bool{}, changes: map[int32]string{}}
}

// add counts one finding (in report order) in its group.
func (g *groupSpool) add(sev schema.Severity, identity, rule, id string, suppressed bool, kind, key, change string, cut []byte) error {
	if g.err != nil {
		return g.err
	}
	if g.sorted {
		return errors.New("report: a finding added to sorted groups")
	}
	if g.items == ^uint32(0) {
		return errors.New("report: more than 4,294,967,295 findings")
	}
	si := slices.Index(g.sevs, sev)
	if si < 0 {
		si = len(g.sevs)
		g.sevs = append(g.sevs, sev)
	}
	k := causeKeyOf(kind, key)
	h := maphash.String(g.seed, change)
	gi, ok := g.byKey[k]
	if !ok {
		gi = int32(len(g.stats))
		if int(gi) != len(g.stats) {
			return errors.New("report: more than 2,147,483,647 root-cause groups")
		}
		g.byKey[k] = gi
		g.stats = append(g.stats, groupStat{key: k, change: h, sev: uint8(si)})
	}
	st := &g.stats[gi]
	if suppressed {
		st.suppressed++
	} else {
		st.count++
	}
	if sev.Rank() < g.sevs[st.sev].Rank() {
		st.sev = uint8(si)
	}
	if ok && h != st.change {
		g.differ[gi] = true
	}
	// The item: its length, then the group (its place once sorted) and
	// the finding's place, big-endian so that their bytes sort as the
	// numbers do, the flags and the fields.
	var b [binary.MaxVarintLen64]byte
	str := func(s string) {
		g.cur = append(g.cur, b[:binary.PutUvarint(b[:], uint64(len(s)))]...)
		g.cur = append(g.cur, s...)
	}
	size := 9 + 4*binary.MaxVarintLen64 + len(id) + len(identity) + len(rule)
	if !ok {
		size += 3*binary.MaxVarintLen64 + len(kind) + len(change) + len(cut)
	}
	if len(g.cur) > 0 && len(g.cur)+size > itemChunk {
		g.seal()
	}
	start := len(g.cur)
	g.cur = binary.LittleEndian.AppendUint32(g.cur, 0)
	g.cur = binary.BigEndian.AppendUint32(g.cur, uint32(gi))
	g.cur = binary.BigEndian.AppendUint32(g.cur, g.items)
	flags := byte(0)
	if !ok {
		flags |= itemHead
	}
	g.cur = append(g.cur, flags)
	str(id)
	str(identity)
	str(rule)
	if !ok {
		str(kind)
		str(change)
		str(string(cut))
	}
	binary.LittleEndian.PutUint32(g.cur[start:], uint32(len(g.cur)-start-4))
	g.items++
	return nil
}

// seal hands the open chunk to the pool.
func (g *groupSpool) seal() {
	if len(g.cur) > 0 {
		var ref spill.Ref
		ref, g.cur = g.sealChunk(g.cur)
		g.chunks = append(g.chunks, ref)
	}
}

// sealChunk hands a chunk to the pool and returns the buffer to write the
// next one in: the same one when the pool wrote it out, a new one when the
// pool keeps it.
func (g *groupSpool) sealChunk(b []byte) (spill.Ref, []byte) {
	ref, reuse := g.pool.Seal(b)
	if reuse {
		return ref, b[:0]
	}
	return ref, make([]byte, 0, itemChunk)
}

// len is the number of groups.
func (g *groupSpool) len() int { return len(g.stats) }

// ref returns the id and the change of the group of a finding whose cause
// is (kind, key) and whose own change is change.
func (g *groupSpool) ref(kind, key, change string) (id, groupChange string, ok bool) {
	k := causeKeyOf(kind, key)
	gi, ok := g.byKey[k]
	if !ok {
		return "", "", false
	}
	if g.differ[gi] {
		change = g.changes[gi]
	}
	return "g-" + hex.EncodeToString(k[:8]), change, true
}

// compare is sortGroups' order: most severe first, then the most findings,
// then by id (the key's first bytes; the rest of the key after that).
func (g *groupSpool) compare(a, b int32) int {
	x, y := &g.stats[a], &g.stats[b]
	if c := g.sevs[x.sev].Rank() - g.sevs[y.sev].Rank(); c != 0 {
		return c
	}
	if x.count != y.count {
		if x.count > y.count {
			return -1
		}
		return 1
	}
	for i := range x.key {
		if x.key[i] != y.key[i] {
			return int(x.key[i]) - int(y.key[i])
		}
	}
	return 0
}

// sort orders the groups and sorts the items by their group's place into
// runs, and keeps the changes ref needs. It runs once, after the last add.
func (g *groupSpool) sort() error {
	if g.sorted || g.err != nil {
		return g.err
	}
	g.sorted = true
	g.seal()
	g.cur = nil
	g.order = make([]int32, len(g.stats))
	for i := range g.order {
		g.order[i] = int32(i)
	}
	slices.SortFunc(g.order, g.compare)
	place := make([]uint32, len(g.stats))
	for r, gi := range g.order {
		place[gi] = uint32(r)
	}
	total := 0
	for _, ref := range g.chunks {
		total += ref.Len()
	}
	buf := make([]byte, 0, min(total, g.sortBudget+itemChunk))
	var offs []int32
	sortOffs := func() {
		slices.SortFunc(offs, func(a, b int32) int {
			x, y := binary.BigEndian.Uint64(buf[a+4:]), binary.BigEndian.Uint64(buf[b+4:])
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		})
	}
	flush := func() {
		sortOffs()
		var run sorted
		out := make([]byte, 0, itemChunk)
		for _, o := range offs {
			item := buf[o : o+4+int32(binary.LittleEndian.Uint32(buf[o:]))]
			if len(out) > 0 && len(out)+len(item) > itemChunk {
				var ref spill.Ref
				ref, out = g.sealChunk(out)
				run.refs = append(run.refs, ref)
			}
			out = append(out, item...)
		}
		if len(out) > 0 {
			ref, _ := g.pool.Seal(out)
			run.refs = append(run.refs, ref)
		}
		g.runs = append(g.runs, run)
		buf, offs = buf[:0], offs[:0]
	}
	var rbuf []byte
	for _, ref := range g.chunks {
		data, err := g.pool.Read(ref, rbuf)
		if err != nil {
			g.err = err
			return err
		}
		if ref.Spilled() {
			rbuf = data
		}
		for len(data) > 0 {
			n := 4 + int(binary.LittleEndian.Uint32(data))
			item := data[:n]
			data = data[n:]
			gi := binary.BigEndian.Uint32(item[4:])
			if item[12]&itemHead != 0 && g.differ[int32(gi)] {
				it, err := parseItem(item)
				if err != nil {
					g.err = err
					return err
				}
				g.changes[int32(gi)] = string(it.change)
			}
			if len(buf) > 0 && len(buf)+n > g.sortBudget {
				flush()
			}
			o := len(buf)
			buf = append(buf, item...)
			binary.BigEndian.PutUint32(buf[o+4:], place[gi])
			offs = append(offs, int32(o))
		}
		g.pool.Release(ref)
	}
	if len(offs) > 0 { // the last run stays in the sort buffer
		sortOffs()
		g.runs = append(g.runs, sorted{mem: buf, offs: offs})
	}
	g.chunks = nil
	if err := g.pool.Err(); err != nil {
		g.err = err
	}
	return g.err
}

// item is one parsed item; its byte slices point into the chunk.
type item struct {
	place, seq         uint32
	head               bool
	id, identity, rule []byte
	kind, change, cut  []byte
}

var errItem = errors.New("report: damaged root-cause group item")

func parseItem(b []byte) (item, error) {
	var it item
	if len(b) < 13 {
		return it, errItem
	}
	it.place, it.seq, it.head = binary.BigEndian.Uint32(b[4:]), binary.BigEndian.Uint32(b[8:]), b[12]&itemHead != 0
	rest := b[13:]
	field := func(dst *[]byte) bool {
		n, w := binary.Uvarint(rest)
		if w <= 0 || uint64(len(rest)-w) < n {
			return false
		}
		*dst, rest = rest[w:w+int(n)], rest[w+int(n):]
		return true
	}
	ok := field(&it.id) && field(&it.identity) && field(&it.rule)
	if ok && it.head {
		ok = field(&it.kind) && field(&it.change) && field(&it.cut)
	}
	if !ok || len(rest) != 0 {
		return it, errItem
	}
	return it, nil
}

// runCursor reads one sorted run item by item.
type runCursor struct {
	refs []spill.Ref
	mem  []byte
	offs []int32
	data []byte
	buf  []byte
	cur  []byte // the current item, nil at the end
}

func (c *runCursor) next(p *spill.Pool) error {
	if c.mem != nil {
		if len(c.offs) == 0 {
			c.cur = nil
			return nil
		}
		o := c.offs[0]
		c.offs = c.offs[1:]
		c.cur = c.mem[o : o+4+int32(binary.LittleEndian.Uint32(c.mem[o:]))]
		return nil
	}
	if len(c.data) == 0 {
		if len(c.refs) == 0 {
			c.cur = nil
			return nil
		}
		data, err := p.Read(c.refs[0], c.buf)
		if err != nil {
			return err
		}
		if c.refs[0].Spilled() {
			c.buf = data
		}
		c.refs, c.data = c.refs[1:], data
	}
	if len(c.data) < 4 {
		return errItem
	}
	n := 4 + int(binary.LittleEndian.Uint32(c.data))
	if n > len(c.data) {
		return errItem
	}
	c.cur, c.data = c.data[:n], c.data[n:]
	return nil
}

func (c *runCursor) key() uint64 { return binary.BigEndian.Uint64(c.cur[4:]) }

type cursorHeap []*runCursor

func (h cursorHeap) Len() int           { return len(h) }
func (h cursorHeap) Less(i, j int) bool { return h[i].key() < h[j].key() }
func (h cursorHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)        { *h = append(*h, x.(*runCursor)) }
func (h *cursorHeap) Pop() any {
	x := (*h)[len(*h)-1]
	*h = (*h)[:len(*h)-1]
	return x
}

// errEnough stops each early.
var errEnough = errors.New("enough groups")

// each calls fn on every group in report order, put together from its
// items. The *Group is reused from call to call; the lists it holds are
// made anew for each group, so a copy of the Group may be kept.
func (g *groupSpool) each(fn func(i int, gr *Group) error) error {
	if err := g.sort(); err != nil {
		return err
	}
	h := cursorHeap{}
	for _, run := range g.runs {
		c := &runCursor{refs: run.refs, mem: run.mem, offs: run.offs}
		if err := c.next(g.pool); err != nil {
			return err
		}
		if c.cur != nil {
			h = append(h, c)
		}
	}
	heap.Init(&h)
	var gr Group
	var idents []string
	place := -1
	emit := func() error {
		st := &g.stats[g.order[place]]
		gr.ID = "g-" + hex.EncodeToString(st.key[:8])
		gr.Severity, gr.Count, gr.Suppressed, gr.key = g.sevs[st.sev], int(st.count), int(st.suppressed), st.key
		slices.Sort(idents)
		gr.Identities = slices.Compact(idents)
		slices.Sort(gr.Rules)
		if gr.Representative == "" && len(gr.Findings) > 0 {
			return errItem // no head: the group's first item is missing
		}
		return fn(place, &gr)
	}
	for h.Len() > 0 {
		c := h[0]
		it, err := parseItem(c.cur)
		if err != nil {
			return err
		}
		if int(it.place) != place {
			if place >= 0 {
				if err := emit(); err != nil {
					return err
				}
			}
			if int(it.place) != place+1 || int(it.place) >= len(g.order) {
				return errItem
			}
			place = int(it.place)
			gr, idents = Group{}, nil // the lists are the group's own: topGroups keeps them
		}
		if it.head {
			gr.Kind, gr.Change, gr.Representative = string(it.kind), string(it.change), string(it.id)
			if len(it.cut) > 0 {
				if gr.Cut, err = decodeCut(it.cut, gr.Representative); err != nil {
					return err
				}
			}
		}
		gr.Findings = append(gr.Findings, string(it.id))
		if len(idents) == 0 || idents[len(idents)-1] != string(it.identity) {
			idents = append(idents, string(it.identity))
		}
		if !slices.Contains(gr.Rules, string(it.rule)) {
			gr.Rules = append(gr.Rules, string(it.rule))
		}
		if err := c.next(g.pool); err != nil {
			return err
		}
		if c.cur == nil {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
	}
	if place >= 0 {
		if err := emit(); err != nil {
			return err
		}
	}
	if place+1 != len(g.order) {
		return fmt.Errorf("%w: %d of %d groups", errItem, place+1, len(g.order))
	}
	return nil
}

// groupBatch is how many groups eachAhead hands over at once (a variable
// for the tests).
var groupBatch = 256

// eachAhead is each with the groups put together on another goroutine, a
// batch ahead of fn (each is most of the time of writing a spooled
// report's groups: merging the sorted items and decoding the cuts), so
// that fn, formatting and writing, has a core of its own. It stops at
// fn's error and returns it, and leaves no goroutine behind.
func (g *groupSpool) eachAhead(fn func(i int, gr *Group) error) error {
	type indexed struct {
		i  int
		gr Group
	}
	return ahead(groupBatch, func(emit func(indexed) bool) error {
		return g.each(func(i int, gr *Group) error {
			// The lists are each group's own: the copy keeps them.
			if !emit(indexed{i, *gr}) {
				return errAheadStopped
			}
			return nil
		})
	}, func(v *indexed) error { return fn(v.i, &v.gr) })
}

// decodeCut decodes a cut written by encodeRecord.
func decodeCut(b []byte, id string) ([]analysis.Hop, error) {
	var cut []analysis.Hop
	if err := fastjson.Unmarshal(b, &cut); err != nil {
		return nil, fmt.Errorf("report spool: decode the cut of %s: %w", id, err)
	}
	return cut, nil
}
