package cli

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/schema/gqlserver"
)

func newTokenCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "token NAME ROLE",
		Short: "Create a bearer token for `reachgraph serve` (roles: auditor, admin)",
		Long: `token prints a new random bearer token on stderr, once, and the line to append
to the --tokens file on stdout. The file holds only the token's SHA-256.`,
		Example: `  reachgraph token alice auditor >> /etc/reachgraph/tokens`,
		Args:    cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			role := gqlserver.Role(args[1])
			if role != gqlserver.RoleAuditor && role != gqlserver.RoleAdmin {
				return usagef("role %q: want auditor or admin", args[1])
			}
			var b [32]byte
			if _, err := rand.Read(b[:]); err != nil {
				return err
			}
			tok := "rg_" + base64.RawURLEncoding.EncodeToString(b[:])
			fmt.Fprintf(g.env.Stderr, "token for %s (shown once, store it safely): %s\n", args[0], tok)
			fmt.Fprintf(g.env.Stdout, "%s %s %s\n", args[0], role, gqlserver.TokenDigest(tok))
			return nil
		},
	}
}
