package gqlserver

import (
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/diff"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/gqlserver/model"
)

// This file maps graph records and analysis results to GraphQL models,
// field by field. Empty strings and zero times become null.

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func optTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return optTime(*t)
}

func toSnapshot(m graph.SnapshotMeta) *model.Snapshot {
	files := make([]*model.SourceFile, len(m.Files))
	for i, f := range m.Files {
		files[i] = &model.SourceFile{Name: f.Name, Sha256: f.SHA256}
	}
	c := m.Counts
	return &model.Snapshot{
		ID: string(m.ID), Source: m.Source, CollectedAt: optTime(m.CollectedAt),
		IngestedAt: m.IngestedAt.UTC(), AsOf: m.AsOf().UTC(), Files: files,
		Counts: &model.Counts{Systems: c.Systems, Resources: c.Resources, Identities: c.Identities, Groups: c.Groups,
			Memberships: c.Memberships, Grants: c.Grants, Credentials: c.Credentials, Delegations: c.Delegations},
	}
}

func toIdentity(sc model.Scope, x graph.Identity) *model.Identity {
	cc := x.CompensatingControls
	if cc == nil {
		cc = []string{}
	}
	return &model.Identity{
		Scope: sc, ID: x.ID, Name: x.Name, Type: x.Type, Status: x.Status,
		Owners:  &model.Owners{Business: optString(x.Owners.Business), Technical: optString(x.Owners.Technical)},
		Purpose: optString(x.Purpose), NonhumanRationale: optString(x.NonhumanRationale),
		Shared: x.Shared, BreakGlass: x.BreakGlass, Vendor: optString(x.Vendor),
		CreatedAt: optTime(x.CreatedAt), LastUsedAt: optTime(x.LastUsedAt), CompensatingControls: cc,
	}
}

func toGroup(sc model.Scope, g graph.Group) *model.Group {
	return &model.Group{Scope: sc, ID: g.ID, Name: g.Name, Type: g.Type, SystemID: g.System}
}

func toSystem(sc model.Scope, s graph.System) *model.System {
	return &model.System{Scope: sc, ID: s.ID, Name: s.Name, Kind: s.Kind, SoxScope: s.SOXScope, Owner: optString(s.Owner)}
}

func toResource(sc model.Scope, r graph.Resource, sox bool) *model.Resource {
	return &model.Resource{Scope: sc, ID: r.ID, Name: r.Name, Kind: r.Kind, SoxScope: sox, SystemID: r.System, ParentID: r.Parent}
}

func toCredential(c graph.Credential) *model.Credential {
	systems := c.Systems
	if systems == nil {
		systems = []string{}
	}
	var rot *int
	if c.RotationDays != 0 {
		d := c.RotationDays
		rot = &d
	}
	return &model.Credential{
		ID: c.ID, Identity: c.Identity, Type: c.Type, Systems: systems,
		CreatedAt: optTime(c.CreatedAt), LastRotatedAt: optTime(c.LastRotatedAt), ValidFrom: optTime(c.ValidFrom),
		ExpiresAt:  optTime(c.ExpiresAt),
		LastUsedAt: optTime(c.LastUsedAt), RotationDays: rot, Revoked: c.Revoked, Vaulted: c.Vaulted,
		StoredIn: optString(c.StoredIn),
	}
}

func toAccesses(sc model.Scope, accs []analysis.Access) []*model.Access {
	out := make([]*model.Access, len(accs))
	for i, a := range accs {
		out[i] = toAccess(sc, a)
	}
	return out
}

func toAccess(sc model.Scope, a analysis.Access) *model.Access {
	return &model.Access{
		Scope: sc, IdentityID: a.Identity, ResourceID: a.Resource, Action: a.Action,
		Authorized: a.Authorized, Effective: a.Effective, Critical: a.Critical,
		Paths: toPaths(a.Paths), Authentication: toAuthentication(a.Authentication),
	}
}

func toPaths(ps []analysis.Path) []*model.Path {
	out := make([]*model.Path, len(ps))
	for i, p := range ps {
		out[i] = toPath(p)
	}
	return out
}

func toPath(p analysis.Path) *model.Path {
	hops := make([]*model.Hop, len(p))
	for i, h := range p {
		mh := &model.Hop{From: h.From, Edge: h.Edge, To: h.To, Native: optString(h.Native), Conditional: h.Conditional,
			System: optString(h.System), ValidFrom: optTime(h.ValidFrom), ExpiresAt: optTime(h.ExpiresAt)}
		if h.Action != "" {
			a := h.Action
			mh.Action = &a
		}
		if h.Kind != "" {
			k := h.Kind
			mh.Kind = &k
		}
		hops[i] = mh
	}
	return &model.Path{Hops: hops}
}

func toAuthentication(a *analysis.Authentication) *model.Authentication {
	if a == nil {
		return nil
	}
	out := &model.Authentication{
		System: a.System, Via: model.AuthenticationVia(strings.ToUpper(a.Via)), Credential: optString(a.Credential),
		ExpiresAt: optTimePtr(a.ExpiresAt), LastRotatedAt: optTimePtr(a.LastRotatedAt), Delegation: optString(a.Delegation),
	}
	if a.CredentialType != "" {
		t := a.CredentialType
		out.CredentialType = &t
	}
	return out
}

func toFindings(sc model.Scope, fs []rules.Finding) []*model.Finding {
	out := make([]*model.Finding, len(fs))
	for i, f := range fs {
		out[i] = toFinding(sc, f)
	}
	return out
}

// toFinding maps the SPEC §5.3 fields of a finding and the accesses it
// covers; fields the rules package adds later (Fix) stay unexposed until the
// SDL names them. Suppressed and New are not mapped: the server applies no
// suppressions and compares no snapshots in findings (diff does).
func toFinding(sc model.Scope, f rules.Finding) *model.Finding {
	actor := f.Actor
	if actor == nil {
		actor = []string{}
	}
	fw := f.Frameworks
	if fw == nil {
		fw = []string{}
	}
	out := &model.Finding{
		Scope: sc, ID: f.ID, Rule: f.Rule, Title: f.Title, Category: f.Category, Severity: f.Severity,
		Message: f.Message, IdentityID: f.Identity, Actor: actor, Credential: optString(f.Credential),
		ResourceID: f.Resource, Effective: f.Effective, AccessesOmitted: f.AccessesOmitted,
		Paths: toPaths(f.Paths), PathsOmitted: f.PathsOmitted, Frameworks: fw,
		Accesses: make([]*model.CoveredAccess, len(f.Accesses)),
	}
	for i, c := range f.Accesses {
		acts := c.Actions
		if acts == nil {
			acts = []schema.Action{}
		}
		out.Accesses[i] = &model.CoveredAccess{Scope: sc, ResourceID: c.Resource, Actions: acts, Effective: c.Effective}
	}
	if f.Action != "" {
		a := f.Action
		out.Action = &a
	}
	if c := f.Conflict; c != nil {
		out.Conflict = &model.Conflict{A: toConflictSide(c.A), B: toConflictSide(c.B)}
	}
	return out
}

func toConflictSide(s rules.Side) *model.ConflictSide {
	return &model.ConflictSide{Function: s.Function, Identity: s.Identity, Resource: s.Resource, Action: s.Action, Effective: s.Effective}
}

func toAccessChanges(sc model.Scope, cs []diff.AccessChange) []*model.AccessChange {
	out := make([]*model.AccessChange, len(cs))
	for i, c := range cs {
		out[i] = &model.AccessChange{
			Scope: sc, IdentityID: c.Identity, ResourceID: c.Resource, Action: schema.Action(c.Action),
			State: model.AccessState(strings.ToUpper(c.State)), Paths: toPaths(c.Paths),
		}
	}
	return out
}

func toWindowChanges(cs []diff.WindowChange) []*model.WindowChange {
	out := make([]*model.WindowChange, len(cs))
	for i, c := range cs {
		mc := &model.WindowChange{Edge: c.Edge, From: c.From, To: c.To, Native: optString(c.Native),
			System: optString(c.System), Before: toWindows(c.Before), After: toWindows(c.After)}
		if c.Action != "" {
			a := c.Action
			mc.Action = &a
		}
		if c.Kind != "" {
			k := c.Kind
			mc.Kind = &k
		}
		out[i] = mc
	}
	return out
}

func toWindows(ws []diff.Window) []*model.Window {
	out := make([]*model.Window, len(ws))
	for i, w := range ws {
		out[i] = &model.Window{ValidFrom: optTime(w.ValidFrom), ExpiresAt: optTime(w.ExpiresAt)}
	}
	return out
}
