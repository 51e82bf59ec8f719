package gen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/reachgraph/reachgraph/graph"
)

// CollectedAt is the collection instant of every generated estate. All
// generated times are relative to it, so the default as_of of a generated
// snapshot is fixed and analyses of it are deterministic.
var CollectedAt = time.Date(2026, time.October, 31, 0, 0, 0, 0, time.UTC)

// Meta returns the provenance of the estate for tier t and seed: source label
// "reachgraph-gen/<tier>/<seed>" and CollectedAt. Pass it to graph.NewIDHasher
// or Store.Ingest.
func Meta(t Tier, seed int64) graph.SnapshotMeta {
	return graph.SnapshotMeta{Source: fmt.Sprintf("reachgraph-gen/%s/%d", t.Name, seed), CollectedAt: CollectedAt}
}

// Expected returns the exact number of records per section that Generate
// writes for t and seed. It costs a pass over the identities and groups with
// a few hashes each (well under a second for tier L) and no allocation beyond
// the per-system table. It returns an error wrapping ErrInvalidTier when t is
// too small.
func Expected(t Tier, seed int64) (graph.Counts, error) {
	if err := t.validate(); err != nil {
		return graph.Counts{}, err
	}
	return newLayout(t, seed).expected(), nil
}

func (l *layout) expected() graph.Counts {
	c := graph.Counts{Systems: l.tier.Systems, Resources: l.tier.Resources, Identities: l.tier.Identities, Groups: l.tier.Groups}
	for i := range l.tier.Identities {
		p := l.identityPlan(i)
		c.Memberships += p.memberships
		c.Grants += p.grants
		c.Credentials += p.credentials
		c.Delegations += p.delegations
	}
	for g := range l.tier.Groups {
		p := l.groupPlan(g)
		c.Memberships += p.memberships()
		c.Grants += p.grants
		c.Delegations += p.delegations
	}
	for _, s := range l.vaults {
		sys := &l.systems[s]
		for k := sys.resStart; k < sys.resStart+sys.resCount; k++ {
			c.Grants += l.vaultPolicies(s, k)
		}
	}
	return c
}

// progressEvery is how many records pass between progress calls, and
// cancelEvery between context checks.
const (
	progressEvery = 1 << 16
	cancelEvery   = 1 << 10
)

// Generate writes the estate for tier t and seed into w, strictly in section
// order: all systems, then resources, identities, groups, memberships, grants,
// credentials and delegations. The same t and seed always produce the same
// record stream (the same graph.IDHasher sum); different seeds produce
// different ones. Every reference resolves, every id is unique across kinds,
// and no two memberships, grants or delegations are identical.
//
// progress, when not nil, is called with (0, total) before the first record,
// every 65536 records, and with (total, total) after the last one; total is
// the record count Expected returns. ctx is checked every 1024 records; on
// cancellation Generate stops and returns ctx.Err(). A Writer error stops
// generation and is returned wrapped with the section and index. Memory use
// does not depend on the output size beyond the per-system table.
func Generate(ctx context.Context, t Tier, seed int64, w graph.Writer, progress func(done, total int64)) error {
	if err := t.validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	l := newLayout(t, seed)
	g := &generator{layout: l, ctx: ctx, w: w, progress: progress}
	if progress != nil {
		g.total = int64(l.expected().Total())
		progress(0, g.total)
	}
	g.rng = rand.New(&g.pcg)
	sections := []func() error{
		g.writeSystems, g.writeResources, g.writeIdentities, g.writeGroups,
		g.writeMemberships, g.writeGrants, g.writeCredentials, g.writeDelegations,
	}
	for _, write := range sections {
		if err := write(); err != nil {
			return err
		}
	}
	if progress != nil {
		progress(g.done, g.total)
	}
	return nil
}

// generator writes one estate. It must not be copied: rng reads from pcg.
type generator struct {
	*layout
	ctx      context.Context
	w        graph.Writer
	progress func(done, total int64)
	done     int64
	total    int64
	pcg      rand.PCG
	rng      *rand.Rand
	buf      []byte
}

// record accounts for one record written (err is the Writer's answer) and
// checks for cancellation and progress.
func (g *generator) record(err error, section string, i int) error {
	if err != nil {
		return fmt.Errorf("gen: write %s %d: %w", section, i, err)
	}
	g.done++
	if g.done%cancelEvery == 0 {
		if err := g.ctx.Err(); err != nil {
			return err
		}
	}
	if g.progress != nil && g.done%progressEvery == 0 {
		g.progress(g.done, g.total)
	}
	return nil
}

// at reseeds the record stream for entity i of a tag and returns it.
func (g *generator) at(tag uint64, i int) *rand.Rand {
	d := g.draws(tag, i)
	g.pcg.Seed(g.key, d.u64())
	return g.rng
}

func (g *generator) id(prefix string, w, i int) string {
	g.buf = appendPadded(append(g.buf[:0], prefix...), i, w)
	return string(g.buf)
}

func (g *generator) resourceID(k int) string { return g.id("res-", g.wRes, k) }
func (g *generator) identityID(i int) string { return g.id("id-", g.wID, i) }
func (g *generator) groupID(i int) string    { return g.id("grp-", g.wGrp, i) }

// daysAgo returns the instant lo to hi days (plus random seconds) before
// CollectedAt.
func daysAgo(r *rand.Rand, lo, hi int) time.Time {
	secs := int64(lo)*86400 + r.Int64N(int64(hi-lo+1)*86400)
	return CollectedAt.Add(-time.Duration(secs) * time.Second)
}

// bug reports an impossible state: the generator's own invariants broke.
func bug(format string, args ...any) {
	panic(fmt.Sprintf("gen: bug: "+format, args...))
}
