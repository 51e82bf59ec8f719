package neo4jstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/neo4jstore"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/schema"
)

// bigDerived is derived data of three and a bit 1.5 MiB parts, made from
// the snapshot id, so each part's bytes differ.
func bigDerived(_ context.Context, r graph.Reader) ([]byte, error) {
	out := make([]byte, 0, 3*(3<<19)+7)
	sum := sha256.Sum256([]byte(r.Meta().ID))
	for len(out) < cap(out) {
		sum = sha256.Sum256(sum[:])
		out = append(out, sum[:min(len(sum), cap(out)-len(out))]...)
	}
	return out, nil
}

// testDerived is what the derived-data tests store: the projection as the
// CLI stores it, data of several parts, and a derivation that fails.
func testDerived() map[string]graph.DeriveFunc {
	return map[string]graph.DeriveFunc{
		projection.StoredName: projection.Derive,
		"big":                 graph.DeriveData(bigDerived),
		"fails":               graph.DeriveData(func(context.Context, graph.Reader) ([]byte, error) { return nil, errors.New("no") }),
	}
}

// openDerived wipes the test database and opens a Store on it that
// stores derived, closed at the end of the test.
func openDerived(t *testing.T, derived map[string]graph.DeriveFunc) *neo4jstore.Store {
	t.Helper()
	wipe(t)
	return openWith(t, func(o *neo4jstore.Options) { o.Derived = derived })
}

// openWith opens a Store on the test database (as it is) with the test
// options as set changes them, closed at the end of the test.
func openWith(t *testing.T, set func(*neo4jstore.Options)) *neo4jstore.Store {
	t.Helper()
	uri := serverURI(t)
	opts := testOptions()
	set(&opts)
	s, err := neo4jstore.Open(context.Background(), uri, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// builtProjection is the stored form of the projection built from the
// records of snapshot id as s reads them back.
func builtProjection(t *testing.T, s graph.Store, id graph.SnapshotID) []byte {
	t.Helper()
	ctx := context.Background()
	r, err := s.Snapshot(ctx, id)
	require.NoError(t, err)
	p, err := projection.Build(ctx, r)
	require.NoError(t, err)
	data, err := p.AppendBinary(nil)
	require.NoError(t, err)
	return data
}

// derivedOf reads name of snapshot id from s.
func derivedOf(t *testing.T, s graph.Store, id graph.SnapshotID, name string) ([]byte, bool, error) {
	t.Helper()
	r, err := s.Snapshot(context.Background(), id)
	require.NoError(t, err)
	dr, ok := r.(graph.DerivedReader)
	require.True(t, ok, "the Neo4j reader reads derived data")
	return dr.Derived(context.Background(), name)
}

// TestDerivedDataIsStored: with Options.Derived, an ingest stores the
// projection with the snapshot, byte for byte the one built from the
// records read back from the server; data of several parts comes back
// whole; a derivation that fails and a name never derived are absent, not
// errors; a session opens on the stored projection and answers.
func TestDerivedDataIsStored(t *testing.T) {
	ctx := context.Background()
	s := openDerived(t, testDerived())
	d := generated(t, "XS", 5)
	meta := storetest.Ingest(t, s, d)

	r, err := s.Snapshot(ctx, meta.ID)
	require.NoError(t, err)
	want := builtProjection(t, s, meta.ID)
	got, found, err := derivedOf(t, s, meta.ID, projection.StoredName)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, want, got, "the stored projection is the one the records give")

	big, found, err := derivedOf(t, s, meta.ID, "big")
	require.NoError(t, err)
	require.True(t, found)
	wantBig, _ := bigDerived(ctx, r)
	require.Equal(t, wantBig, big)
	recs := query(t, rawDriver(t), "MATCH (d:Derived {snapshot: $s, name: 'big'}) RETURN count(d) AS n", map[string]any{"s": string(meta.ID)})
	n, _ := recs[0].Get("n")
	require.EqualValues(t, 4, n, "three full parts and a short one")

	for _, name := range []string{"fails", "never"} {
		data, found, err := derivedOf(t, s, meta.ID, name)
		require.NoError(t, err, name)
		require.False(t, found, name)
		require.Nil(t, data, name)
	}

	sess, err := session.Open(ctx, s, meta.ID)
	require.NoError(t, err)
	loaded, err := sess.Projection().AppendBinary(nil)
	require.NoError(t, err)
	require.Equal(t, want, loaded)
	res := d.ResourceList[len(d.ResourceList)/2].ID
	q := reach.WhoCanQuery{Action: schema.ActionApprove, Resource: res}
	acc, err := sess.Engine(time.Time{}).WhoCan(ctx, q)
	require.NoError(t, err)
	built, err := projection.Build(ctx, r) // from the records, not the stored form
	require.NoError(t, err)
	wantAcc, err := reach.New(built, meta.AsOf()).WhoCan(ctx, q)
	require.NoError(t, err)
	require.Equal(t, wantAcc, acc)
}

// TestDerivedDataDamage: a part whose bytes changed, a missing part, and
// parts that disagree are errors naming the snapshot and the data, and a
// session does not open on a damaged projection (it is neither used nor
// silently rebuilt).
func TestDerivedDataDamage(t *testing.T) {
	ctx := context.Background()
	s := openDerived(t, testDerived())
	meta := storetest.Ingest(t, s, generated(t, "XS", 6))
	drv := rawDriver(t)
	params := map[string]any{"s": string(meta.ID)}

	// One byte of part 1 changed: the SHA-256 no longer matches.
	recs := query(t, drv, "MATCH (d:Derived {snapshot: $s, name: 'big', part: 1}) RETURN d.data AS data", params)
	text, _ := recs[0].Get("data")
	raw, err := base64.StdEncoding.DecodeString(text.(string))
	require.NoError(t, err)
	raw[100] ^= 1
	query(t, drv, "MATCH (d:Derived {snapshot: $s, name: 'big', part: 1}) SET d.data = $data",
		map[string]any{"s": string(meta.ID), "data": base64.StdEncoding.EncodeToString(raw)})
	_, _, err = derivedOf(t, s, meta.ID, "big")
	require.ErrorContains(t, err, `derived data "big" of snapshot `+string(meta.ID)+" is damaged: SHA-256 mismatch")

	query(t, drv, "MATCH (d:Derived {snapshot: $s, name: 'big', part: 2}) DELETE d", params)
	_, _, err = derivedOf(t, s, meta.ID, "big")
	require.ErrorContains(t, err, "is damaged: part 3 where part 2 was expected")

	query(t, drv, "MATCH (d:Derived {snapshot: $s, name: 'big', part: 3}) DELETE d", params)
	_, _, err = derivedOf(t, s, meta.ID, "big")
	require.ErrorContains(t, err, "is damaged: 2 of 4 parts")

	query(t, drv, "MATCH (d:Derived {snapshot: $s, name: 'big', part: 1}) SET d.size = 5", params)
	_, _, err = derivedOf(t, s, meta.ID, "big")
	require.ErrorContains(t, err, "is damaged: part 1 disagrees with part 0 about the whole")

	query(t, drv, "MATCH (d:Derived {snapshot: $s, name: $n}) SET d.sha256 = 'feed'",
		map[string]any{"s": string(meta.ID), "n": projection.StoredName})
	_, err = session.Open(ctx, s, meta.ID)
	require.ErrorContains(t, err, "open the stored projection of snapshot")
	require.ErrorContains(t, err, "SHA-256 mismatch")
}

// TestDerivedDataLeftBehindIsReplaced: the derived data of an ingest that
// died before its commit is deleted with the rest of its rows when the same
// content is ingested again, so the parts are not doubled.
func TestDerivedDataLeftBehindIsReplaced(t *testing.T) {
	s := openDerived(t, testDerived())
	d := generated(t, "XS", 7)
	meta := storetest.Ingest(t, s, d)
	drv := rawDriver(t)
	params := map[string]any{"s": string(meta.ID)}
	count := func() int64 {
		recs := query(t, drv, "MATCH (d:Derived {snapshot: $s}) RETURN count(d) AS n", params)
		n, _ := recs[0].Get("n")
		return n.(int64)
	}
	parts := count()
	require.Greater(t, parts, int64(4))
	// What a killed ingest leaves: every row, the metadata node not complete.
	query(t, drv, "MATCH (s:Snapshot {id: $s}) SET s.complete = false", params)
	again := storetest.Ingest(t, s, d)
	require.Equal(t, meta.ID, again.ID)
	require.Equal(t, parts, count())
	_, found, err := derivedOf(t, s, meta.ID, projection.StoredName)
	require.NoError(t, err)
	require.True(t, found)
}

// TestReingestStoresDerivedData: re-ingesting a snapshot's content adds no
// snapshot but stores the derived data it lacks (ingested without it),
// replaces data that differs or is damaged — deleting parts a dead refresh
// left pending — and rewrites nothing when it is current.
func TestReingestStoresDerivedData(t *testing.T) {
	wipe(t)
	ctx := context.Background()
	d := generated(t, "XS", 8)
	plain := openWith(t, func(*neo4jstore.Options) {})
	meta := storetest.Ingest(t, plain, d)
	_, found, err := derivedOf(t, plain, meta.ID, projection.StoredName)
	require.NoError(t, err)
	require.False(t, found)

	var notes []string
	s := openWith(t, func(o *neo4jstore.Options) {
		o.Derived, o.Notify = testDerived(), func(m string) { notes = append(notes, m) }
	})
	var ctxNotes []string // the same lines reach the ingest's context (graph.WithNotices)
	again, err := s.Ingest(graph.WithNotices(ctx, func(m string) { ctxNotes = append(ctxNotes, m) }), d.Info, d.WriteTo)
	require.NoError(t, err)
	require.Equal(t, []string{"snapshot " + string(meta.ID) + ": stored big was missing; stored now",
		"snapshot " + string(meta.ID) + ": stored projection was missing; stored now"}, notes)
	require.Equal(t, notes, ctxNotes)
	require.Equal(t, meta, again, "the existing snapshot")
	snaps, err := s.Snapshots(ctx)
	require.NoError(t, err)
	require.Len(t, snaps, 1)
	r, err := s.Snapshot(ctx, meta.ID)
	require.NoError(t, err)
	want := builtProjection(t, s, meta.ID)
	got, found, err := derivedOf(t, s, meta.ID, projection.StoredName)
	require.NoError(t, err)
	require.True(t, found, "the missing projection is stored")
	require.Equal(t, want, got)

	drv := rawDriver(t)
	params := map[string]any{"s": string(meta.ID)}
	eids := func() []any {
		recs := query(t, drv, "MATCH (d:Derived {snapshot: $s}) RETURN elementId(d) AS e ORDER BY e", params)
		var out []any
		for _, rec := range recs {
			out = append(out, rec.Values[0])
		}
		return out
	}
	before := eids()
	storetest.Ingest(t, s, d)
	require.Equal(t, before, eids(), "current derived data is not rewritten")

	// A refresh that died left a pending part; "big" is now derived otherwise.
	query(t, drv, "CREATE (:Derived {snapshot: $s, name: $n, part: 0, parts: 9, size: 1, sha256: '', data: ''})",
		map[string]any{"s": string(meta.ID), "n": "big\x00pending"})
	v2 := testDerived()
	v2["big"] = graph.DeriveData(func(ctx context.Context, r graph.Reader) ([]byte, error) {
		b, err := bigDerived(ctx, r)
		return b[:len(b)/2], err
	})
	query(t, drv, "MATCH (d:Derived {snapshot: $s, name: $n}) SET d.sha256 = 'feed'",
		map[string]any{"s": string(meta.ID), "n": projection.StoredName})
	storetest.Ingest(t, openWith(t, func(o *neo4jstore.Options) { o.Derived = v2 }), d)
	big, found, err := derivedOf(t, s, meta.ID, "big")
	require.NoError(t, err)
	require.True(t, found)
	wantBig, _ := bigDerived(ctx, r)
	require.Equal(t, wantBig[:len(wantBig)/2], big, "data that differs is replaced")
	got, _, err = derivedOf(t, s, meta.ID, projection.StoredName)
	require.NoError(t, err, "damaged data is replaced")
	require.Equal(t, want, got)
	recs := query(t, drv, "MATCH (d:Derived {snapshot: $s}) RETURN d.name AS name, count(d) AS n ORDER BY name", params)
	counts := map[string]int64{}
	for _, rec := range recs {
		counts[rec.Values[0].(string)] = rec.Values[1].(int64)
	}
	require.Equal(t, map[string]int64{"big": 2, projection.StoredName: int64(len(want)/(3<<19) + 1)}, counts,
		"old and pending parts are gone")

	// With a check of the stored form, intact data that passes it is kept
	// without computing it.
	calls := 0
	checked := openWith(t, func(o *neo4jstore.Options) {
		o.Derived = map[string]graph.DeriveFunc{projection.StoredName: func(ctx context.Context, r graph.Reader, w io.Writer) error {
			calls++
			return projection.Derive(ctx, r, w)
		}}
		o.DerivedCheck = map[string]graph.DeriveCheck{projection.StoredName: projection.Current}
	})
	before = eids()
	storetest.Ingest(t, checked, d)
	require.Zero(t, calls, "a current projection is not computed")
	require.Equal(t, before, eids())
}
