package sap_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/schema"
)

// TestSampleExpected compares whocan on the sample with the hand-checked
// answers of testdata/sap/EXPECTED.yaml (effective and latent both).
func TestSampleExpected(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(sample, "EXPECTED.yaml"))
	require.NoError(t, err)
	var exp struct {
		Queries []struct {
			Action   schema.Action     `yaml:"action"`
			Resource string            `yaml:"resource"`
			Who      map[string]string `yaml:"who"`
		} `yaml:"queries"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &exp))
	require.NotEmpty(t, exp.Queries)
	e := engine(t, load(t, sample), asOf)
	for _, q := range exp.Queries {
		t.Run(string(q.Action)+" "+q.Resource, func(t *testing.T) {
			require.Equal(t, q.Who, who(t, e, q.Action, q.Resource))
		})
	}
}
