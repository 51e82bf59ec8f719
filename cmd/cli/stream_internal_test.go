package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/report"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/schema"
)

// wholeAccesses is how accesses were printed before output was streamed:
// the whole document built at once (json.Encoder, the YAML encoder,
// text/tabwriter). The streamed sinks must print exactly the same bytes.
func wholeAccesses(g *globals, w io.Writer, q query, accs []analysis.Access) error {
	if accs == nil {
		accs = []analysis.Access{}
	}
	rep := accessReport{Snapshot: string(q.s.Meta().ID), AsOf: q.at(), Accesses: accs}
	switch g.output {
	case "json":
		return writeJSON(w, rep)
	case "yaml":
		return writeYAML(w, rep)
	case "csv":
		cw := csv.NewWriter(w) // encoding/csv: the reference for report.CSVWriter
		header := []string{"identity", "resource", "action", "authorized", "effective", "critical", "path", "authentication"}
		native := len(accs) > 0 && accs[0].Native != ""
		if native {
			header = append(header, "native_action", "conditional")
		}
		_ = cw.Write(header)
		for _, a := range accs {
			row := []string{a.Identity, a.Resource, string(a.Action), fmt.Sprint(a.Authorized), fmt.Sprint(a.Effective),
				fmt.Sprint(a.Critical), formatPath(firstPath(a)), formatAuth(a.Authentication)}
			if native {
				row = append(row, a.Native, fmt.Sprint(a.Conditional))
			}
			for i, c := range row {
				row[i] = report.SafeCell(c)
			}
			_ = cw.Write(row)
		}
		cw.Flush()
		return cw.Error()
	}
	fmt.Fprintf(w, "snapshot %s  as_of %s\n", q.s.Meta().ID, q.at().Format(time.RFC3339))
	if len(accs) == 0 {
		fmt.Fprintln(w, "no access found")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "IDENTITY\tRESOURCE\tACTION\tACCESS\tCRITICAL\tAUTHENTICATION\tPATH")
	eff := 0
	for _, a := range accs {
		action := string(a.Action)
		if a.Native != "" {
			action = a.Native + " (" + action + ")"
		}
		if a.Effective {
			eff++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cells(a.Identity, a.Resource, action, accessWord(a),
			yesNo(a.Critical), g.fit(formatAuth(a.Authentication)), g.fit(formatPath(firstPath(a))))...)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d accesses: %d effective, %d latent\n", len(accs), eff, len(accs)-eff)
	return err
}

func financeQuery(t *testing.T) query {
	t.Helper()
	st, err := memstore.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	ctx := context.Background()
	_, err = ingest.Load(ctx, st, []ingest.Source{{Path: filepath.Join("..", "..", "testdata", "finance", "bundle.yaml")}},
		ingest.Options{Readers: ingest.Readers{Bundle: bundle.Read}})
	require.NoError(t, err)
	s, err := session.Open(ctx, st, "")
	require.NoError(t, err)
	return query{s: s}
}

// awkward returns accesses that stress the writers: wide and combining
// runes, control characters, long ids (cut by fit), multi-line text for
// YAML, HTML characters for JSON, formula prefixes for CSV.
func awkward(base analysis.Access) []analysis.Access {
	long := strings.Repeat("svc-ünïcode-漢字-", 40)
	var out []analysis.Access
	ascii := strings.Repeat("svc-ascii,", 20) // a path of it is over maxCell bytes, not runes
	for i, id := range []string{"a", "=cmd|' /C calc'!A0", "tab\there", "line\nbreak\r\n", "\u202eevil", "<b>&amp;</b>", long, "e\u0301",
		ascii, "\"quoted\"", "é" + ascii, ascii + ascii} {
		a := base
		a.Identity = id
		a.Effective = i%2 == 0
		a.Critical = i%3 == 0
		if i%4 == 1 {
			a.Authentication = nil
			a.Paths = nil
		}
		if i%4 != 1 { // the id in the path too: escaped, cut, quoted
			a.Paths = []analysis.Path{{{From: id, To: a.Resource, Edge: "GRANT", Action: a.Action, Native: id}}}
		}
		out = append(out, a)
	}
	return out
}

// TestStreamedOutputIsTheWholeDocument: every output form prints, access by
// access, byte for byte what building the whole document printed, on real
// answers (finance sample, a kind and a resource), awkward text, native
// answers and no answer; the table also through its temporary file.
func TestStreamedOutputIsTheWholeDocument(t *testing.T) {
	q := financeQuery(t)
	ctx := context.Background()
	kind, err := q.s.WhoCan(ctx, time.Time{}, session.WhoCan{Action: schema.ActionRead, Kind: "secret"})
	require.NoError(t, err)
	require.Greater(t, len(kind), 3)
	je, err := q.s.WhoCan(ctx, time.Time{}, session.WhoCan{Action: schema.ActionApprove, Kind: "journal_entry"})
	require.NoError(t, err)
	native := awkward(kind[0])
	for i := range native {
		native[i].Native, native[i].Conditional = "s3:GetObject", i%2 == 1
	}
	sets := map[string][]analysis.Access{
		"none": nil, "one": kind[:1], "kind": kind, "journal entries": je,
		"awkward": append(awkward(kind[0]), je...), "native": native,
	}
	for name, accs := range sets {
		for _, out := range outputs {
			for _, spill := range []int{32 << 20, 1} {
				if spill == 1 && out != "table" && out != "wide" {
					continue
				}
				t.Run(fmt.Sprintf("%s/%s/spill=%d", name, out, spill), func(t *testing.T) {
					defer func(n int) { tableSpill = n }(tableSpill)
					tableSpill = spill
					tmp := t.TempDir()
					t.Setenv("TMPDIR", tmp)
					g := &globals{output: out}
					var want, got bytes.Buffer
					require.NoError(t, wholeAccesses(g, &want, q, accs))
					g.env.Stdout = &got
					require.NoError(t, g.printAccesses(q, accs))
					require.Equal(t, want.String(), got.String())
					left, err := os.ReadDir(tmp)
					require.NoError(t, err)
					require.Empty(t, left, "the table's temporary file is removed")
				})
			}
		}
	}
}

// A failing question prints nothing.
func TestStreamedOutputFailureBeforeOutput(t *testing.T) {
	q := financeQuery(t)
	for _, out := range outputs {
		var got bytes.Buffer
		g := &globals{output: out, env: Env{Stdout: &got}}
		err := g.streamAccesses(q, false, func(func(analysis.Access) error) error { return session.ErrInvalidQuestion })
		require.ErrorIs(t, err, session.ErrInvalidQuestion)
		require.Empty(t, got.String(), out)
	}
}

// While accesses stream out the collector runs at streamGCPercent, and
// after it as before; GOGC in the environment is left alone.
func TestStreamedOutputGCPercent(t *testing.T) {
	q := financeQuery(t)
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	for _, c := range []struct {
		gogc string
		want int
	}{{"", streamGCPercent}, {"100", 100}} {
		var during int
		g := &globals{output: "json", env: Env{Stdout: io.Discard, Getenv: func(k string) string {
			if k == "GOGC" {
				return c.gogc
			}
			return ""
		}}}
		require.NoError(t, g.streamAccesses(q, false, func(func(analysis.Access) error) error {
			during = debug.SetGCPercent(-1)
			debug.SetGCPercent(during)
			return nil
		}))
		require.Equal(t, c.want, during, "GOGC=%q", c.gogc)
		require.Equal(t, 100, debug.SetGCPercent(100), "restored after")
	}
}
