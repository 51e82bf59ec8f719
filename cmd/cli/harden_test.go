package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
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

// flipIn flips one bit of the first occurrence of marker in the file at path.
func flipIn(t *testing.T, path, marker string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	i := bytes.Index(data, []byte(marker))
	require.GreaterOrEqual(t, i, 0, "marker %q not in the store file", marker)
	data[i] ^= 0x01
	require.NoError(t, os.WriteFile(path, data, 0o600))
}

// TestVerifyStore: an intact store verifies (exit 0); a bit flipped in one
// snapshot's records makes verify-store exit 2 naming that snapshot only,
// and every command reading it fails naming it — never a different answer.
func TestVerifyStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rg.db")
	store := "file:" + path
	out, stderr, code := run(t, "--store", store, "ingest", finance, "-o", "json")
	require.Equal(t, cli.ExitOK, code, stderr)
	var first struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(out), &first))
	out, stderr, code = run(t, "--store", store, "ingest", "../../testdata/rules/r2-direct/bundle.yaml", "-o", "json")
	require.Equal(t, cli.ExitOK, code, stderr)
	var second struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(out), &second))

	out, stderr, code = run(t, "--store", store, "verify-store")
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Contains(t, out, first.ID+"  intact")
	require.Contains(t, out, second.ID+"  intact")

	flipIn(t, path, "heidi.w-adm")
	out, stderr, code = run(t, "--store", store, "verify-store")
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, out, first.ID+"  DAMAGED")
	require.Contains(t, out, second.ID+"  intact")
	require.Contains(t, stderr, "damaged snapshots: "+first.ID+"\n")
	require.Contains(t, stderr, "checksum mismatch")

	_, stderr, code = run(t, "--store", store, "--snapshot", first.ID, "whocan", "--action", "approve", "--kind", "journal_entry")
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, "snapshot "+first.ID+" is damaged")
}
