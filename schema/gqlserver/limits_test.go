package gqlserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/schema/gqlserver"
)

func deepQuery(levels int) string {
	// identity → groups → members → groups → members …
	var b strings.Builder
	b.WriteString(`query Deep { identity(id: "carol.d") { id groups { id `)
	open := 2
	for i := 0; i < levels; i++ {
		if i%2 == 0 {
			b.WriteString("members { id ")
		} else {
			b.WriteString("groups { id ")
		}
		open++
	}
	b.WriteString(strings.Repeat("} ", open))
	b.WriteString("}")
	return b.String()
}

func TestLimits(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, func(o *gqlserver.Options) {
		o.MaxDepth = 6
		o.MaxComplexity = 20000
		o.MaxBodyBytes = 4096
	})
	noIntro, _ := newServer(t, st, func(o *gqlserver.Options) { o.Introspection = false })
	tests := []struct {
		name    string
		base    string
		query   string
		code    int
		message string
	}{
		{name: "depth within limit", base: hs.URL, query: deepQuery(3), code: http.StatusOK},
		{name: "depth over limit", base: hs.URL, query: deepQuery(4), code: http.StatusOK, message: "query is nested 7 levels deep; the limit is 6"},
		{name: "depth through fragments", base: hs.URL, code: http.StatusOK, message: "the limit is 6",
			query: `query F { identity(id: "carol.d") { ...G } } fragment G on Identity { groups { members { groups { members { groups { members { id } } } } } } }`},
		{name: "complexity over limit", base: hs.URL, code: http.StatusOK, message: "complexity",
			query: `query C { findings(first: 1000) { edges { node { id message paths { hops { from edge to } } accesses { resource { id } } } } } }`},
		// Lists weigh their page size or an estimate (complexity.go): one
		// whoCan is cheap, critical accesses of a thousand identities are not.
		{name: "answer list within limit", base: hs.URL, code: http.StatusOK,
			query: `{ whoCan(action: APPROVE, resource: "sap:fi:je") { accesses { totalCount complete edges { node { identity { id } paths { hops { from edge to native } } } } } } }`},
		{name: "list of lists over limit", base: hs.URL, code: http.StatusOK, message: "operation has complexity",
			query: `{ identities(first: 1000) { edges { node { id criticalAccess { totalCount complete edges { node { resource { id } action } } } } } } }`},
		{name: "small page of lists within limit", base: hs.URL, code: http.StatusOK,
			query: `{ identities(first: 20) { edges { node { id criticalAccess { totalCount complete edges { node { resource { id } action } } } } } } }`},
		{name: "body over limit", base: hs.URL, code: http.StatusRequestEntityTooLarge, message: "request body exceeds 4096 bytes",
			query: `query B { snapshots { id } } # ` + strings.Repeat("x", 5000)},
		{name: "introspection on", base: hs.URL, query: `{ __schema { queryType { name } } }`, code: http.StatusOK},
		{name: "introspection off", base: noIntro.URL, query: `{ __schema { queryType { name } } }`, code: http.StatusOK, message: "introspection is disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := strings.Replace(tt.query, "a%d: ", "a0: ", 1)
			code, resp, raw := post(t, tt.base, auditorToken, q, nil)
			require.Equal(t, tt.code, code, "body: %s", raw)
			if tt.message == "" {
				require.Empty(t, resp.Errors, "body: %s", raw)
				return
			}
			require.NotEmpty(t, resp.Errors, "body: %s", raw)
			require.Contains(t, resp.Errors[0].Message, tt.message)
		})
	}
}
