package link_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/reachgraph/reachgraph/ingest/link"
)

// FuzzParse: Parse never panics, returns a Spec unless it reports a problem,
// and every problem has a message.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile(estate + "/links.yaml"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{"", "same_as:\n  - pair: [a, b]\n", "act_as:\n  - {from: a, to: b, kind: run_as}\n",
		"stored_in:\n  - {credential: c, resource: r}\n", "same_as:\n  - join: email\n    keys: [name, {key: tag:x}]\n", "[", "a: &x [*x]\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, probs, err := link.Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if spec == nil && len(probs) == 0 {
			t.Fatalf("spec %v with %d problems", spec, len(probs))
		}
		for _, p := range probs {
			if p.Msg == "" {
				t.Fatal("problem without a message")
			}
		}
	})
}
