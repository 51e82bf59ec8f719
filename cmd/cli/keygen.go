package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func newKeygenCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "keygen KEYFILE",
		Short: "Create an Ed25519 key pair for signing evidence packs (KEYFILE 0600, KEYFILE.pub)",
		Long: `keygen writes a new Ed25519 private key to KEYFILE (PEM PKCS #8, mode 0600) and its
public key to KEYFILE.pub (PEM PKIX). It refuses to overwrite either file.`,
		Example: `  reachgraph keygen audit.key && reachgraph evidence --key audit.key --out pack.zip --report`,
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			path := args[0]
			for _, p := range []string{path, path + ".pub"} {
				if _, err := os.Lstat(p); err == nil {
					return usagef("%s exists: keygen does not overwrite keys", p)
				}
			}
			pub, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				return err
			}
			der, err := x509.MarshalPKCS8PrivateKey(priv)
			if err != nil {
				return err
			}
			pder, err := x509.MarshalPKIXPublicKey(pub)
			if err != nil {
				return err
			}
			if err := writePrivate(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
				return usageErr(err)
			}
			if err := os.WriteFile(path+".pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pder}), 0o644); err != nil {
				return usageErr(err)
			}
			fmt.Fprintf(g.env.Stdout, "wrote %s (private, 0600) and %s.pub; key id %s\n", path, path, keyID(pub))
			return nil
		},
	}
}

// readPrivateKey reads an Ed25519 private key written by keygen; the file
// must be private (0600).
func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	f, err := openPrivate(path)
	if err != nil {
		return nil, usageErr(err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<16))
	if err != nil {
		return nil, usageErr(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, usagef("%s: not a PEM PRIVATE KEY (make one with reachgraph keygen)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, usagef("%s: %v", path, err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, usagef("%s: not an Ed25519 key", path)
	}
	return ek, nil
}

// readPublicKey reads an Ed25519 public key written by keygen (KEYFILE.pub).
func readPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErr(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, usagef("%s: not a PEM PUBLIC KEY (keygen writes KEYFILE.pub)", path)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, usagef("%s: %v", path, err)
	}
	ek, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, usageErr(errors.New(path + ": not an Ed25519 public key"))
	}
	return ek, nil
}
