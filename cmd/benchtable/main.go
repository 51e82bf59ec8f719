// Command benchtable turns the output of the tier benchmarks (`go test -bench
// Tier ./cmd/cli` with REACHGRAPH_BENCH_TIER set, and `-bench GraphQLWhoCan
// ./schema/gqlserver`) into the table of docs/performance.md: each figure
// beside its target and whether it is met, the ratios (engine vs a plain BFS)
// taken from the same run. `make bench` and `make bench-l` pipe into it.
//
//	go test -run '^$' -bench Tier ./cmd/cli | benchtable -tier M -commit abc1234
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// row is one line of the table: a figure read from one benchmark's metric.
type row struct {
	bench, metric string  // benchmark name (without "Benchmark" and -N) and metric unit
	what          string  // what it measures
	scale         float64 // multiplies the metric (ns/op → s)
	unit          string
	limit         map[string]float64 // per tier: the target
	atMost        bool               // the figure must be at most the limit (else at least)
}

var rows = []row{
	{"TierIngest", "ns/op", "ingest (parse, validate, commit, stored projection)", 1e-9, "s",
		map[string]float64{"M": 60}, true},
	{"TierIngest", "peak-rss-MB", "ingest peak RSS", 1.0 / 1024, "GiB", map[string]float64{"M": 4, "L": 8}, true},
	{"TierProjection", "ns/op", "build the projection from the records", 1e-9, "s", map[string]float64{"M": 5}, true},
	{"TierProjection", "bytes/edge", "projection memory", 1, "B/edge", map[string]float64{"S": 32, "M": 32, "L": 32}, true},
	{"TierWhoCan", "p50-ms", "whocan one resource, p50", 1, "ms", map[string]float64{"M": 1}, true},
	{"TierWhoCan", "p99-ms", "whocan one resource, p99", 1, "ms", map[string]float64{"M": 10}, true},
	{"TierWhoCan", "x-plain-bfs", "whocan vs a plain BFS (p50 / p50, same run)", 1, "×",
		map[string]float64{"S": 5, "M": 5, "L": 5}, true},
	{"TierColdWhoCan", "p50-ms", "cold CLI whocan (a new process, one resource), p50", 1, "ms",
		map[string]float64{"M": 300, "L": 1000}, true},
	{"TierReach", "p99-ms", "reach one identity, p99", 1, "ms", map[string]float64{"M": 50}, true},
	{"TierReach", "x-plain-bfs", "reach vs a plain BFS (p50 / p50, same run)", 1, "×",
		map[string]float64{"S": 5, "M": 5, "L": 5}, true},
	{"TierReport", "ns/op", "batch report (every rule, every actor)", 1e-9, "s",
		map[string]float64{"M": 10, "L": 120}, true},
	{"TierReport", "peak-rss-MB", "batch report peak RSS", 1.0 / 1024, "GiB", map[string]float64{"M": 4}, true},
	{"TierWhoCanKind/json/stream", "rows/s", "whocan --kind, streamed JSON to a file", 1e-6, "M rows/s",
		map[string]float64{"M": 1}, false},
	{"GraphQLWhoCan/keepopen", "p99-ms", "whoCan over GraphQL, server warm, p99", 1, "ms", map[string]float64{"M": 20}, true},
}

func main() {
	tier := flag.String("tier", "S", "the tier the benchmarks ran on (XS, S, M or L)")
	commit := flag.String("commit", "", "the commit measured, named in the table's heading")
	flag.Parse()
	got, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(2)
	}
	write(os.Stdout, *tier, *commit, got)
}

// parse reads benchmark lines: name, iterations, then value-unit pairs; it
// keeps the last value of each (benchmark, unit) and echoes nothing else.
func parse(r io.Reader) (map[[2]string]float64, error) {
	got := map[[2]string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: value %q of %s is not a number", f[0], f[i], f[i+1])
			}
			got[[2]string{name, f[i+1]}] = v
		}
	}
	return got, sc.Err()
}

func write(w io.Writer, tier, commit string, got map[[2]string]float64) {
	head := "## Tier " + tier
	if commit != "" {
		head += " (commit `" + commit + "`)"
	}
	fmt.Fprintf(w, "%s\n\n| what | target | measured | |\n|---|---|---|---|\n", head)
	for _, r := range rows {
		v, ok := got[[2]string{r.bench, r.metric}]
		if !ok {
			continue
		}
		v *= r.scale
		target, verdict := "—", ""
		if lim, ok := r.limit[tier]; ok {
			op := "≥"
			met := v >= lim
			if r.atMost {
				op, met = "≤", v <= lim
			}
			target = fmt.Sprintf("%s %s %s", op, num(lim), r.unit)
			verdict = "met"
			if !met {
				verdict = "**not met**"
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s %s | %s |\n", r.what, target, num(v), r.unit, verdict)
	}
}

// num prints v with about three significant digits, never in exponent form.
func num(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}
