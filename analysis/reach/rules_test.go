package reach_test

// Hand-built graphs, one per corner of SPEC §2, with hand-checked answers. Each
// also goes through the reference evaluator, so these double as tests of the
// reference itself.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

type tb struct{ d *graph.Dataset }

func newTB() *tb { return &tb{d: &graph.Dataset{}} }

func (b *tb) sys(id string, sox bool) *tb {
	b.d.PutSystem(graph.System{ID: id, SOXScope: sox})
	return b
}

func (b *tb) res(id, sys, parent string) *tb {
	b.d.PutResource(graph.Resource{ID: id, System: sys, Parent: parent})
	return b
}

func (b *tb) resSOX(id, sys, parent string, sox bool) *tb {
	b.d.PutResource(graph.Resource{ID: id, System: sys, Parent: parent, SOXScope: &sox})
	return b
}

func (b *tb) ident(id string, active bool, sameAs ...string) *tb {
	st := schema.StatusActive
	if !active {
		st = schema.StatusDisabled
	}
	b.d.PutIdentity(graph.Identity{ID: id, Type: schema.IdentityServiceAccount, Status: st, SameAs: sameAs})
	return b
}

func (b *tb) group(id string) *tb {
	b.d.PutGroup(graph.Group{ID: id, Type: schema.GroupRole})
	return b
}

func (b *tb) member(m, g string) *tb {
	b.d.PutMembership(graph.Membership{Member: m, Group: g})
	return b
}

func (b *tb) grant(p string, a schema.Action, target string, expires ...time.Time) *tb {
	g := graph.Grant{Principal: p, Action: a, Resource: target, Native: p + ":" + string(a)}
	if len(expires) > 0 {
		g.ExpiresAt = expires[0]
	}
	b.d.PutGrant(g)
	return b
}

func (b *tb) cred(id, owner, storedIn string, systems ...string) *tb {
	b.d.PutCredential(graph.Credential{ID: id, Identity: owner, Type: schema.CredAPIKey, Systems: systems, StoredIn: storedIn})
	return b
}

func (b *tb) credWith(c graph.Credential) *tb { b.d.PutCredential(c); return b }

func (b *tb) deleg(from, to, sys string) *tb {
	b.d.PutDelegation(graph.Delegation{From: from, To: to, Kind: schema.DelegAssumeRole, System: sys})
	return b
}

// want is a hand-checked answer for one identity: authorized (present),
// effective, and the length of the evidence path (walkable when effective).
type want struct {
	effective bool
	pathLen   int
}

// expectWhoCan checks the reference and the engine against a hand-checked
// answer, and the engine against the reference in full.
func expectWhoCan(t *testing.T, d *graph.Dataset, asOf time.Time, target string, a schema.Action, exp map[string]want) {
	t.Helper()
	m := newRefModel(d, asOf)
	for _, x := range m.identities {
		r := m.access(x, target, a)
		w, ok := exp[x]
		require.Equal(t, ok, r.authorized(), "reference: %q authorized for (%q, %s)", x, target, a)
		if !ok {
			continue
		}
		require.Equal(t, w.effective, r.effective(), "reference: %q effective for (%q, %s)", x, target, a)
		l := r.authLen
		if r.effective() {
			l = r.effLen
		}
		require.Equal(t, w.pathLen, l, "reference: %q path length for (%q, %s)", x, target, a)
	}

	e, _, err := buildEngine(d, asOf)
	require.NoError(t, err)
	got, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: a, Resource: target})
	require.NoError(t, err)
	gotMap := map[string]want{}
	for _, acc := range got {
		require.Equal(t, a, acc.Action, "the action reported is the one asked")
		require.NotEmpty(t, acc.Paths, "%q has no evidence path", acc.Identity)
		gotMap[acc.Identity] = want{effective: acc.Effective, pathLen: len(acc.Paths[0])}
	}
	require.Equal(t, exp, gotMap, "engine WhoCan(%q, %s)", target, a)
	if ms := compareEngine(d, asOf, 10, true); len(ms) > 0 {
		t.Errorf("engine vs reference:\n  %s", strings.Join(ms, "\n  "))
	}
}

// R6: acting as someone does not hand over their own credentials; a
// delegation without system carries every session of the delegator.
func TestRuleActAsDoesNotHandOverCredentials(t *testing.T) {
	d := newTB().sys("erp", true).sys("bank", true).res("bank:pay", "bank", "").
		ident("alice", true).cred("c-alice", "alice", "", "erp").
		ident("bob", true).cred("c-bob", "bob", "", "bank").
		ident("svc", true).cred("c-svc", "svc", "", "bank").
		deleg("alice", "svc", "erp").deleg("bob", "svc", "").
		grant("svc", schema.ActionWrite, "bank:pay").d
	expectWhoCan(t, d, refAsOf, "bank:pay", schema.ActionWrite, map[string]want{
		"alice": {false, 2}, // svc holds only the erp session alice carried in
		"bob":   {true, 2},  // the bank session is carried through
		"svc":   {true, 1},
	})
}

// R6: a delegation with system D needs a session in D and hands over only D.
func TestRuleDelegationWithSystem(t *testing.T) {
	d := newTB().sys("erp", false).sys("bank", false).res("erp:je", "erp", "").res("bank:pay", "bank", "").
		ident("alice", true).cred("c-alice", "alice", "", "erp", "bank").
		ident("carol", true).cred("c-carol", "carol", "", "bank").
		ident("svc", true).
		deleg("alice", "svc", "erp").deleg("carol", "svc", "erp").
		grant("svc", schema.ActionWrite, "erp").d
	expectWhoCan(t, d, refAsOf, "erp:je", schema.ActionWrite, map[string]want{
		"alice": {true, 2},
		"carol": {false, 2}, // carol holds no erp session
		"svc":   {false, 1}, // no credential of its own
	})
	expectWhoCan(t, d, refAsOf, "bank:pay", schema.ActionWrite, map[string]want{})
}

// R3b/R6: exposure: reading the vault path where a credential is stored lets
// you log in as its owner, if you hold a session in the vault and the
// credential is valid. The read grant may sit on an ancestor or the system of
// the location (containment adds no hop).
func TestRuleCredentialExposure(t *testing.T) {
	d := newTB().sys("vault", false).sys("erp", true).
		res("vault:kv", "vault", "").res("vault:kv/svc", "vault", "vault:kv").res("vault:kv/old", "vault", "vault:kv").
		res("erp:je", "erp", "").
		ident("ci", true).cred("c-ci", "ci", "", "vault").grant("ci", schema.ActionRead, "vault:kv").
		ident("dev", true).cred("c-dev", "dev", "", "erp").grant("dev", schema.ActionAdmin, "vault").
		ident("svc", true).cred("c-svc", "svc", "vault:kv/svc").
		grant("svc", schema.ActionWrite, "erp:je").
		ident("old", true).credWith(graph.Credential{ID: "c-old", Identity: "old", Type: schema.CredPassword, StoredIn: "vault:kv/old", Revoked: true}).
		grant("old", schema.ActionApprove, "erp:je").d
	expectWhoCan(t, d, refAsOf, "erp:je", schema.ActionWrite, map[string]want{
		"ci":  {true, 4},  // GRANT read, STORED_IN, HAS_CREDENTIAL, GRANT write
		"dev": {false, 4}, // admin on the vault system, but no session in the vault
		"svc": {true, 1},
	})
	expectWhoCan(t, d, refAsOf, "erp:je", schema.ActionApprove, map[string]want{
		"ci":  {false, 4}, // c-old is revoked: authorization ignores validity, sessions do not
		"dev": {false, 4},
		"old": {false, 1}, // its only credential is revoked
	})
}

// R3b is recursive: X may be authorized to read the location only through an
// act-as chain; the exposure is then taken by the identity that can read.
func TestRuleRecursiveExposure(t *testing.T) {
	d := newTB().sys("vault", false).sys("erp", false).res("vault:s", "vault", "").res("erp:je", "erp", "").
		ident("x", true).cred("c-x", "x", "", "vault").
		ident("z", true).grant("z", schema.ActionRead, "vault:s").
		ident("y", true).cred("c-y", "y", "vault:s", "erp").grant("y", schema.ActionExport, "erp:je").
		deleg("x", "z", "").d
	expectWhoCan(t, d, refAsOf, "erp:je", schema.ActionExport, map[string]want{
		"x": {true, 5}, // CAN_ACT_AS z, GRANT read, STORED_IN, HAS_CREDENTIAL, GRANT export
		"y": {true, 1},
		"z": {false, 4}, // no session of its own
	})
}

// R6: the shortest authorization path may not be walkable; the evidence of an
// effective access is then a longer, walkable one.
func TestRuleWalkablePathLongerThanShortest(t *testing.T) {
	d := newTB().sys("erp", false).sys("bank", false).res("erp:secret", "erp", "").res("bank:pay", "bank", "").
		ident("x", true).cred("c-x", "x", "", "erp").grant("x", schema.ActionRead, "erp:secret").
		ident("y", true).grant("y", schema.ActionWrite, "bank:pay").
		ident("u", true).cred("c-u", "u", "erp:secret", "bank").grant("u", schema.ActionWrite, "bank:pay").
		deleg("x", "y", "bank").d
	expectWhoCan(t, d, refAsOf, "bank:pay", schema.ActionWrite, map[string]want{
		"x": {true, 4}, // x -CAN_ACT_AS-> y -GRANT-> is 2 hops but x has no bank session
		"y": {false, 1},
		"u": {true, 1},
	})
	e, _, err := buildEngine(d, refAsOf)
	require.NoError(t, err)
	got, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: schema.ActionWrite, Resource: "bank:pay"})
	require.NoError(t, err)
	for _, acc := range got {
		if acc.Identity == "x" {
			require.NotNil(t, acc.Authentication)
			require.Equal(t, "bank", acc.Authentication.System)
			require.Equal(t, "credential", acc.Authentication.Via)
			require.Equal(t, "c-u", acc.Authentication.Credential)
		}
	}
}

// R2/R5: a grant or credential expiring exactly at as_of does not count; one
// millisecond later it does.
func TestRuleExpiryBoundaries(t *testing.T) {
	d := newTB().sys("erp", false).res("erp:je", "erp", "").
		ident("a", true).cred("c-a", "a", "").grant("a", schema.ActionWrite, "erp:je", refAsOf).
		ident("b", true).cred("c-b", "b", "").grant("b", schema.ActionWrite, "erp:je", refAsOf.Add(time.Millisecond)).
		ident("c", true).credWith(graph.Credential{ID: "c-c", Identity: "c", ExpiresAt: refAsOf}).grant("c", schema.ActionWrite, "erp:je").
		ident("d", true).credWith(graph.Credential{ID: "c-d", Identity: "d", ExpiresAt: refAsOf.Add(time.Millisecond)}).grant("d", schema.ActionWrite, "erp:je").
		ident("e", true).cred("c-e", "e", "").grant("e", schema.ActionWrite, "erp:je", refAsOf.Add(-time.Hour)).d
	expectWhoCan(t, d, refAsOf, "erp:je", schema.ActionWrite, map[string]want{
		"b": {true, 1},
		"c": {false, 1},
		"d": {true, 1},
	})
}

// R2/R5 with times finer than a millisecond (RFC 3339 allows them): a grant
// or credential that expires 0.5 ms after as_of is still good; one that
// expired 0.5 ms before is not.
func TestRuleExpirySubMillisecond(t *testing.T) {
	half := 500 * time.Microsecond
	t.Run("expiry after as_of", func(t *testing.T) {
		d := newTB().sys("erp", false).res("erp:je", "erp", "").
			ident("a", true).cred("c-a", "a", "").grant("a", schema.ActionWrite, "erp:je", refAsOf.Add(half)).
			ident("b", true).credWith(graph.Credential{ID: "c-b", Identity: "b", ExpiresAt: refAsOf.Add(half)}).grant("b", schema.ActionWrite, "erp:je").
			ident("c", true).cred("c-c", "c", "").grant("c", schema.ActionWrite, "erp:je", refAsOf.Add(-half)).d
		expectWhoCan(t, d, refAsOf, "erp:je", schema.ActionWrite, map[string]want{
			"a": {true, 1},
			"b": {true, 1},
		})
	})
	t.Run("as_of between two milliseconds", func(t *testing.T) {
		asOf := refAsOf.Add(300 * time.Microsecond)
		d := newTB().sys("erp", false).res("erp:je", "erp", "").
			ident("a", true).cred("c-a", "a", "").grant("a", schema.ActionWrite, "erp:je", refAsOf.Add(700*time.Microsecond)).
			ident("c", true).cred("c-c", "c", "").grant("c", schema.ActionWrite, "erp:je", refAsOf.Add(100*time.Microsecond)).d
		expectWhoCan(t, d, asOf, "erp:je", schema.ActionWrite, map[string]want{
			"a": {true, 1},
		})
	})
}

// R4/R5: a disabled identity keeps its entitlements (latent) but cannot be
// the origin of an effective access nor be acted as.
func TestRuleDisabledIdentity(t *testing.T) {
	d := newTB().sys("erp", false).res("erp:je", "erp", "").
		ident("gone", false).cred("c-gone", "gone", "").grant("gone", schema.ActionApprove, "erp:je").
		ident("x", true).cred("c-x", "x", "").deleg("x", "gone", "").
		ident("y", true).cred("c-y", "y", "", "erp").deleg("y", "gone", "erp").d
	expectWhoCan(t, d, refAsOf, "erp:je", schema.ActionApprove, map[string]want{
		"gone": {false, 1},
		"x":    {false, 2},
		"y":    {false, 2},
	})
}

// R1/R2: membership nests through cycles; admin implies every action and the
// action reported is the one asked; grants on an ancestor and on the system
// cover a resource, and WhoCan answers for a system too.
func TestRuleMembershipCyclesAdminAndContainment(t *testing.T) {
	d := newTB().sys("erp", false).res("erp:fi", "erp", "").res("erp:fi:je", "erp", "erp:fi").
		group("g1").group("g2").group("g3").member("g1", "g2").member("g2", "g3").member("g3", "g1").
		ident("x", true).cred("c-x", "x", "").member("x", "g1").grant("g3", schema.ActionAdmin, "erp:fi").
		ident("y", true).cred("c-y", "y", "").grant("y", schema.ActionRead, "erp").
		ident("z", false).member("z", "g2").d
	for _, a := range schema.Actions {
		exp := map[string]want{"x": {true, 4}, "z": {false, 3}}
		if a == schema.ActionRead {
			exp["y"] = want{true, 1}
		}
		expectWhoCan(t, d, refAsOf, "erp:fi:je", a, exp)
	}
	expectWhoCan(t, d, refAsOf, "erp", schema.ActionRead, map[string]want{"y": {true, 1}})
	expectWhoCan(t, d, refAsOf, "erp", schema.ActionWrite, map[string]want{})

	e, _, err := buildEngine(d, refAsOf)
	require.NoError(t, err)
	acc, err := e.Reach(context.Background(), reach.ReachQuery{Identity: "y"})
	require.NoError(t, err)
	var got []string
	for _, a := range acc {
		got = append(got, a.Resource+" "+string(a.Action))
	}
	require.Equal(t, []string{"erp:fi read", "erp:fi:je read"}, got, "Reach lists resources, not systems")
}

// R7: same_as makes one actor but never grants access.
func TestRuleSameAsGivesNoAccess(t *testing.T) {
	d := newTB().sys("erp", false).res("erp:je", "erp", "").
		ident("alice-sap", true, "alice-bank").cred("c1", "alice-sap", "").
		ident("alice-bank", true).cred("c2", "alice-bank", "").grant("alice-bank", schema.ActionApprove, "erp:je").
		ident("alice-ci", true, "alice-bank").d
	expectWhoCan(t, d, refAsOf, "erp:je", schema.ActionApprove, map[string]want{"alice-bank": {true, 1}})
	_, p, err := buildEngine(d, refAsOf)
	require.NoError(t, err)
	n1, _ := p.Lookup("alice-sap")
	n2, _ := p.Lookup("alice-bank")
	n3, _ := p.Lookup("alice-ci")
	require.Equal(t, p.Actor(n1), p.Actor(n2))
	require.Equal(t, p.Actor(n1), p.Actor(n3), "same_as is symmetric and transitive")
}

// R8: critical when the action is not read and the resource is in SOX scope:
// its own flag, else its nearest ancestor's that sets one, else its system's.
func TestRuleCritical(t *testing.T) {
	d := newTB().sys("erp", true).
		resSOX("erp:sandbox", "erp", "", false).res("erp:sandbox:t", "erp", "erp:sandbox").
		resSOX("erp:sandbox:prod", "erp", "erp:sandbox", true).res("erp:je", "erp", "").
		ident("x", true).cred("c-x", "x", "").grant("x", schema.ActionAdmin, "erp").d
	e, _, err := buildEngine(d, refAsOf)
	require.NoError(t, err)
	acc, err := e.Reach(context.Background(), reach.ReachQuery{Identity: "x"})
	require.NoError(t, err)
	crit := map[string]bool{}
	for _, a := range acc {
		crit[a.Resource+" "+string(a.Action)] = a.Critical
	}
	require.Equal(t, false, crit["erp:sandbox:t write"])
	require.Equal(t, true, crit["erp:sandbox:prod write"])
	require.Equal(t, true, crit["erp:je approve"])
	require.Equal(t, false, crit["erp:je read"])
	require.Len(t, acc, 4*5)
	if ms := compareEngine(d, refAsOf, 10, true); len(ms) > 0 {
		t.Errorf("engine vs reference:\n  %s", strings.Join(ms, "\n  "))
	}
}

func TestRuleUnknownIDs(t *testing.T) {
	d := newTB().sys("erp", false).res("erp:je", "erp", "").ident("x", true).group("g").d
	e, _, err := buildEngine(d, refAsOf)
	require.NoError(t, err)
	_, err = e.WhoCan(context.Background(), reach.WhoCanQuery{Action: schema.ActionRead, Resource: "nope"})
	require.True(t, errors.Is(err, reach.ErrUnknownNode), "%v", err)
	_, err = e.WhoCan(context.Background(), reach.WhoCanQuery{Action: schema.ActionRead, Resource: "x"})
	require.True(t, errors.Is(err, reach.ErrUnknownNode), "WhoCan on an identity: %v", err)
	_, err = e.Reach(context.Background(), reach.ReachQuery{Identity: "nope"})
	require.True(t, errors.Is(err, reach.ErrUnknownNode), "%v", err)
	_, err = e.Reach(context.Background(), reach.ReachQuery{Identity: "g"})
	require.True(t, errors.Is(err, reach.ErrUnknownNode), "Reach of a group: %v", err)
	_, err = e.Paths(context.Background(), "nope", "erp:je", schema.ActionRead, 3)
	require.True(t, errors.Is(err, reach.ErrUnknownNode), "Paths from an unknown id: %v", err)
	_, err = e.Paths(context.Background(), "x", "nope", schema.ActionRead, 3)
	require.True(t, errors.Is(err, reach.ErrUnknownNode), "Paths to an unknown resource: %v", err)
	ps, err := e.Paths(context.Background(), "x", "erp:je", schema.ActionRead, 3)
	require.NoError(t, err, "no authorization: no paths and no error")
	require.Empty(t, ps)
}

// A resource whose parent lies in another system. SPEC R2 covers r by grants on
// r, its ancestors and r's system; R8 falls back to r's system. Read
// literally, the parent's system covers neither. Whatever the reading, WhoCan
// and Reach must agree.
func TestRuleCrossSystemParent(t *testing.T) {
	d := newTB().sys("sys0", false).sys("sys1", true).sys("sys2", false).
		resSOX("res1", "sys1", "", true).res("res3", "sys2", "res1").res("res6", "sys0", "res3").
		res("a", "sys1", "").res("b", "sys0", "a").
		ident("id9", true).grant("id9", schema.ActionApprove, "sys2").
		ident("id8", true).grant("id8", schema.ActionApprove, "sys0").
		ident("id7", true).grant("id7", schema.ActionApprove, "res1").
		ident("id6", true).grant("id6", schema.ActionApprove, "sys1").d

	e, _, err := buildEngine(d, refAsOf)
	require.NoError(t, err)
	got, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: schema.ActionApprove, Resource: "res6"})
	require.NoError(t, err)
	var who []string
	for _, a := range got {
		who = append(who, a.Identity)
	}
	reachSays := func(x string) bool {
		acc, err := e.Reach(context.Background(), reach.ReachQuery{Identity: x, Actions: []schema.Action{schema.ActionApprove}})
		require.NoError(t, err)
		for _, a := range acc {
			if a.Resource == "res6" {
				return true
			}
		}
		return false
	}
	t.Run("WhoCan and Reach agree", func(t *testing.T) {
		for _, x := range []string{"id6", "id7", "id8", "id9"} {
			assert.Equal(t, reachSays(x), slicesContains(who, x), "WhoCan(res6) and Reach(%q) disagree", x)
		}
	})
	t.Run("R2 literal", func(t *testing.T) {
		assert.Equal(t, []string{"id7", "id8"}, who, "WhoCan: grants on res6's ancestors (res1) and its own system (sys0) only")
		for _, x := range []string{"id6", "id7", "id8", "id9"} {
			assert.Equal(t, x == "id7" || x == "id8", reachSays(x), "Reach(%q) lists res6", x)
		}
	})
	t.Run("R8 literal", func(t *testing.T) {
		acc, err := e.Reach(context.Background(), reach.ReachQuery{Identity: "id8", Actions: []schema.Action{schema.ActionApprove}})
		require.NoError(t, err)
		for _, a := range acc {
			if a.Resource == "b" {
				require.False(t, a.Critical, "b sets no sox_scope, nor does its ancestor a: its own system sys0 (out of scope) decides, not a's system sys1")
			}
		}
	})
}

func slicesContains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// R5 with the credential valid_from extension: a credential valid only from
// after as_of opens no session (latent, like an expired one); valid_from is
// inclusive; an exposure through a stored credential not valid yet cannot be
// walked, while authorization (R4) ignores validity.
func TestRuleCredentialValidFrom(t *testing.T) {
	d := newTB().sys("erp", false).sys("vault", false).res("erp:je", "erp", "").res("vault:s", "vault", "").
		ident("future", true).credWith(graph.Credential{ID: "c-future", Identity: "future", ValidFrom: refAsOf.Add(time.Millisecond)}).
		grant("future", schema.ActionWrite, "erp:je").
		ident("boundary", true).credWith(graph.Credential{ID: "c-boundary", Identity: "boundary", ValidFrom: refAsOf}).
		grant("boundary", schema.ActionWrite, "erp:je").
		ident("sub-ms", true).credWith(graph.Credential{ID: "c-sub-ms", Identity: "sub-ms", ValidFrom: refAsOf.Add(-500 * time.Microsecond)}).
		grant("sub-ms", schema.ActionWrite, "erp:je").
		ident("svc", true).credWith(graph.Credential{ID: "c-svc", Identity: "svc", Systems: []string{"erp"}, StoredIn: "vault:s",
		ValidFrom: refAsOf.Add(time.Hour)}).
		grant("svc", schema.ActionApprove, "erp:je").
		ident("reader", true).cred("c-reader", "reader", "", "vault").grant("reader", schema.ActionRead, "vault:s").d
	expectWhoCan(t, d, refAsOf, "erp:je", schema.ActionWrite, map[string]want{
		"future":   {false, 1},
		"boundary": {true, 1},
		"sub-ms":   {true, 1},
	})
	expectWhoCan(t, d, refAsOf, "erp:je", schema.ActionApprove, map[string]want{
		"svc":    {false, 1},
		"reader": {false, 4}, // GRANT(read) vault:s, STORED_IN, HAS_CREDENTIAL, GRANT(approve)
	})
	expectWhoCan(t, d, refAsOf.Add(time.Hour), "erp:je", schema.ActionApprove, map[string]want{
		"svc":    {true, 1},
		"reader": {true, 4},
	})
}
