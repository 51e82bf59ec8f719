package postgres_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest/postgres"
	"github.com/reachgraph/reachgraph/schema"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []postgres.Problem
	}{
		{name: "valid", yaml: "cluster: fin\nsox_scope: true\ntables:\n  - pattern: fin.gl.*\n    kind: journal_entry\nroles:\n  - pattern: app_*\n    type: application\n"},
		{name: "empty file"},
		{name: "unknown key", yaml: "cluster: fin\nsox_scop: true\n",
			want: []postgres.Problem{{Line: 2, Msg: "field sox_scop not found in type postgres.Config"}}},
		{name: "unknown key in a rule", yaml: "tables:\n  - pattern: a.b.c\n    kind: x\n    colour: red\n",
			want: []postgres.Problem{{Line: 4, Msg: "field colour not found in type postgres.TableRule"}}},
		{name: "bad table pattern and empty rule", yaml: "tables:\n  - pattern: gl.journal\n    kind: x\n  - pattern: a.b.c\n",
			want: []postgres.Problem{
				{Line: 2, Msg: `tables[0]: pattern "gl.journal": want db.schema.table (globs allowed, e.g. finance.public.journal_*)`},
				{Line: 4, Msg: "tables[1]: set kind or sox_scope (or both)"}}},
		{name: "bad identity type", yaml: "roles:\n  - pattern: app\n    type: robot\n  - type: human\n",
			want: []postgres.Problem{
				{Line: 2, Msg: `roles[0]: type "robot": want one of ` + strings.Join(schema.Strings(schema.IdentityTypes), ", ")},
				{Line: 4, Msg: "roles[1]: pattern is required (a role name glob such as app_*)"}}},
		{name: "wrong type", yaml: "sox_scope: maybe\n",
			want: []postgres.Problem{{Line: 1, Msg: "cannot unmarshal !!str `maybe` into bool"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, probs, err := postgres.ParseConfig(strings.NewReader(tt.yaml))
			require.NoError(t, err)
			require.Equal(t, tt.want, probs)
			require.Equal(t, tt.want == nil, cfg != nil)
		})
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want error
	}{
		{name: "plain", url: "postgres://audit@db1:5432/finance?sslmode=require"},
		{name: "postgresql scheme", url: "postgresql://audit@db1/finance"},
		{name: "password in user info", url: "postgres://audit:s3cret@db1/finance", want: postgres.ErrPasswordInURL},
		{name: "empty password", url: "postgres://audit:@db1/finance", want: postgres.ErrPasswordInURL},
		{name: "password parameter", url: "postgres://audit@db1/finance?Password=s3cret", want: postgres.ErrPasswordInURL},
		{name: "client key passphrase", url: "postgres://audit@db1/finance?sslkey=k.pem&sslpassword=s3cret", want: postgres.ErrPasswordInURL},
		{name: "not a URL", url: "host=db1 user=audit", want: postgres.ErrBadURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := postgres.CheckURL(tt.url)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.NotContains(t, err.Error(), "s3cret")
		})
	}
}
