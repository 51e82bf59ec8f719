package vault

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The matching cases are the examples of Vault's policy syntax docs.
func TestPatternMatches(t *testing.T) {
	tests := []struct {
		pattern string
		path    string
		want    bool
	}{
		{pattern: "secret/foo", path: "secret/foo", want: true},
		{pattern: "secret/foo", path: "secret/food", want: false},
		{pattern: "secret/foo", path: "secret/foo/bar", want: false},
		{pattern: "secret/bar/*", path: "secret/bar/zip", want: true},
		{pattern: "secret/bar/*", path: "secret/bar/zip/zap", want: true},
		{pattern: "secret/bar/*", path: "secret/bars/zip", want: false},
		{pattern: "secret/zip-*", path: "secret/zip-zap", want: true},
		{pattern: "secret/zip-*", path: "secret/zip-zap/zong", want: true},
		{pattern: "secret/zip-*", path: "secret/zip/zap", want: false},
		{pattern: "secret/+/teamb", path: "secret/foo/teamb", want: true},
		{pattern: "secret/+/teamb", path: "secret/bar/teamb", want: true},
		{pattern: "secret/+/teamb", path: "secret/foo/bar/teamb", want: false},
		{pattern: "secret/+/+/teamb", path: "secret/foo/bar/teamb", want: true},
		{pattern: "secret/+/teamb*", path: "secret/foo/teamb/x", want: true},
		{pattern: "*", path: "sys/policy/x", want: true},
		{pattern: "secret/a.b", path: "secret/aXb", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+" "+tc.path, func(t *testing.T) {
			p := classify(tc.pattern)
			require.Equal(t, tc.want, p.matches(tc.path))
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		in     string
		shape  shape
		node   string
		parent string
	}{
		{in: "secret/data/sap/*", shape: shapePrefix, node: "secret/data/sap"},
		{in: "/secret/data/sap", shape: shapeExact, node: "secret/data/sap"},
		{in: "secret/metadata/", shape: shapeExact, node: "secret/metadata"},
		{in: "*", shape: shapeAll},
		{in: "secret/data/sap*", shape: shapePattern, parent: "secret/data"},
		{in: "secret/data/+/db", shape: shapePattern, parent: "secret/data"},
		{in: "+/data/x", shape: shapePattern, parent: ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			p := classify(tc.in)
			require.Equal(t, tc.shape, p.shape)
			require.Equal(t, tc.node, p.node)
			if tc.shape == shapePattern {
				require.Equal(t, tc.parent, p.parent())
			}
		})
	}
}

func TestSplit(t *testing.T) {
	tr := newTree()
	for _, x := range []string{"s/d/sap/rfc_fi", "s/d/sap/rfc_co", "s/d/sap/hr/payroll", "s/d/sap/hr/time", "s/d/other"} {
		tr.add(x, "secret")
	}
	tr.sort()
	tests := []struct {
		name      string
		root      string
		cut, only []string
		want      []string
	}{
		{name: "nothing excluded", root: "s/d/sap", want: []string{"s/d/sap"}},
		{name: "subtree cut", root: "s/d/sap", cut: []string{"s/d/sap/hr"}, want: []string{"s/d/sap/rfc_co", "s/d/sap/rfc_fi"}},
		{name: "deep cut", root: "s/d", cut: []string{"s/d/sap/hr/time"}, want: []string{"s/d/other", "s/d/sap/hr/payroll", "s/d/sap/rfc_co", "s/d/sap/rfc_fi"}},
		{name: "node only keeps children", root: "s/d/sap", only: []string{"s/d/sap/hr"}, want: []string{"s/d/sap/hr/payroll", "s/d/sap/hr/time", "s/d/sap/rfc_co", "s/d/sap/rfc_fi"}},
		{name: "root cut", root: "s/d/sap", cut: []string{"s/d"}},
		{name: "outside", root: "s/d/sap", cut: []string{"s/d/other"}, want: []string{"s/d/sap"}},
		{name: "system root", root: "", cut: []string{"s/d/other"}, want: []string{"s/d/sap"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tr.split(tc.root, tc.cut, tc.only))
		})
	}
}

// The tree walk of topMatches agrees with matching every node.
func TestTopMatchesWalk(t *testing.T) {
	tr := newTree()
	for _, x := range []string{"secret/data/a/teamb", "secret/data/b/teamb/x", "secret/data/zip-zap/zong", "secret/data/zip/zap",
		"secret/data/a/b/teamb", "secret/metadata/a/teamb", "kv/data/a/teamb", "secret/data/teamb"} {
		tr.add(x, "secret")
	}
	tr.sort()
	for _, pat := range []string{"secret/data/+/teamb", "secret/data/zip-*", "+/data/+/teamb", "secret/+/a/*", "secret/data/+", "secret/data/+/teamb*", "+", "secret/data/zip*", "secret/+/+/b/teamb"} {
		t.Run(pat, func(t *testing.T) {
			p := classify(pat)
			var want []string
			for _, x := range tr.paths() {
				if p.matches(x) && (parentOf(x) == "" || !p.matches(parentOf(x))) {
					want = append(want, x)
				}
			}
			require.Equal(t, want, tr.topMatches(&p))
		})
	}
}

// Vault's priority rules, each with the docs' reasoning.
func TestMoreSpecific(t *testing.T) {
	tests := []struct {
		hi, lo string
	}{
		{hi: "secret/data/x", lo: "secret/data/*"},            // exact wins
		{hi: "secret/data/a/*", lo: "secret/data/+/b"},        // later first wildcard
		{hi: "secret/data/+/teamb", lo: "secret/data/*"},      // same position, not ending in *
		{hi: "secret/data/+/x/*", lo: "secret/data/+/+/*"},    // fewer + segments
		{hi: "secret/data/+/teamb", lo: "secret/data/+/team"}, // longer
		{hi: "secret/data/+/b", lo: "secret/data/+/a"},        // lexicographically larger
		{hi: "secret/data/zip-*", lo: "secret/data/zip*"},     // later first wildcard
		{hi: "secret/*", lo: "*"},
	}
	for _, tc := range tests {
		t.Run(tc.hi+" over "+tc.lo, func(t *testing.T) {
			hi, lo := classify(tc.hi), classify(tc.lo)
			require.True(t, hi.moreSpecific(&lo))
			require.False(t, lo.moreSpecific(&hi))
		})
	}
}
