package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSoakAliasAttack is the load test of the hardening issue, run by
// `make soak` (REACHGRAPH_SOAK=1; CI runs it): a real `reachgraph serve` on
// a tier-S estate (10k identities) gets, twice at once, one request of 76
// aliased whoCan(kind: "journal_entry") fields, each at another instant and
// asking for evidence paths. The server must answer promptly (within its
// time limit plus a margin), cut what exceeds the per-request budget
// (complete: false, never silently) and keep its peak RSS under 1.5 GB.
func TestSoakAliasAttack(t *testing.T) {
	if os.Getenv("REACHGRAPH_SOAK") != "1" {
		t.Skip("set REACHGRAPH_SOAK=1 (make soak) to run the server load test: it generates a tier-S estate")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "reachgraph")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "reachgraph")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	store := "file:" + filepath.Join(dir, "s.db")
	bundle := filepath.Join(dir, "tier-s.json")
	for _, args := range [][]string{{"gen", "--tier", "S", "--seed", "1", "--out", bundle}, {"--store", store, "ingest", bundle}} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		require.NoError(t, err, "%v: %s", args, out)
	}
	tokens := filepath.Join(dir, "tokens")
	tokOut := filepath.Join(dir, "auditor.token")
	out, err = exec.Command(bin, "token", "eve", "auditor", "--file", tokens, "--token-out", tokOut).CombinedOutput()
	require.NoError(t, err, "%s", out)
	tb, err := os.ReadFile(tokOut)
	require.NoError(t, err)
	token := strings.TrimSpace(string(tb))

	const limit = 20 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "--store", store, "serve", "--listen", "127.0.0.1:0", "--tokens", tokens, "--timeout", limit.String())
	stdout, err := srv.StdoutPipe()
	require.NoError(t, err)
	srv.Stderr = nil
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	url := strings.TrimSpace(line[strings.Index(line, "http://"):])

	var q strings.Builder
	q.WriteString("{")
	for i := range 76 {
		at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour).Format(time.RFC3339)
		fmt.Fprintf(&q, ` a%d: whoCan(action: APPROVE, kind: "journal_entry", asOf: %q) { accesses(first: 40) { totalCount complete edges { node { identity { id } paths { hops { from edge to native } } } } } }`, i, at)
	}
	q.WriteString(" }")
	body, err := json.Marshal(map[string]string{"query": q.String()})
	require.NoError(t, err)

	type result struct {
		status   int
		elapsed  time.Duration
		complete map[bool]int
		errors   []string
		err      error
	}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				results[i] = result{err: err}
				return
			}
			defer resp.Body.Close()
			var r struct {
				Data   map[string]*struct{ Accesses struct{ Complete bool } }
				Errors []struct{ Message string }
			}
			err = json.NewDecoder(resp.Body).Decode(&r)
			res := result{status: resp.StatusCode, elapsed: time.Since(start), complete: map[bool]int{}, err: err}
			for _, e := range r.Errors {
				res.errors = append(res.errors, e.Message)
			}
			for _, a := range r.Data {
				if a != nil {
					res.complete[a.Accesses.Complete]++
				}
			}
			results[i] = res
		}()
	}
	wg.Wait()
	for i, r := range results {
		require.NoError(t, r.err, "request %d", i)
		t.Logf("request %d: status %d in %v, aliases complete %d, cut by the budget %d, errors %d %.300q", i, r.status, r.elapsed, r.complete[true], r.complete[false], len(r.errors), r.errors)
		require.Less(t, r.elapsed, limit+10*time.Second, "request %d answered promptly", i)
		require.Positive(t, r.complete[false], "request %d: the budget cut some aliases and said so", i)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", srv.Process.Pid))
	require.NoError(t, err)
	var hwm int64
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			hwm, err = strconv.ParseInt(f[1], 10, 64)
			require.NoError(t, err)
		}
	}
	t.Logf("server peak RSS: %d MB", hwm/1024)
	require.Positive(t, hwm)
	require.Less(t, hwm*1024, int64(1536)<<20, "server peak RSS under 1.5 GB")
}
