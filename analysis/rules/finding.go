package rules

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/schema"
)

// Side is one access of a segregation-of-duties conflict.
type Side struct {
	Function  string        `json:"function"`
	Identity  string        `json:"identity"`
	Resource  string        `json:"resource"`
	Action    schema.Action `json:"action"`
	Effective bool          `json:"effective"`
}

// Conflict names both sides of an SoD finding; the finding's own identity,
// resource and action are side A.
type Conflict struct {
	A Side `json:"a"`
	B Side `json:"b"`
}

// Finding is one violation of a rule (SPEC §5.3).
type Finding struct {
	// ID is stable across runs, ingest order, unrelated changes and a move
	// between effective and latent: see setID.
	ID       string          `json:"id"`
	Rule     string          `json:"rule"`
	Title    string          `json:"title"`
	Category schema.Category `json:"category"`
	Severity schema.Severity `json:"severity"`
	Identity string          `json:"identity"`
	// Actor lists the ids of the identities of the actor (R7), sorted.
	Actor      []string      `json:"actor"`
	Credential string        `json:"credential,omitempty"`
	Resource   string        `json:"resource,omitempty"`
	Action     schema.Action `json:"action,omitempty"`
	Effective  bool          `json:"effective"`
	// Authentication is the evidence that the finding's access can be
	// exercised now (the session and how it was obtained), on effective
	// toxic-path findings.
	Authentication *analysis.Authentication `json:"authentication,omitempty"`
	// Accesses lists, per resource, the accesses the finding stands for (at
	// most 20; AccessesOmitted counts the rest); empty for findings on the
	// identity or a credential alone.
	Accesses        []Covered `json:"accesses,omitempty"`
	AccessesOmitted int       `json:"accesses_omitted,omitempty"`
	Message         string    `json:"message"`
	Conflict        *Conflict `json:"conflict,omitempty"`
	// Paths is the evidence: at most 3 distinct paths; PathsOmitted counts the rest.
	Paths        []analysis.Path `json:"paths"`
	PathsOmitted int             `json:"paths_omitted,omitempty"`
	// Fix suggests the edges to remove, on critical findings with evidence.
	Fix        *reach.Fix `json:"fix,omitempty"`
	Frameworks []string   `json:"frameworks"`
	// Suppressed is the suppression that applies, when one does.
	Suppressed *Suppression `json:"suppressed,omitempty"`
	// New is set by MarkNew when the finding was absent from an earlier snapshot.
	New bool `json:"new,omitempty"`

	// target is the access a fix is computed for.
	target target
}

// Covered is the accesses a finding covers on one resource.
type Covered struct {
	Resource string          `json:"resource"`
	Actions  []schema.Action `json:"actions"`
	// Effective is set when at least one of the actions is effective.
	Effective bool `json:"effective"`
}

type target struct {
	identity, resource string
	action             schema.Action
}

// findingID hashes the identifying parts of a finding.
func findingID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return "f-" + hex.EncodeToString(h[:8])
}

// setID derives the finding's id from what the finding is about, not from
// how it reads today: the rule, the identity and actor, the access it is
// about (resource and action, or the access its fix targets when the
// finding covers several) and side B of a conflict. Effective or latent,
// severity, message, the credential used to authenticate and the evidence
// paths do not enter, so revoking a credential turns an effective finding
// latent under the same id. The root cause (RootCause, the fix's cut) is
// reported next to the id, not hashed into it: which of several equally
// short paths the engine keeps as evidence depends on the order records
// were ingested, and the id must not. A finding about a credential and no
// access (hygiene) keeps the credential. Findings that would share an id
// are told apart by Disambiguate.
func (f *Finding) setID() {
	res, act := f.Resource, f.Action
	if f.target.resource != "" {
		res, act = f.target.resource, f.target.action
	}
	parts := []string{f.Rule, f.Identity, strings.Join(f.Actor, ","), res, string(act)}
	if res == "" {
		parts = append(parts, f.Credential)
	}
	if f.Conflict != nil {
		parts = append(parts, f.Conflict.B.Identity, f.Conflict.B.Resource, string(f.Conflict.B.Action))
	}
	f.ID = findingID(parts...)
}

// RootCause returns the grant edges of the paths, each as
// "from\x01to\x01action\x01native", sorted and without duplicates: the
// grants whose removal closes the evidence shown, independent of path order.
func RootCause(ps []analysis.Path) []string {
	var out []string
	for _, p := range ps {
		for _, h := range p {
			if h.Edge == schema.EdgeGrant {
				out = append(out, h.From+"\x01"+h.To+"\x01"+string(h.Action)+"\x01"+h.Native)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Disambiguate gives findings that share an id (the same access and root
// cause reached through different credentials, say) distinct ids by hashing
// in the credential and then the message; ids that are already unique are
// kept, so the common case stays stable.
func Disambiguate(fs []Finding) {
	for _, extra := range []func(f *Finding) string{
		func(f *Finding) string { return f.Credential },
		func(f *Finding) string { return f.Message },
	} {
		n := map[string]int{}
		for i := range fs {
			n[fs[i].ID]++
		}
		for i := range fs {
			if n[fs[i].ID] > 1 {
				fs[i].ID = findingID(fs[i].ID, extra(&fs[i]))
			}
		}
	}
}

// Sort orders findings by severity (most severe first), rule, identity,
// resource, action, credential, then id, so output is reproducible.
func Sort(fs []Finding) {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Severity.Rank(), b.Severity.Rank()), cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Identity, b.Identity), cmp.Compare(a.Resource, b.Resource),
			cmp.Compare(a.Action, b.Action), cmp.Compare(a.Credential, b.Credential), cmp.Compare(a.ID, b.ID))
	})
}

// MarkNew sets New on every finding whose id is not in before.
func MarkNew(fs []Finding, before []Finding) {
	old := map[string]bool{}
	for _, f := range before {
		old[f.ID] = true
	}
	MarkNewIn(fs, old)
}

// MarkNewIn sets New on every finding whose id is not in the set before.
func MarkNewIn(fs []Finding, before map[string]bool) {
	for i := range fs {
		fs[i].New = !before[fs[i].ID]
	}
}

// Failing reports whether any finding that is not suppressed is at least as
// severe as min.
func Failing(fs []Finding, min schema.Severity) bool {
	for _, f := range fs {
		if f.Suppressed == nil && f.Severity.Rank() <= min.Rank() {
			return true
		}
	}
	return false
}

// CountFailing counts the findings that are not suppressed and are at least
// as severe as min.
func CountFailing(fs []Finding, min schema.Severity) int {
	n := 0
	for _, f := range fs {
		if f.Suppressed == nil && f.Severity.Rank() <= min.Rank() {
			n++
		}
	}
	return n
}
