package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// inScope reports whether a hygiene rule applies to the identity.
func inScope(r Rule, i graph.Identity) bool {
	switch r.Identities {
	case ScopeNonHuman:
		return i.Type.NonHuman()
	case ScopeHuman:
		return i.Type == schema.IdentityHuman
	}
	return true
}

// severityFor is r's severity for a finding on identity id: CriticalSeverity
// when the identity holds effective critical access.
func severityFor(r Rule, m *ident) schema.Severity {
	if r.CriticalSeverity != "" && m.hasEffectiveCritical() {
		return r.CriticalSeverity
	}
	return r.Severity
}

// criticalPath is the first path of the identity's first effective critical
// access, as context for an identity-level finding; nil when none.
func criticalPath(m *ident) []analysis.Path {
	for _, a := range m.accesses {
		if a.Effective && a.Critical {
			return firstPaths(a)
		}
	}
	return nil
}

// hygiene runs one hygiene check on one identity (unused_grant runs on
// grants: see staleGrants and unusedBatch). Each check is one function of hygieneChecks.
func (x *index) hygiene(st Settings, r Rule, m *ident) []Finding {
	check, ok := hygieneChecks[r.Check]
	if !ok {
		return nil
	}
	i, _ := x.recs.Identity(m.id)
	if !inScope(r, i) {
		return nil
	}
	h := &hygieneRun{x: x, st: st, r: r, m: m, i: i, active: i.Status == schema.StatusActive}
	check(h)
	return h.out
}

// hygieneRun is one check on one identity: its inputs and the findings it
// emits.
type hygieneRun struct {
	x      *index
	st     Settings
	r      Rule
	m      *ident
	i      graph.Identity
	active bool
	out    []Finding
}

// identity emits an identity-level finding with the identity's first
// effective critical path as context.
func (h *hygieneRun) identity(msg string) {
	h.out = append(h.out, Finding{Identity: h.i.ID, Effective: h.m.hasEffectiveCritical(),
		Severity: severityFor(h.r, h.m), Message: msg, Paths: criticalPath(h.m)})
}

// credential emits a finding on one of the identity's credentials.
func (h *hygieneRun) credential(c graph.Credential, msg string) {
	h.out = append(h.out, Finding{Identity: h.i.ID, Credential: c.ID, Effective: h.m.hasEffectiveCritical(),
		Severity: severityFor(h.r, h.m), Message: msg})
}

// hygieneChecks are the identity-level hygiene checks, one function each.
var hygieneChecks = map[string]func(*hygieneRun){
	CheckOwnerMissing:       checkOwnerMissing,
	CheckPurposeMissing:     checkPurposeMissing,
	CheckSharedUncontrolled: checkSharedUncontrolled,
	CheckBreakGlass:         checkBreakGlass,
	CheckDormantCritical:    checkDormantCritical,
	CheckLatentCritical:     checkLatentCritical,
	CheckRotationOverdue:    perCredential(rotationOverdue),
	CheckExpiredUnrevoked:   perCredential(expiredUnrevoked),
	CheckStaticUnvaulted:    perCredential(staticUnvaulted),
	CheckConfusableID:       checkConfusableID,
}

func checkOwnerMissing(h *hygieneRun) {
	var miss []string
	if h.i.Owners.Business == "" {
		miss = append(miss, "business")
	}
	if h.i.Owners.Technical == "" {
		miss = append(miss, "technical")
	}
	if h.active && len(miss) > 0 {
		h.identity(fmt.Sprintf("%s has no named %s owner", h.i.ID, strings.Join(miss, " or ")))
	}
}

func checkPurposeMissing(h *hygieneRun) {
	var miss []string
	if strings.TrimSpace(h.i.Purpose) == "" {
		miss = append(miss, "purpose")
	}
	if h.i.Type.NonHuman() && strings.TrimSpace(h.i.NonhumanRationale) == "" {
		miss = append(miss, "non-human rationale")
	}
	if h.active && len(miss) > 0 {
		h.identity(fmt.Sprintf("%s has no documented %s", h.i.ID, strings.Join(miss, " or ")))
	}
}

func checkSharedUncontrolled(h *hygieneRun) {
	if h.active && h.i.Shared && len(h.i.CompensatingControls) == 0 {
		h.identity(fmt.Sprintf("%s is a shared account without compensating controls", h.i.ID))
	}
}

func checkBreakGlass(h *hygieneRun) {
	if h.active && h.i.BreakGlass && len(h.i.CompensatingControls) == 0 {
		h.identity(fmt.Sprintf("%s is a break-glass account without compensating controls", h.i.ID))
	}
}

func checkDormantCritical(h *hygieneRun) {
	last := h.i.LastUsedAt
	for _, c := range h.x.recs.CredentialsOf(h.i.ID) {
		if c.LastUsedAt.After(last) {
			last = c.LastUsedAt
		}
	}
	if age := ageDays(last, h.x.asOf); h.active && age >= h.st.DormantDays && h.m.hasEffectiveCritical() {
		h.identity(fmt.Sprintf("%s was last used %d days ago (threshold %d) yet holds effective critical access",
			h.i.ID, age, h.st.DormantDays))
	}
}

// checkLatentCritical emits one finding per identity, listing its latent
// critical accesses.
func checkLatentCritical(h *hygieneRun) {
	latent := func(a *analysis.Access) bool { return a.Authorized && !a.Effective && a.Critical }
	n := 0
	for k := range h.m.accesses {
		if latent(&h.m.accesses[k]) {
			n++
		}
	}
	if n == 0 {
		return
	}
	ms := make([]match, 0, n)
	nodes := map[string]bool{}
	for k := range h.m.accesses {
		a := &h.m.accesses[k]
		if latent(a) {
			var p analysis.Path
			if len(a.Paths) > 0 {
				p = a.Paths[0]
				nodes[p[len(p)-1].To] = true
			}
			ms = append(ms, match{a: a, p: p})
		}
	}
	if len(ms) == 0 {
		return
	}
	f := Finding{Identity: h.i.ID, Severity: h.r.Severity}
	f.summarize(ms, ms[0])
	f.Message = fmt.Sprintf("%s is authorized for %d critical access(es) through grants on %d node(s) but cannot exercise them today (first: %s %s); remove the grants",
		h.i.ID, len(ms), len(nodes), ms[0].a.Action, ms[0].a.Resource)
	h.out = append(h.out, f)
}

// perCredential runs a credential check on every unrevoked credential of the
// identity; the check returns the finding's message, "" for none.
func perCredential(check func(h *hygieneRun, c graph.Credential) string) func(*hygieneRun) {
	return func(h *hygieneRun) {
		for _, c := range h.x.recs.CredentialsOf(h.i.ID) {
			if c.Revoked {
				continue
			}
			if msg := check(h, c); msg != "" {
				h.credential(c, msg)
			}
		}
	}
}

func rotationOverdue(h *hygieneRun, c graph.Credential) string {
	if !h.active || h.x.expired(c) || !h.x.pastRotation(c, h.st) {
		return ""
	}
	return fmt.Sprintf("%s (%s of %s) last rotated %d days ago; rotation interval %d days",
		c.ID, c.Type, h.i.ID, ageDays(lastRotated(c), h.x.asOf), rotationLimit(c, h.st))
}

func expiredUnrevoked(h *hygieneRun, c graph.Credential) string {
	if !h.x.expired(c) {
		return ""
	}
	return fmt.Sprintf("%s (%s of %s) expired on %s but is not revoked", c.ID, c.Type, h.i.ID, c.ExpiresAt.UTC().Format("2006-01-02"))
}

func staticUnvaulted(h *hygieneRun, c graph.Credential) string {
	if !h.active || h.x.expired(c) || !c.Type.Static() || c.Vaulted {
		return ""
	}
	return fmt.Sprintf("%s (%s of %s) is a static secret not held in a vault", c.ID, c.Type, h.i.ID)
}

// checkConfusableID flags an identity whose id holds characters a reader
// cannot see or that reorder text — bidirectional controls, zero-width
// characters, other control characters — so that one id can pass for
// another in a report or a ticket; it names the id it looks like when the
// snapshot has one.
func checkConfusableID(h *hygieneRun) {
	id := h.i.ID
	bad := hiddenRunes(id)
	if len(bad) == 0 {
		return
	}
	msg := fmt.Sprintf("%s has %s in its id", strconv.QuoteToASCII(id), strings.Join(bad, ", "))
	if look := strings.Map(dropHidden, id); look != id {
		if _, ok := h.x.recs.Identity(look); ok {
			msg += fmt.Sprintf("; it reads as %q, another identity", look)
		} else {
			msg += fmt.Sprintf("; it reads as %q", look)
		}
	}
	h.identity(msg)
}

// hiddenRunes names the kinds of invisible or reordering characters in s.
func hiddenRunes(s string) []string {
	var out []string
	add := func(what string) {
		if !slices.Contains(out, what) {
			out = append(out, what)
		}
	}
	for _, r := range s {
		switch {
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
			add("bidirectional controls")
		case r >= 0x200B && r <= 0x200D, r == 0x2060, r == 0xFEFF, r == 0x00AD:
			add("zero-width characters")
		case unicode.IsControl(r):
			add("control characters")
		}
	}
	return out
}

// dropHidden removes what hiddenRunes finds (for strings.Map).
func dropHidden(r rune) rune {
	if len(hiddenRunes(string(r))) > 0 {
		return -1
	}
	return r
}
