package vault

import (
	"fmt"
	"io"
	"regexp"

	"github.com/reachgraph/reachgraph/ingest"
)

// DefaultCluster is the Vault cluster name when the configuration gives none.
const DefaultCluster = "vault"

// DefaultK8sCluster is the Kubernetes cluster name of a kubernetes auth
// mount that kubernetes_clusters does not name; it is the Kubernetes
// ingester's own default, so the ids meet without configuration.
const DefaultK8sCluster = "cluster"

// ConfigName is the configuration file the reader picks up from the export
// directory when no --vault-config is given.
const ConfigName = "vault.yaml"

const maxConfigBytes = 1 << 20

// Config is the reader's optional configuration (YAML: vault.yaml in the
// export directory, or `ingest --vault-config FILE`).
type Config struct {
	// Cluster names the Vault cluster: ids are vault:CLUSTER:…; default "vault".
	Cluster string `yaml:"cluster"`
	// Name and Owner describe the Vault system.
	Name  string `yaml:"name"`
	Owner string `yaml:"owner"`
	// SOXScope is the Vault system's sox_scope (default false).
	SOXScope bool `yaml:"sox_scope"`
	// KubernetesClusters maps a kubernetes auth mount ("kubernetes",
	// "k8s-prod") to the Kubernetes cluster name its service accounts live
	// in (k8s:CLUSTER:sa:…); default DefaultK8sCluster.
	KubernetesClusters map[string]string `yaml:"kubernetes_clusters"`
	// JWTIssuers maps a jwt/oidc auth mount to its issuer when the export
	// has no auth/<mount>/config.json; default the mount name.
	JWTIssuers map[string]string `yaml:"jwt_issuers"`
}

// ConfigProblem is a configuration problem at Line (0 when unknown).
type ConfigProblem struct {
	Line int
	Msg  string
}

var nameRE = regexp.MustCompile(`^[^:/\s]+$`)

// ParseConfig reads a configuration file and checks it; every problem names
// its line. Unknown keys are problems (a typo must not silently change ids).
func ParseConfig(r io.Reader) (*Config, []ConfigProblem, error) {
	var cfg Config
	lines, yprobs, err := ingest.ReadConfig(r, maxConfigBytes, &cfg)
	if err != nil || len(yprobs) > 0 {
		return nil, ingest.ConvertProblems(yprobs, func(p ingest.ConfigProblem) ConfigProblem { return ConfigProblem{Line: p.Line, Msg: p.Msg} }), err
	}
	var probs []ConfigProblem
	if cfg.Cluster != "" && !nameRE.MatchString(cfg.Cluster) {
		probs = append(probs, ConfigProblem{Line: lines.Key("cluster"), Msg: fmt.Sprintf("cluster %q: a name without ':', '/' or spaces (it is part of every id)", cfg.Cluster)})
	}
	for mount, c := range cfg.KubernetesClusters {
		if !nameRE.MatchString(c) {
			probs = append(probs, ConfigProblem{Line: lines.Key("kubernetes_clusters"), Msg: fmt.Sprintf("kubernetes_clusters[%s] = %q: a cluster name without ':', '/' or spaces", mount, c)})
		}
	}
	if len(probs) > 0 {
		return nil, probs, nil
	}
	return &cfg, nil, nil
}

// cluster is the configured Vault cluster name.
func (c *Config) cluster() string {
	if c == nil || c.Cluster == "" {
		return DefaultCluster
	}
	return c.Cluster
}

// k8sCluster is the Kubernetes cluster of kubernetes auth mount m.
func (c *Config) k8sCluster(m string) string {
	if c != nil && c.KubernetesClusters[m] != "" {
		return c.KubernetesClusters[m]
	}
	return DefaultK8sCluster
}
