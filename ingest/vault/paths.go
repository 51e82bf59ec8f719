package vault

import (
	"slices"
	"strings"
)

// shape is how a policy path pattern maps onto path nodes.
type shape int

const (
	shapeExact   shape = iota // a literal path: the node itself
	shapePrefix               // "a/b/*": the node a/b and everything below it
	shapePattern              // a "+" segment or "*" inside a segment: its matches
	shapeAll                  // "*": the whole system
)

// pattern is a policy path classified against the path tree.
type pattern struct {
	path  string // as written, without a leading "/"
	shape shape
	node  string   // shapeExact/shapePrefix: the node's path
	lit   string   // the literal prefix before the first wildcard
	segs  []string // shapePattern: the segments ("+" matches any one)
	glob  bool     // shapePattern: the last segment is a prefix ("…*")
}

// classify parses a policy path the way Vault matches it: a trailing "*" is
// a prefix glob, a segment that is exactly "+" matches any one segment.
func classify(p string) pattern {
	p = strings.TrimPrefix(p, "/")
	glob := strings.HasSuffix(p, "*")
	body := strings.TrimSuffix(p, "*")
	segs := strings.Split(body, "/")
	plus := slices.Contains(segs, "+")
	switch {
	case p == "*" || p == "/*" || (!plus && glob && body == ""):
		return pattern{path: p, shape: shapeAll}
	case !plus && glob && strings.HasSuffix(body, "/"):
		return pattern{path: p, shape: shapePrefix, node: strings.TrimSuffix(body, "/"), lit: body}
	case !plus && !glob:
		return pattern{path: p, shape: shapeExact, node: strings.TrimSuffix(p, "/"), lit: p}
	}
	lit := ""
	for i, s := range segs {
		if s == "+" {
			break
		}
		lit += s
		if i < len(segs)-1 {
			lit += "/"
		}
	}
	return pattern{path: p, shape: shapePattern, lit: lit, segs: segs, glob: glob}
}

// parent is the node a pattern node hangs below: its longest literal
// prefix of whole segments ("" for the system).
func (p *pattern) parent() string {
	i := strings.LastIndex(p.lit, "/")
	if i < 0 {
		return ""
	}
	return p.lit[:i]
}

// matches reports whether the pattern matches concrete path x (Vault's
// matching; for a prefix glob the node itself counts, see docs).
func (p *pattern) matches(x string) bool {
	switch p.shape {
	case shapeAll:
		return true
	case shapeExact:
		return x == p.node
	case shapePrefix:
		return under(x, p.node)
	}
	return p.matchSegs(x)
}

// matchSegs matches x segment by segment: "+" is any non-empty segment,
// the last segment of a glob a prefix of the rest.
func (p *pattern) matchSegs(x string) bool {
	for i, s := range p.segs {
		last := i == len(p.segs)-1
		if last && p.glob && s != "+" {
			return strings.HasPrefix(x, s)
		}
		seg, rest, more := strings.Cut(x, "/")
		if (s == "+" && seg == "") || (s != "+" && seg != s) {
			return false
		}
		if last {
			return p.glob || !more
		}
		if !more {
			return false
		}
		x = rest
	}
	return false
}

// moreSpecific reports whether q has priority over p where both match, by
// Vault's rules: an exact path wins; then the later first wildcard ("+" or
// "*"); then not ending in "*"; then fewer "+" segments; then the longer
// path; then the lexicographically larger one. It is a strict total order
// on distinct paths.
func (q *pattern) moreSpecific(p *pattern) bool {
	if qe, pe := q.shape == shapeExact, p.shape == shapeExact; qe || pe {
		return qe && !pe
	}
	if len(q.lit) != len(p.lit) {
		return len(q.lit) > len(p.lit)
	}
	if qg, pg := strings.HasSuffix(q.path, "*"), strings.HasSuffix(p.path, "*"); qg != pg {
		return pg
	}
	if qp, pp := plusCount(q.path), plusCount(p.path); qp != pp {
		return qp < pp
	}
	if len(q.path) != len(p.path) {
		return len(q.path) > len(p.path)
	}
	return q.path > p.path
}

// plusCount is the number of "+" segments of a path pattern.
func plusCount(p string) int {
	n := 0
	for _, s := range strings.Split(p, "/") {
		if s == "+" {
			n++
		}
	}
	return n
}

// under reports whether path x is n or below it ("" is the root).
func under(x, n string) bool {
	return n == "" || x == n || strings.HasPrefix(x, n+"/")
}

// tree is the set of known path nodes with their children.
type tree struct {
	kind     map[string]string   // path → resource kind
	children map[string][]string // path ("" for the root) → child paths, sorted
	sorted   []string            // every path, sorted (set by sort)
}

func newTree() *tree {
	return &tree{kind: map[string]string{}, children: map[string][]string{}}
}

// add declares path x and every prefix of it; kind applies to x only
// (prefixes default to secret_path; "secret" wins over it).
func (t *tree) add(x, kind string) {
	if x == "" {
		return
	}
	if k, ok := t.kind[x]; ok {
		if kind == "secret" && k != "secret" {
			t.kind[x] = kind
		}
		return
	}
	t.kind[x] = kind
	par := parentOf(x)
	t.children[par] = append(t.children[par], x)
	t.add(par, "secret_path")
}

// sort orders the children and the path list; call it once every node is
// added.
func (t *tree) sort() {
	for _, c := range t.children {
		slices.Sort(c)
	}
	t.sorted = make([]string, 0, len(t.kind))
	for x := range t.kind {
		t.sorted = append(t.sorted, x)
	}
	slices.Sort(t.sorted)
}

// paths are all nodes, sorted (as of the last sort).
func (t *tree) paths() []string { return t.sorted }

func parentOf(x string) string {
	i := strings.LastIndex(x, "/")
	if i < 0 {
		return ""
	}
	return x[:i]
}

// topMatches are the highest known nodes a pattern matches (the matches
// whose parent does not match), sorted. It walks down the tree segment by
// segment, so it visits the children of matching prefixes only.
func (t *tree) topMatches(p *pattern) []string {
	if p.shape != shapePattern {
		var out []string
		for _, x := range t.sorted {
			if p.matches(x) && (parentOf(x) == "" || !p.matches(parentOf(x))) {
				out = append(out, x)
			}
		}
		return out
	}
	var out []string
	var walk func(node string, i int)
	walk = func(node string, i int) {
		s, last := p.segs[i], i == len(p.segs)-1
		for _, c := range t.children[node] {
			name := c[strings.LastIndex(c, "/")+1:]
			switch {
			case last && p.glob && s != "+":
				if strings.HasPrefix(name, s) {
					out = append(out, c)
				}
			case s != "+" && name != s:
			case last:
				out = append(out, c)
			default:
				walk(c, i+1)
			}
		}
	}
	walk("", 0)
	slices.Sort(out)
	return out
}

// split returns the nodes a grant on root (a node, "" for the system) is
// written on when the subtrees in cut and the single nodes in only are
// excluded: root itself when nothing below it is excluded, else the
// non-excluded parts of its children, recursively.
func (t *tree) split(root string, cut, only []string) []string {
	for _, c := range cut {
		if under(root, c) {
			return nil
		}
	}
	hit := slices.Contains(only, root)
	for _, x := range append(slices.Clip(cut), only...) {
		if !hit && x != root && under(x, root) {
			hit = true
		}
	}
	if !hit {
		return []string{root}
	}
	var out []string
	for _, c := range t.children[root] {
		out = append(out, t.split(c, cut, only)...)
	}
	return out
}
