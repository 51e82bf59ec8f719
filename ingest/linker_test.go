package ingest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// linkSources are two sources: identities a (with a credential) and b, a
// placeholder identity p, and a resource s.
func linkSources(t *testing.T) ([]ingest.Source, ingest.Readers) {
	t.Helper()
	one, two := tempFile(t, "one.json", "one\n"), tempFile(t, "two.json", "two\n")
	byPath := map[string][]entry{
		one: {reg(ident(0, "a", "A")), reg(credFor(0, "a:key", "a")), ph(ident(1, "p", "P")),
			reg(rec("systems", 0, fld("id", str("sys")))),
			reg(rec("resources", 0, fld("id", str("s")), fld("system", str("sys"))))},
		two: {reg(ident(0, "b", "B"))},
	}
	return []ingest.Source{{Path: one, Format: "bundle"}, {Path: two, Format: "bundle"}},
		ingest.Readers{Bundle: feedEntries(byPath)}
}

func TestLinkAmendsAndAdds(t *testing.T) {
	for name, mode := range bufferModes {
		t.Run(name, func(t *testing.T) { testLinkAmendsAndAdds(t, mode) })
	}
}

func testLinkAmendsAndAdds(t *testing.T, mode func(ingest.Options) ingest.Options) {
	srcs, readers := linkSources(t)
	linkFile := tempFile(t, "links.yaml", "links\n")
	var seen []string
	link := func(_ context.Context, lk *ingest.Linker) error {
		require.NoError(t, lk.Identities(func(id graph.Identity) bool { seen = append(seen, id.ID); return true }))
		k, ok := lk.Kind("s")
		require.True(t, ok)
		require.Equal(t, schema.KindResource, k)
		_, ok = lk.Kind("nope")
		require.False(t, ok)
		lk.AmendIdentity("a", func(r *graph.Identity) { r.SameAs = append(r.SameAs, "b") })
		lk.AmendIdentity("p", func(r *graph.Identity) { r.Tags = map[string]string{"k": "v"} })
		lk.AmendCredential("a:key", func(c *graph.Credential) { c.StoredIn, c.Vaulted = "s", true })
		require.NoError(t, lk.AddDelegation(graph.Delegation{From: "b", To: "a", Native: "inferred"}))
		require.Error(t, lk.AddDelegation(graph.Delegation{From: "b", To: "s"}), "a resource is no delegation end")
		f, err := lk.Open(linkFile)
		require.NoError(t, err)
		f.Add(&ingest.Record{Section: "delegations", Line: 3, Fields: []ingest.Field{
			{Name: "from", Value: str("a"), Line: 3}, {Name: "to", Value: str("p"), Line: 4}}})
		return f.Close()
	}
	st := &fakeStore{}
	meta, err := ingest.Load(context.Background(), st, srcs, mode(ingest.Options{Readers: readers, Link: link}))
	require.NoError(t, err)
	require.Equal(t, []string{"a", "p", "b"}, seen)
	d := st.data
	require.Equal(t, []string{"a", "p", "b"}, []string{d.IdentityList[0].ID, d.IdentityList[1].ID, d.IdentityList[2].ID}, "order kept")
	require.Equal(t, []string{"b"}, d.IdentityList[0].SameAs)
	require.Equal(t, "v", d.IdentityList[1].Tags["k"])
	require.Equal(t, "s", d.CredentialList[0].StoredIn)
	require.True(t, d.CredentialList[0].Vaulted)
	require.Len(t, d.DelegationList, 2)
	require.Equal(t, graph.Delegation{From: "b", To: "a", Kind: schema.DelegOther, Native: "inferred"}, d.DelegationList[0])
	require.Equal(t, "p", d.DelegationList[1].To)
	require.Len(t, meta.Files, 3)
	require.Equal(t, "links.yaml", meta.Files[2].Name, "the link file is hashed into the snapshot")
}

func TestLinkFileProblemsStoreNothing(t *testing.T) {
	srcs, readers := linkSources(t)
	linkFile := tempFile(t, "links.yaml", "links\n")
	link := func(_ context.Context, lk *ingest.Linker) error {
		lk.AmendIdentity("a", func(r *graph.Identity) { r.Name = "changed" })
		f, err := lk.Open(linkFile)
		require.NoError(t, err)
		f.Add(&ingest.Record{Section: "delegations", Line: 7, Fields: []ingest.Field{
			{Name: "from", Value: str("a"), Line: 7}, {Name: "to", Value: str("ghost"), Line: 8}}})
		f.Add(&ingest.Record{Section: "identities", Line: 9, Fields: []ingest.Field{{Name: "id", Value: str("n"), Line: 9}}})
		return f.Close()
	}
	st := &fakeStore{}
	_, err := ingest.Load(context.Background(), st, srcs, ingest.Options{Readers: readers, Link: link})
	require.Equal(t, []string{
		`f:8: to: "ghost" does not exist (want the id of an Identity)`,
		"f:9: a link file declares no identities: it only connects what the sources declare",
	}, messages(t, err))
	require.Zero(t, st.calls)
}

func TestLinkSkippedWhenSourcesFail(t *testing.T) {
	one := tempFile(t, "one.json", "one\n")
	readers := ingest.Readers{Bundle: feedEntries(map[string][]entry{one: {reg(rec("identities", 0, fld("id", str("a"))))}})}
	called := false
	_, err := ingest.Load(context.Background(), &fakeStore{}, []ingest.Source{{Path: one, Format: "bundle"}},
		ingest.Options{Readers: readers, Link: func(context.Context, *ingest.Linker) error { called = true; return nil }})
	require.ErrorIs(t, err, ingest.ErrInvalid)
	require.False(t, called)
}
