package opengraph

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// FuzzDecode feeds arbitrary bytes to Decode and the transform with the
// foreign map: they must not panic, Decode must fail only with a
// *SyntaxError, every problem must carry a JSON pointer, and every record
// must be of a bundle section and positioned.
func FuzzDecode(f *testing.F) {
	td := filepath.Join("..", "..", "testdata", "opengraph")
	for _, name := range []string{"foreign.json", "opengraph-minimal.json", "finance.opengraph.json"} {
		data, err := os.ReadFile(filepath.Join(td, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"graph":{"nodes":[{"id":"r","kinds":["RG_Resource"],"properties":{"system":"s","tags":["a=b",1]}}],"edges":[{"kind":"RG_InSystem","start":{"value":"r"},"end":{"value":"s"}}]}}`))
	f.Add([]byte(`{"metadata":{"source_kind":null},"graph":{"nodes":[{"id":"x","kinds":[]}],"edges":[{"kind":"RG_ChildOf","start":{"match_by":"property","property_matchers":[]},"end":{}}]}}`))
	f.Add([]byte(`{"graph":{"nodes":[`))
	mf, err := os.Open(filepath.Join(td, "foreign-map.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	m, probs, err := ParseMap(mf)
	mf.Close()
	if err != nil || len(probs) > 0 {
		f.Fatal(err, probs)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		problem := func(ptr, msg string) {
			if !strings.HasPrefix(ptr, "/") || msg == "" {
				t.Fatalf("problem without pointer or message: %q %q", ptr, msg)
			}
		}
		add := func(rec *ingest.Record) {
			if _, ok := schema.SectionByName(rec.Section); !ok || !strings.HasPrefix(rec.Pointer, "/graph/") {
				t.Fatalf("record of section %q at %q", rec.Section, rec.Pointer)
			}
		}
		tr := newTransformer(m, add, problem)
		err := Decode(bytes.NewReader(data), Sink{Node: tr.node, Edge: tr.edge, Problem: problem})
		if _, ok := err.(*SyntaxError); err != nil && !ok {
			t.Fatalf("Decode of in-memory bytes returned %T %v", err, err)
		}
		for _, s := range tr.finish() {
			if s.Count < 1 || !strings.HasPrefix(s.First, "/graph/edges/") {
				t.Fatalf("bad skipped entry %+v", s)
			}
		}
	})
}
