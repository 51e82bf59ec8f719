package sap

import (
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/ingest"
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
	cfg := &Config{}
	// Problems keep the decoder's message as it is (it names its line itself).
	lines, yprobs, err := ingest.ReadConfig(r, 0, cfg)
	if err != nil || len(yprobs) > 0 {
		return nil, ingest.ConvertProblems(yprobs, func(p ingest.ConfigProblem) ConfigProblem { return ConfigProblem{Line: p.Line, Msg: p.Raw} }), err
	}
	var probs []ConfigProblem
	bad := func(line int, format string, args ...any) {
		probs = append(probs, ConfigProblem{Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	if cfg.CollectedAt != "" {
		t, err := parseCollected(cfg.CollectedAt)
		if err != nil {
			bad(lines.Key("collected_at"), "collected_at %q: want an RFC 3339 time or YYYY-MM-DD", cfg.CollectedAt)
		}
		cfg.collected = t
	}
	cfg.types = parseTypes(&cfg.IdentityTypes, bad)
	for i := range cfg.Functions {
		if err := cfg.Functions[i].normalize(); err != nil {
			bad(lines.Item("functions", i), "functions[%d]: %v", i, err)
		}
	}
	for _, cc := range cfg.CompanyCodes {
		if cc == "" || strings.ContainsAny(cc, "*$: ") {
			bad(lines.Key("company_codes"), "company_codes: %q is not a company code", cc)
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
