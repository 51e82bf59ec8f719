package vault

import (
	"regexp"
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
	node  string         // shapeExact/shapePrefix: the node's path
	lit   string         // the literal prefix before the first wildcard
	re    *regexp.Regexp // shapePattern: Vault's matching of the pattern
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
	var re strings.Builder
	re.WriteString("^")
	lit, inLit := "", true
	for i, s := range segs {
		if i > 0 {
			re.WriteString("/")
		}
		if s == "+" {
			re.WriteString("[^/]+")
			inLit = false
			continue
		}
		re.WriteString(regexp.QuoteMeta(s))
		if inLit {
			lit += s
			if i < len(segs)-1 {
				lit += "/"
			}
		}
	}
	if glob {
		re.WriteString(".*")
	}
	re.WriteString("$")
	return pattern{path: p, shape: shapePattern, lit: lit, re: regexp.MustCompile(re.String())}
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
	return p.re.MatchString(x)
}

// moreSpecific reports whether q wins over p for the paths both match,
// by Vault's priority: an exact path over a glob, then the longer literal
// prefix.
func (q *pattern) moreSpecific(p *pattern) bool {
	qe, pe := q.shape == shapeExact, p.shape == shapeExact
	if qe != pe {
		return qe
	}
	return len(q.lit) > len(p.lit) || (p.shape == shapeAll && q.shape != shapeAll)
}

// under reports whether path x is n or below it ("" is the root).
func under(x, n string) bool {
	return n == "" || x == n || strings.HasPrefix(x, n+"/")
}

// tree is the set of known path nodes with their children.
type tree struct {
	kind     map[string]string   // path → resource kind
	children map[string][]string // path ("" for the root) → child paths, sorted
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

func (t *tree) sort() {
	for _, c := range t.children {
		slices.Sort(c)
	}
}

// paths are all nodes, sorted.
func (t *tree) paths() []string {
	out := make([]string, 0, len(t.kind))
	for x := range t.kind {
		out = append(out, x)
	}
	slices.Sort(out)
	return out
}

func parentOf(x string) string {
	i := strings.LastIndex(x, "/")
	if i < 0 {
		return ""
	}
	return x[:i]
}

// topMatches are the highest known nodes a pattern matches (the matches
// whose parent does not match), sorted.
func (t *tree) topMatches(p *pattern) []string {
	var out []string
	for _, x := range t.paths() {
		if p.matches(x) && (parentOf(x) == "" || !p.matches(parentOf(x))) {
			out = append(out, x)
		}
	}
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
