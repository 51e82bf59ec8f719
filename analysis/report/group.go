package report

import (
	"cmp"
	"crypto/sha256"
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/schema"
)

// Cause kinds: what change closes a group of findings.
const (
	// CauseCut: remove the edges of the finding's minimum cut (its Fix):
	// one role grant, membership, delegation or read grant on a secret.
	CauseCut = "cut"
	// CauseGrants: remove the grants on the finding's evidence paths (no
	// minimum cut is computed below critical; see docs/reports.md).
	CauseGrants = "grants"
	// CauseGrant: remove or use one grant (an unused grant).
	CauseGrant = "grant"
	// CauseCredential: rotate, vault or revoke one credential.
	CauseCredential = "credential"
	// CauseIdentity: fix one identity's record (owner, purpose, status).
	CauseIdentity = "identity"
)

// Group is the findings one change would close.
type Group struct {
	// ID is "g-" and a hash of Kind and Key: stable like finding ids.
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Change says what to change, on one line with native evidence.
	Change string `json:"change"`
	// Cut is the edges to remove, for kinds cut and grants.
	Cut []analysis.Hop `json:"cut,omitempty"`
	// Severity is the most severe finding of the group.
	Severity schema.Severity `json:"severity"`
	// Count is the findings of the group that are not suppressed;
	// Suppressed counts the others.
	Count      int `json:"count"`
	Suppressed int `json:"suppressed"`
	// Identities are the identities with a finding in the group, sorted.
	Identities []string `json:"identities"`
	Rules      []string `json:"rules"`
	// Representative is the group's first finding (most severe, then the
	// finding sort order), whose first path illustrates the group.
	Representative string `json:"representative"`
	// Findings are the ids of the group's findings in report order.
	Findings []string `json:"findings"`

	key causeKey
}

// Cause returns the kind, a key telling causes apart, the edges to remove
// and the one-line change for a finding.
func Cause(f *rules.Finding) (kind, key string, cut []analysis.Hop, change string) {
	switch {
	case f.Fix != nil && len(f.Fix.Cut) > 0:
		cut = sortedHops(f.Fix.Cut)
		return CauseCut, hopsKey(cut), cut, "remove " + FormatHops(cut)
	case len(f.Paths) > 0:
		for _, p := range f.Paths {
			for _, h := range p {
				if h.Edge == schema.EdgeGrant {
					cut = append(cut, h)
				}
			}
		}
		cut = slices.CompactFunc(sortedHops(cut), func(a, b analysis.Hop) bool { return hopKey(a) == hopKey(b) })
		if len(cut) > 0 {
			return CauseGrants, hopsKey(cut), cut, "remove or narrow " + FormatHops(cut)
		}
	case f.Category == schema.CatUnusedGrant && f.Resource != "":
		return CauseGrant, f.Identity + "\x00" + f.Resource + "\x00" + string(f.Action), nil,
			"revoke the unused grant " + string(f.Action) + " on " + f.Resource + " to " + f.Identity
	}
	if f.Credential != "" {
		return CauseCredential, f.Credential, nil, "rotate, vault or revoke credential " + f.Credential
	}
	return CauseIdentity, f.Identity, nil, "fix the record of identity " + f.Identity
}

// Groups groups findings (in report order) by Cause, most severe group
// first, then the most findings, then by id.
func Groups(fs []rules.Finding) []Group {
	var t tally
	for i := range fs {
		t.addFinding(&fs[i])
	}
	var r Report
	t.finish(&r)
	return r.Groups
}

// sortGroups fills each group's sorted identities and rules and orders the
// groups: most severe first, then the most findings, then by id.
func sortGroups(out []Group, idents [][]string) []Group {
	for i := range out {
		slices.Sort(idents[i])
		out[i].Identities = slices.Compact(idents[i])
		slices.Sort(out[i].Rules)
	}
	slices.SortFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(a.Severity.Rank(), b.Severity.Rank()), cmp.Compare(b.Count, a.Count), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// causeKey tells causes apart: the first half of the SHA-256 of the cause's
// kind and key, whose first 8 bytes are the group id. A report at scale has
// millions of groups, and their keys (every hop of a path) would be most of
// its memory.
type causeKey [16]byte

func causeKeyOf(kind, key string) causeKey {
	h := sha256.Sum256([]byte(kind + "\x00" + key))
	return causeKey(h[:16])
}

func hopKey(h analysis.Hop) string {
	return h.From + "\x01" + string(h.Edge) + "\x01" + h.To + "\x01" + string(h.Action) + "\x01" + h.Native
}

func hopsKey(hs []analysis.Hop) string {
	k := make([]string, len(hs))
	for i, h := range hs {
		k[i] = hopKey(h)
	}
	return strings.Join(k, "\x02")
}

func sortedHops(hs []analysis.Hop) []analysis.Hop {
	out := slices.Clone(hs)
	slices.SortFunc(out, func(a, b analysis.Hop) int { return strings.Compare(hopKey(a), hopKey(b)) })
	return out
}
