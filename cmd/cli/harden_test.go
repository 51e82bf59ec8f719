package cli_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/spf13/cobra"
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

// TestPanicIsInternalError: a panic in a command is exit 3 with a request to
// report it, never exit 2 (bad input) and never a dead process.
func TestPanicIsInternalError(t *testing.T) {
	var out, errb bytes.Buffer
	root := cli.NewRoot(cli.Env{Stdout: &out, Stderr: &errb})
	root.AddCommand(&cobra.Command{Use: "boom", RunE: func(*cobra.Command, []string) error {
		var m map[string]int
		m["x"] = 1 // assignment to a nil map panics
		return nil
	}})
	root.SetArgs([]string{"boom"})
	err := cli.Execute(context.Background(), root)
	var ee *cli.ExitError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, cli.ExitInternal, ee.Code)
	require.Contains(t, err.Error(), "internal error, please report")
	require.Contains(t, err.Error(), "assignment to entry in nil map")

	root = cli.NewRoot(cli.Env{Stdout: &out, Stderr: &errb})
	root.SetArgs([]string{"snapshots", "--no-such-flag"})
	err = cli.Execute(context.Background(), root)
	require.ErrorAs(t, err, &ee)
	require.Equal(t, cli.ExitUsage, ee.Code, "errors keep their code")
}
