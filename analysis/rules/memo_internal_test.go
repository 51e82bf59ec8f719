package rules

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach/reachtest"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// TestMemoizedEqualsPlain: remembering predicate results per value of the
// fields they read changes no finding, on a generated estate (every identity
// type, exposures, delegations, stale credentials) with the built-in rules
// and with rules reading whole lists and hops.
func TestMemoizedEqualsPlain(t *testing.T) {
	snap := generated(t, "XS", 3)

	rs, err := Builtin()
	require.NoError(t, err)
	extra, err := Parse([]byte(`rules:
  - id: TEST-HOPS
    kind: toxic_path
    title: path through a delegation hop with a system
    severity: low
    when: 'access.critical && path.hops.exists(h, h.edge == "CAN_ACT_AS" && h.system != "") && path.length > 2'
  - id: TEST-HOPS-TO
    kind: toxic_path
    title: a hop's endpoint, which differs between the paths of one identity of equal length
    severity: low
    when: 'access.critical && path.hops.exists(h, h.edge == "MEMBER_OF" && h.to.endsWith("1"))'
  - id: TEST-CREDS
    kind: toxic_path
    title: stale credential of another identity on the path
    severity: low
    when: 'path.credentials.exists(c, c.past_rotation && c.identity != identity.id) && access.effective'
  - id: TEST-ACCESS
    kind: toxic_path
    title: every access field
    severity: low
    when: 'access.sox && access.resource_kind != "" && access.system != "" && access.authorized && access.resource != "" && access.action != "read" && !path.through_delegation && path.authentication.via == "credential"'
  - id: TEST-ELEM-MIXED
    kind: toxic_path
    title: the list of identities read as a range and as a whole list
    severity: low
    when: 'access.critical && path.identities.exists(i, i.id != identity.id && i.active) && size(path.identities) > 1'
  - id: TEST-ELEM-SHADOW
    kind: toxic_path
    title: an inner range reuses the outer element's name
    severity: low
    when: 'access.critical && path.identities.exists(i, path.credentials.exists(i, !i.revoked && i.static))'
  - id: TEST-ELEM-FIELDS
    kind: toxic_path
    title: several fields of the elements of both lists
    severity: low
    when: 'access.critical && path.identities.all(i, i.type != "" && i.owned) && path.credentials.exists(c, c.type == "password" || c.rotation_age_days > 30)'
  - id: TEST-IDENTITY-ONLY
    kind: toxic_path
    title: reads identity fields alone
    severity: low
    when: 'identity.type == "service_account" || identity.purpose.contains("a")'
  - id: TEST-AUTH-VIA
    kind: toxic_path
    title: reads one field of the authentication
    severity: low
    when: 'access.effective && path.authentication.via == "delegation"'
  - id: TEST-AUTH-TYPE
    kind: toxic_path
    title: reads the credential type of the authentication
    severity: low
    when: 'access.effective && path.authentication.credential_type == "password"'
  - id: TEST-AUTH-WHOLE
    kind: toxic_path
    title: reads the authentication whole
    severity: low
    when: 'access.effective && size(path.authentication) == 4 && path.authentication.credential_type == "password"'
  - id: TEST-ANY
    kind: toxic_path
    title: a disjunction of access and identity fields (a guard), then the path
    severity: low
    when: '(access.action == "approve" || !identity.human || access.sox) && path.length > 2'
  - id: TEST-WHOLE
    kind: toxic_path
    title: reads a variable whole (not memoized)
    severity: low
    when: 'size(path) > 0 && access.critical && identity.ai_agent'
`))
	require.NoError(t, err)
	rs = Merge(rs, extra)
	pl, err := newPlan(rs)
	require.NoError(t, err)
	memoized := 0
	for _, tr := range pl.toxic {
		if tr.memoize {
			memoized++
		}
		switch {
		case tr.r.ID == "TEST-WHOLE":
			require.False(t, tr.memoize, "a variable used whole is not memoized")
		default:
			require.True(t, tr.memoize, tr.r.ID)
			require.Equal(t, slices.Contains(tr.refs.path, "hops"), tr.perIdentity,
				"%s: a predicate reading the hops is remembered per identity", tr.r.ID)
		}
	}
	require.Equal(t, len(pl.toxic)-1, memoized)
	elems := map[string]map[string][]string{}
	for _, tr := range pl.toxic {
		elems[tr.r.ID] = tr.refs.elems
	}
	require.Equal(t, map[string][]string{"identities": {"shared"}}, elems["TOX-SHARED-ON-PATH"])
	require.Equal(t, map[string][]string{"identities": {"break_glass", "compensating_controls"}}, elems["TOX-BREAK-GLASS-ON-PATH"])
	require.Equal(t, map[string][]string{"credentials": {"identity", "past_rotation"}}, elems["TEST-CREDS"])
	require.Nil(t, elems["TEST-ELEM-MIXED"], "a list also read whole is keyed by ids")
	require.Equal(t, map[string][]string{"credentials": {"revoked", "static"}}, elems["TEST-ELEM-SHADOW"],
		"the outer range is keyed by ids, the inner by its fields")
	require.Equal(t, map[string][]string{"identities": {"owned", "type"}, "credentials": {"rotation_age_days", "type"}},
		elems["TEST-ELEM-FIELDS"])
	for _, tr := range pl.toxic {
		switch tr.r.ID {
		case "TOX-TRUST-LOGIN":
			require.Equal(t, []string{"credential_type"}, tr.refs.auth)
		case "TEST-ACCESS", "TEST-AUTH-VIA":
			require.Equal(t, []string{"via"}, tr.refs.auth)
		case "TEST-AUTH-TYPE":
			require.Equal(t, []string{"credential_type"}, tr.refs.auth)
		case "TEST-AUTH-WHOLE":
			require.Nil(t, tr.refs.auth, "the authentication read whole is keyed whole")
		}
		wantOnly := tr.r.ID == "TEST-IDENTITY-ONLY" || tr.r.ID == "TOX-AWS-UNRESOLVED-POLICY" || tr.r.ID == "HYG-CONFUSABLE-ID"
		require.Equal(t, wantOnly, tr.identityOnly, tr.r.ID)
	}

	plain, err := Evaluate(context.Background(), snap, rs, WithoutMemo())
	require.NoError(t, err)
	fast, err := Evaluate(context.Background(), snap, rs)
	require.NoError(t, err)
	require.NotEmpty(t, plain)
	byRule := map[string]int{}
	for _, f := range plain {
		byRule[f.Rule]++
	}
	require.Positive(t, byRule["TEST-HOPS"]+byRule["TEST-CREDS"], "the extra rules match something: %v", byRule)
	require.Positive(t, byRule["TEST-ACCESS"], "%v", byRule)
	for _, id := range []string{"TEST-IDENTITY-ONLY", "TEST-AUTH-WHOLE", "TEST-AUTH-VIA", "TEST-AUTH-TYPE", "TEST-ELEM-MIXED", "TEST-ELEM-FIELDS", "TEST-ELEM-SHADOW", "TEST-ANY", "TOX-VENDOR-ON-PATH", "TOX-UNOWNED-ON-PATH", "TOX-HUMAN-AS-NHI"} {
		require.Positive(t, byRule[id], "%s matches something: %v", id, byRule)
	}
	require.Equal(t, plain, fast)
}

// BenchmarkEvaluateMemo compares Evaluate with and without memoized
// predicates on one generated estate (REACHGRAPH_BENCH_TIER, default S), in
// one run: read the ratio of the two.
func BenchmarkEvaluateMemo(b *testing.B) {
	name := os.Getenv("REACHGRAPH_BENCH_TIER")
	if name == "" {
		name = "S"
	}
	snap := generated(b, name, 1)
	rs, err := Builtin()
	require.NoError(b, err)
	for _, c := range []struct {
		name string
		off  bool
	}{{"memo", false}, {"plain", true}} {
		b.Run(c.name, func(b *testing.B) {
			var opts []Option
			if c.off {
				opts = append(opts, WithoutMemo())
			}
			n := 0
			for range b.N {
				fs, err := Evaluate(context.Background(), snap, rs, opts...)
				require.NoError(b, err)
				n = len(fs)
			}
			b.ReportMetric(float64(n), "findings")
		})
	}
}

// TestEveryHygieneCheckHasAFunction: each check name the rules accept runs
// a function (unused_grant runs over grants, outside hygieneChecks).
func TestEveryHygieneCheckHasAFunction(t *testing.T) {
	for _, c := range Checks {
		if c == CheckUnusedGrant {
			continue
		}
		require.Contains(t, hygieneChecks, c)
	}
	require.Len(t, hygieneChecks, len(Checks)-1)
}

// TestWorkerPanicReachesTheCaller: a panic in a worker is re-raised in the
// caller's goroutine (where the CLI turns it into exit 3), with the worker's
// stack, and the other workers stop.
func TestWorkerPanicReachesTheCaller(t *testing.T) {
	var done atomic.Int64
	defer func() {
		r := recover()
		require.NotNil(t, r)
		require.Contains(t, fmt.Sprint(r), "boom at 7")
		require.Contains(t, fmt.Sprint(r), "worker goroutine:")
		require.Less(t, done.Load(), int64(1000), "workers stop after a crash")
	}()
	workers(2, 1000, func() bool { return false }, func(i int) {
		if i == 7 {
			panic(fmt.Sprintf("boom at %d", i))
		}
		done.Add(1)
		time.Sleep(time.Millisecond)
	})
	t.Fatal("workers returned after a panic")
}

// generated is what the rules read of a generated estate of tier name.
func generated(t testing.TB, name string, seed int64) Snapshot {
	t.Helper()
	d, e := reachtest.Generated(t, name, seed)
	return Snapshot{Engine: e, Data: d}
}

// TestIdentityField: fieldOf gives identityVars' value of every
// field, and appendField its memo key, for every identity of a generated
// estate (and one with tags and controls) and for an id that is not an
// identity.
func TestIdentityField(t *testing.T) {
	snap := generated(t, "XS", 3)
	snap.Data.IdentityList = append(snap.Data.IdentityList, graph.Identity{ID: "tagged", Type: schema.IdentityServiceAccount,
		Tags: map[string]string{"b": "2", "a": "1", "c": ""}, CompensatingControls: []string{"pam", "log review"}})
	x := newIndex(snap)
	ids := append(slices.Clone(x.recs.IdentityIDs()), "not-an-identity")
	require.Contains(t, ids, "tagged")
	for _, id := range ids {
		vars := x.identityVars(id)
		rec, ok := x.recs.Identity(id)
		for f := range knownFields["identity"] {
			require.Equal(t, vars[f], x.fieldOf(&rec, ok, id, f), "%s.%s", id, f)
			require.Equal(t, appendValue(nil, vars[f]), x.appendField(nil, &rec, ok, id, f), "%s.%s", id, f)
		}
	}
}
