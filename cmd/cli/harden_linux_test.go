//go:build linux

package cli_test

// Sources that are not regular files: pipes (/dev/fd) and endless devices
// (/dev/zero). Linux has both; the tests run wherever the build does.

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

// pipePath returns a /dev/fd path reading from a pipe fed with data, like
// a process substitution <(cat FILE).
func pipePath(t *testing.T, data string) string {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	go func() {
		_, _ = w.WriteString(data)
		_ = w.Close()
	}()
	return fmt.Sprintf("/dev/fd/%d", r.Fd())
}

// TestIngestFromPipe: sources that are pipes load like files — the format
// and syntax are sniffed from a buffered head that is replayed to the
// reader — with the same snapshot content as the file.
func TestIngestFromPipe(t *testing.T) {
	bundleData, err := os.ReadFile(finance)
	require.NoError(t, err)
	report, err := os.ReadFile("../../ingest/awsiam/testdata/cloudmapper-demo/credential-report.csv")
	require.NoError(t, err)
	fileStore, pipeStore := newStore(t), newStore(t)
	_, stderr, code := run(t, "--store", fileStore, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	_, stderr, code = run(t, "--store", pipeStore, "ingest", pipePath(t, string(bundleData)))
	require.Equal(t, cli.ExitOK, code, stderr)
	want, _, _ := run(t, "--store", fileStore, "whocan", "--action", "approve", "--kind", "journal_entry", "-o", "json")
	got, _, _ := run(t, "--store", pipeStore, "whocan", "--action", "approve", "--kind", "journal_entry", "-o", "json")
	require.JSONEq(t, stripSnapshot(t, want), stripSnapshot(t, got))

	// A credential report: the aws-iam format is told from the pipe's head.
	out, stderr, code := run(t, "--store", newStore(t), "ingest", pipePath(t, string(report)))
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Contains(t, out, "source aws-credential-report:123456789012")
}

// stripSnapshot drops the snapshot id (the file name is part of the
// provenance hashed into it).
func stripSnapshot(t *testing.T, js string) string {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(js), &m))
	delete(m, "snapshot")
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// TestDevZeroInput: /dev/zero as a source ends at once with a located
// problem (it used to be read forever to hash "the rest" of it).
func TestDevZeroInput(t *testing.T) {
	for _, format := range []string{"auto", "bundle", "aws-iam"} {
		done := make(chan struct{})
		var stderr string
		var code int
		go func() {
			defer close(done)
			_, stderr, code = run(t, "--store", newStore(t), "ingest", "--format", format, "/dev/zero")
		}()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Fatalf("--format %s /dev/zero: still reading after 60 s", format)
		}
		require.Equal(t, cli.ExitUsage, code, stderr)
		require.Contains(t, stderr, "/dev/zero:", "--format %s", format)
	}
}
