package sap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/schema"
)

// Config is the optional sap.yaml of an extract directory.
type Config struct {
	SID          string     `yaml:"sid"`
	Client       string     `yaml:"client"`
	Name         string     `yaml:"name"`
	SOXScope     *bool      `yaml:"sox_scope"` // default true
	Owner        string     `yaml:"owner"`
	CollectedAt  string     `yaml:"collected_at"` // RFC 3339 or YYYY-MM-DD
	CompanyCodes []string   `yaml:"company_codes"`
	Functions    []Function `yaml:"functions"`
	// IdentityTypes maps a BNAME pattern (* and ? wildcards) to an identity
	// type; the first matching entry wins over the USTYP mapping.
	IdentityTypes yaml.Node `yaml:"identity_types"`

	types     []typeRule
	collected time.Time
}

type typeRule struct {
	pattern string
	typ     schema.IdentityType
}

// ConfigProblem is a problem of sap.yaml at a line.
type ConfigProblem struct {
	Line int
	Msg  string
}

// ParseConfig reads sap.yaml. Unknown keys, bad values and bad function
// definitions are problems with their line; err is for I/O only.
func ParseConfig(r io.Reader) (*Config, []ConfigProblem, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, err
	}
	cfg := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			var probs []ConfigProblem
			for _, m := range te.Errors {
				probs = append(probs, ConfigProblem{Line: lineOf(m), Msg: m})
			}
			return nil, probs, nil
		}
		return nil, []ConfigProblem{{Line: lineOf(err.Error()), Msg: err.Error()}}, nil
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	var probs []ConfigProblem
	bad := func(line int, format string, args ...any) {
		probs = append(probs, ConfigProblem{Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	if cfg.CollectedAt != "" {
		t, err := parseCollected(cfg.CollectedAt)
		if err != nil {
			bad(keyLine(&root, "collected_at"), "collected_at %q: want an RFC 3339 time or YYYY-MM-DD", cfg.CollectedAt)
		}
		cfg.collected = t
	}
	cfg.types = parseTypes(&cfg.IdentityTypes, bad)
	fnLines := itemLines(&root, "functions")
	for i := range cfg.Functions {
		if err := cfg.Functions[i].normalize(); err != nil {
			bad(at(fnLines, i), "functions[%d]: %v", i, err)
		}
	}
	for _, cc := range cfg.CompanyCodes {
		if cc == "" || strings.ContainsAny(cc, "*$: ") {
			bad(keyLine(&root, "company_codes"), "company_codes: %q is not a company code", cc)
		}
	}
	if len(probs) > 0 {
		return nil, probs, nil
	}
	return cfg, nil, nil
}

// parseTypes reads identity_types: a mapping (or a list of one-key mappings,
// to fix the order) of BNAME pattern → identity type.
func parseTypes(n *yaml.Node, bad func(int, string, ...any)) []typeRule {
	var pairs []*yaml.Node
	switch n.Kind {
	case 0:
		return nil
	case yaml.MappingNode:
		pairs = n.Content
	case yaml.SequenceNode:
		for _, item := range n.Content {
			if item.Kind != yaml.MappingNode {
				bad(item.Line, "identity_types: want pattern: type entries")
				continue
			}
			pairs = append(pairs, item.Content...)
		}
	default:
		bad(n.Line, "identity_types: want a mapping of BNAME pattern to identity type")
		return nil
	}
	var rules []typeRule
	for i := 0; i+1 < len(pairs); i += 2 {
		k, v := pairs[i], pairs[i+1]
		if _, err := path.Match(k.Value, ""); err != nil {
			bad(k.Line, "identity_types: bad pattern %q", k.Value)
			continue
		}
		t := schema.IdentityType(v.Value)
		if !slices.Contains(schema.IdentityTypes, t) {
			bad(v.Line, "identity_types: %q: type %q: want one of %s", k.Value, v.Value, strings.Join(schema.Strings(schema.IdentityTypes), ", "))
			continue
		}
		rules = append(rules, typeRule{pattern: k.Value, typ: t})
	}
	return rules
}

// typeFor is the configured identity type of user name, "" when no pattern matches.
func (c *Config) typeFor(name string) schema.IdentityType {
	if c == nil {
		return ""
	}
	for _, r := range c.types {
		if ok, _ := path.Match(r.pattern, name); ok {
			return r.typ
		}
	}
	return ""
}

func parseCollected(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Parse("2006-01-02", s)
}

// lineOf reads the "line N:" yaml puts in its messages (0 when none).
func lineOf(msg string) int {
	var n int
	if i := strings.Index(msg, "line "); i >= 0 {
		_, _ = fmt.Sscanf(msg[i:], "line %d", &n)
	}
	return n
}

// keyLine is the line of a top-level key (0 when absent).
func keyLine(root *yaml.Node, key string) int {
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return 0
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	return 0
}

// itemLines are the lines of the items of a top-level list.
func itemLines(root *yaml.Node, key string) []int {
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			var lines []int
			for _, it := range m.Content[i+1].Content {
				lines = append(lines, it.Line)
			}
			return lines
		}
	}
	return nil
}

func at(lines []int, i int) int {
	if i < len(lines) {
		return lines[i]
	}
	return 0
}
