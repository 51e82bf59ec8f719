package reach_test

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// pathInfo is what checkPath learns about a valid path.
type pathInfo struct {
	identities []string // X0 … Xk
	// sessions Xk holds at the end of a walk, with the evidence each may be
	// reported with (walk mode only).
	sessions map[string]map[string]bool
}

func hopString(h analysis.Hop) string {
	s := fmt.Sprintf("%q -%s-> %q", h.From, h.Edge, h.To)
	if h.Edge == schema.EdgeGrant {
		s += fmt.Sprintf(" [%s %q]", h.Action, h.Native)
	}
	if h.Edge == schema.EdgeCanActAs {
		s += fmt.Sprintf(" [%s sys=%q]", h.Kind, h.System)
	}
	return s
}

func pathString(p analysis.Path) string {
	parts := make([]string, len(p))
	for i, h := range p {
		parts[i] = hopString(h)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// checkPath verifies that p is a valid authorization path in the data from
// identity x to (t, a): every hop is an edge that exists, consecutive hops
// connect (an exposure's GRANT may land on an ancestor or the system of the
// credential's location: containment adds no hop), every GRANT is live, and the
// last hop is a GRANT covering t with a or admin. With walk set it also checks
// that the path can be walked per R6 and ends with a session in t's system.
func (m *refModel) checkPath(p analysis.Path, x, t string, a schema.Action, walk bool) (pathInfo, error) {
	info := pathInfo{identities: []string{x}}
	if m.kind[x] != kIdentity {
		return info, fmt.Errorf("origin %q is not an identity", x)
	}
	if len(p) == 0 {
		return info, fmt.Errorf("empty path")
	}
	// sessions maps each system where the current identity holds a session
	// to the evidence that may be reported for it: "cred:ID" for the
	// credential that opened it, "deleg:FROM -> TO" for a delegation hop that
	// carried it (both FROM as the delegation's principal and as the identity
	// acting are accepted).
	var sessions map[string]map[string]bool
	if walk {
		if !m.active[x] {
			return info, fmt.Errorf("walk from disabled identity %q", x)
		}
		sessions = map[string]map[string]bool{}
		for i := range m.d.CredentialList {
			c := &m.d.CredentialList[i]
			if c.Identity == x && m.credValid(c) {
				for _, s := range m.accepted(c) {
					if sessions[s] == nil {
						sessions[s] = map[string]bool{}
					}
					sessions[s]["cred:"+c.ID] = true
				}
			}
		}
	}
	cur := x
	i := 0
	for {
		at := cur
		for i < len(p) && p[i].Edge == schema.EdgeMemberOf {
			h := p[i]
			if h.From != at {
				return info, fmt.Errorf("hop %d %s does not start at %q", i, hopString(h), at)
			}
			if !slices.ContainsFunc(m.d.MembershipList, func(ms graph.Membership) bool {
				return ms.Member == h.From && ms.Group == h.To && m.windowLive(ms.ValidFrom, ms.ExpiresAt) &&
					sameWindow(h, ms.ValidFrom, ms.ExpiresAt) && ms.Native == h.Native
			}) {
				return info, fmt.Errorf("hop %d %s: no such membership counting at as_of with the hop's window and native text", i, hopString(h))
			}
			at = h.To
			i++
		}
		if i >= len(p) {
			return info, fmt.Errorf("path ends after MEMBER_OF hops at %q", at)
		}
		h := p[i]
		if h.From != at {
			return info, fmt.Errorf("hop %d %s does not start at %q", i, hopString(h), at)
		}
		switch h.Edge {
		case schema.EdgeCanActAs:
			var d *graph.Delegation
			for j := range m.d.DelegationList {
				dj := &m.d.DelegationList[j]
				if dj.From == h.From && dj.To == h.To && dj.System == h.System && (h.Kind == "" || dj.Kind == h.Kind) &&
					m.windowLive(dj.ValidFrom, dj.ExpiresAt) && sameWindow(h, dj.ValidFrom, dj.ExpiresAt) {
					d = dj
					break
				}
			}
			if d == nil {
				return info, fmt.Errorf("hop %d %s: no such delegation counting at as_of with the hop's window", i, hopString(h))
			}
			if walk {
				if !m.active[d.To] {
					return info, fmt.Errorf("hop %d %s: delegation to disabled identity", i, hopString(h))
				}
				ev := []string{"deleg:" + d.From + " -> " + d.To, "deleg:" + cur + " -> " + d.To}
				if d.System != "" {
					if sessions[d.System] == nil {
						return info, fmt.Errorf("hop %d %s: %q holds no session in %q (sessions %v)", i, hopString(h), cur, d.System, keys(sessions))
					}
					sessions = map[string]map[string]bool{d.System: sessions[d.System]}
				} else if len(sessions) == 0 {
					return info, fmt.Errorf("hop %d %s: %q holds no session to carry", i, hopString(h), cur)
				}
				for _, set := range sessions {
					for _, e := range ev {
						set[e] = true
					}
				}
			}
			cur = d.To
			info.identities = append(info.identities, cur)
			i++
		case schema.EdgeGrant:
			if !m.hasLiveGrant(h) {
				return info, fmt.Errorf("hop %d %s: no such live grant", i, hopString(h))
			}
			if i == len(p)-1 {
				if !gives(h.Action, a) {
					return info, fmt.Errorf("last hop %s does not give %s", hopString(h), a)
				}
				if !m.covers(h.To, t) {
					return info, fmt.Errorf("last hop %s does not cover %q", hopString(h), t)
				}
				if walk && sessions[m.sysOf[t]] == nil {
					return info, fmt.Errorf("%q ends without a session in %q (sessions %v)", cur, m.sysOf[t], keys(sessions))
				}
				info.sessions = sessions
				return info, nil
			}
			// An exposure: GRANT read → STORED_IN → HAS_CREDENTIAL.
			if i+2 >= len(p) {
				return info, fmt.Errorf("hop %d %s: GRANT that is neither last nor the start of an exposure", i, hopString(h))
			}
			hs, hc := p[i+1], p[i+2]
			if hs.Edge != schema.EdgeStoredIn || hc.Edge != schema.EdgeHasCredential {
				return info, fmt.Errorf("hop %d %s: GRANT not followed by STORED_IN, HAS_CREDENTIAL", i, hopString(h))
			}
			if !gives(h.Action, schema.ActionRead) {
				return info, fmt.Errorf("hop %d %s: exposure grant does not give read", i, hopString(h))
			}
			c := m.creds[hs.To]
			if c == nil || c.StoredIn != hs.From || c.StoredIn == "" {
				return info, fmt.Errorf("hop %d %s: no such STORED_IN edge", i+1, hopString(hs))
			}
			if !m.covers(h.To, hs.From) {
				return info, fmt.Errorf("hop %d: grant on %q does not cover the location %q", i, h.To, hs.From)
			}
			if hc.From != c.ID || hc.To != c.Identity {
				return info, fmt.Errorf("hop %d %s: no such HAS_CREDENTIAL edge", i+2, hopString(hc))
			}
			if walk {
				if sessions[m.sysOf[c.StoredIn]] == nil {
					return info, fmt.Errorf("hop %d: exposure of %q needs %q to hold a session in %q (sessions %v)", i, c.ID, cur, m.sysOf[c.StoredIn], keys(sessions))
				}
				if !m.credValid(c) {
					return info, fmt.Errorf("hop %d: exposure of invalid credential %q", i, c.ID)
				}
				sessions = map[string]map[string]bool{}
				for _, s := range m.accepted(c) {
					sessions[s] = map[string]bool{"cred:" + c.ID: true}
				}
			}
			cur = c.Identity
			info.identities = append(info.identities, cur)
			i += 3
		default:
			return info, fmt.Errorf("hop %d %s: unexpected edge kind", i, hopString(h))
		}
		if i >= len(p) {
			return info, fmt.Errorf("path ends at identity %q without a GRANT", cur)
		}
	}
}

// sameWindow reports whether hop h shows the validity window [from, until)
// of the record it stands for (zero = unbounded on both sides).
func sameWindow(h analysis.Hop, from, until time.Time) bool {
	eq := func(a, b time.Time) bool { return a.IsZero() == b.IsZero() && a.Equal(b) }
	return eq(h.ValidFrom, from) && eq(h.ExpiresAt, until)
}

func (m *refModel) hasLiveGrant(h analysis.Hop) bool {
	for _, g := range m.d.GrantList {
		if g.Principal == h.From && g.Resource == h.To && g.Action == h.Action && g.Native == h.Native && m.grantLive(g) &&
			sameWindow(h, g.ValidFrom, g.ExpiresAt) {
			return true
		}
	}
	return false
}

// checkAuth verifies the authentication evidence of an effective access whose
// path was walked into info: its system is t's system; a credential is valid,
// accepted there, and is the one that opened the session the path's last
// identity holds there (the origin's own, or one exposed along the path, possibly
// carried on by delegations) — never another credential of an identity acted
// as; a delegation is one that carried that session.
func (m *refModel) checkAuth(au *analysis.Authentication, t string, info pathInfo) error {
	if au == nil {
		return fmt.Errorf("effective access without authentication")
	}
	sys := m.sysOf[t]
	if au.System != sys {
		return fmt.Errorf("authentication system %q, want %q", au.System, sys)
	}
	ev := info.sessions[sys]
	switch au.Via {
	case "credential":
		c := m.creds[au.Credential]
		if c == nil {
			return fmt.Errorf("authentication credential %q does not exist", au.Credential)
		}
		if !m.credValid(c) || !m.accepts(c, sys) {
			return fmt.Errorf("authentication credential %q is not a valid credential accepted by %q", c.ID, sys)
		}
		if c.Type != au.CredentialType {
			return fmt.Errorf("authentication credential type %q, want %q", au.CredentialType, c.Type)
		}
		if (au.ExpiresAt == nil) != c.ExpiresAt.IsZero() || (au.ExpiresAt != nil && !au.ExpiresAt.Equal(c.ExpiresAt)) {
			return fmt.Errorf("authentication expires_at %v, want %v", au.ExpiresAt, c.ExpiresAt)
		}
		if (au.LastRotatedAt == nil) != c.LastRotatedAt.IsZero() || (au.LastRotatedAt != nil && !au.LastRotatedAt.Equal(c.LastRotatedAt)) {
			return fmt.Errorf("authentication last_rotated_at %v, want %v", au.LastRotatedAt, c.LastRotatedAt)
		}
		if !ev["cred:"+c.ID] {
			return fmt.Errorf("authentication credential %q did not open the session in %q along the path (possible: %v)", c.ID, sys, keys(ev))
		}
	case "delegation":
		if !ev["deleg:"+au.Delegation] {
			return fmt.Errorf("authentication delegation %q did not carry the session in %q along the path (possible: %v)", au.Delegation, sys, keys(ev))
		}
	default:
		return fmt.Errorf("authentication via %q", au.Via)
	}
	return nil
}

func keys[V any](s map[string]V) []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
