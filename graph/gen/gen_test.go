package gen_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/schema"
)

func mustTier(t testing.TB, name string) gen.Tier {
	t.Helper()
	tier, err := gen.TierByName(name)
	require.NoError(t, err)
	return tier
}

// generate writes the estate into a Dataset.
func generate(t testing.TB, tier gen.Tier, seed int64) *graph.Dataset {
	t.Helper()
	d := &graph.Dataset{Info: gen.Meta(tier, seed)}
	require.NoError(t, gen.Generate(context.Background(), tier, seed, d, nil))
	return d
}

// hash returns the snapshot id of the generated record stream.
func hash(t testing.TB, tier gen.Tier, seed int64) graph.SnapshotID {
	t.Helper()
	h := graph.NewIDHasher(gen.Meta(tier, 0)) // same provenance for every seed: only records differ
	require.NoError(t, gen.Generate(context.Background(), tier, seed, h, nil))
	return h.Sum()
}

// edges counts the tier's edges as Tier.Edges defines them.
func edges(d *graph.Dataset) int {
	n := len(d.MembershipList) + len(d.GrantList) + len(d.CredentialList) + len(d.DelegationList) + len(d.ResourceList)
	for _, r := range d.ResourceList {
		if r.Parent != "" {
			n++
		}
	}
	for _, c := range d.CredentialList {
		if c.StoredIn != "" {
			n++
		}
	}
	return n
}

func TestTierByName(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		identities int
		groups     int
		resources  int
		edges      int
		wantErr    error
	}{
		{name: "XS", in: "XS", identities: 200, groups: 40, resources: 120, edges: 2_000},
		{name: "S", in: "S", identities: 10_000, groups: 2_000, resources: 5_000, edges: 100_000},
		{name: "M lower case", in: "m", identities: 1_000_000, groups: 50_000, resources: 100_000, edges: 10_000_000},
		{name: "L", in: "L", identities: 10_000_000, groups: 200_000, resources: 1_000_000, edges: 100_000_000},
		{name: "unknown", in: "XL", wantErr: gen.ErrUnknownTier},
		{name: "empty", in: "", wantErr: gen.ErrUnknownTier},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tier, err := gen.TierByName(tt.in)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.identities, tier.Identities)
			require.Equal(t, tt.groups, tier.Groups)
			require.Equal(t, tt.resources, tier.Resources)
			require.Equal(t, tt.edges, tier.Edges)
			require.GreaterOrEqual(t, tier.Systems, 10)
			require.LessOrEqual(t, tier.Systems, 200)
		})
	}
}

func TestTiersSmallestFirst(t *testing.T) {
	all := gen.Tiers()
	require.Len(t, all, 4)
	for i := 1; i < len(all); i++ {
		require.Less(t, all[i-1].Identities, all[i].Identities, "tier %s", all[i].Name)
	}
	all[0].Identities = -1 // a copy: must not change the package's tiers
	require.Equal(t, 200, mustTier(t, "XS").Identities)
}

func TestGenerateDeterministic(t *testing.T) {
	tests := []struct {
		name string
		tier string
		seed int64
	}{
		{name: "XS seed 1", tier: "XS", seed: 1},
		{name: "XS seed -7", tier: "XS", seed: -7},
		{name: "S seed 42", tier: "S", seed: 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tier := mustTier(t, tt.tier)
			first := hash(t, tier, tt.seed)
			require.Equal(t, first, hash(t, tier, tt.seed), "same tier and seed")
			require.NotEqual(t, first, hash(t, tier, tt.seed+1), "next seed")
		})
	}
}

func TestGenerateTiersDiffer(t *testing.T) {
	require.NotEqual(t, hash(t, mustTier(t, "XS"), 1), hash(t, mustTier(t, "S"), 1))
}

// TestGenerateReferencesResolve checks every reference against the kinds the
// bundle schema allows, id uniqueness across kinds, and that no edge record
// repeats.
func TestGenerateReferencesResolve(t *testing.T) {
	tests := []struct {
		name string
		tier gen.Tier
		seed int64
	}{
		{name: "XS", tier: mustTier(t, "XS"), seed: 3},
		{name: "S", tier: mustTier(t, "S"), seed: 3},
		{name: "smallest valid tier", tier: gen.Tier{Name: "tiny", Systems: 2, Identities: 3, Groups: 10, Resources: 2, DirectGrants: 8}, seed: 5},
		{name: "few resources per system", tier: gen.Tier{Name: "thin", Systems: 30, Identities: 500, Groups: 12, Resources: 31, DirectGrants: 3}, seed: 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkIntegrity(t, generate(t, tt.tier, tt.seed))
		})
	}
}

func checkIntegrity(t *testing.T, d *graph.Dataset) {
	t.Helper()
	kinds := map[string]schema.NodeKind{}
	human := map[string]bool{}
	add := func(id string, k schema.NodeKind) {
		require.NotEmpty(t, id)
		_, dup := kinds[id]
		require.False(t, dup, "duplicate id %q", id)
		kinds[id] = k
	}
	for _, r := range d.SystemList {
		add(r.ID, schema.KindSystem)
	}
	for _, r := range d.ResourceList {
		add(r.ID, schema.KindResource)
	}
	for _, r := range d.IdentityList {
		add(r.ID, schema.KindIdentity)
		human[r.ID] = r.Type == schema.IdentityHuman
	}
	for _, r := range d.GroupList {
		add(r.ID, schema.KindGroup)
	}
	for _, r := range d.CredentialList {
		add(r.ID, schema.KindCredential)
	}
	ref := func(what, id string, allowed ...schema.NodeKind) {
		require.Contains(t, allowed, kinds[id], "%s %q resolves to %q", what, id, kinds[id])
	}
	principal := []schema.NodeKind{schema.KindIdentity, schema.KindGroup}
	for _, r := range d.ResourceList {
		ref("resource system", r.System, schema.KindSystem)
		if r.Parent != "" {
			ref("resource parent", r.Parent, schema.KindResource)
		}
	}
	for _, r := range d.IdentityList {
		require.True(t, r.Type == schema.IdentityHuman || r.Type.NonHuman())
		require.Contains(t, schema.IdentityTypes, r.Type)
		require.Contains(t, schema.Statuses, r.Status)
		for _, s := range r.SameAs {
			ref("same_as", s, schema.KindIdentity)
			require.NotEqual(t, r.ID, s, "same_as to itself")
			require.True(t, human[s] && r.Type == schema.IdentityHuman, "same_as %s → %s links people", r.ID, s)
		}
	}
	for _, r := range d.GroupList {
		require.Contains(t, schema.GroupTypes, r.Type)
		if r.System != "" {
			ref("group system", r.System, schema.KindSystem)
		}
	}
	memberships := map[graph.Membership]bool{}
	for _, r := range d.MembershipList {
		ref("member", r.Member, principal...)
		ref("group", r.Group, schema.KindGroup)
		require.NotEqual(t, r.Member, r.Group, "self-membership")
		require.False(t, memberships[r], "duplicate membership %+v", r)
		memberships[r] = true
	}
	type grantKey struct {
		principal, resource string
		action              schema.Action
	}
	grants := map[grantKey]bool{}
	for _, r := range d.GrantList {
		ref("grant principal", r.Principal, principal...)
		ref("grant resource", r.Resource, schema.KindResource, schema.KindSystem)
		require.True(t, r.Action.Valid(), "action %q", r.Action)
		require.NotEmpty(t, r.Native)
		k := grantKey{principal: r.Principal, resource: r.Resource, action: r.Action}
		require.False(t, grants[k], "duplicate grant %+v", k)
		grants[k] = true
	}
	for _, r := range d.CredentialList {
		ref("credential identity", r.Identity, schema.KindIdentity)
		require.Contains(t, schema.CredentialTypes, r.Type)
		require.LessOrEqual(t, len(r.Systems), 2)
		for _, s := range r.Systems {
			ref("credential system", s, schema.KindSystem)
		}
		if len(r.Systems) == 2 {
			require.NotEqual(t, r.Systems[0], r.Systems[1])
		}
		if r.StoredIn != "" {
			ref("stored_in", r.StoredIn, schema.KindResource)
		}
	}
	delegations := map[graph.Delegation]bool{}
	for _, r := range d.DelegationList {
		ref("delegation from", r.From, principal...)
		ref("delegation to", r.To, schema.KindIdentity)
		require.NotEqual(t, r.From, r.To, "self-delegation")
		require.Contains(t, schema.DelegationKinds, r.Kind)
		if r.System != "" {
			ref("delegation system", r.System, schema.KindSystem)
		}
		require.False(t, delegations[r], "duplicate delegation %+v", r)
		delegations[r] = true
	}
}

// sectionWriter records the order of sections and fails after failAt records
// when failAt > 0, or cancels after cancelAt records when cancel is set.
type sectionWriter struct {
	order    []string
	n        int
	failAt   int
	cancelAt int
	cancel   context.CancelFunc
}

var errWriter = errors.New("writer failed")

func (w *sectionWriter) put(section string) error {
	if len(w.order) == 0 || w.order[len(w.order)-1] != section {
		w.order = append(w.order, section)
	}
	w.n++
	if w.failAt > 0 && w.n == w.failAt {
		return errWriter
	}
	if w.cancel != nil && w.n == w.cancelAt {
		w.cancel()
	}
	return nil
}

func (w *sectionWriter) PutSystem(graph.System) error         { return w.put("systems") }
func (w *sectionWriter) PutResource(graph.Resource) error     { return w.put("resources") }
func (w *sectionWriter) PutIdentity(graph.Identity) error     { return w.put("identities") }
func (w *sectionWriter) PutGroup(graph.Group) error           { return w.put("groups") }
func (w *sectionWriter) PutMembership(graph.Membership) error { return w.put("memberships") }
func (w *sectionWriter) PutGrant(graph.Grant) error           { return w.put("grants") }
func (w *sectionWriter) PutCredential(graph.Credential) error { return w.put("credentials") }
func (w *sectionWriter) PutDelegation(graph.Delegation) error { return w.put("delegations") }

func TestGenerateSectionOrderAndProgress(t *testing.T) {
	tests := []struct {
		name string
		tier string
	}{
		{name: "XS", tier: "XS"},
		{name: "S", tier: "S"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tier := mustTier(t, tt.tier)
			w := &sectionWriter{}
			var calls [][2]int64
			err := gen.Generate(context.Background(), tier, 11, w, func(done, total int64) {
				calls = append(calls, [2]int64{done, total})
			})
			require.NoError(t, err)
			require.Equal(t, []string{"systems", "resources", "identities", "groups", "memberships", "grants", "credentials", "delegations"}, w.order)

			want, err := gen.Expected(tier, 11)
			require.NoError(t, err)
			total := int64(want.Total())
			require.Equal(t, total, int64(w.n), "Expected agrees with what Generate writes")
			require.GreaterOrEqual(t, len(calls), 2)
			require.Equal(t, [2]int64{0, total}, calls[0])
			require.Equal(t, [2]int64{total, total}, calls[len(calls)-1])
			for i := 1; i < len(calls); i++ {
				require.Greater(t, calls[i][0], calls[i-1][0], "progress increases")
				require.Equal(t, total, calls[i][1])
			}
		})
	}
}

func TestExpectedMatchesCounts(t *testing.T) {
	for _, name := range []string{"XS", "S"} {
		t.Run(name, func(t *testing.T) {
			tier := mustTier(t, name)
			want, err := gen.Expected(tier, 21)
			require.NoError(t, err)
			require.Equal(t, want, generate(t, tier, 21).Meta().Counts)
		})
	}
}

// TestGenerateCountsS pins tier S's section counts to the ranges documented in
// docs/generator.md.
func TestGenerateCountsS(t *testing.T) {
	tier := mustTier(t, "S")
	for _, seed := range []int64{1, 2} {
		d := generate(t, tier, seed)
		c := d.Meta().Counts
		tests := []struct {
			name     string
			got      int
			min, max int
		}{
			{name: "systems", got: c.Systems, min: 24, max: 24},
			{name: "resources", got: c.Resources, min: 5_000, max: 5_000},
			{name: "identities", got: c.Identities, min: 10_000, max: 10_000},
			{name: "groups", got: c.Groups, min: 2_000, max: 2_000},
			{name: "memberships", got: c.Memberships, min: 17_000, max: 21_000},
			{name: "grants", got: c.Grants, min: 50_000, max: 60_000},
			{name: "credentials", got: c.Credentials, min: 12_500, max: 14_500},
			{name: "delegations", got: c.Delegations, min: 600, max: 1_000},
			{name: "edges", got: edges(d), min: tier.Edges * 8 / 10, max: tier.Edges * 12 / 10},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("seed %d %s", seed, tt.name), func(t *testing.T) {
				require.GreaterOrEqual(t, tt.got, tt.min)
				require.LessOrEqual(t, tt.got, tt.max)
			})
		}
	}
}

func TestGenerateEdgesNearTarget(t *testing.T) {
	for _, name := range []string{"XS", "S"} {
		t.Run(name, func(t *testing.T) {
			tier := mustTier(t, name)
			n := edges(generate(t, tier, 8))
			require.InDelta(t, tier.Edges, n, float64(tier.Edges)*0.2)
		})
	}
}

func TestGenerateInvalidTier(t *testing.T) {
	tests := []struct {
		name string
		tier gen.Tier
	}{
		{name: "zero", tier: gen.Tier{}},
		{name: "one system", tier: gen.Tier{Systems: 1, Identities: 10, Groups: 10, Resources: 10}},
		{name: "two identities", tier: gen.Tier{Systems: 2, Identities: 2, Groups: 10, Resources: 10}},
		{name: "nine groups", tier: gen.Tier{Systems: 2, Identities: 10, Groups: 9, Resources: 10}},
		{name: "fewer resources than systems", tier: gen.Tier{Systems: 5, Identities: 10, Groups: 10, Resources: 4}},
		{name: "negative direct grants", tier: gen.Tier{Systems: 2, Identities: 10, Groups: 10, Resources: 10, DirectGrants: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &sectionWriter{}
			require.ErrorIs(t, gen.Generate(context.Background(), tt.tier, 1, w, nil), gen.ErrInvalidTier)
			require.Zero(t, w.n)
			_, err := gen.Expected(tt.tier, 1)
			require.ErrorIs(t, err, gen.ErrInvalidTier)
		})
	}
}

func TestGenerateStops(t *testing.T) {
	tier := mustTier(t, "S")
	tests := []struct {
		name      string
		cancelAt  int // cancel the context after this many records (0: never)
		failAt    int // fail the writer at this record (0: never)
		cancelled bool
		wantErr   error
		maxN      int
	}{
		{name: "context cancelled before start", cancelled: true, wantErr: context.Canceled, maxN: 0},
		{name: "context cancelled in identities", cancelAt: 12_000, wantErr: context.Canceled, maxN: 12_000 + 1024},
		{name: "context cancelled in grants", cancelAt: 60_000, wantErr: context.Canceled, maxN: 60_000 + 1024},
		{name: "writer fails in systems", failAt: 3, wantErr: errWriter, maxN: 3},
		{name: "writer fails in memberships", failAt: 30_000, wantErr: errWriter, maxN: 30_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelled {
				cancel()
			}
			w := &sectionWriter{failAt: tt.failAt, cancelAt: tt.cancelAt}
			if tt.cancelAt > 0 {
				w.cancel = cancel
			}
			err := gen.Generate(ctx, tier, 1, w, nil)
			require.ErrorIs(t, err, tt.wantErr)
			require.LessOrEqual(t, w.n, tt.maxN, "stopped promptly")
		})
	}
}
