package postgres_test

import (
	"strings"
	"testing"

	"github.com/reachgraph/reachgraph/ingest/postgres"
)

// FuzzParseConfig: any input gives a config or problems, never both, never a panic.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"cluster: fin\nsox_scope: true\n",
		"tables:\n  - pattern: a.b.*\n    kind: journal_entry\n    sox_scope: false\n",
		"roles:\n  - pattern: app_?\n    type: application\n",
		"tables: [1, 2]\n",
		"- a\n- b\n",
		"roles:\n  - {pattern: x, type: human, extra: 1}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cfg, probs, err := postgres.ParseConfig(strings.NewReader(s))
		if err != nil {
			t.Fatalf("read error from a string: %v", err)
		}
		if (cfg == nil) == (len(probs) == 0) {
			t.Fatalf("want exactly one of config (%v) and problems (%v)", cfg, probs)
		}
	})
}

// FuzzCheckURL: a URL with a password is never accepted, and the error
// never echoes the password.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"postgres://u@h/db", "postgres://u:pw@h/db", "postgresql://h:5432/db?password=pw", "postgres://%zz", "postgres://[::1]:5432/db"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := postgres.CheckURL(s)
		if err != nil {
			return
		}
		if _, has := u.User.Password(); has {
			t.Fatalf("accepted a password in %q", s)
		}
		for k := range u.Query() {
			if strings.Contains(strings.ToLower(k), "password") {
				t.Fatalf("accepted a password parameter in %q", s)
			}
		}
	})
}
