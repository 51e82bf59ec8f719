package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestTable: benchmark lines become rows with their target and verdict;
// unknown benchmarks and other lines are ignored, the GOMAXPROCS suffix is
// dropped, and a tier without a target for a row shows no verdict.
func TestTable(t *testing.T) {
	in := `goos: linux
BenchmarkTierWhoCan-2   	       1	 123 ns/op	 0.820 p50-ms	 12.5 p99-ms	 0.890 x-plain-bfs	 315 answers/query
BenchmarkTierReport-2   	       1	 640000000000 ns/op	 9000000 findings	 10240 peak-rss-MB
BenchmarkTierWhoCanKind/json/stream-2	1	5 ns/op	1040000 rows/s
BenchmarkSomethingElse-2	1	5 ns/op
PASS
`
	got, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	write(&out, "M", "abc1234", got)
	for _, want := range []string{
		"## Tier M (commit `abc1234`)",
		"| whocan one resource, p50 | ≤ 1.00 ms | 0.820 ms | met |",
		"| whocan one resource, p99 | ≤ 10.0 ms | 12.5 ms | **not met** |",
		"| whocan vs a plain BFS (p50 / p50, same run) | ≤ 5.00 × | 0.890 × | met |",
		"| batch report (every rule, every actor) | ≤ 10.0 s | 640 s | **not met** |",
		"| batch report peak RSS | ≤ 4.00 GiB | 10.0 GiB | **not met** |",
		"| whocan --kind, streamed JSON to a file | ≥ 1.00 M rows/s | 1.04 M rows/s | met |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "SomethingElse") || strings.Count(out.String(), "\n| ") != 7 /* the heading row and six figures */ {
		t.Errorf("unexpected rows:\n%s", out.String())
	}
	out.Reset()
	write(&out, "XS", "", got)
	if !strings.Contains(out.String(), "| whocan one resource, p50 | — | 0.820 ms |  |") {
		t.Errorf("a tier without a target shows none:\n%s", out.String())
	}
	if _, err := parse(strings.NewReader("BenchmarkX-2 1 abc ns/op\n")); err == nil {
		t.Error("a value that is not a number is an error")
	}
}
