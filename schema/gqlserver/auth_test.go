package gqlserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAuthPerRole(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, logs := newServer(t, st, nil)
	const query = `query Q { snapshots { id } }`
	const mutation = `mutation M($b: String!) { ingest(input: {bundle: $b}) { snapshot { id } problems { message } } }`
	bad := map[string]any{"b": "format: reachgraph/v1\nsystems: [{id: x}]\nbogus: 1\n"}
	tests := []struct {
		name    string
		token   string
		query   string
		vars    map[string]any
		code    int
		message string
		// data, when set, must appear in the answer's data (an invalid
		// bundle is answered with its problems, not an error).
		data string
	}{
		{name: "no token query", token: "", query: query, code: http.StatusUnauthorized, message: "unauthorized"},
		{name: "wrong token", token: "nope", query: query, code: http.StatusUnauthorized, message: "unauthorized: unknown token"},
		{name: "auditor query", token: auditorToken, query: query, code: http.StatusOK},
		{name: "admin query", token: adminToken, query: query, code: http.StatusOK},
		{name: "auditor mutation", token: auditorToken, query: mutation, vars: bad, code: http.StatusForbidden, message: "forbidden: role auditor may not run mutations"},
		{name: "no token mutation", token: "", query: mutation, vars: bad, code: http.StatusUnauthorized, message: "unauthorized"},
		{name: "admin mutation reaches the resolver", token: adminToken, query: mutation, vars: bad, code: http.StatusOK, data: `unknown field \"bogus\"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, resp, raw := post(t, hs.URL, tt.token, tt.query, tt.vars)
			require.Equal(t, tt.code, code, "body: %s", raw)
			if tt.message == "" {
				require.Empty(t, resp.Errors, "body: %s", raw)
				require.Contains(t, string(resp.Data), tt.data)
				require.NotContains(t, string(raw), "/tmp", "no server paths leak")
				return
			}
			require.NotEmpty(t, resp.Errors)
			require.Contains(t, resp.Errors[0].Message, tt.message)
			require.NotContains(t, string(raw), "/tmp", "no server paths leak")
			require.NotContains(t, string(raw), "goroutine", "no stack traces leak")
		})
	}
	log := logs.String()
	require.Contains(t, log, `"principal":"alice"`)
	require.Contains(t, log, `"operation":"Q"`)
	require.NotContains(t, log, auditorToken, "tokens are never logged")
	require.NotContains(t, log, adminToken)
}

func TestParseTokensRejects(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{name: "empty", text: "# nothing\n", want: "no token"},
		{name: "bad role", text: "a root " + strings.Repeat("ab", 32) + "\n", want: "role"},
		{name: "clear token", text: "a admin my-secret-token\n", want: "SHA-256"},
		{name: "fields", text: "a admin\n", want: "fields"},
		{name: "duplicate", text: "a admin " + strings.Repeat("ab", 32) + "\na auditor " + strings.Repeat("cd", 32) + "\n", want: "duplicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTokens(tt.text)
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), "my-secret-token")
		})
	}
}
