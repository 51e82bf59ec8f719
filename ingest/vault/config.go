package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
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
	data, err := io.ReadAll(io.LimitReader(r, maxConfigBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxConfigBytes {
		return nil, []ConfigProblem{{Msg: "configuration larger than 1 MiB"}}, nil
	}
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			var probs []ConfigProblem
			for _, m := range te.Errors {
				probs = append(probs, ConfigProblem{Line: yamlLine(m), Msg: cleanYAML(m)})
			}
			return nil, probs, nil
		}
		return nil, []ConfigProblem{{Line: yamlLine(err.Error()), Msg: cleanYAML(err.Error())}}, nil
	}
	var probs []ConfigProblem
	if cfg.Cluster != "" && !nameRE.MatchString(cfg.Cluster) {
		probs = append(probs, ConfigProblem{Line: keyLine(data, "cluster"), Msg: fmt.Sprintf("cluster %q: a name without ':', '/' or spaces (it is part of every id)", cfg.Cluster)})
	}
	for mount, c := range cfg.KubernetesClusters {
		if !nameRE.MatchString(c) {
			probs = append(probs, ConfigProblem{Line: keyLine(data, "kubernetes_clusters"), Msg: fmt.Sprintf("kubernetes_clusters[%s] = %q: a cluster name without ':', '/' or spaces", mount, c)})
		}
	}
	if len(probs) > 0 {
		return nil, probs, nil
	}
	return &cfg, nil, nil
}

// yamlLine extracts "line N" from a yaml error message.
func yamlLine(msg string) int {
	_, rest, ok := strings.Cut(msg, "line ")
	if !ok {
		return 0
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(rest)
	}
	n, _ := strconv.Atoi(rest[:end])
	return n
}

// cleanYAML drops the "yaml: " and "line N: " prefixes (the line is in
// the problem's position already).
func cleanYAML(msg string) string {
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if _, after, ok := strings.Cut(rest, ": "); ok {
			return after
		}
	}
	return msg
}

// keyLine is the line of the first top-level key name in data, 0 if absent.
func keyLine(data []byte, name string) int {
	for i, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, name+":") {
			return i + 1
		}
	}
	return 0
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
