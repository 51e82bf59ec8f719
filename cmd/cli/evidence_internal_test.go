package cli

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPAE(t *testing.T) {
	// The example of the DSSE v1 protocol description.
	require.Equal(t, "DSSEv1 29 http://example.com/HelloWorld 11 hello world",
		string(pae("http://example.com/HelloWorld", []byte("hello world"))))
	require.Equal(t, "DSSEv1 0  0 ", string(pae("", nil)))
}

func TestEnvelopeRoundTrip(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	env, err := signEnvelope(priv, []byte(`{"a":1}`))
	require.NoError(t, err)
	body, err := openEnvelope(pub, env)
	require.NoError(t, err)
	require.Equal(t, `{"a":1}`, string(body))
	other, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, err = openEnvelope(other, env)
	require.ErrorContains(t, err, "not by the given public key")
}

// TestVerifyReRunsQueries re-signs a pack whose recorded answer was
// changed: the signature and digests hold, the re-run answer differs.
func TestVerifyReRunsQueries(t *testing.T) {
	dir := t.TempDir()
	store := "file:" + filepath.Join(dir, "rg.db")
	runCLI := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		root := NewRoot(Env{Stdout: &out, Stderr: &errb})
		root.SetArgs(args)
		err := root.Execute()
		return out.String() + errb.String(), err
	}
	_, err := runCLI("--store", store, "ingest", "../../testdata/finance/bundle.yaml")
	require.NoError(t, err)
	key := filepath.Join(dir, "k")
	_, err = runCLI("keygen", key)
	require.NoError(t, err)
	pack := filepath.Join(dir, "p.zip")
	_, err = runCLI("--store", store, "evidence", "--key", key, "--out", pack, "--query", "whocan --action approve --resource sap:fi:je")
	require.NoError(t, err)

	zr, err := zip.OpenReader(pack)
	require.NoError(t, err)
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		files[f.Name], err = io.ReadAll(rc)
		require.NoError(t, err)
		rc.Close()
	}
	zr.Close()
	delete(files, packEnvelope)
	files["queries/001-whocan.json"] = bytes.Replace(files["queries/001-whocan.json"], []byte("svc-sap-batch"), []byte("svc-sap-botch"), 1)
	priv, err := readPrivateKey(key)
	require.NoError(t, err)
	zb, err := sealPack(priv, files, bytes.TrimSuffix(files[packManifest], []byte("\n")))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(pack, zb, 0o600))
	out, err := runCLI("--store", store, "verify", pack, "--pub", key+".pub")
	var ee *ExitError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, ExitFindings, ee.Code)
	require.Contains(t, out, "signature: ok", "the re-signed pack is genuine")
	require.ErrorContains(t, err, `query "whocan --action approve --resource sap:fi:je": the answer differs from queries/001-whocan.json: line`)
}
