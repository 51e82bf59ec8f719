package cli_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

// TestTwoLineCredentialReport: a credential report whose only row is broken
// CSV is bad input (exit 2, located), not a crash.
func TestTwoLineCredentialReport(t *testing.T) {
	p := writeFile(t, t.TempDir(), "report.csv", "user,arn,user_creation_time\n\"bob,arn")
	_, stderr, code := run(t, "--store", newStore(t), "ingest", "--format", "aws-iam", p)
	require.Equal(t, cli.ExitUsage, code, stderr)
	require.Contains(t, stderr, "report.csv:2")
}
