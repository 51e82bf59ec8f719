package report

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/reach/reachtest"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/schema"
)

// requireFindingJSON checks appendFinding against encoding/json (indented
// at the top level and as a finding of the report, without HTML escaping):
// the same bytes, or, for a finding encoding/json refuses, ok false and
// nothing appended.
func requireFindingJSON(t *testing.T, f *rules.Finding) {
	t.Helper()
	for _, prefix := range []string{"", findingPrefix} {
		requireSameJSON(t, f, prefix, func(b []byte) ([]byte, bool) { return appendFinding(b, f, prefix) })
	}
	// The spool's decoder reads back what encoding/json reads.
	b, ok := appendFinding(nil, f, findingPrefix)
	if !ok {
		return
	}
	var want rules.Finding
	require.NoError(t, json.Unmarshal(b, &want))
	got, err := decodeFinding(&Record{ID: f.ID, JSON: b})
	require.NoError(t, err)
	require.Equal(t, want, *got)
}

func requireSameJSON(t *testing.T, v any, prefix string, appendJSON func([]byte) ([]byte, bool)) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	werr := enc.Encode(v)
	got, ok := appendJSON([]byte("kept"))
	if werr != nil {
		require.False(t, ok, "encoding/json refuses %+v: %v", v, werr)
		require.Equal(t, "kept", string(got), "nothing appended")
		return
	}
	require.True(t, ok)
	require.Equal(t, "kept"+string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), string(got))
}

// everyFieldFinding has every field of a finding set, in awkward text.
func everyFieldFinding() rules.Finding {
	at := time.Date(2026, 3, 1, 12, 30, 0, 500, time.UTC)
	east := time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 5*3600+1800))
	hop := analysis.Hop{From: "a<&>", Edge: "GRANT", To: "r\"\\", Action: schema.ActionApprove, Native: "F_BKPF/ACTVT=\t01",
		Conditional: true, Kind: "impersonate", System: "sap\u2028", ValidFrom: at, ExpiresAt: east}
	return rules.Finding{ID: "f-1", Rule: "R\x01", Title: "t\xff", Category: schema.CatToxicPath, Severity: schema.SeverityCritical,
		Identity: "i\u202e", Actor: []string{"i", "j"}, Credential: "c", Resource: "r", Action: schema.ActionWrite, Effective: true,
		Authentication: &analysis.Authentication{System: "s", Via: "credential", Credential: "c", CredentialType: "password",
			ExpiresAt: &at, LastRotatedAt: &east, Delegation: "a -> b"},
		Accesses:        []rules.Covered{{Resource: "r", Actions: []schema.Action{"write", "approve"}, Effective: true}, {Resource: "q"}},
		AccessesOmitted: 3, Message: "m <b>&amp;</b>\n",
		Conflict: &rules.Conflict{A: rules.Side{Function: "f", Identity: "i", Resource: "r", Action: "write", Effective: true},
			B: rules.Side{Function: "g"}},
		Paths:        []analysis.Path{{hop, {From: "x", Edge: "MEMBER_OF", To: "y"}}, {}, nil},
		PathsOmitted: 2,
		Fix:          &reach.Fix{Cut: []analysis.Hop{hop}, ChokePoints: []string{"g<1>"}},
		Frameworks:   []string{"NIST-CSF-2.0:PR.AA-05"},
		Suppressed:   &rules.Suppression{ID: "f-1", Owner: "o<>", Reason: "r&", Expires: east},
		New:          true}
}

func TestFindingJSONIsEncodingJSON(t *testing.T) {
	full := everyFieldFinding()
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, f := range map[string]rules.Finding{
		"zero":         {},
		"every field":  full,
		"empty lists":  {Actor: []string{}, Accesses: []rules.Covered{}, Paths: []analysis.Path{}, Frameworks: []string{}, Fix: &reach.Fix{}},
		"hop year":     {Paths: []analysis.Path{{{ValidFrom: far}}}},
		"auth year":    {Authentication: &analysis.Authentication{LastRotatedAt: &far}},
		"suppressed":   {Suppressed: &rules.Suppression{Expires: far}},
		"conflict":     {Conflict: &rules.Conflict{}},
		"negative cap": {AccessesOmitted: -1, PathsOmitted: -7},
	} {
		t.Run(name, func(t *testing.T) { requireFindingJSON(t, &f) })
	}
	// Every finding of a generated estate.
	fs := generatedFindings(t)
	cats := map[schema.Category]bool{}
	for i := range fs {
		cats[fs[i].Category] = true
		requireFindingJSON(t, &fs[i])
	}
	require.GreaterOrEqual(t, len(cats), 8, "findings of most categories")

	// Their groups, and groups with awkward values.
	gs := Groups(fs)
	require.NotEmpty(t, gs)
	hop := full.Paths[0][0]
	gs = append(gs, Group{}, Group{ID: "g<1>", Kind: "cut", Change: "remove \u2028", Cut: []analysis.Hop{hop}, Severity: "high",
		Count: -1, Identities: []string{}, Rules: []string{"R\xff"}, Findings: []string{"a", "b"}},
		Group{Cut: []analysis.Hop{{ExpiresAt: far}}})
	for i := range gs {
		for _, prefix := range []string{"", findingPrefix} {
			requireSameJSON(t, &gs[i], prefix, func(b []byte) ([]byte, bool) { return appendGroup(b, &gs[i], prefix) })
		}
	}
}

// generatedFindings are the built-in rules' findings on a generated
// tier-XS estate (over 500, of most categories).
func generatedFindings(t *testing.T) []rules.Finding {
	t.Helper()
	d, e := reachtest.Generated(t, "XS", 4)
	rs, err := rules.Builtin()
	require.NoError(t, err)
	fs, err := rules.Evaluate(context.Background(), rules.Snapshot{Engine: e, Data: d}, rs)
	require.NoError(t, err)
	require.Greater(t, len(fs), 500)
	return fs
}

func FuzzFindingJSON(f *testing.F) {
	f.Add("id-1", "sap:fi:je", "F_BKPF", "a -> b", int64(0), 3)
	f.Add("<\"\\\n\u2028>", "\xff", "", "", int64(1_700_000_000_123), -1)
	f.Fuzz(func(t *testing.T, id, res, native, msg string, ms int64, n int) {
		at := time.UnixMilli(ms).UTC()
		fd := everyFieldFinding()
		fd.Identity, fd.Resource, fd.Message, fd.AccessesOmitted = id, res, msg, n
		fd.Paths[0][0].Native, fd.Paths[0][0].ValidFrom = native, at
		fd.Authentication.ExpiresAt = &at
		fd.Actor = []string{id, msg}
		requireFindingJSON(t, &fd)
	})
}
