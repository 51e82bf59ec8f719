package rules

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"sync"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/spill"
	"github.com/reachgraph/reachgraph/schema"
)

// unusedPerBatch is about how many grants one batch of unused-grant
// findings looks at.
var unusedPerBatch = 250_000

// unusedChunk is the size of the chunks a batch's stale grants are written
// in; unusedBudget is how many bytes of them stay in memory before the rest
// go to a temporary file.
var (
	unusedChunk  = 64 << 10
	unusedBudget = 64 << 20
)

// staleSet is what one unused-grant rule found when it read the grants
// (staleGrants): its live grants last used unused_grant_days or more ago —
// the finding's identity is the grant's principal (an identity or a group)
// — in buckets of the grants of some principals, so that two findings that
// share an id (they share the principal) are in one bucket and Disambiguate
// sees them together. The grants are read once, as a stream
// (Snapshot.Grants, or the records); each stale one is kept in a compact
// form, in memory up to a budget and then in a temporary file, and a
// bucket's findings are made from those only when it is handed out
// (unusedBatch). So an estate with millions of stale grants holds neither
// them nor their findings at once, and the grant records need not be in
// memory at all.
type staleSet struct {
	r       Rule
	st      Settings
	buckets int
	mu      sync.Mutex // the pool, once the grants are read
	pool    *spill.Pool
	refs    [][]spill.Ref
	open    [][]byte
}

// staleGrants reads the grants for rule r.
func (x *index) staleGrants(ctx context.Context, st Settings, r Rule) (*staleSet, error) {
	total := max(len(x.s.Data.GrantList), x.s.Data.Info.Counts.Grants)
	buckets := max(1, total/unusedPerBatch)
	s := &staleSet{r: r, st: st, buckets: buckets, pool: spill.New("", "unused grants", unusedBudget),
		refs: make([][]spill.Ref, buckets), open: make([][]byte, buckets)}
	s.pool.Op = "report"
	for g, err := range x.grants(ctx) {
		if err != nil {
			s.close()
			return nil, fmt.Errorf("rules: read the grants: %w", err)
		}
		if (!g.ExpiresAt.IsZero() && !g.ExpiresAt.After(x.asOf)) || g.ValidFrom.After(x.asOf) {
			continue // not live at as_of: expired, or not valid yet
		}
		if i, ok := x.recs.Identity(g.Principal); ok && !inScope(r, i) {
			continue
		}
		age := ageDays(g.LastUsedAt, x.asOf)
		if age < st.UnusedGrantDays {
			continue
		}
		sev := r.Severity
		if sox, _ := x.s.Engine.InSOXScope(g.Resource); sox && g.Action.Critical() && r.CriticalSeverity != "" {
			sev = r.CriticalSeverity
		}
		b := 0
		if buckets > 1 {
			b = int(maphash.String(x.seed, g.Principal) % uint64(buckets))
		}
		s.open[b] = appendStale(s.open[b], &g, sev, age)
		if len(s.open[b]) >= unusedChunk {
			ref, reuse := s.pool.Seal(s.open[b])
			s.refs[b] = append(s.refs[b], ref)
			if reuse {
				s.open[b] = s.open[b][:0]
			} else {
				s.open[b] = nil // the pool keeps it
			}
		}
	}
	if err := s.pool.Err(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// close removes the temporary file, if any.
func (s *staleSet) close() { s.pool.Close() }

// unusedBatch makes the findings of bucket b and hands them to batch. The
// buckets of one set may be made concurrently.
func (x *index) unusedBatch(ctx context.Context, s *staleSet, b int, batch func([]Finding) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var fs []Finding
	read := func(data []byte) error {
		for len(data) > 0 {
			var f Finding
			var err error
			if data, err = readStale(data, &f, s.st.UnusedGrantDays); err != nil {
				return err
			}
			x.finish(s.r, &f)
			fs = append(fs, f)
		}
		return nil
	}
	s.mu.Lock()
	refs, open := s.refs[b], s.open[b]
	s.refs[b], s.open[b] = nil, nil
	s.mu.Unlock()
	var buf []byte
	for _, ref := range refs {
		s.mu.Lock()
		data, err := s.pool.Read(ref, buf)
		s.mu.Unlock()
		if err == nil {
			err = read(data)
		}
		if err != nil {
			return err
		}
		if ref.Spilled() {
			buf = data // read the next spilled chunk into the same memory
		}
		s.mu.Lock()
		s.pool.Release(ref)
		s.mu.Unlock()
	}
	if err := read(open); err != nil {
		return err
	}
	return batch(fs)
}

// grants streams the snapshot's grants: Snapshot.Grants when set, else the
// records'.
func (x *index) grants(ctx context.Context) iter.Seq2[graph.Grant, error] {
	if x.s.Grants != nil {
		return x.s.Grants(ctx)
	}
	return x.s.Data.Grants(ctx)
}

// appendStale appends what an unused-grant finding needs of grant g.
func appendStale(b []byte, g *graph.Grant, sev schema.Severity, age int) []byte {
	for _, s := range []string{g.Principal, g.Resource, string(g.Action), g.Native, string(sev)} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	cond := byte(0)
	if g.Conditional {
		cond = 1
	}
	b = append(b, cond)
	b = appendTime(b, g.ValidFrom)
	b = appendTime(b, g.ExpiresAt)
	return binary.AppendVarint(b, int64(age))
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

var errStale = errors.New("rules: damaged unused-grant record (temporary file changed?)")

// readStale reads one record appendStale wrote into f, the finding it
// makes, and returns the rest of b.
func readStale(b []byte, f *Finding, days int) ([]byte, error) {
	var s [5]string
	for i := range s {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return nil, errStale
		}
		s[i], b = string(b[k:k+int(n)]), b[k+int(n):]
	}
	if len(b) < 1 {
		return nil, errStale
	}
	cond := b[0] == 1
	b = b[1:]
	var from, until time.Time
	var ok1, ok2 bool
	from, b, ok1 = readTime(b)
	until, b, ok2 = readTime(b)
	age, k := binary.Varint(b)
	if !ok1 || !ok2 || k <= 0 {
		return nil, errStale
	}
	principal, resource, action, native := s[0], s[1], schema.Action(s[2]), s[3]
	*f = Finding{Identity: principal, Resource: resource, Action: action, Severity: schema.Severity(s[4]),
		Paths: []analysis.Path{{{From: principal, Edge: schema.EdgeGrant, To: resource, Action: action, Native: native,
			Conditional: cond, ValidFrom: from, ExpiresAt: until}}},
		Message: fmt.Sprintf("grant %s %s on %s last used %d days ago (threshold %d)", principal, action, resource, age, days)}
	return b[k:], nil
}

// readTime reads a time appendTime wrote, in UTC (the zero time when it
// wrote none).
func readTime(b []byte) (time.Time, []byte, bool) {
	if len(b) < 1 {
		return time.Time{}, nil, false
	}
	if b[0] == 0 {
		return time.Time{}.UTC(), b[1:], true
	}
	sec, k := binary.Varint(b[1:])
	if k <= 0 {
		return time.Time{}, nil, false
	}
	b = b[1+k:]
	ns, k := binary.Uvarint(b)
	if k <= 0 || ns >= 1e9 {
		return time.Time{}, nil, false
	}
	return time.Unix(sec, int64(ns)).UTC(), b[k:], true
}
