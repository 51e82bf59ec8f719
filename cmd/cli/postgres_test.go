package cli_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/ingest/postgres/pgtest"
)

const (
	pgSample = "../../testdata/postgres"
	pgAsOf   = "2026-12-01T00:00:00Z"
	pgRole   = "postgres:fin-pg:role:"
)

// pgExpected is testdata/postgres/expected.yaml: hand-checked answers.
type pgExpected struct {
	WhoCan []struct {
		Action     string            `yaml:"action"`
		Resource   string            `yaml:"resource"`
		Identities map[string]string `yaml:"identities"`
	} `yaml:"whocan"`
	Reach []struct {
		Identity string            `yaml:"identity"`
		Accesses map[string]string `yaml:"accesses"`
	} `yaml:"reach"`
}

type pgAccesses struct {
	Accesses []struct {
		Identity  string `json:"identity"`
		Resource  string `json:"resource"`
		Action    string `json:"action"`
		Effective bool   `json:"effective"`
	} `json:"accesses"`
}

func accessState(effective bool) string {
	if effective {
		return "effective"
	}
	return "latent"
}

// TestPostgresSampleAnswers ingests the sample cluster from a real server
// and compares whocan and reach with the hand-checked answers.
func TestPostgresSampleAnswers(t *testing.T) {
	u := pgtest.URL(t)
	fin := pgtest.LoadSample(t, u, pgSample)
	st := newStore(t)
	out, errOut, code := run(t, "--store", st, "ingest", "--pg-config", pgSample+"/pg.yaml", fin)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "source postgres:fin-pg/finance")

	data, err := os.ReadFile(pgSample + "/expected.yaml")
	require.NoError(t, err)
	var want pgExpected
	require.NoError(t, yaml.Unmarshal(data, &want))
	require.NotEmpty(t, want.WhoCan)
	for _, q := range want.WhoCan {
		t.Run("whocan "+q.Action+" "+q.Resource, func(t *testing.T) {
			out, errOut, code := run(t, "--store", st, "--as-of", pgAsOf, "-o", "json", "whocan", "--action", q.Action, "--resource", q.Resource)
			require.Equal(t, 0, code, errOut)
			var got pgAccesses
			require.NoError(t, json.Unmarshal([]byte(out), &got))
			have := map[string]string{}
			for _, a := range got.Accesses {
				have[strings.TrimPrefix(a.Identity, pgRole)] = accessState(a.Effective)
			}
			require.Equal(t, q.Identities, have)
		})
	}
	for _, q := range want.Reach {
		t.Run("reach "+q.Identity, func(t *testing.T) {
			out, errOut, code := run(t, "--store", st, "--as-of", pgAsOf, "-o", "json", "reach", "--identity", pgRole+q.Identity)
			require.Equal(t, 0, code, errOut)
			var got pgAccesses
			require.NoError(t, json.Unmarshal([]byte(out), &got))
			have := map[string]string{}
			for _, a := range got.Accesses {
				have[a.Action+" "+a.Resource] = accessState(a.Effective)
			}
			require.Equal(t, q.Accesses, have)
		})
	}
}

// TestPostgresBadSources checks that a refused or failing postgres source
// exits 2 with a clear message and stores nothing.
func TestPostgresBadSources(t *testing.T) {
	u := pgtest.URL(t)
	withPassword := strings.Replace(u, "postgres@", "postgres:hunter2@", 1)
	require.NotEqual(t, u, withPassword, "the test server URL names user postgres")
	tests := []struct {
		name string
		src  string
		want string
	}{
		{name: "password in URL", src: withPassword, want: "a password in the URL is refused"},
		{name: "unknown database", src: pgtest.WithDB(t, u, "no_such_db"), want: `database "no_such_db" does not exist`},
		{name: "unreachable server", src: "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=5", want: "connect postgres@127.0.0.1:1/postgres"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t)
			_, errOut, code := run(t, "--store", st, "ingest", tt.src)
			require.Equal(t, 2, code, errOut)
			require.Contains(t, errOut, "nothing was stored")
			require.Contains(t, errOut, tt.want)
			require.NotContains(t, errOut, "hunter2")
			out, _, code := run(t, "--store", st, "-o", "json", "snapshots")
			require.Equal(t, 0, code)
			require.NotContains(t, out, `"id"`)
		})
	}
}
