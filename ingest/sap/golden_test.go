package sap_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/analysis/reach"
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

// TestSampleReferenceUserEvidence: GRACE holds Z_FI_PAYMENT only through her
// reference user REF_FI_CLERK; the MEMBER_OF hop of her evidence path names
// the USREFUS row and the reference user's own assignment.
func TestSampleReferenceUserEvidence(t *testing.T) {
	e := engine(t, load(t, sample), asOf)
	acc, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: schema.ActionApprove,
		Resource: "sap:PRD:100:bukrs:1000:payment_run"})
	require.NoError(t, err)
	var found bool
	for _, a := range acc {
		if a.Identity != "sap:PRD:100:user:GRACE" {
			continue
		}
		found = true
		require.True(t, a.Effective)
		hop := a.Paths[0][0]
		require.Equal(t, "sap:PRD:100:role:Z_FI_PAYMENT", hop.To)
		require.Equal(t, "USREFUS BNAME=GRACE REFUSER=REF_FI_CLERK (AGR_USERS UNAME=REF_FI_CLERK AGR_NAME=Z_FI_PAYMENT)", hop.Native)
	}
	require.True(t, found, "GRACE can approve payment runs in 1000")
}
