package sap

import (
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
)

// Emit hands every record of res to f (the shared loader validates them),
// with each edge's validity window (valid_from, expires_at): every edge is
// emitted, and the analysis decides at its as_of.
func Emit(f *ingest.File, res *Result) { f.Emit(res.Dataset(), ingest.EmitOptions{}) }

// Dataset is res as graph records, the windows on the edges.
func (res *Result) Dataset() *graph.Dataset {
	ds := &graph.Dataset{SystemList: res.Systems, ResourceList: res.Resources, IdentityList: res.Identities,
		GroupList: res.Groups, CredentialList: res.Credentials}
	for _, m := range res.Memberships {
		r := m.Membership
		r.ValidFrom, r.ExpiresAt = m.Window.From, m.Window.Until
		ds.MembershipList = append(ds.MembershipList, r)
	}
	for _, g := range res.Grants {
		r := g.Grant
		r.ValidFrom, r.ExpiresAt = g.Window.From, g.Window.Until
		ds.GrantList = append(ds.GrantList, r)
	}
	for _, d := range res.Delegations {
		r := d.Delegation
		r.ValidFrom, r.ExpiresAt = d.Window.From, d.Window.Until
		ds.DelegationList = append(ds.DelegationList, r)
	}
	return ds
}

func str(name, v string) ingest.Field {
	return ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.String, Text: v}}
}
