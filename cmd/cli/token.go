package cli

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/schema/gqlserver"
)

func newTokenCmd(g *globals) *cobra.Command {
	var file, tokenOut string
	var ifMissing bool
	cmd := &cobra.Command{
		Use:   "token NAME ROLE [--file TOKENS] [--token-out FILE]",
		Short: "Create a bearer token for `reachgraph serve` (roles: auditor, admin)",
		Long: `token makes a new random bearer token. The token itself is shown once, on
stderr (or written to --token-out, a new file of mode 0600); the tokens file of
` + "`serve --tokens`" + ` holds only its SHA-256. With --file the line "NAME ROLE SHA256" is
appended to that file (created with mode 0600); without it the line is printed
on stdout.`,
		Example: `  reachgraph token alice auditor --file tokens.txt
  reachgraph token ci admin --file /etc/reachgraph/tokens --token-out /run/secrets/ci.token`,
		Args: cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			role := gqlserver.Role(args[1])
			if role != gqlserver.RoleAuditor && role != gqlserver.RoleAdmin {
				return usagef("role %q: want auditor or admin", args[1])
			}
			if ifMissing {
				if file == "" {
					return usagef("--if-missing goes with --file")
				}
				if _, err := os.Stat(file); err == nil {
					fmt.Fprintf(g.env.Stderr, "%s exists: no token made (--if-missing)\n", file)
					return nil
				}
			}
			var b [32]byte
			if _, err := rand.Read(b[:]); err != nil {
				return err
			}
			tok := "rg_" + base64.RawURLEncoding.EncodeToString(b[:])
			line := fmt.Sprintf("%s %s %s\n", args[0], role, gqlserver.TokenDigest(tok))
			if tokenOut != "" {
				if err := writeNew(tokenOut, tok+"\n"); err != nil {
					return usageErr(err)
				}
				fmt.Fprintf(g.env.Stderr, "token for %s written to %s (mode 0600)\n", args[0], tokenOut)
			} else {
				fmt.Fprintf(g.env.Stderr, "token for %s (shown once, store it safely): %s\n", args[0], tok)
			}
			if file == "" {
				_, err := fmt.Fprint(g.env.Stdout, line)
				return err
			}
			if err := appendPrivate(file, line); err != nil {
				return usageErr(err)
			}
			fmt.Fprintf(g.env.Stderr, "added %s (%s) to %s\n", args[0], role, file)
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "append the token's line to this tokens file (created with mode 0600)")
	cmd.Flags().StringVar(&tokenOut, "token-out", "", "write the token to this new file (mode 0600) instead of showing it")
	cmd.Flags().BoolVar(&ifMissing, "if-missing", false, "with --file: do nothing when the tokens file exists (a first-start step)")
	return cmd
}

// appendPrivate appends s to the file at path, creating it with mode 0600.
func appendPrivate(path, s string) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if _, err := fh.WriteString(s); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// writeNew writes s to a new file at path with mode 0600; an existing file is
// an error (a token is never overwritten silently).
func writeNew(path, s string) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := fh.WriteString(s); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}
