package postgres

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// Config is the optional configuration of the postgres reader (YAML, given
// with `ingest --pg-config FILE`; docs/ingest-postgres.md).
type Config struct {
	// Cluster names the system (postgres:CLUSTER); default host:port.
	Cluster string `yaml:"cluster"`
	// SOXScope is the system's sox_scope.
	SOXScope bool `yaml:"sox_scope"`
	// Owner is the system's owner.
	Owner string `yaml:"owner"`
	// Tables give kind and SOX scope to the relations whose db.schema.table
	// matches a pattern; the first matching rule applies.
	Tables []TableRule `yaml:"tables"`
	// Roles give an identity type to the login roles whose name matches a
	// pattern; the first matching rule applies.
	Roles []RoleRule `yaml:"roles"`
}

// TableRule sets kind and sox_scope of the relations matching Pattern, a
// db.schema.table glob (* any characters, ? one), e.g. finance.gl.journal_*.
type TableRule struct {
	Pattern  string `yaml:"pattern"`
	Kind     string `yaml:"kind"`
	SOXScope *bool  `yaml:"sox_scope"`
}

// RoleRule sets the identity type of the login roles whose name matches
// Pattern (a glob, e.g. app_*).
type RoleRule struct {
	Pattern string              `yaml:"pattern"`
	Type    schema.IdentityType `yaml:"type"`
}

// Problem is a configuration problem at a line of the file.
type Problem struct {
	Line int
	Msg  string
}

// ParseConfig reads a configuration and checks it. Unknown keys, bad types,
// bad patterns and unknown identity types are problems naming their line;
// the error is for read failures only.
func ParseConfig(r io.Reader) (*Config, []Problem, error) {
	var cfg Config
	lines, yprobs, err := ingest.ReadConfig(r, 0, &cfg)
	if err != nil || len(yprobs) > 0 {
		return nil, ingest.ConvertProblems(yprobs, func(p ingest.ConfigProblem) Problem { return Problem{Line: p.Line, Msg: p.Msg} }), err
	}
	var probs []Problem
	bad := func(section string, i int, format string, args ...any) {
		probs = append(probs, Problem{Line: lines.Item(section, i), Msg: fmt.Sprintf("%s[%d]: ", section, i) + fmt.Sprintf(format, args...)})
	}
	for i, t := range cfg.Tables {
		if strings.Count(t.Pattern, ".") < 2 {
			bad("tables", i, "pattern %q: want db.schema.table (globs allowed, e.g. finance.public.journal_*)", t.Pattern)
		}
		if t.Kind == "" && t.SOXScope == nil {
			bad("tables", i, "set kind or sox_scope (or both)")
		}
	}
	for i, r := range cfg.Roles {
		if r.Pattern == "" {
			bad("roles", i, "pattern is required (a role name glob such as app_*)")
		}
		if !slices.Contains(schema.IdentityTypes, r.Type) {
			bad("roles", i, "type %q: want one of %s", r.Type, strings.Join(schema.Strings(schema.IdentityTypes), ", "))
		}
	}
	if len(probs) > 0 {
		return nil, probs, nil
	}
	return &cfg, nil, nil
}

// tableRule returns the first table rule matching db.schema.table, or nil.
func (c *Config) tableRule(name string) *TableRule {
	if c == nil {
		return nil
	}
	for i := range c.Tables {
		if glob(c.Tables[i].Pattern, name) {
			return &c.Tables[i]
		}
	}
	return nil
}

// roleType returns the identity type of a login role: the first matching
// role rule's, else service_account.
func (c *Config) roleType(name string) schema.IdentityType {
	if c != nil {
		for _, r := range c.Roles {
			if glob(r.Pattern, name) {
				return r.Type
			}
		}
	}
	return schema.IdentityServiceAccount
}

// glob matches s against p, where * is any run of characters and ? one
// character (case-sensitive, like PostgreSQL identifiers).
func glob(p, s string) bool {
	star, mark := -1, 0
	i, j := 0, 0
	for j < len(s) {
		switch {
		case i < len(p) && (p[i] == '?' || p[i] == s[j]):
			i++
			j++
		case i < len(p) && p[i] == '*':
			star, mark = i, j
			i++
		case star >= 0:
			i = star + 1
			mark++
			j = mark
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}
