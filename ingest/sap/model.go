package sap

import (
	"time"

	"github.com/reachgraph/reachgraph/graph"
)

// Window is the validity of an edge: it counts from From (zero: always has)
// until, and not including, Until (zero: no end).
type Window struct {
	From  time.Time
	Until time.Time
}

// assignmentWindow is the window of an AGR_USERS row: FROM_DAT to the end of
// TO_DAT (Until = the day after).
func assignmentWindow(from, to time.Time) Window {
	w := Window{From: from}
	if !to.IsZero() {
		w.Until = to.AddDate(0, 0, 1)
	}
	return w
}

// Intersect is the window in which both w and o hold.
func (w Window) Intersect(o Window) Window {
	out := w
	if o.From.After(out.From) {
		out.From = o.From
	}
	if !o.Until.IsZero() && (out.Until.IsZero() || o.Until.Before(out.Until)) {
		out.Until = o.Until
	}
	return out
}

// Empty reports a window that holds at no time.
func (w Window) Empty() bool { return !w.Until.IsZero() && !w.From.Before(w.Until) }

// Contains reports whether the window holds at t.
func (w Window) Contains(t time.Time) bool {
	return !t.Before(w.From) && (w.Until.IsZero() || t.Before(w.Until))
}

// Membership is a MEMBER_OF edge with its validity window. Via names the
// reference user (USREFUS) a membership was copied from, "" for a direct one.
type Membership struct {
	graph.Membership
	Window Window
	Via    string
}

// Grant is a GRANT edge with its validity window (Window.Until is also in
// graph.Grant.ExpiresAt).
type Grant struct {
	graph.Grant
	Window Window
}

// Delegation is a CAN_ACT_AS edge with its validity window.
type Delegation struct {
	graph.Delegation
	Window Window
}

// Result is the transform's output: graph records plus the validity windows
// of memberships, grants and delegations. Every list is in a deterministic
// order (input order of the tables, then sorted ids).
type Result struct {
	Label       string    // snapshot source label, sap:SID:CLIENT
	CollectedAt time.Time // from sap.yaml, zero when not given
	Systems     []graph.System
	Resources   []graph.Resource
	Identities  []graph.Identity
	Groups      []graph.Group
	Credentials []graph.Credential
	Memberships []Membership
	Grants      []Grant
	Delegations []Delegation
}

var timeZero time.Time
