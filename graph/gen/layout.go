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
	vaults  []int // indexes of vault systems
	plain   []int // indexes of the other systems
	// plainStart[j] is the number of resources in plain[:j]; the last entry
	// is the number of resources outside vaults.
	plainStart []int
	levels     [numLevels + 1]int // first group index of each level; levels[numLevels] = Groups
	wRes       int                // id widths
	wID        int
	wGrp       int
	// storedPerMille is the share of non-human static credentials stored in
	// a vault path.
	storedPerMille int
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
	l.storedPerMille = l.storedShare()
	return l
}

// Stored credentials: at most maxStoredPerMille of non-human static
// credentials are stored in a vault path, and fewer when the vaults are small
// for the estate, so that a leaf path holds about credsPerPath of them.
const (
	maxStoredPerMille = 200
	credsPerPath      = 8
)

// storedShare returns the per-mille share of non-human static credentials
// that are stored in a vault leaf path: maxStoredPerMille, or less so that the
// vault leaves hold credsPerPath credentials each on average. A non-human
// identity has about 1.36 credentials, 90 % of them static.
func (l *layout) storedShare() int {
	leaves := 0
	for _, s := range l.vaults {
		sys := &l.systems[s]
		for k := sys.resStart; k < sys.resStart+sys.resCount; k++ {
			if l.isLeaf(s, k) {
				leaves++
			}
		}
	}
	static := float64(l.tier.Identities) * (1000 - humanPerMille) / 1000 * 1.36 * 0.9
	return max(1, min(maxStoredPerMille, int(1000*credsPerPath*float64(leaves)/static)))
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
	l.plainStart = append(l.plainStart, 0)
	for s := range l.systems {
		if l.systems[s].kind != kindVault {
			l.plain = append(l.plain, s)
			l.plainStart = append(l.plainStart, l.plainStart[len(l.plainStart)-1]+l.systems[s].resCount)
		}
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

// plainResource returns the x-th resource outside vault systems and its
// system, for x in [0, plainStart[len(plain)]).
func (l *layout) plainResource(x int) (k, s int) {
	j := sort.Search(len(l.plain), func(j int) bool { return l.plainStart[j+1] > x })
	s = l.plain[j]
	return l.systems[s].resStart + x - l.plainStart[j], s
}

// plainResources is the number of resources outside vault systems.
func (l *layout) plainResources() int { return l.plainStart[len(l.plainStart)-1] }

// rootOf returns the root of resource k's tree.
func (l *layout) rootOf(s, k int) int {
	sys := &l.systems[s]
	return sys.resStart + (k-sys.resStart)/sys.treeSize*sys.treeSize
}

// leafUnder returns a leaf below resource k (k itself when it is a leaf),
// descending through children chosen by pick.
func (l *layout) leafUnder(s, k int, pick func(n int) int) int {
	sys := &l.systems[s]
	for !l.isLeaf(s, k) {
		loc := k - sys.resStart
		tree, pos := loc/sys.treeSize, loc%sys.treeSize
		first := pos*sys.branch + 1
		n := min(sys.branch, sys.treeSize-first, sys.resCount-tree*sys.treeSize-first)
		k = sys.resStart + tree*sys.treeSize + first + pick(n)
	}
	return k
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
	typ schema.IdentityType
	// admin marks the few administrators (2 % of people, 0.3 % of non-human
	// identities) whose direct grants include whole systems and tree roots.
	admin                                         bool
	memberships, grants, credentials, delegations int
}

// membershipCum is the distribution of a person's memberships (the index is
// the count), cumulative per mille: most people are in 1–5 groups.
// nonHumanMembershipCum is the same for non-human identities, which mostly
// have one or two roles attached and hold more grants directly.
var (
	membershipCum         = []int{40, 280, 540, 740, 880, 970, 985, 995, 1000}
	nonHumanMembershipCum = []int{80, 530, 830, 930, 980, 1000}
)

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
	cum := nonHumanMembershipCum
	if p.typ == schema.IdentityHuman {
		cum = membershipCum
	}
	p.memberships = pick(d.intn(1000), cum)
	limit := min(64, len(schema.Actions)*(l.tier.Resources+l.tier.Systems))
	if p.typ == schema.IdentityHuman {
		p.admin = d.intn(1000) < humanAdminPerMille
		p.grants = d.intn(4) / 3 // a quarter of people hold one direct grant
		if p.admin {
			p.grants = min(2+d.intn(5), limit)
		}
		p.credentials = pick(d.intn(100), humanCredCum)
		if d.intn(1000) < humanDelegPerMille {
			p.delegations = 1
		}
		return p
	}
	p.admin = d.intn(1000) < nonHumanAdminPerMille
	p.grants = d.expCount(l.tier.DirectGrants, limit)
	if p.admin {
		p.grants = max(p.grants, min(2, limit))
	}
	p.credentials = pick(d.intn(100), nonHumanCredCum)
	// Automation (workloads, applications, bots, agents) assumes service
	// accounts more often than service accounts and API clients chain on.
	cum = chainDelegCum
	if automation(p.typ) {
		cum = automationDelegCum
	}
	p.delegations = pick(d.intn(1000), cum)
	return p
}

// Administrators and delegations, per mille.
const (
	humanAdminPerMille    = 20
	nonHumanAdminPerMille = 3
	humanDelegPerMille    = 50
)

// Delegations per non-human identity (the index is the count), cumulative
// per mille.
var (
	automationDelegCum = []int{900, 980, 1000}
	chainDelegCum      = []int{970, 1000}
)

// automation reports whether t is CI/automation rather than an account that
// is assumed: workloads, applications, bots and AI agents.
func automation(t schema.IdentityType) bool {
	switch t {
	case schema.IdentityWorkload, schema.IdentityApplication, schema.IdentityBot, schema.IdentityAIAgent:
		return true
	}
	return false
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
	cycle int
	// admin marks an administrator role of its (non-vault) system: its
	// grants are on the whole system or tree roots, no group nests into it
	// and few identities join it.
	admin       bool
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
	first := g == l.levels[0] || g == l.levels[1]
	if lv < numLevels-1 {
		p.parents = min(pick(d.intn(100), groupParentCum), l.levelSize(lv+1))
		if first {
			p.parents = max(p.parents, 1)
		}
	}
	p.skip = lv < numLevels-2 && d.intn(100) < 5
	switch {
	case g == l.levels[0]:
		p.cycle = 2 // every estate has at least one 3-cycle and one 2-cycle
	case g == l.levels[1]:
		p.cycle = 1
	case lv < numLevels-2 && p.parents > 0 && d.intn(1000) < 25:
		p.cycle = 1 + d.intn(2)
	}
	p.admin = isRole && l.adminSlot(g, lv) && p.system >= 0 && l.systems[p.system].kind != kindVault && d.intn(100) < 3
	if p.admin {
		p.cycle = 0 // a cycle would nest a whole group into the role
	}
	switch {
	case p.admin:
		p.grants = 1 + d.intn(3)
	case isRole:
		p.grants = 1 + d.intn(6)
		if d.intn(1000) < 25 {
			p.delegations = 1
		}
	default:
		p.grants = pick(d.intn(100), []int{60, 85, 100})
	}
	return p
}

// groupParentCum is the distribution of the number of groups of the next
// level a group joins (the index is the count), cumulative percent: many
// groups stand alone, most others have one parent.
var groupParentCum = []int{40, 92, 100}

// adminSlot reports whether group g of level lv may be an administrator
// role: only on levels 2–4 of at least 20 groups, and never every tenth
// group, so every level keeps at least two groups that others can join.
func (l *layout) adminSlot(g, lv int) bool {
	return lv >= 2 && l.levelSize(lv) >= 20 && (g-l.levels[lv])%10 != 0
}

// isAdminGroup reports whether group g is an administrator role.
func (l *layout) isAdminGroup(g int) bool {
	lv := l.levelOf(g)
	return l.adminSlot(g, lv) && l.groupPlan(g).admin
}

// parentOfGroup returns the k-th group that g (not of the top level) is a
// member of: the k-th group of the next level, from a hashed start, that is
// not an administrator role. A level always has more such groups than g has
// parents (see adminSlot).
func (l *layout) parentOfGroup(g, lv, k int) int {
	if g == l.levels[0] {
		// The first group joins the first group of level 1, which always has
		// a parent, so its 3-cycle closes.
		return l.nthJoinable(lv+1, 0, k)
	}
	d := l.draws(tagGroupParent, g)
	return l.nthJoinable(lv+1, d.intn(l.levelSize(lv+1)), k)
}

// nthJoinable returns the k-th group of level lv at or after offset start
// (wrapping) that is not an administrator role.
func (l *layout) nthJoinable(lv, start, k int) int {
	size := l.levelSize(lv)
	for j := range size {
		grp := l.levels[lv] + (start+j)%size
		if l.isAdminGroup(grp) {
			continue
		}
		if k == 0 {
			return grp
		}
		k--
	}
	bug("level %d has too few groups to join", lv)
	return -1
}

// skipParent returns the group two levels up that g is also a member of.
func (l *layout) skipParent(g, lv int) int {
	d := l.draws(tagGroupSkip, g)
	return l.nthJoinable(lv+2, d.intn(l.levelSize(lv+2)), 0)
}

// cycleMember returns the group whose membership into g closes g's cycle.
// A 3-cycle needs g's first parent to have a parent itself; when it has none
// the loop closes as a 2-cycle.
func (l *layout) cycleMember(g int, p groupPlan) int {
	m := l.parentOfGroup(g, p.level, 0)
	if p.cycle == 2 && l.groupPlan(m).parents > 0 {
		m = l.parentOfGroup(m, p.level+1, 0)
	}
	return m
}
