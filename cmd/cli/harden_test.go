package cli_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// flipIn flips one bit of every occurrence of marker in the file at path:
// in the snapshot's records and in its stored projection, so that both
// the commands reading records and those reading the projection meet it.
func flipIn(t *testing.T, path, marker string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	n := 0
	for i := bytes.Index(data, []byte(marker)); i >= 0; i = bytes.Index(data, []byte(marker)) {
		data[i] ^= 0x01
		n++
	}
	require.Positive(t, n, "marker %q not in the store file", marker)
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

	// --no-verify trades that check for speed: the stored projection is
	// used as it lies, damaged id and all (docs/cli.md says so).
	out, stderr, code = run(t, "--store", store, "--snapshot", first.ID, "--no-verify", "whocan", "--action", "approve", "--kind", "journal_entry")
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Contains(t, out, "ieidi.w-adm")
}

// evilBundle has ids, a source label and a purpose that start like
// spreadsheet formulas or carry terminal control and bidi characters.
const evilBundle = `format: reachgraph/v1
source: "=HYPERLINK(\"http://evil\",\"src\")"
collected_at: 2026-10-31T00:00:00Z
systems:
  - {id: gl, name: General ledger, kind: general_ledger, sox_scope: true}
resources:
  - {id: "gl:je", system: gl, name: Journal entries, kind: journal_entry}
identities:
  - {id: "=cmd|' /C calc'!A0", type: service_account, purpose: "@SUM(1)"}
  - {id: "+svc", type: service_account}
  - {id: "esc\e[2Jx", type: service_account}
  - {id: "row\nforged", type: service_account}
  - {id: "bidi\u202egpj.exe", type: service_account}
grants:
  - {principal: "=cmd|' /C calc'!A0", action: approve, resource: gl}
  - {principal: "+svc", action: approve, resource: gl}
  - {principal: "esc\e[2Jx", action: approve, resource: gl}
  - {principal: "row\nforged", action: approve, resource: gl}
  - {principal: "bidi\u202egpj.exe", action: approve, resource: gl}
credentials:
  - {id: c1, identity: "=cmd|' /C calc'!A0", type: api_key, systems: [gl]}
`

// readCSV parses RFC 4180 CSV and fails on anything else.
func readCSV(t *testing.T, s string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	require.NoError(t, err, "not RFC 4180 CSV:\n%s", s)
	return rows
}

// noFormula fails when a cell would run as a formula in a spreadsheet.
func noFormula(t *testing.T, rows [][]string) {
	t.Helper()
	for _, row := range rows {
		for _, c := range row {
			if c != "" && c != "-" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Fatalf("cell %q starts like a formula", c)
			}
		}
	}
}

// TestCSVFormulaInjection: every CSV output (whocan, paths, snapshots, the
// findings report and the workbook) is RFC 4180 and neutralises cells that
// start with = + - @ tab or CR.
func TestCSVFormulaInjection(t *testing.T) {
	dir := t.TempDir()
	store := newStore(t)
	b := writeFile(t, dir, "evil.yaml", evilBundle)
	_, stderr, code := run(t, "--store", store, "ingest", b)
	require.Equal(t, cli.ExitOK, code, stderr)

	out, stderr, code := run(t, "--store", store, "whocan", "--action", "approve", "--resource", "gl:je", "-o", "csv")
	require.Equal(t, cli.ExitOK, code, stderr)
	rows := readCSV(t, out)
	noFormula(t, rows)
	require.Contains(t, out, "\n'=cmd|' /C calc'!A0,gl:je")
	require.Contains(t, out, "'+svc")

	out, stderr, code = run(t, "--store", store, "snapshots", "-o", "csv")
	require.Equal(t, cli.ExitOK, code, stderr)
	noFormula(t, readCSV(t, out))
	require.Contains(t, out, `'=HYPERLINK`)

	out, stderr, code = run(t, "--store", store, "paths", "--from", "+svc", "--action", "approve", "--resource", "gl:je", "-o", "csv")
	require.Equal(t, cli.ExitOK, code, stderr)
	noFormula(t, readCSV(t, out))
	require.Contains(t, out, "'+svc -GRANT(approve)-> gl")

	wb := filepath.Join(dir, "wb.csv")
	rep := filepath.Join(dir, "rep.csv")
	_, stderr, code = run(t, "--store", store, "report", "--format", "csv", "--out", rep, "--workbook", wb)
	require.Contains(t, []int{cli.ExitOK, cli.ExitFindings}, code, stderr)
	for _, p := range []string{rep, wb} {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		rows := readCSV(t, string(data))
		require.Greater(t, len(rows), 1, "%s has rows", p)
		noFormula(t, rows)
		require.Contains(t, string(data), "'=cmd|", p)
	}
}

// TestTableEscapes: in table output, ids with ESC, a newline or a bidi
// override are shown escaped: no raw control or bidi character reaches the
// terminal and no row is forged.
func TestTableEscapes(t *testing.T) {
	store := newStore(t)
	b := writeFile(t, t.TempDir(), "evil.yaml", evilBundle)
	_, stderr, code := run(t, "--store", store, "ingest", b)
	require.Equal(t, cli.ExitOK, code, stderr)
	for _, args := range [][]string{
		{"whocan", "--action", "approve", "--resource", "gl:je"},
		{"snapshots"},
		{"paths", "--from", "row\nforged", "--action", "approve", "--resource", "gl:je"},
	} {
		out, stderr, code := run(t, append([]string{"--store", store}, args...)...)
		require.Equal(t, cli.ExitOK, code, stderr)
		for _, bad := range []string{"\x1b", "\u202e", "\r", "\nforged"} {
			require.NotContains(t, out, bad, "%v", args)
		}
		if args[0] == "whocan" {
			require.Contains(t, out, `esc\x1b[2Jx `)
			require.Contains(t, out, `row\nforged `)
			require.Contains(t, out, `bidi\u202egpj.exe `)
			require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 8, "title, header, five rows and the count line:\n%s", out)
		}
	}
}

// TestVerifyStoreTruncated: a truncated store file is reported as a whole
// (exit 2, naming the file); every other command fails the same way.
func TestVerifyStoreTruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rg.db")
	store := "file:" + path
	_, stderr, code := run(t, "--store", store, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	require.NoError(t, os.Truncate(path, 40000))
	for _, args := range [][]string{{"verify-store"}, {"snapshots"}, {"whocan", "--action", "approve", "--kind", "journal_entry"}} {
		_, stderr, code = run(t, append([]string{"--store", store}, args...)...)
		require.Equal(t, cli.ExitUsage, code, "%v: %s", args, stderr)
		require.Contains(t, stderr, "store file "+path+" is damaged: truncated", "%v", args)
	}
	out, stderr, code := run(t, "--store", newStore(t), "verify-store")
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Contains(t, out, "no snapshots in file:")
}

// --max-file-bytes moves the cap on one streamed input: below a JSON
// bundle's size it stops the ingest with a located problem and stores
// nothing; at its size it lets it through; it must be positive.
func TestIngestMaxFileBytes(t *testing.T) {
	const small = "../../ingest/bundle/testdata/small.json"
	fi, err := os.Stat(small)
	require.NoError(t, err)
	require.Greater(t, fi.Size(), int64(1024))
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", "--max-file-bytes", "1024", small)
	require.Equal(t, cli.ExitUsage, code, stderr)
	require.Contains(t, stderr, "small.json: larger than the 1 KiB limit for an input file; nothing after it was read")
	out, _, _ := run(t, "--store", store, "snapshots")
	require.Contains(t, out, "no snapshots in", "nothing was stored")
	_, stderr, code = run(t, "--store", store, "ingest", "--max-file-bytes", fmt.Sprint(fi.Size()), small)
	require.Equal(t, cli.ExitOK, code, stderr)
	_, stderr, code = run(t, "--store", newStore(t), "ingest", "--max-file-bytes", "0", small)
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, "--max-file-bytes 0: want a positive number of bytes")
}
