package k8srbac

import (
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/reachgraph/reachgraph/ingest"
)

// DefaultCluster is the cluster name when the configuration gives none.
const DefaultCluster = "cluster"

// maxConfigBytes caps the configuration file.
const maxConfigBytes = 1 << 20

// Config is the k8s-rbac reader's optional configuration (YAML, given with
// `ingest --k8s-config FILE`; docs/ingest-kubernetes.md "Configuration").
type Config struct {
	// Cluster names the cluster: ids are k8s:CLUSTER:…; default "cluster".
	Cluster string `yaml:"cluster"`
	// Name and Owner describe the cluster's system.
	Name  string `yaml:"name"`
	Owner string `yaml:"owner"`
	// SOXScope is the cluster system's sox_scope (default false).
	SOXScope bool `yaml:"sox_scope"`
	// Namespaces give the resources of matching namespaces a kind and scope.
	Namespaces []NamespaceRule `yaml:"namespaces"`
}

// NamespaceRule gives the type and object nodes of every namespace whose
// name matches Match (a glob: finance-*) the resource kind Kind, e.g.
// journal_entry; Types limits it to those TYPEs (secrets, configmaps …;
// default every type). SOXScope, when set, is the namespace node's scope.
// The first matching rule applies.
type NamespaceRule struct {
	Match    string   `yaml:"match"`
	Kind     string   `yaml:"kind"`
	Types    []string `yaml:"types"`
	SOXScope *bool    `yaml:"sox_scope"`
}

// ParseConfig reads a configuration file and checks it; every problem
// names its line. Unknown keys are problems.
func ParseConfig(r io.Reader) (*Config, []Problem, error) {
	var cfg Config
	lines, yprobs, err := ingest.ReadConfig(r, maxConfigBytes, &cfg)
	if err != nil || len(yprobs) > 0 {
		return nil, ingest.ConvertProblems(yprobs, func(p ingest.ConfigProblem) Problem { return Problem{Line: p.Line, Msg: cleanMsg(p.Raw)} }), err
	}
	var probs []Problem
	bad := func(i int, format string, args ...any) {
		probs = append(probs, Problem{Line: lines.Item("namespaces", i), Pointer: fmt.Sprintf("/namespaces/%d", i), Msg: fmt.Sprintf(format, args...)})
	}
	if strings.ContainsAny(cfg.Cluster, ":/ ") {
		probs = append(probs, Problem{Line: lines.Value("cluster"), Pointer: "/cluster", Msg: fmt.Sprintf("cluster %q: a name without ':', '/' or spaces (it is part of every id)", cfg.Cluster)})
	}
	for i, n := range cfg.Namespaces {
		if n.Match == "" {
			bad(i, "match is required (a namespace name or glob such as finance-*)")
		} else if _, err := path.Match(n.Match, ""); err != nil {
			bad(i, "match %q: %v", n.Match, err)
		}
		if n.Kind == "" && n.SOXScope == nil {
			bad(i, "give kind (e.g. journal_entry, secret) or sox_scope")
		}
	}
	if len(probs) > 0 {
		return nil, probs, nil
	}
	return &cfg, nil, nil
}

// cluster is the configured cluster name.
func (c *Config) cluster() string {
	if c == nil || c.Cluster == "" {
		return DefaultCluster
	}
	return c.Cluster
}

// namespaceRule is the first rule matching namespace ns, or nil.
func (c *Config) namespaceRule(ns string) *NamespaceRule {
	if c == nil {
		return nil
	}
	for i := range c.Namespaces {
		if ok, _ := path.Match(c.Namespaces[i].Match, ns); ok {
			return &c.Namespaces[i]
		}
	}
	return nil
}

// kindOf is the resource kind of TYPE node t in namespace ns.
func (c *Config) kindOf(ns, t string) string {
	r := c.namespaceRule(ns)
	if r == nil || r.Kind == "" {
		return nodeKind(t)
	}
	if len(r.Types) == 0 {
		return r.Kind
	}
	for _, x := range r.Types {
		if x == t || x == baseType(t) {
			return r.Kind
		}
	}
	return nodeKind(t)
}
