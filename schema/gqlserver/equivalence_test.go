package gqlserver_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// flatAccess is the part of an access both the engine and GraphQL answer.
type flatAccess struct {
	Identity, Resource, Action string
	Authorized, Effective      bool
	Critical                   bool
	Paths                      []analysis.Path
	Authentication             *analysis.Authentication
}

const accessFields = `identity { id } resource { id } action authorized effective critical
  authentication { system via credential credentialType expiresAt lastRotatedAt delegation }
  paths { hops { from edge to action native kind system validFrom expiresAt } }`

type gqlAccess struct {
	Identity   struct{ ID string }
	Resource   struct{ ID string }
	Action     string
	Authorized bool
	Effective  bool
	Critical   bool
	Paths      []struct {
		Hops []struct {
			From, Edge, To string
			Action, Native *string
			Kind, System   *string
			ValidFrom      *time.Time
			ExpiresAt      *time.Time
		}
	}
	Authentication *struct {
		System, Via                string
		Credential, CredentialType *string
		ExpiresAt, LastRotatedAt   *string
		Delegation                 *string
	}
}

func tm(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func fromGQL(t *testing.T, accs []gqlAccess) []flatAccess {
	out := make([]flatAccess, len(accs))
	for i, a := range accs {
		f := flatAccess{Identity: a.Identity.ID, Resource: a.Resource.ID, Action: a.Action, Authorized: a.Authorized, Effective: a.Effective, Critical: a.Critical}
		for _, p := range a.Paths {
			var path analysis.Path
			for _, h := range p.Hops {
				path = append(path, analysis.Hop{From: h.From, Edge: schema.EdgeKind(h.Edge), To: h.To, Action: schema.Action(str(h.Action)),
					Native: str(h.Native), Kind: schema.DelegationKind(str(h.Kind)), System: str(h.System),
					ValidFrom: tm(h.ValidFrom), ExpiresAt: tm(h.ExpiresAt)})
			}
			f.Paths = append(f.Paths, path)
		}
		if au := a.Authentication; au != nil {
			f.Authentication = &analysis.Authentication{System: au.System, Via: au.Via, Credential: str(au.Credential),
				CredentialType: schema.CredentialType(str(au.CredentialType)), Delegation: str(au.Delegation)}
		}
		out[i] = f
	}
	return out
}

func fromEngine(accs []analysis.Access) []flatAccess {
	out := make([]flatAccess, len(accs))
	for i, a := range accs {
		f := flatAccess{Identity: a.Identity, Resource: a.Resource, Action: string(a.Action), Authorized: a.Authorized, Effective: a.Effective, Critical: a.Critical, Paths: a.Paths}
		if au := a.Authentication; au != nil {
			c := *au
			c.ExpiresAt, c.LastRotatedAt = nil, nil // times are compared by the golden files
			f.Authentication = &c
		}
		out[i] = f
	}
	return out
}

// TestAnswersEqualEngine checks that GraphQL answers equal analysis/reach
// answers (what the CLI prints) on the same snapshot, for every action on
// every resource and system and for every identity's reach.
func TestAnswersEqualEngine(t *testing.T) {
	ctx := context.Background()
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, nil)
	r, err := st.Snapshot(ctx, "")
	require.NoError(t, err)
	p, err := projection.Build(ctx, r)
	require.NoError(t, err)
	e := reach.New(p, r.Meta().AsOf())

	var targets, identities []string
	for s, err := range r.Systems(ctx) {
		require.NoError(t, err)
		targets = append(targets, s.ID)
	}
	for res, err := range r.Resources(ctx) {
		require.NoError(t, err)
		targets = append(targets, res.ID)
	}
	for id, err := range r.Identities(ctx) {
		require.NoError(t, err)
		identities = append(identities, id.ID)
	}
	for _, a := range schema.Actions {
		for _, res := range targets {
			t.Run("whoCan "+string(a)+" "+res, func(t *testing.T) {
				want, err := e.WhoCan(reach.WhoCanQuery{Resource: res, Action: a})
				require.NoError(t, err)
				data := mustData(t, hs.URL, `query W($a: Action!, $r: ID) { whoCan(action: $a, resource: $r) { accesses { `+accessFields+` } } }`,
					map[string]any{"a": a, "r": res})
				var got struct {
					WhoCan struct{ Accesses []gqlAccess }
				}
				require.NoError(t, json.Unmarshal(data, &got))
				require.Equal(t, fromEngine(want), fromGQL(t, got.WhoCan.Accesses))
			})
		}
	}
	for _, id := range identities {
		t.Run("reach "+id, func(t *testing.T) {
			want, err := e.Reach(reach.ReachQuery{Identity: id})
			require.NoError(t, err)
			data := mustData(t, hs.URL, `query R($i: ID!) { reach(identity: $i) { accesses { `+accessFields+` } } }`, map[string]any{"i": id})
			var got struct {
				Reach struct{ Accesses []gqlAccess }
			}
			require.NoError(t, json.Unmarshal(data, &got))
			require.Equal(t, fromEngine(want), fromGQL(t, got.Reach.Accesses))
		})
	}
	t.Run("paths bob.k approve sap:fi:je", func(t *testing.T) {
		want, err := e.Paths("bob.k", "sap:fi:je", schema.ActionApprove, 3)
		require.NoError(t, err)
		data := mustData(t, hs.URL, `{ paths(from: "bob.k", resource: "sap:fi:je", action: approve, k: 3) { paths { hops { from edge to action native kind system } } } }`, nil)
		var got struct {
			Paths struct {
				Paths []struct{ Hops json.RawMessage }
			}
		}
		require.NoError(t, json.Unmarshal(data, &got))
		require.Len(t, got.Paths.Paths, len(want))
		require.NotEmpty(t, want)
	})
}
