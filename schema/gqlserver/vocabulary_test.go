package gqlserver_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/gqlserver"
)

// TestEnumsAreTheVocabulary checks every GraphQL enum against the one
// vocabulary in package schema (STYLE §2.4).
func TestEnumsAreTheVocabulary(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "schema", "*.graphqls"))
	require.NoError(t, err)
	var srcs []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		srcs = append(srcs, &ast.Source{Name: filepath.Base(f), Input: string(b)})
	}
	s, gerr := gqlparser.LoadSchema(srcs...)
	require.Nil(t, gerr)
	// GraphQL spells the vocabulary in SCREAMING_SNAKE_CASE (schema.GQLName).
	upper := func(vs []string) []string {
		for i, v := range vs {
			vs[i] = schema.GQLName(v)
		}
		return vs
	}
	tests := []struct {
		enum string
		want []string
	}{
		{enum: "Action", want: upper(schema.Strings(schema.Actions))},
		{enum: "EdgeKind", want: schema.Strings(schema.EdgeKinds)},
		{enum: "IdentityType", want: upper(schema.Strings(schema.IdentityTypes))},
		{enum: "Status", want: upper(schema.Strings(schema.Statuses))},
		{enum: "GroupType", want: upper(schema.Strings(schema.GroupTypes))},
		{enum: "CredentialType", want: upper(schema.Strings(schema.CredentialTypes))},
		{enum: "DelegationKind", want: upper(schema.Strings(schema.DelegationKinds))},
		{enum: "Severity", want: upper(schema.Strings(schema.Severities))},
		{enum: "Category", want: upper(schema.Strings(schema.Categories))},
	}
	for _, tt := range tests {
		t.Run(tt.enum, func(t *testing.T) {
			def := s.Types[tt.enum]
			require.NotNil(t, def)
			var got []string
			for _, v := range def.EnumValues {
				got = append(got, v.Name)
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestCheckInsecure(t *testing.T) {
	tests := []struct {
		name     string
		listen   string
		tokens   bool
		insecure bool
		ok       bool
	}{
		{name: "tokens anywhere", listen: "0.0.0.0:8080", tokens: true, ok: true},
		{name: "no tokens refused", listen: "127.0.0.1:8080"},
		{name: "insecure loopback v4", listen: "127.0.0.1:8080", insecure: true, ok: true},
		{name: "insecure loopback v6", listen: "[::1]:8080", insecure: true, ok: true},
		{name: "insecure localhost", listen: "localhost:8080", insecure: true, ok: true},
		{name: "insecure all interfaces refused", listen: ":8080", insecure: true},
		{name: "insecure public refused", listen: "10.1.2.3:8080", insecure: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tk *gqlserver.Tokens
			if tt.tokens {
				tk = tokensFile(t)
			}
			err := gqlserver.CheckInsecure(tt.listen, tk, tt.insecure)
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}
