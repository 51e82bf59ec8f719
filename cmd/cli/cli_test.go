package cli_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/cmd/cli"
	"github.com/reachgraph/reachgraph/schema/gqlserver"
)

var update = flag.Bool("update", false, "rewrite golden files")

const finance = "../../testdata/finance/bundle.yaml"

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	root := cli.NewRoot(cli.Env{Stdout: &out, Stderr: &errb})
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return out.String(), errb.String(), cli.ExitOK
	}
	var ee *cli.ExitError
	code = cli.ExitUsage
	if errors.As(err, &ee) {
		code = ee.Code
	}
	return out.String(), errb.String() + err.Error(), code
}

func newStore(t *testing.T) string { return "file:" + filepath.Join(t.TempDir(), "rg.db") }

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing: run go test ./cmd/cli -update and read the diff")
	require.Equal(t, string(want), got, "golden %s differs: run with -update and read the diff", name)
}

func TestMalformedBundleChangesNothing(t *testing.T) {
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	before, _, code := run(t, "--store", store, "snapshots", "-o", "json")
	require.Equal(t, cli.ExitOK, code)

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte(`format: reachgraph/v1
source: broken
systems:
  - {id: sap, sox_scope: true}
identities:
  - {id: bob, type: human, password: hunter2}
  - {id: eve, type: robot}
grants:
  - {principal: bob, action: aprove, resource: sap}
  - {principal: nobody, action: read, resource: sap}
`), 0o600))
	_, stderr, code = run(t, "--store", store, "ingest", bad)
	require.Equal(t, cli.ExitUsage, code)
	for _, want := range []string{"bad.yaml:6", "password", "bad.yaml:7", "robot", "bad.yaml:9", "aprove", "bad.yaml:10", "nobody"} {
		require.Contains(t, stderr, want)
	}
	require.NotContains(t, stderr, "hunter2", "a secret value must never be printed")
	after, _, code := run(t, "--store", store, "snapshots", "-o", "json")
	require.Equal(t, cli.ExitOK, code)
	require.Equal(t, before, after, "a failed ingest must leave the snapshots unchanged")
}

func TestExitCodes(t *testing.T) {
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	tests := []struct {
		name string
		args []string
		code int
		// stderr, when set, must appear in the error message.
		stderr string
	}{
		{name: "ok", args: []string{"whocan", "--action", "approve", "--resource", "sap:fi:je"}, code: cli.ExitOK},
		{name: "kind typo", args: []string{"whocan", "--action", "approve", "--kind", "journal_entries"}, code: cli.ExitUsage,
			stderr: `unknown kind "journal_entries" (did you mean "journal_entry"?)`},
		{name: "resource typo", args: []string{"whocan", "--action", "approve", "--resource", "sap:fi:jee"}, code: cli.ExitUsage,
			stderr: `(did you mean "sap:fi:je"?)`},
		{name: "system typo", args: []string{"whocan", "--action", "approve", "--kind", "journal_entry", "--system", "sapp"}, code: cli.ExitUsage,
			stderr: `unknown system "sapp"`},
		{name: "paths identity typo", args: []string{"paths", "--from", "bob.kk", "--resource", "sap:fi:je", "--action", "approve"}, code: cli.ExitUsage,
			stderr: `(did you mean "bob.k"?)`},
		{name: "bare date as-of", args: []string{"--as-of", "2026-10-31", "reach", "--identity", "bob.k"}, code: cli.ExitOK},
		{name: "ls kinds", args: []string{"ls", "kinds"}, code: cli.ExitOK},
		{name: "ls what", args: []string{"ls", "kind"}, code: cli.ExitUsage, stderr: "want one of kinds, systems, identities, resources"},
		{name: "ls bad type", args: []string{"ls", "identities", "--type", "robot"}, code: cli.ExitUsage},
		{name: "ls unknown kind", args: []string{"ls", "resources", "--kind", "nope"}, code: cli.ExitUsage},
		{name: "unknown flag", args: []string{"whocan", "--bogus"}, code: cli.ExitUsage},
		{name: "bad action", args: []string{"whocan", "--action", "aprove", "--resource", "sap:fi:je"}, code: cli.ExitUsage},
		{name: "unknown resource", args: []string{"whocan", "--action", "approve", "--resource", "nope"}, code: cli.ExitUsage},
		{name: "both resource and kind", args: []string{"whocan", "--action", "approve", "--resource", "x", "--kind", "y"}, code: cli.ExitUsage},
		{name: "unknown identity", args: []string{"reach", "--identity", "nope"}, code: cli.ExitUsage},
		{name: "bad as-of", args: []string{"--as-of", "yesterday", "reach", "--identity", "bob.k"}, code: cli.ExitUsage},
		{name: "unknown snapshot", args: []string{"--snapshot", "s-ffff", "reach", "--identity", "bob.k"}, code: cli.ExitUsage},
		{name: "bad output", args: []string{"-o", "xml", "snapshots"}, code: cli.ExitUsage},
		{name: "missing file", args: []string{"ingest", "/nonexistent/bundle.yaml"}, code: cli.ExitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := run(t, append([]string{"--store", store}, tc.args...)...)
			require.Equal(t, tc.code, code, stderr)
			require.Contains(t, stderr, tc.stderr)
		})
	}
}

// TestWhoCanJSONShape pins the public JSON of whocan on the finance sample
// (SPEC §5.1). Golden file: read its diff by hand when it changes.
func TestWhoCanJSONShape(t *testing.T) {
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	out, stderr, code := run(t, "--store", store, "-o", "json", "whocan", "--action", "approve", "--resource", "sap:fi:je")
	require.Equal(t, cli.ExitOK, code, stderr)
	var rep struct {
		Snapshot string           `json:"snapshot"`
		AsOf     string           `json:"as_of"`
		Accesses []map[string]any `json:"accesses"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.True(t, strings.HasPrefix(rep.Snapshot, "s-"))
	require.Equal(t, "2026-10-31T00:00:00Z", rep.AsOf)
	require.NotEmpty(t, rep.Accesses)
	for _, a := range rep.Accesses {
		for _, k := range []string{"identity", "resource", "action", "authorized", "effective", "paths"} {
			require.Contains(t, a, k)
		}
	}
	golden(t, "whocan-approve-je.json", out)
	table, _, code := run(t, "--store", store, "whocan", "--action", "approve", "--resource", "sap:fi:je")
	require.Equal(t, cli.ExitOK, code)
	golden(t, "whocan-approve-je.txt", table)
}

func TestSnapshotsAndSelection(t *testing.T) {
	store := newStore(t)
	out, _, code := run(t, "--store", store, "snapshots")
	require.Equal(t, cli.ExitOK, code)
	require.Contains(t, out, "no snapshots")
	_, stderr, code := run(t, "--store", store, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	_, stderr, code = run(t, "--store", store, "ingest", "../../testdata/rules/r1-principal-set/bundle.yaml")
	require.Equal(t, cli.ExitOK, code, stderr)
	out, _, code = run(t, "--store", store, "snapshots", "-o", "json")
	require.Equal(t, cli.ExitOK, code)
	var list struct {
		Snapshots []struct {
			ID     string         `json:"id"`
			Counts map[string]int `json:"counts"`
		} `json:"snapshots"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	require.Len(t, list.Snapshots, 2)
	first := list.Snapshots[0].ID
	require.Equal(t, 42, list.Snapshots[0].Counts["identities"])
	// the newest snapshot (r1) has no sap:fi:je; the older one answers with --snapshot
	_, _, code = run(t, "--store", store, "whocan", "--action", "approve", "--resource", "sap:fi:je")
	require.Equal(t, cli.ExitUsage, code)
	_, stderr, code = run(t, "--store", store, "--snapshot", first[:8], "whocan", "--action", "approve", "--resource", "sap:fi:je")
	require.Equal(t, cli.ExitOK, code, stderr)
	// re-ingesting identical content lands no new snapshot
	_, _, code = run(t, "--store", store, "ingest", finance)
	require.Equal(t, cli.ExitOK, code)
	out, _, _ = run(t, "--store", store, "snapshots", "-o", "json")
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	require.Len(t, list.Snapshots, 2)
}

func TestAsOfChangesEffectiveNotAuthorized(t *testing.T) {
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	count := func(asOf string) (authorized, effective int) {
		for _, q := range [][]string{{"approve", "bank:pay:release"}, {"write", "sap:fi:je"}} {
			out, stderr, code := run(t, "--store", store, "--as-of", asOf, "-o", "json", "whocan", "--action", q[0], "--resource", q[1])
			require.Equal(t, cli.ExitOK, code, stderr)
			var rep struct {
				Accesses []struct {
					Effective bool `json:"effective"`
				} `json:"accesses"`
			}
			require.NoError(t, json.Unmarshal([]byte(out), &rep))
			for _, a := range rep.Accesses {
				authorized++
				if a.Effective {
					effective++
				}
			}
		}
		return authorized, effective
	}
	a1, e1 := count("2026-10-31T00:00:00Z")
	a2, e2 := count("2035-01-01T00:00:00Z")
	require.Positive(t, a2)
	require.LessOrEqual(t, e2, e1, "credentials only expire as time passes")
	require.LessOrEqual(t, a2, a1, "grants only expire as time passes")
	require.Less(t, e2, e1, "by 2035 the bank certificates of the sample have expired")
	require.Less(t, a2, a1, "by 2035 victor.e's project grant on journal entries has expired")
}

func TestDemoEmbedsFinanceSample(t *testing.T) {
	want, err := os.ReadFile(finance)
	require.NoError(t, err)
	got, err := os.ReadFile("demodata/finance.yaml")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "cmd/cli/demodata/finance.yaml must be a copy of testdata/finance/bundle.yaml")
}

func TestDemoEmbedsSAPSample(t *testing.T) {
	entries, err := os.ReadDir("demodata/sap")
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		want, err := os.ReadFile(filepath.Join("../../testdata/sap", e.Name()))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join("demodata/sap", e.Name()))
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "cmd/cli/demodata/sap/%s must be a copy of testdata/sap/%s", e.Name(), e.Name())
	}
}

func TestDemo(t *testing.T) {
	out, stderr, code := run(t, "--store", newStore(t), "demo")
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Contains(t, out, "Who can approve journal entries?")
	require.Contains(t, out, "latent")
	require.Contains(t, out, "Riskiest non-human identity")
	require.Contains(t, out, "Who can approve journal entries in SAP company code 1000? 5 effective, 2 latent")
	require.Contains(t, out, "How can the CI workload k8s:prod:sa:ci/ledger-sync approve journal entries in SAP company code 1000? effective")
	golden(t, "demo.txt", out)
}

// TestHopEvidence: a delegation's native text and a grant's conditional flag,
// given in a YAML, JSON or CSV bundle, show on the CAN_ACT_AS and GRANT hops of
// a whocan answer, in JSON and in the table.
func TestHopEvidence(t *testing.T) {
	const yamlBundle = `format: reachgraph/v1
source: hop-evidence
collected_at: 2026-10-31T00:00:00Z
systems: [{id: sap}]
resources: [{id: "sap:je", system: sap}]
identities: [{id: alice, type: human}, {id: svc, type: service_account}]
grants:
  - {principal: svc, action: write, resource: "sap:je", native: F_BKPF, conditional: true}
delegations:
  - {from: alice, to: svc, kind: impersonate, system: sap, native: "SU01 \"impersonation\""}
`
	const jsonBundle = `{"format": "reachgraph/v1", "source": "hop-evidence", "collected_at": "2026-10-31T00:00:00Z",
 "systems": [{"id": "sap"}], "resources": [{"id": "sap:je", "system": "sap"}],
 "identities": [{"id": "alice", "type": "human"}, {"id": "svc", "type": "service_account"}],
 "grants": [{"principal": "svc", "action": "write", "resource": "sap:je", "native": "F_BKPF", "conditional": true}],
 "delegations": [{"from": "alice", "to": "svc", "kind": "impersonate", "system": "sap", "native": "SU01 \"impersonation\""}]}
`
	csvFiles := map[string]string{
		"bundle.csv":      "format,source,collected_at\nreachgraph/v1,hop-evidence,2026-10-31T00:00:00Z\n",
		"systems.csv":     "id\nsap\n",
		"resources.csv":   "id,system\nsap:je,sap\n",
		"identities.csv":  "id,type\nalice,human\nsvc,service_account\n",
		"grants.csv":      "principal,action,resource,native,conditional\nsvc,write,sap:je,F_BKPF,true\n",
		"delegations.csv": "from,to,kind,system,native\nalice,svc,impersonate,sap,\"SU01 \"\"impersonation\"\"\"\n",
	}
	tests := []struct {
		name  string
		write func(dir string) string
	}{
		{name: "yaml", write: func(dir string) string { return writeFile(t, dir, "b.yaml", yamlBundle) }},
		{name: "json", write: func(dir string) string { return writeFile(t, dir, "b.json", jsonBundle) }},
		{name: "csv", write: func(dir string) string {
			for name, body := range csvFiles {
				writeFile(t, dir, name, body)
			}
			return dir
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			_, stderr, code := run(t, "--store", store, "ingest", tc.write(t.TempDir()))
			require.Equal(t, cli.ExitOK, code, stderr)
			out, stderr, code := run(t, "--store", store, "-o", "json", "whocan", "--action", "write", "--resource", "sap:je")
			require.Equal(t, cli.ExitOK, code, stderr)
			var rep struct {
				Accesses []struct {
					Identity string             `json:"identity"`
					Paths    [][]map[string]any `json:"paths"`
				} `json:"accesses"`
			}
			require.NoError(t, json.Unmarshal([]byte(out), &rep))
			paths := map[string][]map[string]any{}
			for _, a := range rep.Accesses {
				paths[a.Identity] = a.Paths[0]
			}
			require.Equal(t, []map[string]any{
				{"from": "alice", "edge": "CAN_ACT_AS", "to": "svc", "kind": "impersonate", "system": "sap",
					"native": `SU01 "impersonation"`},
				{"from": "svc", "edge": "GRANT", "to": "sap:je", "action": "write", "native": "F_BKPF", "conditional": true},
			}, paths["alice"])
			require.Equal(t, []map[string]any{
				{"from": "svc", "edge": "GRANT", "to": "sap:je", "action": "write", "native": "F_BKPF", "conditional": true},
			}, paths["svc"])

			table, stderr, code := run(t, "--store", store, "whocan", "--action", "write", "--resource", "sap:je")
			require.Equal(t, cli.ExitOK, code, stderr)
			require.Contains(t, table,
				`alice -CAN_ACT_AS("SU01 \"impersonation\"")@sap-> svc -GRANT(write "F_BKPF", conditional)-> sap:je`)
		})
	}
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}

// TestLs: ls lists what the snapshot holds, with a count line under the
// table; the numbers are those of the finance sample's bundle.
func TestLs(t *testing.T) {
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	out, stderr, code := run(t, "--store", store, "ls", "kinds")
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Regexp(t, `(?m)^journal_entry +2$`, out)
	require.Regexp(t, `(?m)^22 kinds$`, out)
	out, _, code = run(t, "--store", store, "ls", "identities", "--type", "ai_agent", "-o", "csv")
	require.Equal(t, cli.ExitOK, code)
	require.Equal(t, "id,name,type,status\nai-fpa-copilot,FP&A copilot,ai_agent,active\n"+
		"ai-recon-agent,Bank-to-GL reconciliation agent (pilot),ai_agent,active\n", out)
	out, _, code = run(t, "--store", store, "ls", "resources", "--kind", "journal_entry", "-o", "json")
	require.Equal(t, cli.ExitOK, code)
	var rows []map[string]string
	require.NoError(t, json.Unmarshal([]byte(out), &rows))
	require.Len(t, rows, 2)
	for _, r := range rows {
		require.Equal(t, "journal_entry", r["kind"])
	}
}

// TestVersion: version and --version name this binary's build.
func TestVersion(t *testing.T) {
	out, stderr, code := run(t, "version", "-o", "json")
	require.Equal(t, cli.ExitOK, code, stderr)
	var b cli.BuildInfo
	require.NoError(t, json.Unmarshal([]byte(out), &b))
	require.Equal(t, runtime.Version(), b.GoVersion)
	require.Equal(t, runtime.GOOS+"/"+runtime.GOARCH, b.Platform)
	require.NotEmpty(t, b.Version)
	require.NotEmpty(t, b.Commit)
	out, _, code = run(t, "--version")
	require.Equal(t, cli.ExitOK, code)
	require.Equal(t, cli.Build().String()+"\n", out)
	require.True(t, strings.HasPrefix(out, "reachgraph "+b.Version+" commit "+b.Commit))
}

// TestTokenFile: token --file appends the digest line to a 0600 file and
// never writes the token itself there; --token-out never overwrites.
func TestTokenFile(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	_, stderr, code := run(t, "token", "alice", "auditor", "--file", tokens)
	require.Equal(t, cli.ExitOK, code, stderr)
	tok := strings.TrimSpace(stderr[strings.LastIndex(stderr[:strings.Index(stderr, "\n")], " "):strings.Index(stderr, "\n")])
	require.True(t, strings.HasPrefix(tok, "rg_"), stderr)
	_, _, code = run(t, "token", "ci", "admin", "--file", tokens, "--token-out", filepath.Join(dir, "ci.token"))
	require.Equal(t, cli.ExitOK, code)
	b, err := os.ReadFile(tokens)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, lines, 2)
	require.Equal(t, "alice auditor "+gqlserver.TokenDigest(tok), lines[0])
	require.NotContains(t, string(b), tok)
	st, err := os.Stat(tokens)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	ci, err := os.ReadFile(filepath.Join(dir, "ci.token"))
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(lines[1], gqlserver.TokenDigest(strings.TrimSpace(string(ci)))))
	_, stderr, code = run(t, "token", "ci", "admin", "--token-out", filepath.Join(dir, "ci.token"))
	require.Equal(t, cli.ExitUsage, code, "an existing token file is not overwritten: %s", stderr)
}

// TestOutputConventions: -o yaml carries the JSON field names, --jq filters
// the JSON form (strings raw, as jq -r), tables end with a count line, and
// a bad expression or combination is a usage error.
func TestOutputConventions(t *testing.T) {
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	base := []string{"--store", store, "whocan", "--action", "approve", "--resource", "sap:fi:je"}

	js, _, code := run(t, append(base, "-o", "json")...)
	require.Equal(t, cli.ExitOK, code)
	var rep struct {
		Accesses []struct {
			Identity  string `json:"identity"`
			Effective bool   `json:"effective"`
		} `json:"accesses"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &rep))
	require.NotEmpty(t, rep.Accesses)

	y, _, code := run(t, append(base, "-o", "yaml")...)
	require.Equal(t, cli.ExitOK, code)
	var fromYAML map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(y), &fromYAML))
	var fromJSON map[string]any
	require.NoError(t, json.Unmarshal([]byte(js), &fromJSON))
	require.Equal(t, fromJSON["snapshot"], fromYAML["snapshot"])
	require.Len(t, fromYAML["accesses"], len(rep.Accesses))

	ids, _, code := run(t, append(base, "--jq", ".accesses[] | select(.effective | not) | .identity")...)
	require.Equal(t, cli.ExitOK, code)
	var want []string
	for _, a := range rep.Accesses {
		if !a.Effective {
			want = append(want, a.Identity)
		}
	}
	require.NotEmpty(t, want)
	require.Equal(t, strings.Join(want, "\n")+"\n", ids)

	n, _, code := run(t, append(base, "--jq", ".accesses | length")...)
	require.Equal(t, cli.ExitOK, code)
	require.Equal(t, fmt.Sprintf("%d\n", len(rep.Accesses)), n)

	table, _, code := run(t, base...)
	require.Equal(t, cli.ExitOK, code)
	require.True(t, strings.HasSuffix(table, fmt.Sprintf("%d accesses: %d effective, %d latent\n",
		len(rep.Accesses), len(rep.Accesses)-len(want), len(want))), table)
	wide, _, code := run(t, append(base, "-o", "wide")...)
	require.Equal(t, cli.ExitOK, code)
	require.NotContains(t, wide, "…", "-o wide cuts nothing")
	require.GreaterOrEqual(t, len(wide), len(table))

	_, stderr, code = run(t, append(base, "--jq", ".accesses[")...)
	require.Equal(t, cli.ExitUsage, code, stderr)
	_, stderr, code = run(t, append(base, "--jq", ".", "-o", "csv")...)
	require.Equal(t, cli.ExitUsage, code, stderr)
	_, stderr, code = run(t, append(base, "-o", "xml")...)
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, "table, wide, json, yaml, csv")
}

// TestFlagCompletion: flag values complete from fixed lists and from the
// store (cobra's hidden __complete command is what shells call).
func TestFlagCompletion(t *testing.T) {
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	for _, c := range []struct {
		args []string
		want []string
		not  []string
	}{
		{args: []string{"whocan", "--action", "ap"}, want: []string{"approve"}},
		{args: []string{"whocan", "--action", "approve", "--kind", "journal"}, want: []string{"journal_entry"}, not: []string{"vendor_master"}},
		{args: []string{"reach", "--identity", "svc-sap"}, want: []string{"svc-sap-batch"}},
		{args: []string{"report", "--format", ""}, want: []string{"json", "csv", "md", "html"}},
		{args: []string{"ingest", "--format", ""}, want: []string{"bundle", "aws-iam", "sap"}},
		{args: []string{"-o", ""}, want: []string{"table", "wide", "json", "yaml", "csv"}},
	} {
		out, _, code := run(t, append([]string{"--store", store, "__complete"}, c.args...)...)
		require.Equal(t, cli.ExitOK, code, "%v", c.args)
		lines := strings.Split(out, "\n")
		for _, w := range c.want {
			require.Contains(t, lines, w, "%v", c.args)
		}
		for _, n := range c.not {
			require.NotContains(t, lines, n, "%v", c.args)
		}
	}
}
