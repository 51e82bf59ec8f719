package projection

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/spill"
)

func tierSProjection(t *testing.T) *Projection {
	t.Helper()
	tier, err := gen.TierByName("S")
	require.NoError(t, err)
	st, err := memstore.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	ctx := context.Background()
	_, err = st.Ingest(ctx, gen.Meta(tier, 1), func(w graph.Writer) error { return gen.Generate(ctx, tier, 1, w, nil) })
	require.NoError(t, err)
	r, err := st.Snapshot(ctx, "")
	require.NoError(t, err)
	p, err := Build(ctx, r)
	require.NoError(t, err)
	return p
}

// windowed is a small estate with validity windows on memberships, grants
// and delegations.
func windowed() *graph.Dataset {
	day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	return &graph.Dataset{
		Info:         graph.SnapshotMeta{Source: "w"},
		SystemList:   []graph.System{{ID: "s"}},
		ResourceList: []graph.Resource{{ID: "r", System: "s", Kind: "ledger"}, {ID: "r/1", System: "s", Parent: "r", Kind: "entry"}},
		IdentityList: []graph.Identity{{ID: "a"}, {ID: "b"}},
		GroupList:    []graph.Group{{ID: "g1"}, {ID: "g2"}, {ID: "g3"}},
		MembershipList: []graph.Membership{
			{Member: "a", Group: "g1", ValidFrom: day(10)},
			{Member: "a", Group: "g2", ExpiresAt: day(10), Native: "AGR_USERS G2"},
			{Member: "a", Group: "g2", ValidFrom: day(20), Native: "USREFUS REFUSER=B (AGR_USERS G2)"},
			{Member: "b", Group: "g3", ExpiresAt: day(10)},
			{Member: "g2", Group: "g1", ExpiresAt: day(15)},
		},
		GrantList: []graph.Grant{
			{Principal: "a", Action: "read", Resource: "s", Native: "SELECT"},
			{Principal: "g1", Action: "write", Resource: "r/1", ValidFrom: day(10), ExpiresAt: day(20)},
		},
		CredentialList: []graph.Credential{{ID: "c", Identity: "a", Type: "password", ValidFrom: day(5)}},
		DelegationList: []graph.Delegation{{From: "a", To: "b", System: "s"}, {From: "b", To: "a", ExpiresAt: day(10)}},
	}
}

var errFull = errors.New("disk full")

// failAfter is a writer that takes n bytes and then fails.
type failAfter struct{ n int }

func (f *failAfter) Write(b []byte) (int, error) {
	if f.n -= len(b); f.n < 0 {
		return 0, errFull
	}
	return len(b), nil
}

// A loaded projection is the built one: stored again it gives the same
// bytes (every array, the windows in key order), and every id finds its node
// through the rebuilt hash table.
func TestLoadIsBuild(t *testing.T) {
	every, err := Build(context.Background(), windowed())
	require.NoError(t, err)
	require.NotZero(t, every.grantWin.len(), "the fixture must have windowed grants")
	require.NotZero(t, every.delegWin.len(), "the fixture must have windowed delegations")
	require.NotZero(t, every.members.len(), "the fixture must have windowed memberships")
	require.NotEmpty(t, every.memberNat, "the fixture must have membership natives")
	for name, p := range map[string]*Projection{"windows": every, "tier S": tierSProjection(t)} {
		t.Run(name, func(t *testing.T) {
			data, err := p.AppendBinary(nil)
			require.NoError(t, err)
			var streamed bytes.Buffer
			require.NoError(t, p.WriteBinary(&streamed))
			require.Equal(t, data, streamed.Bytes(), "WriteBinary writes what AppendBinary appends")
			require.ErrorIs(t, p.WriteBinary(&failAfter{n: len(data) / 2}), errFull, "a failed write is the error")
			for _, shift := range []int{0, 1} { // 8-byte aligned, and not
				buf := append(make([]byte, shift, len(data)+shift), data...)[shift:]
				q, err := Load(p.Meta, buf)
				require.NoError(t, err)
				again, err := q.AppendBinary(nil)
				require.NoError(t, err)
				require.Equal(t, data, again)
				require.Equal(t, p.Edges(), q.Edges())
				// A small projection is searched by its stored id order
				// only; tier S passes lookupsBeforeIndex and builds the
				// hash table halfway through: both must find every id.
				require.Nil(t, q.ids.lazy.table.Load())
				for n := range int32(p.Len()) {
					got, ok := q.Lookup(p.ID(n))
					require.True(t, ok)
					require.Equal(t, n, got)
					_, ok = q.Lookup(p.ID(n) + "\x00")
					require.False(t, ok)
				}
				_, ok := q.Lookup("no such id")
				require.False(t, ok)
				require.Equal(t, int64(2*p.Len()+1) > lookupsBeforeIndex(p.Len()), q.ids.lazy.table.Load() != nil)
				// Sorting by id: by string on the built projection, by the
				// stored order's ranks on the loaded one; the same order.
				nodes := make([]int32, p.Len())
				for i := range nodes {
					nodes[i] = int32(len(nodes) - 1 - i)
				}
				rand.New(rand.NewPCG(1, 2)).Shuffle(len(nodes), func(i, j int) { nodes[i], nodes[j] = nodes[j], nodes[i] })
				byRank := slices.Clone(nodes)
				q.SortByID(byRank)
				require.NotNil(t, q.ids.ranks())
				p.SortByID(nodes)
				require.Nil(t, p.ids.ranks())
				require.Equal(t, nodes, byRank)
				require.True(t, slices.IsSortedFunc(nodes, func(a, b int32) int { return strings.Compare(p.ID(a), p.ID(b)) }))
				require.Nil(t, p.IDRanks())
				r := q.IDRanks()
				require.True(t, slices.IsSortedFunc(nodes, func(a, b int32) int { return int(r[a] - r[b]) }), "IDRanks order ids")
				for gi := range int32(len(p.Grants)) {
					require.Equal(t, p.GrantWindow(gi), q.GrantWindow(gi))
				}
				for di := range int32(len(p.Delegs)) {
					require.Equal(t, p.DelegWindow(di), q.DelegWindow(di))
				}
				for ci := range int32(len(p.Creds)) {
					require.Equal(t, p.CredValidFrom(ci), q.CredValidFrom(ci))
				}
				for n := range int32(p.Len()) {
					for _, g := range p.MemberOut.Of(n) {
						require.Equal(t, p.MemberWindow(n, g, 0), q.MemberWindow(n, g, 0))
					}
				}
			}
		})
	}
}

// Stored data that does not fit is an error, never a crash: cut short,
// lengths changed, another layout.
func TestLoadRefusesWhatDoesNotFit(t *testing.T) {
	p, err := Build(context.Background(), windowed())
	require.NoError(t, err)
	data, err := p.AppendBinary(nil)
	require.NoError(t, err)
	for cut := 0; cut < len(data); cut += 7 {
		_, err := Load(p.Meta, data[:cut])
		require.ErrorIs(t, err, graph.ErrCorrupt, "cut at %d", cut)
	}
	require.True(t, Current(data), "the form this build writes")
	require.False(t, Current(data[:len(persistMagic)]), "no layout words")
	require.False(t, Current(nil))
	other := append([]byte(nil), data...)
	other[len(persistMagic)-1]++
	_, err = Load(p.Meta, other)
	require.ErrorIs(t, err, ErrLayout)
	require.False(t, Current(other), "another version")
	other = append([]byte(nil), data...)
	binary.LittleEndian.PutUint64(other[len(persistMagic):], 99)
	_, err = Load(p.Meta, other)
	require.ErrorIs(t, err, ErrLayout)
	require.False(t, Current(other), "another layout")
	first := len(persistMagic) + 8*len(layoutWords) // the length of the kind bases
	for _, n := range []uint64{0, 8, 1 << 40} {
		other = append([]byte(nil), data...)
		binary.LittleEndian.PutUint64(other[first:], n)
		_, err = Load(p.Meta, other)
		require.ErrorIs(t, err, graph.ErrCorrupt, "bases length %d", n)
	}
}

func FuzzLoad(f *testing.F) {
	p, err := Build(context.Background(), windowed())
	require.NoError(f, err)
	data, err := p.AppendBinary(nil)
	require.NoError(f, err)
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := Load(p.Meta, b)
		if err == nil {
			require.Equal(t, q.Len(), len(q.ids.off)-1)
			// Whatever loads answers without a crash.
			for n := range int32(q.Len()) {
				q.Lookup(q.ID(n))
				for _, g := range q.MemberOut.Of(n) {
					q.MemberLive(n, g, 0)
				}
			}
			for gi := range int32(len(q.Grants)) {
				q.GrantLive(gi, 0)
			}
			for di := range int32(len(q.Delegs)) {
				q.DelegLive(di, 0)
			}
			for ci := range int32(len(q.Creds)) {
				q.CredValidFrom(ci)
			}
		}
	})
}

// BenchmarkStored opens the projection of a generated tier
// (REACHGRAPH_BENCH_TIER, default S) both ways in one run: "build" reads
// every record from the embedded store and builds it (what every command did
// before), "load" reads the stored form and loads it (what it does now).
func BenchmarkStored(b *testing.B) {
	name := os.Getenv("REACHGRAPH_BENCH_TIER")
	if name == "" {
		name = "S"
	}
	tier, err := gen.TierByName(name)
	require.NoError(b, err)
	st, err := memstore.Open(filepath.Join(b.TempDir(), "s.db"), memstore.WithDerived(StoredName, Derive))
	require.NoError(b, err)
	defer st.Close()
	ctx := context.Background()
	_, err = st.Ingest(ctx, gen.Meta(tier, 1), func(w graph.Writer) error { return gen.Generate(ctx, tier, 1, w, nil) })
	require.NoError(b, err)
	r, err := st.Snapshot(ctx, "")
	require.NoError(b, err)
	b.Run("build", func(b *testing.B) {
		for range b.N {
			_, err := Build(ctx, r)
			require.NoError(b, err)
		}
	})
	b.Run("load", func(b *testing.B) {
		for range b.N {
			data, found, err := r.(graph.DerivedReader).Derived(ctx, StoredName)
			require.NoError(b, err)
			require.True(b, found)
			_, err = Load(r.Meta(), data)
			require.NoError(b, err)
		}
	})
}

// plainWriter hides a writer's Section, so that it cuts chunks blindly.
type plainWriter struct{ w io.Writer }

func (p plainWriter) Write(b []byte) (int, error) { return p.w.Write(b) }

// TestLoadPartsInPlace: the stored form written to a chunking writer with
// sections loads from its chunks with every array used where it lies (no
// array spans two chunks, none is copied); written blindly, or cut at odd
// places, it loads the same projection with the arrays that span parts
// copied.
func TestLoadPartsInPlace(t *testing.T) {
	p := tierSProjection(t)
	want, err := p.AppendBinary(nil)
	require.NoError(t, err)
	chunks := func(w io.Writer, pool *spill.Pool, sw *spill.Writer) [][]byte {
		require.NoError(t, p.WriteBinary(w))
		refs, size := sw.Finish()
		require.Equal(t, len(want), size)
		var parts [][]byte
		for _, r := range refs {
			b, err := pool.Read(r, nil)
			require.NoError(t, err)
			// Each part where a store would keep it: 8-byte aligned memory.
			words := make([]uint64, (len(b)+7)/8)
			own := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), len(b))
			copy(own, b)
			parts = append(parts, own)
		}
		return parts
	}
	inParts := func(parts [][]byte, ptr unsafe.Pointer, n int) bool {
		for _, part := range parts {
			lo := uintptr(unsafe.Pointer(unsafe.SliceData(part)))
			if a := uintptr(ptr); a >= lo && a+uintptr(n) <= lo+uintptr(len(part)) {
				return true
			}
		}
		return false
	}
	type array struct {
		at unsafe.Pointer
		n  int
	}
	arrays := func(q *Projection) map[string]array {
		return map[string]array{
			"ids":        {unsafe.Pointer(unsafe.SliceData(q.ids.buf)), len(q.ids.buf)},
			"grants":     {unsafe.Pointer(unsafe.SliceData(q.Grants)), len(q.Grants) * int(unsafe.Sizeof(Grant{}))},
			"member out": {unsafe.Pointer(unsafe.SliceData(q.MemberOut.Adj)), len(q.MemberOut.Adj) * 4},
			"grant in":   {unsafe.Pointer(unsafe.SliceData(q.GrantIn.Off)), len(q.GrantIn.Off) * 4},
			"creds":      {unsafe.Pointer(unsafe.SliceData(q.Creds)), len(q.Creds) * int(unsafe.Sizeof(Cred{}))},
		}
	}
	const chunk = 64 << 10 // tier S's larger arrays are a few hundred KB: they get chunks of their own

	pool := spill.New(t.TempDir(), "test", 1<<30)
	defer pool.Close()
	sw := &spill.Writer{Pool: pool, Chunk: chunk}
	parts := chunks(sw, pool, sw)
	require.Greater(t, len(parts), 10)
	q, err := LoadParts(p.Meta, parts)
	require.NoError(t, err)
	again, err := q.AppendBinary(nil)
	require.NoError(t, err)
	require.Equal(t, want, again)
	for name, a := range arrays(q) {
		require.NotZero(t, a.n, name)
		require.True(t, inParts(parts, a.at, a.n), "%s is used where it lies", name)
	}

	blind := &spill.Writer{Pool: pool, Chunk: chunk}
	parts = chunks(plainWriter{blind}, pool, blind)
	q, err = LoadParts(p.Meta, parts)
	require.NoError(t, err)
	again, err = q.AppendBinary(nil)
	require.NoError(t, err)
	require.Equal(t, want, again)
	copied := 0
	for _, a := range arrays(q) {
		if !inParts(parts, a.at, a.n) {
			copied++
		}
	}
	require.NotZero(t, copied, "cut blindly, some array spans two chunks and is copied")

	// Cut at odd places (lengths and headers split, parts not 8-aligned).
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5 {
		var odd [][]byte
		for rest := want; len(rest) > 0; {
			k := min(len(rest), 1+rng.IntN(3*chunk))
			odd = append(odd, rest[:k])
			rest = rest[k:]
		}
		q, err = LoadParts(p.Meta, odd)
		require.NoError(t, err)
		again, err = q.AppendBinary(nil)
		require.NoError(t, err)
		require.Equal(t, want, again)
	}
}
