package gen

import (
	"sort"
	"strconv"

	"github.com/reachgraph/reachgraph/schema"
)

// numLevels is the depth of the group hierarchy: identities join groups of any
// level, and a group of level l joins groups of level l+1 (and sometimes l+2).
const numLevels = 5

// levelShare is each level's share of all groups, per mille; the top level
// takes the rest.
var levelShare = [numLevels - 1]int{300, 200, 250, 150}

// rolePct is the share of roles (rather than plain groups) per level.
var rolePct = [numLevels]int{10, 30, 90, 90, 90}

// humanPerMille is the share of human identities.
const humanPerMille = 100

// system is one row of the per-tier system table.
type system struct {
	id, name, owner string
	kind            sysKind
	sox             bool
	resStart        int // index of the system's first resource
	resCount        int
	branch          int // children per inner resource node
	treeSize        int // resources per full tree
}

// layout is everything Generate knows about an estate before writing it: the
// per-system table, the group levels and the id widths. Memory is O(Systems).
type layout struct {
	tier    Tier
	key     uint64
	systems []system
	vaults  []int              // indexes of vault systems
	levels  [numLevels + 1]int // first group index of each level; levels[numLevels] = Groups
	wRes    int                // id widths
	wID     int
	wGrp    int
}

func newLayout(t Tier, seed int64) *layout {
	l := &layout{
		tier: t,
		key:  mix64(uint64(seed) ^ 0x7265616368677261), // "reachgra"
		wRes: width(t.Resources, 7),
		wID:  width(t.Identities, 7),
		wGrp: width(t.Groups, 7),
	}
	l.buildSystems()
	l.buildLevels()
	return l
}

// width is the number of digits of the largest index below n, at least floor.
func width(n, floor int) int { return max(floor, len(strconv.Itoa(n-1))) }

func (l *layout) draws(tag uint64, i int) draws {
	return draws{base: mix64(mix64(l.key^tag*golden) + uint64(i))}
}

func (l *layout) buildSystems() {
	n := l.tier.Systems
	l.systems = make([]system, n)
	weights := make([]float64, n)
	sum := 0.0
	for s := range l.systems {
		d := l.draws(tagSystem, s)
		k := systemKindCycle[s%len(systemKindCycle)]
		info := &sysKinds[k]
		sys := &l.systems[s]
		sys.kind = k
		sys.id = "sys-" + pad(s, width(n, 3))
		sys.name = info.label + " " + strconv.Itoa(s)
		sys.sox = d.intn(100) < info.soxPct
		if d.intn(100) < 85 {
			sys.owner = "team-" + teams[d.intn(len(teams))]
		}
		sys.branch = 3 + d.intn(6)
		levels := info.minLevels + d.intn(info.maxLevels-info.minLevels+1)
		sys.treeSize = 1
		for p, i := 1, 1; i < levels; i++ {
			p *= sys.branch
			sys.treeSize += p
		}
		weights[s] = float64(info.weight) * (0.5 + d.float())
		sum += weights[s]
		if k == kindVault {
			l.vaults = append(l.vaults, s)
		}
	}
	// Every system gets one resource; the rest go by weight, the remainder
	// one by one from the first system on.
	rest := l.tier.Resources - n
	given := 0
	for s := range l.systems {
		l.systems[s].resCount = 1 + int(float64(rest)*weights[s]/sum)
		given += l.systems[s].resCount
	}
	for s := 0; given < l.tier.Resources; s = (s + 1) % n {
		l.systems[s].resCount++
		given++
	}
	start := 0
	for s := range l.systems {
		l.systems[s].resStart = start
		start += l.systems[s].resCount
	}
}

func (l *layout) buildLevels() {
	g := l.tier.Groups
	start := 0
	for lv := range numLevels - 1 {
		l.levels[lv] = start
		start += max(1, g*levelShare[lv]/1000)
	}
	l.levels[numLevels-1] = start
	l.levels[numLevels] = g
}

// pad formats i with leading zeros to w digits.
func pad(i, w int) string { return string(appendPadded(nil, i, w)) }

func appendPadded(b []byte, i, w int) []byte {
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], int64(i), 10)
	for n := len(d); n < w; n++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

// --- resources ---

// systemOf returns the system holding resource k.
func (l *layout) systemOf(k int) int {
	return sort.Search(len(l.systems), func(s int) bool { return l.systems[s].resStart > k }) - 1
}

// parentOf returns resource k's parent, or -1 for a tree root. Within a
// system, resources form trees of treeSize nodes laid out as branch-ary heaps.
func (l *layout) parentOf(s, k int) int {
	sys := &l.systems[s]
	loc := k - sys.resStart
	tree, pos := loc/sys.treeSize, loc%sys.treeSize
	if pos == 0 {
		return -1
	}
	return sys.resStart + tree*sys.treeSize + (pos-1)/sys.branch
}

// isLeaf reports whether resource k has no children.
func (l *layout) isLeaf(s, k int) bool {
	sys := &l.systems[s]
	loc := k - sys.resStart
	tree, pos := loc/sys.treeSize, loc%sys.treeSize
	child := pos*sys.branch + 1
	return child >= sys.treeSize || tree*sys.treeSize+child >= sys.resCount
}

// --- identities ---

var nonHumanTypes = []schema.IdentityType{
	schema.IdentityServiceAccount, schema.IdentityWorkload, schema.IdentityApplication,
	schema.IdentityAPIClient, schema.IdentityBot, schema.IdentityAIAgent,
}

// nonHumanCum are the cumulative weights of nonHumanTypes, in percent.
var nonHumanCum = []int{35, 60, 75, 87, 95, 100}

// identityType returns identity i's type. Identities 0 and 1 are always
// non-human and 2 always human, so lookups that search for either kind
// always find one that is not the searcher.
func (l *layout) identityType(i int) schema.IdentityType {
	switch i {
	case 0, 1:
		return nonHumanTypes[i]
	case 2:
		return schema.IdentityHuman
	}
	d := l.draws(tagIdentityType, i)
	if d.intn(1000) < humanPerMille {
		return schema.IdentityHuman
	}
	return nonHumanTypes[pick(d.intn(100), nonHumanCum)]
}

// identityPlan is how many edge records identity i owns in each section.
type identityPlan struct {
	typ                                           schema.IdentityType
	memberships, grants, credentials, delegations int
}

// membershipCum is the distribution of memberships per identity (the index
// is the count), cumulative per mille: most identities are in 1–5 groups.
var membershipCum = []int{40, 280, 540, 740, 880, 970, 985, 995, 1000}

// maxMemberships is the most groups one identity joins (len(membershipCum)-1).
const maxMemberships = 8

var (
	humanCredCum    = []int{0, 70, 100}
	nonHumanCredCum = []int{8, 63, 93, 100}
)

// maxCredentials is the most credentials one identity has (len(nonHumanCredCum)-1).
const maxCredentials = 3

func (l *layout) identityPlan(i int) identityPlan {
	d := l.draws(tagIdentityPlan, i)
	p := identityPlan{typ: l.identityType(i)}
	p.memberships = pick(d.intn(1000), membershipCum)
	if p.typ == schema.IdentityHuman {
		p.grants = d.intn(4) / 3 // a quarter of people hold one direct grant
		p.credentials = pick(d.intn(100), humanCredCum)
		if d.intn(100) < 8 {
			p.delegations = 1
		}
		return p
	}
	p.grants = d.expCount(l.tier.DirectGrants, min(64, len(schema.Actions)*(l.tier.Resources+l.tier.Systems)))
	p.credentials = pick(d.intn(100), nonHumanCredCum)
	switch x := d.intn(100); {
	case x < 5:
		p.delegations = 2
	case x < 25:
		p.delegations = 1
	}
	return p
}

// --- groups ---

// groupPlan is the structure of group g and how many edge records it owns.
type groupPlan struct {
	level   int
	typ     schema.GroupType
	system  int  // -1 when the group is not system-specific
	parents int  // memberships into groups of the next level
	skip    bool // one more membership into a group two levels up
	// cycle closes a loop with one membership into g: 1 from its first parent
	// (a 2-cycle), 2 from its first parent's first parent (a 3-cycle).
	cycle       int
	grants      int
	delegations int
}

// memberships is the number of MEMBER_OF records written for g.
func (p groupPlan) memberships() int {
	n := p.parents
	if p.skip {
		n++
	}
	if p.cycle > 0 {
		n++
	}
	return n
}

func (l *layout) levelOf(g int) int {
	for lv := numLevels - 1; lv > 0; lv-- {
		if g >= l.levels[lv] {
			return lv
		}
	}
	return 0
}

func (l *layout) levelSize(lv int) int { return l.levels[lv+1] - l.levels[lv] }

func (l *layout) groupPlan(g int) groupPlan {
	d := l.draws(tagGroupPlan, g)
	lv := l.levelOf(g)
	p := groupPlan{level: lv, typ: schema.GroupGroup, system: -1}
	isRole := d.intn(100) < rolePct[lv]
	sysPct := 10
	if isRole {
		p.typ, sysPct = schema.GroupRole, 85
	}
	if d.intn(100) < sysPct {
		p.system = d.intn(len(l.systems))
	}
	if lv < numLevels-1 {
		p.parents = min(1+d.intn(2), l.levelSize(lv+1))
	}
	p.skip = lv < numLevels-2 && d.intn(100) < 10
	switch {
	case g == l.levels[0]:
		p.cycle = 2 // every estate has at least one 3-cycle and one 2-cycle
	case g == l.levels[1]:
		p.cycle = 1
	case lv < numLevels-2 && d.intn(1000) < 15:
		p.cycle = 1 + d.intn(2)
	}
	if isRole {
		p.grants = 1 + d.intn(6)
		if d.intn(100) < 6 {
			p.delegations = 1
		}
	} else {
		p.grants = pick(d.intn(100), []int{60, 85, 100})
	}
	return p
}

// parentOfGroup returns the k-th group that g (not of the top level) is a
// member of: consecutive groups of the next level from a hashed start.
func (l *layout) parentOfGroup(g, lv, k int) int {
	d := l.draws(tagGroupParent, g)
	size := l.levelSize(lv + 1)
	return l.levels[lv+1] + (d.intn(size)+k)%size
}

// skipParent returns the group two levels up that g is also a member of.
func (l *layout) skipParent(g, lv int) int {
	d := l.draws(tagGroupSkip, g)
	return l.levels[lv+2] + d.intn(l.levelSize(lv+2))
}

// cycleMember returns the group whose membership into g closes g's cycle.
func (l *layout) cycleMember(g int, p groupPlan) int {
	m := l.parentOfGroup(g, p.level, 0)
	if p.cycle == 2 {
		m = l.parentOfGroup(m, p.level+1, 0)
	}
	return m
}
