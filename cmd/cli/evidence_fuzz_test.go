package cli

import (
	"crypto/ed25519"
	"strings"
	"testing"
)

// FuzzParseQuery: any query line either parses into a query command without
// global flags or is rejected; it never panics.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"whocan --action approve --resource sap:fi:je", `reach --identity "a b"`, "serve",
		"whocan --store=x", `paths --from 'x`, "reachgraph ls kinds", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args, err := parseQuery(s)
		if err != nil {
			return
		}
		if len(args) == 0 {
			t.Fatal("accepted an empty query")
		}
		for _, a := range args[1:] {
			for _, bad := range []string{"--store", "--snapshot", "--as-of", "-o", "--output", "--jq"} {
				if a == bad || strings.HasPrefix(a, bad+"=") {
					t.Fatalf("accepted global flag %q in %q", a, s)
				}
			}
		}
	})
}

// FuzzOpenEnvelope: arbitrary bytes never verify under a fresh key and never panic.
func FuzzOpenEnvelope(f *testing.F) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		f.Fatal(err)
	}
	env, err := signEnvelope(priv, []byte(`{"_type":"x"}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(env)
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"","signatures":[]}`))
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		body, err := openEnvelope(pub, b)
		if err == nil && string(b) != string(env) && string(body) != `{"_type":"x"}` {
			t.Fatalf("a forged envelope verified: %q", b)
		}
	})
}
