package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

const cloudmapper = "../../ingest/awsiam/testdata/cloudmapper-demo"

// TestCollectedAt: --collected-at dates a source that states no time (AWS
// exports) and leaves a bundle's own collected_at alone; a bad value changes
// nothing.
func TestCollectedAt(t *testing.T) {
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", "--format", "aws-iam", "--collected-at", "2026-11-01", cloudmapper)
	require.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, "RFC 3339")
	out, _, code := run(t, "--store", store, "snapshots", "-o", "json")
	require.Equal(t, cli.ExitOK, code)
	assert.NotContains(t, out, "aws-iam", "nothing was stored")

	out, stderr, code = run(t, "--store", store, "-o", "json", "ingest", "--format", "aws-iam", "--collected-at", "2026-11-01T06:00:00Z", cloudmapper)
	require.Equal(t, cli.ExitOK, code, stderr)
	var meta struct {
		CollectedAt string `json:"collected_at"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &meta))
	assert.Equal(t, "2026-11-01T06:00:00Z", meta.CollectedAt)

	out, stderr, code = run(t, "--store", store, "-o", "json", "ingest", "--collected-at", "2030-01-01T00:00:00Z", "../../testdata/finance/bundle.yaml")
	require.Equal(t, cli.ExitOK, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &meta))
	assert.True(t, strings.HasPrefix(meta.CollectedAt, "2026-"), "the bundle's own collected_at stays: %s", meta.CollectedAt)
}

// TestWhoCanNative runs whocan --native end to end on the CloudMapper demo
// account and checks the answer's shape and its usage errors.
func TestWhoCanNative(t *testing.T) {
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", "--format", "aws-iam", cloudmapper)
	require.Equal(t, cli.ExitOK, code, stderr)
	out, stderr, code := run(t, "--store", store, "-o", "json", "whocan", "--native", "s3:GetObject", "--resource", "arn:aws:s3:::fin-ledger/q3.csv")
	require.Equal(t, cli.ExitOK, code, stderr)
	var rep struct {
		Accesses []struct {
			Identity, Resource, Action string
			NativeAction               string `json:"native_action"`
			Effective                  bool
			Paths                      [][]struct{ Edge, To, Native string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	byID := map[string]int{}
	for i, a := range rep.Accesses {
		byID[a.Identity] = i
		assert.Equal(t, "arn:aws:s3:::fin-ledger/q3.csv", a.Resource)
		assert.Equal(t, "s3:GetObject", a.NativeAction)
		assert.Equal(t, "export", a.Action, "s3:GetObject is classified read and export; the strongest is shown")
	}
	require.Contains(t, byID, "aws:123456789012:role/exfiller")
	ex := rep.Accesses[byID["aws:123456789012:role/exfiller"]]
	assert.Equal(t, "s3:* on * (policy tmp)", ex.Paths[0][0].Native)
	require.Contains(t, byID, "aws:123456789012:user/auditor_tmp")
	au := rep.Accesses[byID["aws:123456789012:user/auditor_tmp"]]
	assert.True(t, au.Effective, "active access key")
	assert.Equal(t, "CAN_ACT_AS", au.Paths[0][0].Edge)
	assert.Equal(t, "trust policy of bad_role: Principal *", au.Paths[0][0].Native)

	table, _, code := run(t, "--store", store, "whocan", "--native", "s3:GetObject", "--resource", "arn:aws:s3:::fin-ledger/q3.csv")
	require.Equal(t, cli.ExitOK, code)
	assert.Contains(t, table, "s3:GetObject (export)")

	for _, args := range [][]string{
		{"whocan", "--native", "s3:Get*", "--resource", "arn:aws:s3:::b/k"},
		{"whocan", "--native", "s3:GetObject", "--resource", "arn:aws:s3:::b/*"},
		{"whocan", "--native", "s3:GetObject"},
		{"whocan", "--native", "s3:GetObject", "--resource", "arn:aws:s3:::b/k", "--action", "read"},
		{"whocan"},
	} {
		_, stderr, code := run(t, append([]string{"--store", store}, args...)...)
		assert.Equal(t, cli.ExitUsage, code, "%v: %s", args, stderr)
	}
}

// TestAWSConfigFlag: --aws-config applies the finance scope (whocan --kind
// finds AWS principals) and records the file among the snapshot's sources; a
// bad file stops the load with its line.
func TestAWSConfigFlag(t *testing.T) {
	store := newStore(t)
	cfg := "../../ingest/awsiam/testdata/finance-scope.yaml"
	out, stderr, code := run(t, "--store", store, "-o", "json", "ingest", "--format", "aws-iam", "--aws-config", cfg, cloudmapper)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, out, "finance-scope.yaml")
	out, stderr, code = run(t, "--store", store, "whocan", "--action", "write", "--kind", "general_ledger")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, out, "aws:123456789012:role/exfiller")

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("resources:\n  - arn: arn:aws:s3:::x\n"), 0o600))
	_, stderr, code = run(t, "--store", newStore(t), "ingest", "--format", "aws-iam", "--aws-config", bad, cloudmapper)
	require.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, "bad.yaml:2")
	assert.Contains(t, stderr, "kind is required")
}
