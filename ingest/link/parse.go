package link

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/ingest"
)

// Problem is a located problem of a link file (Line 1-based, 0 when unknown).
type Problem struct {
	Line int
	Msg  string
}

// Spec is a parsed link file.
type Spec struct {
	SameAs   []SameAs
	StoredIn []StoredIn
	ActAs    []ActAs
}

// SameAs is one same_as rule: a pair of identity ids, or a join of every
// identity whose key values are equal.
type SameAs struct {
	Line int
	Rule string   // the rule name shown in evidence
	Pair []string // two identity ids, or nil for a join
	Keys []Key    // a join's keys (default: the tag named like the rule)
}

// Key is one attribute a join compares: an identity tag, or the identity's
// name; IDPrefix limits it to identities whose id starts with it.
type Key struct {
	Tag      string // the tag's key, "" for the name
	IDPrefix string
}

// StoredIn is one stored_in link: Credential is held at resource Resource.
type StoredIn struct {
	Line       int
	Credential string
	Resource   string
	Vaulted    bool
}

// ActAs is one act_as link: a delegation From → To.
type ActAs struct {
	Line   int
	From   string
	To     string
	Kind   string // a delegation kind; "" for other
	System string // where it is exercised; "" for any
	Why    string // free text added to the evidence
	// Credential, when set, is a credential of From that System accepts (the
	// workload's token presented at the login): System is added to its
	// accepted systems.
	Credential string
}

// maxFile caps a link file's size: it is written by hand.
const maxFile = 16 << 20

// Parse reads a link file. An empty file is an empty Spec. Problems are
// every problem found, in line order. The Spec holds the well-formed items
// (so that their ends can be checked too); it is nil only when the YAML
// cannot be read at all.
func Parse(r io.Reader) (*Spec, []Problem, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxFile {
		return nil, []Problem{{Msg: fmt.Sprintf("link file larger than %d MiB", maxFile>>20)}}, nil
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return &Spec{}, nil, nil
		}
		return nil, []Problem{{Line: ingest.YAMLLine(err.Error()), Msg: ingest.YAMLMessage(err.Error())}}, nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, []Problem{{Line: extra.Line, Msg: "a link file is one YAML document"}}, nil
	}
	p := &parser{}
	spec := p.file(&root)
	slices.SortStableFunc(p.probs, func(a, b Problem) int { return a.Line - b.Line })
	return spec, p.probs, nil
}

type parser struct{ probs []Problem }

func (p *parser) bad(n *yaml.Node, format string, args ...any) {
	p.probs = append(p.probs, Problem{Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) file(root *yaml.Node) *Spec {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	spec := &Spec{}
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return spec
	}
	top := p.fields(doc, "link file", []string{"same_as", "stored_in", "act_as"}, nil)
	for _, it := range p.items(top["same_as"], "same_as") {
		if s, ok := p.sameAs(it); ok {
			spec.SameAs = append(spec.SameAs, s)
		}
	}
	for _, it := range p.items(top["stored_in"], "stored_in") {
		if s, ok := p.storedIn(it); ok {
			spec.StoredIn = append(spec.StoredIn, s)
		}
	}
	for _, it := range p.items(top["act_as"], "act_as") {
		if a, ok := p.actAs(it); ok {
			spec.ActAs = append(spec.ActAs, a)
		}
	}
	return spec
}

// fields checks that n is a mapping with known, unique keys and the required
// ones, and returns the values by key.
func (p *parser) fields(n *yaml.Node, what string, allowed, required []string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		p.bad(n, "%s: want a mapping, got %s", what, kindOf(n))
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !slices.Contains(allowed, k.Value):
			p.bad(k, "%s: unknown field %q%s (allowed: %s)", what, k.Value, didYouMean(k.Value, allowed), strings.Join(allowed, ", "))
		case out[k.Value] != nil:
			p.bad(k, "%s: duplicate field %q", what, k.Value)
		default:
			out[k.Value] = v
		}
	}
	for _, r := range required {
		if out[r] == nil {
			p.bad(n, "%s: missing required field %q", what, r)
		}
	}
	return out
}

// items is the items of a list (none for an absent or null one).
func (p *parser) items(n *yaml.Node, what string) []*yaml.Node {
	if n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.bad(n, "%s: want a list, got %s", what, kindOf(n))
		return nil
	}
	return n.Content
}

// str is a non-empty string scalar ("" with a problem otherwise, or for an
// absent optional field).
func (p *parser) str(n *yaml.Node, what string) string {
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" || n.Value == "" {
		p.bad(n, "%s: want a non-empty string, got %s", what, kindOf(n))
		return ""
	}
	return n.Value
}

func (p *parser) boolean(n *yaml.Node, what string) bool {
	if n == nil {
		return false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		p.bad(n, "%s: want true or false, got %s", what, kindOf(n))
		return false
	}
	return n.Value == "true"
}

func kindOf(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.Tag {
	case "!!null":
		return "null"
	case "!!str":
		if n.Value == "" {
			return "an empty string"
		}
		return "a string"
	case "!!bool":
		return "a boolean"
	case "!!int", "!!float":
		return "a number"
	}
	return "a " + strings.TrimPrefix(n.Tag, "!!")
}

// didYouMean suggests the allowed name closest to a typo (one edit apart or
// a prefix), or "".
func didYouMean(s string, allowed []string) string {
	for _, a := range allowed {
		if strings.HasPrefix(a, s) || strings.HasPrefix(s, a) || editDistance(s, a) <= 2 {
			return fmt.Sprintf(" (did you mean %q?)", a)
		}
	}
	return ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
