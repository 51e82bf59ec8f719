package gqlserver_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestErrorCodes: every resolver error carries extensions.code, unknown ids
// come with suggestions, and a bad argument value is the caller's error, not
// an internal one.
func TestErrorCodes(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, nil)
	for _, c := range []struct {
		name, query, code, message string
		suggestions                []any
	}{
		{name: "kind typo", query: `{ whoCan(action: APPROVE, kind: "journal_entries") { accesses(first: 1000) { totalCount complete edges { node { effective } } } } }`,
			code: "BAD_USER_INPUT", message: `whoCan: unknown kind "journal_entries" (did you mean "journal_entry"?)`,
			suggestions: []any{"journal_entry"}},
		{name: "identity typo", query: `{ reach(identity: "bob.kk") { accesses(first: 1000) { totalCount complete edges { node { effective } } } } }`,
			code: "BAD_USER_INPUT", message: `reach: unknown identity "bob.kk"`, suggestions: []any{"bob.k"}},
		{name: "both resource and kind", query: `{ whoCan(action: APPROVE, kind: "journal_entry", resource: "sap:fi:je") { accesses(first: 1000) { totalCount complete edges { node { effective } } } } }`,
			code: "BAD_USER_INPUT", message: "give exactly one of resource and kind"},
		{name: "as-of not a time", query: `{ whoCan(action: APPROVE, resource: "sap:fi:je", asOf: "yesterday") { accesses(first: 1000) { totalCount complete edges { node { effective } } } } }`,
			code: "BAD_USER_INPUT", message: "yesterday"},
		{name: "unknown snapshot", query: `{ whoCan(action: APPROVE, resource: "sap:fi:je", snapshot: "s-ffff") { accesses(first: 1000) { totalCount complete edges { node { effective } } } } }`,
			code: "NOT_FOUND", message: "s-ffff"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, resp, raw := post(t, hs.URL, auditorToken, c.query, nil)
			require.Equal(t, http.StatusOK, code, "%s", raw)
			require.NotEmpty(t, resp.Errors, "%s", raw)
			e := resp.Errors[0]
			require.Contains(t, e.Message, c.message)
			require.Equal(t, c.code, e.Extensions["code"], "%s", raw)
			if c.suggestions != nil {
				require.Equal(t, c.suggestions, e.Extensions["suggestions"])
			}
		})
	}
}
