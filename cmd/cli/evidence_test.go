package cli_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

// makePack ingests the finance sample, makes a key and a pack with two
// queries and the report; it returns the store, pack and key paths.
func makePack(t *testing.T) (store, pack, key string) {
	t.Helper()
	store = ingestFinance(t)
	dir := t.TempDir()
	key = filepath.Join(dir, "audit.key")
	_, stderr, code := run(t, "keygen", key)
	require.Equal(t, cli.ExitOK, code, stderr)
	pack = filepath.Join(dir, "pack.zip")
	_, stderr, code = run(t, "--store", store, "evidence", "--key", key, "--out", pack, "--report",
		"--query", "whocan --action approve --resource sap:fi:je", "--query", `reach --identity "svc-sap-batch"`)
	require.Equal(t, cli.ExitOK, code, stderr)
	return store, pack, key
}

func TestKeygen(t *testing.T) {
	key := filepath.Join(t.TempDir(), "k")
	_, stderr, code := run(t, "keygen", key)
	require.Equal(t, cli.ExitOK, code, stderr)
	st, err := os.Stat(key)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	pub, err := os.ReadFile(key + ".pub")
	require.NoError(t, err)
	require.Contains(t, string(pub), "BEGIN PUBLIC KEY")
	_, stderr, code = run(t, "keygen", key)
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, "does not overwrite")
}

func TestEvidenceRoundTrip(t *testing.T) {
	store, pack, key := makePack(t)
	out, stderr, code := run(t, "--store", store, "verify", pack, "--pub", key+".pub")
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Contains(t, out, "signature: ok")
	require.Contains(t, out, "files: 4, every SHA-256 matches")
	require.Contains(t, out, "answers: 2 quer(ies) re-run")
	require.Contains(t, out, "identical byte for byte")

	files := readZip(t, pack)
	require.Contains(t, string(files["manifest.json"]), `"ruleset_sha256"`)
	require.Contains(t, string(files["manifest.json"]), `"conditional_grants"`)
	require.Contains(t, string(files["queries/001-whocan.json"]), `"identity": "svc-sap-batch"`)
	require.Contains(t, string(files["report.json"]), `"findings"`)

	other := newStore(t) // without the snapshot: signature and digests only
	out, stderr, code = run(t, "--store", other, "verify", pack, "--pub", key+".pub")
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Contains(t, out, "not re-run")
}

func TestEvidenceAnyFlippedByteFails(t *testing.T) {
	store, pack, key := makePack(t)
	files := readZip(t, pack)
	require.Len(t, files, 5)
	for name, b := range files {
		for _, at := range []int{0, len(b) / 2, len(b) - 1} {
			changed := map[string][]byte{}
			for n, c := range files {
				changed[n] = bytes.Clone(c)
			}
			changed[name][at] ^= 0x01
			bad := filepath.Join(t.TempDir(), "bad.zip")
			writeZip(t, bad, changed)
			_, stderr, code := run(t, "--store", store, "verify", bad, "--pub", key+".pub")
			require.Equal(t, cli.ExitFindings, code, "%s byte %d flipped: %s", name, at, stderr)
			require.Contains(t, stderr, "verify:")
		}
	}
	t.Run("an extra file", func(t *testing.T) {
		changed := map[string][]byte{"extra.txt": []byte("x")}
		for n, c := range files {
			changed[n] = c
		}
		bad := filepath.Join(t.TempDir(), "bad.zip")
		writeZip(t, bad, changed)
		_, stderr, code := run(t, "--store", store, "verify", bad, "--pub", key+".pub")
		require.Equal(t, cli.ExitFindings, code)
		require.Contains(t, stderr, "extra.txt is in the pack but not signed")
	})
}

func TestEvidenceOtherKeyFails(t *testing.T) {
	store, pack, _ := makePack(t)
	other := filepath.Join(t.TempDir(), "other.key")
	_, _, code := run(t, "keygen", other)
	require.Equal(t, cli.ExitOK, code)
	_, stderr, code := run(t, "--store", store, "verify", pack, "--pub", other+".pub")
	require.Equal(t, cli.ExitFindings, code)
	require.Contains(t, stderr, "not by the given public key")
}

func TestEvidenceRejectsBadQueries(t *testing.T) {
	store := ingestFinance(t)
	key := filepath.Join(t.TempDir(), "k")
	_, _, code := run(t, "keygen", key)
	require.Equal(t, cli.ExitOK, code)
	for _, q := range []string{"serve", "whocan --store file:x", "whocan -o table", `whocan --resource "x`} {
		_, stderr, code := run(t, "--store", store, "evidence", "--key", key, "--out", filepath.Join(t.TempDir(), "p.zip"), "--query", q)
		require.Equal(t, cli.ExitUsage, code, q)
		require.Contains(t, stderr, "--query", q)
	}
}

func readZip(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		rc.Close()
		out[f.Name] = b
	}
	return out
}

func writeZip(t *testing.T, path string, files map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, b := range files {
		w, err := zw.Create(n)
		require.NoError(t, err)
		_, err = w.Write(b)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
}
