package cli

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/schema"
)

// The Tier benchmarks measure the PERFORMANCE.md workloads end to end on one
// generated tier (REACHGRAPH_BENCH_TIER, default S): ingest of the JSON bundle
// into the embedded store, projection build, whocan and reach latency
// percentiles, and the ratio of the engine's searches to a plain BFS over the
// same projection from the same start nodes, all measured in one run.

type benchEnv struct {
	tier    gen.Tier
	dir     string
	bundle  string
	size    int64
	store   string
	proj    *projection.Projection
	eng     *reach.Engine
	res     []int32 // sample resources
	idents  []int32 // sample identities
	setupNs time.Duration
}

var (
	benchOnce sync.Once
	benchData *benchEnv
	benchErr  error
)

func benchSetup(b *testing.B) *benchEnv {
	b.Helper()
	benchOnce.Do(func() { benchData, benchErr = newBenchEnv() })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchData
}

func newBenchEnv() (*benchEnv, error) {
	name := os.Getenv("REACHGRAPH_BENCH_TIER")
	if name == "" {
		name = "S"
	}
	tier, err := gen.TierByName(name)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "reachgraph-bench-")
	if err != nil {
		return nil, err
	}
	env := &benchEnv{tier: tier, dir: dir, bundle: filepath.Join(dir, "bundle.json")}
	f, err := os.Create(env.bundle)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	meta := gen.Meta(tier, 1)
	jw := bundle.NewJSONWriter(bw, meta.Source, meta.CollectedAt)
	if err := gen.Generate(context.Background(), tier, 1, jw, nil); err != nil {
		return nil, err
	}
	if err := jw.Close(); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	st, _ := os.Stat(env.bundle)
	env.size = st.Size()
	env.store = filepath.Join(dir, "store.db")
	if err := env.ingest(env.store); err != nil {
		return nil, err
	}
	if err := env.build(); err != nil {
		return nil, err
	}
	env.eng = reach.New(env.proj, env.proj.Meta.AsOf())
	rng := rand.New(rand.NewPCG(7, 7))
	var res, ids []int32
	for n := range int32(env.proj.Len()) {
		switch env.proj.Kind(n) {
		case projection.Resource:
			res = append(res, n)
		case projection.Identity:
			ids = append(ids, n)
		}
	}
	for range 200 {
		env.res = append(env.res, res[rng.IntN(len(res))])
		env.idents = append(env.idents, ids[rng.IntN(len(ids))])
	}
	return env, nil
}

func (env *benchEnv) ingest(path string) error {
	// As the CLI does: the projection is stored with the snapshot.
	st, err := memstore.Open(path, memstore.WithDerived(projection.StoredName, projection.Derive))
	if err != nil {
		return err
	}
	defer st.Close()
	// Tier L's bundle (15 GB) is past the default cap on one input file.
	limits := ingest.Limits{FileBytes: max(ingest.DefaultMaxFileBytes, env.size+1)}
	_, err = ingest.Load(context.Background(), st, []ingest.Source{{Path: env.bundle}}, ingest.Options{Readers: readers(sourceConfigs{}), Limits: limits})
	return err
}

func (env *benchEnv) build() error {
	st, err := memstore.Open(env.store)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.Snapshot(context.Background(), "")
	if err != nil {
		return err
	}
	env.proj, err = projection.Build(context.Background(), r)
	return err
}

// percentiles reports p50 and p99 of ds in milliseconds.
func percentiles(b *testing.B, ds []time.Duration, prefix string) (p50 time.Duration) {
	slices.Sort(ds)
	p50 = ds[len(ds)/2]
	p99 := ds[min(len(ds)-1, len(ds)*99/100)]
	b.ReportMetric(float64(p50.Microseconds())/1000, prefix+"p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, prefix+"p99-ms")
	return p50
}

func peakRSSMB() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func BenchmarkTierIngest(b *testing.B) {
	env := benchSetup(b)
	b.SetBytes(env.size)
	b.ResetTimer()
	for i := range b.N {
		if err := env.ingest(filepath.Join(env.dir, fmt.Sprintf("ingest-%d.db", i))); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(env.proj.Meta.Counts.Total()), "records")
	b.ReportMetric(peakRSSMB(), "peak-rss-MB")
}

func BenchmarkTierProjection(b *testing.B) {
	env := benchSetup(b)
	b.ResetTimer()
	for range b.N {
		if err := env.build(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(env.proj.Edges()), "edges")
	b.ReportMetric(float64(env.proj.Bytes())/float64(env.proj.Edges()), "bytes/edge")
}

func BenchmarkTierWhoCan(b *testing.B) {
	env := benchSetup(b)
	var ds, bfs []time.Duration
	answers := 0
	b.ResetTimer()
	for range b.N {
		for i, r := range env.res {
			a := schema.Actions[i%len(schema.Actions)]
			start := time.Now()
			accs, err := env.eng.WhoCan(context.Background(), reach.WhoCanQuery{Action: a, Resource: env.proj.ID(r)})
			ds = append(ds, time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			answers += len(accs)
			start = time.Now()
			plainBFS(env.proj, env.proj.Covering(r), true)
			bfs = append(bfs, time.Since(start))
		}
	}
	b.StopTimer()
	p50 := percentiles(b, ds, "")
	bp50 := percentiles(b, bfs, "bfs-")
	b.ReportMetric(float64(answers)/float64(len(ds)), "answers/query")
	b.ReportMetric(float64(p50)/float64(max(bp50, 1)), "x-plain-bfs")
}

// BenchmarkTierColdWhoCan runs `reachgraph whocan` as a new process on the
// tier's store, as a user does: the process starts, opens the store, reads
// the stored projection, answers one resource and writes the JSON. One op is
// nine such processes on the first nine sampled resources (after one not
// counted); p50 and p99 (here: the slowest) are of their wall times.
func BenchmarkTierColdWhoCan(b *testing.B) {
	env := benchSetup(b)
	bin := filepath.Join(b.TempDir(), "reachgraph")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/reachgraph/reachgraph/cmd/reachgraph").CombinedOutput(); err != nil {
		b.Fatalf("build the command: %v\n%s", err, out)
	}
	run := func(r int32) time.Duration {
		cmd := exec.Command(bin, "--store", "file:"+env.store, "whocan", "--action", "write", "--resource", env.proj.ID(r), "-o", "json")
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%.2000s", cmd, err, out)
		}
		return time.Since(start)
	}
	run(env.res[0])
	var ds []time.Duration
	b.ResetTimer()
	for range b.N {
		for _, r := range env.res[:9] {
			ds = append(ds, run(r))
		}
	}
	b.StopTimer()
	percentiles(b, ds, "")
}

func BenchmarkTierReach(b *testing.B) {
	env := benchSetup(b)
	var ds, bfs []time.Duration
	answers := 0
	b.ResetTimer()
	for range b.N {
		for _, x := range env.idents {
			start := time.Now()
			accs, err := env.eng.Reach(context.Background(), reach.ReachQuery{Identity: env.proj.ID(x)})
			ds = append(ds, time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			answers += len(accs)
			start = time.Now()
			plainBFS(env.proj, []int32{x}, false)
			bfs = append(bfs, time.Since(start))
		}
	}
	b.StopTimer()
	p50 := percentiles(b, ds, "")
	bp50 := percentiles(b, bfs, "bfs-")
	b.ReportMetric(float64(answers)/float64(len(ds)), "answers/query")
	b.ReportMetric(float64(p50)/float64(max(bp50, 1)), "x-plain-bfs")
}

// plainBFS is the yardstick: an unweighted BFS over every edge the engine's
// authorization search may use (memberships, delegations, grants, credential
// storage and ownership, containment), with no semantics at all, forwards
// from the start nodes or backwards when reverse is set.
func plainBFS(p *projection.Projection, start []int32, reverse bool) int {
	seen := make([]bool, p.Len())
	queue := append([]int32(nil), start...)
	for _, s := range start {
		seen[s] = true
	}
	visit := func(n int32) {
		if !seen[n] {
			seen[n] = true
			queue = append(queue, n)
		}
	}
	for i := 0; i < len(queue); i++ {
		v := queue[i]
		if reverse {
			for _, m := range p.MemberIn.Of(v) {
				visit(m)
			}
			for _, gi := range p.GrantIn.Of(v) {
				visit(p.Grants[gi].Principal)
			}
			for _, di := range p.DelegIn.Of(v) {
				visit(p.Delegs[di].From)
			}
			for _, ci := range p.CredsOf.Of(v) {
				visit(p.CredNode(ci))
			}
			if p.Kind(v) == projection.Credential {
				if loc := p.Creds[v-p.CredBase()].StoredIn; loc != projection.None {
					visit(loc)
				}
			}
			if p.Kind(v) == projection.Resource {
				if par := p.Parent(v); par != projection.None {
					visit(par)
				}
				visit(p.SystemOf(v))
			}
			continue
		}
		for _, g := range p.MemberOut.Of(v) {
			visit(g)
		}
		for _, gi := range p.GrantOut.Of(v) {
			visit(p.Grants[gi].Target)
		}
		for _, di := range p.DelegOut.Of(v) {
			visit(p.Delegs[di].To)
		}
		for _, c := range p.Children.Of(v) {
			visit(c)
		}
		for _, c := range p.SysRes.Of(v) {
			visit(c)
		}
		for _, ci := range p.StoredAt.Of(v) {
			visit(p.CredNode(ci))
		}
		if p.Kind(v) == projection.Credential {
			visit(p.Creds[v-p.CredBase()].Owner)
		}
	}
	return len(queue)
}

var _ graph.Store = (*memstore.Store)(nil)

// TestMain removes the tier benchmarks' generated bundle and stores (GBs at tier M).
func TestMain(m *testing.M) {
	code := m.Run()
	if benchData != nil {
		os.RemoveAll(benchData.dir)
	}
	os.Exit(code)
}

// BenchmarkTierReport measures the batch report (PERFORMANCE.md: all
// critical accesses + the built-in SoD, toxic-path and hygiene rules) on the
// stored snapshot, projection build included, as `reachgraph report` runs it.
//
// Above tier S it runs only with REACHGRAPH_BENCH_REPORT=1: the report holds
// every finding in memory (about 0.6 GB at tier S, and the accesses grow
// about 100× per tier), which does not fit this machine at tier M yet.
func BenchmarkTierReport(b *testing.B) {
	if t := os.Getenv("REACHGRAPH_BENCH_TIER"); t != "" && t != "S" && t != "XS" && os.Getenv("REACHGRAPH_BENCH_REPORT") != "1" {
		b.Skipf("tier %s report needs REACHGRAPH_BENCH_REPORT=1 (about ten minutes at tier M; see docs/reports.md)", t)
	}
	env := benchSetup(b)
	rs, err := rules.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	st, err := memstore.Open(env.store)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var findings atomic.Int64
	b.ResetTimer()
	for range b.N {
		s, err := session.Open(context.Background(), st, "", session.WithRuleRecords())
		if err != nil {
			b.Fatal(err)
		}
		// As `report` does: findings are streamed (counted here, spooled
		// there), never all held.
		findings.Store(0)
		_, err = s.StreamFindings(context.Background(), rs, time.Time{}, func(fs []rules.Finding) error {
			findings.Add(int64(len(fs)))
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(findings.Load()), "findings")
	b.ReportMetric(peakRSSMB(), "peak-rss-MB")
}
