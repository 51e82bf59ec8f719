package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/analysis"
)

// expectFile is the format of testdata/**/expect.yaml: hand-checked answers.
type expectFile struct {
	AsOf   string `yaml:"as_of"`
	WhoCan []struct {
		Action           string                 `yaml:"action"`
		Resource         string                 `yaml:"resource"`
		Kind             string                 `yaml:"kind"`
		System           string                 `yaml:"system"`
		Expect           []expectWho            `yaml:"expect"`
		ExpectByResource map[string][]expectWho `yaml:"expect_by_resource"`
	} `yaml:"whocan"`
	Reach []struct {
		Identity string        `yaml:"identity"`
		Actions  []string      `yaml:"actions"`
		Expect   []expectReach `yaml:"expect"`
	} `yaml:"reach"`
	Actors   [][]string      `yaml:"actors"`
	SOXScope map[string]bool `yaml:"sox_scope"`
}

type expectWho struct {
	Identity   string `yaml:"identity"`
	Effective  bool   `yaml:"effective"`
	PathLength int    `yaml:"path_length"`
}

type expectReach struct {
	Resource   string `yaml:"resource"`
	Action     string `yaml:"action"`
	Effective  bool   `yaml:"effective"`
	Critical   *bool  `yaml:"critical"`
	PathLength int    `yaml:"path_length"`
}

// cliRun runs the CLI in-process and returns stdout, stderr and the exit code.
func cliRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	root := NewRoot(Env{Stdout: &out, Stderr: &errb})
	root.SetArgs(args)
	err := root.Execute()
	code := ExitOK
	if err != nil {
		code = ExitUsage
		if ee, ok := err.(*ExitError); ok {
			code = ee.Code
		}
		errb.WriteString(err.Error())
	}
	return out.String(), errb.String(), code
}

func fixtureDirs(t *testing.T) []string {
	dirs, err := filepath.Glob("../../testdata/rules/*")
	require.NoError(t, err)
	dirs = append(dirs, "../../testdata/finance")
	var out []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "expect.yaml")); err == nil {
			out = append(out, d)
		}
	}
	require.NotEmpty(t, out, "no fixtures found")
	return out
}

// fixture is one expect file of a fixture directory.
type fixture struct{ name, dir, expect string }

// fixtureFiles lists expect.yaml of every fixture directory and any further
// expect-*.yaml next to it (the same bundle's answers at another as_of).
func fixtureFiles(t *testing.T) []fixture {
	var out []fixture
	for _, dir := range fixtureDirs(t) {
		files, err := filepath.Glob(filepath.Join(dir, "expect*.yaml"))
		require.NoError(t, err)
		for _, f := range files {
			name := filepath.Base(dir)
			if b := filepath.Base(f); b != "expect.yaml" {
				name += "/" + strings.TrimSuffix(b, ".yaml")
			}
			out = append(out, fixture{name: name, dir: dir, expect: f})
		}
	}
	return out
}

// TestFixtures runs every hand-checked fixture through the CLI (ingest into a
// fresh embedded store, then whocan/reach/paths -o json) and compares the
// answers with expect.yaml (and expect-*.yaml) exactly: the complete
// authorized set, effective flags, critical flags and shortest path lengths.
func TestFixtures(t *testing.T) {
	for _, fx := range fixtureFiles(t) {
		dir := fx.dir
		t.Run(fx.name, func(t *testing.T) {
			raw, err := os.ReadFile(fx.expect)
			require.NoError(t, err)
			var exp expectFile
			require.NoError(t, yaml.Unmarshal(raw, &exp))
			store := "file:" + filepath.Join(t.TempDir(), "rg.db")
			_, stderr, code := cliRun(t, "--store", store, "ingest", filepath.Join(dir, "bundle.yaml"))
			require.Equal(t, ExitOK, code, stderr)
			base := []string{"--store", store, "-o", "json"}
			if exp.AsOf != "" {
				base = append(base, "--as-of", exp.AsOf)
			}
			for _, w := range exp.WhoCan {
				args := append(append([]string{}, base...), "whocan", "--action", w.Action)
				if w.Resource != "" {
					args = append(args, "--resource", w.Resource)
				} else {
					args = append(args, "--kind", w.Kind)
					if w.System != "" {
						args = append(args, "--system", w.System)
					}
				}
				rep := runAccesses(t, args)
				if w.Resource != "" {
					checkWho(t, base, w.Resource, w.Action, w.Expect, rep.Accesses)
					continue
				}
				byRes := map[string][]analysis.Access{}
				for _, a := range rep.Accesses {
					byRes[a.Resource] = append(byRes[a.Resource], a)
				}
				for r, want := range w.ExpectByResource {
					if len(want) == 0 {
						require.Empty(t, byRes[r], "whocan %s --kind %s: %s", w.Action, w.Kind, r)
					}
					checkWho(t, base, r, w.Action, want, byRes[r])
					delete(byRes, r)
				}
				for r, accs := range byRes {
					require.Empty(t, accs, "whocan %s --kind %s: unexpected resource %s", w.Action, w.Kind, r)
				}
			}
			for _, r := range exp.Reach {
				args := append(append([]string{}, base...), "reach", "--identity", r.Identity)
				for _, a := range r.Actions {
					args = append(args, "--action", a)
				}
				rep := runAccesses(t, args)
				got := map[string]analysis.Access{}
				for _, a := range rep.Accesses {
					got[a.Resource+"|"+string(a.Action)] = a
				}
				var wantKeys, gotKeys []string
				for _, e := range r.Expect {
					wantKeys = append(wantKeys, e.Resource+"|"+e.Action)
				}
				for k := range got {
					gotKeys = append(gotKeys, k)
				}
				sort.Strings(wantKeys)
				sort.Strings(gotKeys)
				require.Equal(t, wantKeys, gotKeys, "reach %s: authorized set", r.Identity)
				for _, e := range r.Expect {
					a := got[e.Resource+"|"+e.Action]
					require.Equal(t, e.Effective, a.Effective, "reach %s: %s %s effective", r.Identity, e.Action, e.Resource)
					if e.Critical != nil {
						require.Equal(t, *e.Critical, a.Critical, "reach %s: %s %s critical", r.Identity, e.Action, e.Resource)
					}
					if e.PathLength > 0 {
						require.Equal(t, e.PathLength, shortestLen(t, base, r.Identity, e.Resource, e.Action),
							"reach %s: %s %s shortest path", r.Identity, e.Action, e.Resource)
						if !a.Effective {
							require.Len(t, a.Paths[0], e.PathLength, "reach %s: latent evidence path is a shortest one", r.Identity)
						}
					}
				}
			}
			s := openFixtureSession(t, store, exp.AsOf)
			if exp.Actors != nil {
				want := exp.Actors
				if len(want) == 0 {
					want = nil
				}
				require.Equal(t, want, s.engine.Actors(), "actors (R7)")
			}
			for r, want := range exp.SOXScope {
				got, err := s.engine.InSOXScope(r)
				require.NoError(t, err)
				require.Equal(t, want, got, "sox_scope of %s (R8)", r)
			}
		})
	}
}

func runAccesses(t *testing.T, args []string) accessReport {
	t.Helper()
	out, stderr, code := cliRun(t, args...)
	require.Equal(t, ExitOK, code, "%s: %s", strings.Join(args, " "), stderr)
	var rep accessReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	return rep
}

func checkWho(t *testing.T, base []string, resource, action string, want []expectWho, got []analysis.Access) {
	t.Helper()
	gotSet := map[string]analysis.Access{}
	var gotIDs, wantIDs []string
	for _, a := range got {
		require.Equal(t, resource, a.Resource)
		require.Equal(t, action, string(a.Action), "the action reported is the one asked")
		require.True(t, a.Authorized)
		require.NotEmpty(t, a.Paths, "every access carries a path")
		_, dup := gotSet[a.Identity]
		require.False(t, dup, "whocan %s %s lists %s twice", action, resource, a.Identity)
		gotSet[a.Identity] = a
		gotIDs = append(gotIDs, a.Identity)
	}
	for _, w := range want {
		wantIDs = append(wantIDs, w.Identity)
	}
	sort.Strings(wantIDs)
	require.Equal(t, wantIDs, gotIDs, "whocan %s %s: authorized identities (sorted)", action, resource)
	for _, w := range want {
		a := gotSet[w.Identity]
		require.Equal(t, w.Effective, a.Effective, "whocan %s %s: %s effective", action, resource, w.Identity)
		if a.Effective {
			require.NotNil(t, a.Authentication, "effective access carries its authentication")
		} else {
			require.Nil(t, a.Authentication)
		}
		if w.PathLength > 0 {
			require.Equal(t, w.PathLength, shortestLen(t, base, w.Identity, resource, action),
				"whocan %s %s: %s shortest path", action, resource, w.Identity)
			if !a.Effective {
				require.Len(t, a.Paths[0], w.PathLength, "whocan %s %s: %s latent evidence path is a shortest one", action, resource, w.Identity)
			}
		}
	}
}

func shortestLen(t *testing.T, base []string, from, resource, action string) int {
	t.Helper()
	args := append(append([]string{}, base...), "paths", "--from", from, "--resource", resource, "--action", action)
	out, stderr, code := cliRun(t, args...)
	require.Equal(t, ExitOK, code, stderr)
	var rep pathsReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.NotEmpty(t, rep.Paths, "paths %s -> %s %s", from, action, resource)
	return len(rep.Paths[0])
}

func openFixtureSession(t *testing.T, store, asOf string) *session {
	t.Helper()
	g := &globals{env: Env{Getenv: func(string) string { return "" }}, store: store, asOf: asOf}
	s, err := g.openEngine(t.Context())
	require.NoError(t, err)
	return s
}

var _ = time.Second
