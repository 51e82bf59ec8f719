package diff

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Window is one record's validity window; both bounds zero for a record
// without one.
type Window struct {
	ValidFrom time.Time `json:"valid_from,omitzero"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// WindowChange is a MEMBER_OF, GRANT or CAN_ACT_AS edge present in both
// snapshots whose validity window changed. An edge is identified by its ends
// and, for a grant, its action and native string, for a delegation its kind,
// system and native text. Before and After list the window of every record
// of the edge in each snapshot (usually one), sorted.
type WindowChange struct {
	Edge   schema.EdgeKind       `json:"edge"`
	From   string                `json:"from"`
	To     string                `json:"to"`
	Action schema.Action         `json:"action,omitempty"`
	Native string                `json:"native,omitempty"`
	Kind   schema.DelegationKind `json:"kind,omitempty"`
	System string                `json:"system,omitempty"`
	Before []Window              `json:"before"`
	After  []Window              `json:"after"`
}

// edgeWindows maps each windowed-edge identity of d to its change record
// (windows in Before).
func edgeWindows(d *graph.Dataset) map[string]*WindowChange {
	out := map[string]*WindowChange{}
	add := func(c WindowChange, w Window) {
		k := strings.Join([]string{string(c.Edge), c.From, c.To, string(c.Action), c.Native, string(c.Kind), c.System}, "\x00")
		if old, ok := out[k]; ok {
			old.Before = append(old.Before, w)
			return
		}
		c.Before = []Window{w}
		out[k] = &c
	}
	for _, m := range d.MembershipList {
		add(WindowChange{Edge: schema.EdgeMemberOf, From: m.Member, To: m.Group}, Window{m.ValidFrom.UTC(), m.ExpiresAt.UTC()})
	}
	for _, g := range d.GrantList {
		add(WindowChange{Edge: schema.EdgeGrant, From: g.Principal, To: g.Resource, Action: g.Action, Native: g.Native},
			Window{g.ValidFrom.UTC(), g.ExpiresAt.UTC()})
	}
	for _, dl := range d.DelegationList {
		add(WindowChange{Edge: schema.EdgeCanActAs, From: dl.From, To: dl.To, Kind: dl.Kind, System: dl.System, Native: dl.Native},
			Window{dl.ValidFrom.UTC(), dl.ExpiresAt.UTC()})
	}
	for _, c := range out {
		slices.SortFunc(c.Before, compareWindows)
	}
	return out
}

func compareWindows(a, b Window) int {
	return cmp.Or(a.ValidFrom.Compare(b.ValidFrom), a.ExpiresAt.Compare(b.ExpiresAt))
}

// windowChanges lists the edges of both a and b whose windows differ, sorted
// by edge kind, from, to, action, native, kind and system.
func windowChanges(a, b *graph.Dataset) []WindowChange {
	out := []WindowChange{}
	if a == nil || b == nil {
		return out
	}
	wa, wb := edgeWindows(a), edgeWindows(b)
	for k, cb := range wb {
		ca, ok := wa[k]
		if !ok || slices.EqualFunc(ca.Before, cb.Before, func(x, y Window) bool { return compareWindows(x, y) == 0 }) {
			continue
		}
		c := *ca
		c.After = cb.Before
		out = append(out, c)
	}
	slices.SortFunc(out, func(x, y WindowChange) int {
		return cmp.Or(cmp.Compare(x.Edge, y.Edge), cmp.Compare(x.From, y.From), cmp.Compare(x.To, y.To),
			cmp.Compare(x.Action, y.Action), cmp.Compare(x.Native, y.Native), cmp.Compare(x.Kind, y.Kind),
			cmp.Compare(x.System, y.System))
	})
	return out
}
