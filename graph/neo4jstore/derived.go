package neo4jstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/reachgraph/reachgraph/graph"
)

// Derived data (graph.DerivedReader) is kept as :Derived nodes beside the
// snapshot's records, one node per part of at most derivedPart bytes:
//
//	(:Derived {snapshot, name, part, parts, size, sha256, data})
//
// part numbers the node (0 … parts-1), size is the length of the whole
// data and sha256 its hex SHA-256, on every part; data is the part in
// standard base64. Base64 strings, not byte arrays, because the offline
// importer reads them from a CSV field like any other string; a part of
// 1.5 MiB is a 2 MiB field, half the importer's default read buffer (4 MiB
// must hold the largest field). The nodes are written before the snapshot
// is committed and deleted with it, so a visible snapshot has all of its
// parts or none.

// derivedLabel labels the parts of derived data.
const derivedLabel = "Derived"

// derivedPart is the most raw bytes one :Derived node holds.
const derivedPart = 3 << 19

// derivedPartRow is the :Derived node properties of part n of parts of the
// data called name (size bytes, hex SHA-256 sum), body its bytes.
func derivedPartRow(name string, n, parts, size int, sum string, body []byte) map[string]any {
	return map[string]any{"name": name, "part": int64(n), "parts": int64(parts),
		"size": int64(size), "sha256": sum, "data": base64.StdEncoding.EncodeToString(body)}
}

// writeDerived creates the :Derived nodes of ds, parts held by pool, for
// the snapshot being written, one part per transaction (a tier-M
// projection is a few hundred of them). A part that cannot be read back
// is an error.
func (w *batchWriter) writeDerived(ctx context.Context, ds []spilledDerived, pool partReader) error {
	var readErr error
	rows := spilledRows(ds, pool, &readErr)
	for i := range rows.n {
		if err := ctx.Err(); err != nil {
			return err
		}
		row := rows.at(i)
		if readErr != nil {
			return readErr
		}
		if _, err := w.run(ctx, createDerivedPartCypher, rowSource{n: 1, at: func(int) map[string]any { return row }}.seq()); err != nil {
			return fmt.Errorf("neo4jstore: write derived %q part %d: %w", row["name"], row["part"], err)
		}
	}
	return nil
}

// pendingSuffix marks the parts of derived data being written for a snapshot
// that is already visible (refreshDerived): they take the name only when
// they are all there.
const pendingSuffix = "\x00pending"

// refreshDerived stores the derived data of the existing, complete snapshot
// meta (re-ingested, its records read from spooled) that is missing, fails its checks or differs from
// what the records give now. The new parts are written under a pending name
// and take the real one in a single transaction that also deletes the old
// parts, so a reader sees the old data or the new, never a mix; pending
// parts left by a process that died are deleted first.
func (s *Store) refreshDerived(ctx context.Context, meta graph.SnapshotMeta, spooled graph.Reader) error {
	r := &reader{store: s, meta: meta}
	// What is stored, intact and in the current form (Options.DerivedCheck)
	// stays without being computed; the rest is computed and compared.
	// Stored data is compared with what the records give now by size and
	// SHA-256, so neither is held whole.
	type digest struct {
		size int
		sum  string
	}
	stored, want, why := map[string]digest{}, map[string]graph.DeriveFunc{}, map[string]string{}
	for name, fn := range s.opts.Derived {
		old, found, err := r.Derived(ctx, name)
		switch {
		case err != nil:
			why[name] = "damaged"
		case !found:
			why[name] = "missing"
		default:
			if check := s.opts.DerivedCheck[name]; check != nil && check(old) {
				continue
			}
			sum := sha256.Sum256(old)
			stored[name], why[name] = digest{len(old), hex.EncodeToString(sum[:])}, "of another form"
		}
		want[name] = fn
	}
	pool := derivedPool("neo4j ingest", "")
	defer pool.Close()
	fresh, err := deriveSpilled(ctx, want, spooled, pool)
	if err != nil {
		return err
	}
	for _, fd := range fresh {
		name := fd.name
		if old, ok := stored[name]; ok && old == (digest{fd.size, fd.sum}) {
			continue
		}
		pending := name + pendingSuffix
		params := map[string]any{"snapshot": string(meta.ID), "name": name, "pending": pending, "limit": int64(64)}
		for {
			res, err := s.exec(ctx, deletePendingBatchCypher, params)
			if err != nil {
				return ctxErr(ctx, fmt.Errorf("neo4jstore: delete pending derived %s of snapshot %s: %w", strconv.Quote(name), meta.ID, err))
			}
			if countOf(res, "deleted") == 0 {
				break
			}
		}
		w := &batchWriter{store: s, snapshot: string(meta.ID), slots: make(chan struct{}, 1)}
		fd.name = pending
		if err := w.writeDerived(ctx, []spilledDerived{fd}, pool); err != nil {
			return ctxErr(ctx, err)
		}
		if _, err := s.exec(ctx, swapDerivedCypher, params); err != nil {
			return ctxErr(ctx, fmt.Errorf("neo4jstore: store derived %s of snapshot %s: %w", strconv.Quote(name), meta.ID, err))
		}
		graph.Notice(ctx, s.opts.Notify, fmt.Sprintf("snapshot %s: stored %s was %s; stored now", meta.ID, name, why[name]))
	}
	return nil
}

// Derived implements graph.DerivedReader: the data stored under name with
// the snapshot, put together from its parts and checked against the size
// and SHA-256 stored with them. Parts that are missing, repeated,
// disagree about the whole or do not add up to it are an error naming the
// snapshot and name: damaged data is never returned.
func (r *reader) Derived(ctx context.Context, name string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	damaged := func(format string, args ...any) error {
		return fmt.Errorf("neo4jstore: derived data %s of snapshot %s is %w: %s", strconv.Quote(name), r.meta.ID,
			ErrDamaged, fmt.Sprintf(format, args...))
	}
	sess := r.store.driver.NewSession(ctx, neo4j.SessionConfig{
		DatabaseName: r.store.opts.Database, AccessMode: neo4j.AccessModeRead,
	})
	defer sess.Close(context.WithoutCancel(ctx))
	res, err := sess.Run(ctx, readDerivedCypher, map[string]any{"snapshot": string(r.meta.ID), "name": name},
		r.store.txOptions()...)
	if err != nil {
		return nil, false, ctxErr(ctx, fmt.Errorf("neo4jstore: read derived %s of snapshot %s: %w", strconv.Quote(name), r.meta.ID, err))
	}
	var (
		out          []byte
		parts, size  int64
		sum          string
		next         int64
		found, first = false, true
	)
	for res.Next(ctx) {
		rec := res.Record()
		part, _ := rec.Values[0].(int64)
		ps, _ := rec.Values[1].(int64)
		sz, _ := rec.Values[2].(int64)
		sh, _ := rec.Values[3].(string)
		text, ok := rec.Values[4].(string)
		if first {
			parts, size, sum, first = ps, sz, sh, false
			if parts < 1 || size < 0 {
				return nil, false, damaged("%d parts for %d bytes", parts, size)
			}
			out = make([]byte, 0, min(size, 64<<20)) // a damaged size must not allocate
		}
		found = true
		switch {
		case ps != parts || sz != size || sh != sum:
			return nil, false, damaged("part %d disagrees with part 0 about the whole", part)
		case part != next:
			return nil, false, damaged("part %d where part %d was expected", part, next)
		case !ok:
			return nil, false, damaged("part %d has no data", part)
		}
		raw, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return nil, false, damaged("part %d: %v", part, err)
		}
		if int64(len(out)+len(raw)) > size {
			return nil, false, damaged("part %d goes past %d bytes", part, size)
		}
		out = append(out, raw...)
		next++
	}
	if err := res.Err(); err != nil {
		return nil, false, ctxErr(ctx, fmt.Errorf("neo4jstore: read derived %s of snapshot %s: %w", strconv.Quote(name), r.meta.ID, err))
	}
	if !found {
		return nil, false, nil
	}
	if next != parts {
		return nil, false, damaged("%d of %d parts", next, parts)
	}
	if int64(len(out)) != size {
		return nil, false, damaged("%d bytes where %d were stored", len(out), size)
	}
	if got := sha256.Sum256(out); hex.EncodeToString(got[:]) != sum {
		return nil, false, damaged("SHA-256 mismatch")
	}
	return out, true, nil
}

var _ graph.DerivedReader = (*reader)(nil)
