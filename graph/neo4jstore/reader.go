package neo4jstore

import (
	"context"
	"fmt"
	"iter"
	"strconv"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Snapshots implements graph.SnapshotStore: every complete snapshot, oldest
// (first committed) first; empty, never nil, when there is none. Snapshots
// being written, or left behind by a failed ingest, are never listed.
func (s *Store) Snapshots(ctx context.Context) ([]graph.SnapshotMeta, error) {
	res, err := s.read(ctx, listSnapshotsCypher, nil)
	if err != nil {
		return nil, ctxErr(ctx, fmt.Errorf("neo4jstore: list snapshots: %w", err))
	}
	out := make([]graph.SnapshotMeta, 0, len(res.Records))
	for _, rec := range res.Records {
		m, err := decodeMeta(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Snapshot implements graph.SnapshotStore. id may be a full snapshot id, a
// prefix matching exactly one complete snapshot, or "" for the newest. The
// error wraps graph.ErrSnapshotNotFound or graph.ErrAmbiguousSnapshot and
// names id. The Reader streams its records from the server on demand; it
// stays valid while other snapshots are committed.
func (s *Store) Snapshot(ctx context.Context, id graph.SnapshotID) (graph.Reader, error) {
	q, params := prefixSnapshotsCypher, map[string]any{"prefix": string(id)}
	if id == "" {
		q, params = newestSnapshotCypher, nil
	}
	res, err := s.read(ctx, q, params)
	if err != nil {
		return nil, ctxErr(ctx, fmt.Errorf("neo4jstore: open snapshot %s: %w", strconv.Quote(string(id)), err))
	}
	switch {
	case len(res.Records) == 0:
		return nil, fmt.Errorf("snapshot %s: %w", strconv.Quote(string(id)), graph.ErrSnapshotNotFound)
	case len(res.Records) > 1:
		m0, _ := decodeMeta(res.Records[0])
		m1, _ := decodeMeta(res.Records[1])
		if m0.ID != id && m1.ID != id {
			return nil, fmt.Errorf("snapshot %s: %w (%s, %s, …)", strconv.Quote(string(id)), graph.ErrAmbiguousSnapshot, m0.ID, m1.ID)
		}
		if m1.ID == id {
			res.Records[0] = res.Records[1]
		}
	}
	meta, err := decodeMeta(res.Records[0])
	if err != nil {
		return nil, err
	}
	return &reader{store: s, meta: meta}, nil
}

// reader reads one snapshot; see Store.Snapshot.
type reader struct {
	store *Store
	meta  graph.SnapshotMeta
}

func (r *reader) Meta() graph.SnapshotMeta { return r.meta }

func (r *reader) Systems(ctx context.Context) iter.Seq2[graph.System, error] {
	return stream(ctx, r, readNodesCypher(schema.KindSystem), decodeSystem)
}

func (r *reader) Resources(ctx context.Context) iter.Seq2[graph.Resource, error] {
	return stream(ctx, r, readNodesCypher(schema.KindResource), decodeResource)
}

func (r *reader) Identities(ctx context.Context) iter.Seq2[graph.Identity, error] {
	return stream(ctx, r, readNodesCypher(schema.KindIdentity), decodeIdentity)
}

func (r *reader) Groups(ctx context.Context) iter.Seq2[graph.Group, error] {
	return stream(ctx, r, readNodesCypher(schema.KindGroup), decodeGroup)
}

func (r *reader) Memberships(ctx context.Context) iter.Seq2[graph.Membership, error] {
	return stream(ctx, r, readEdgesCypher(schema.EdgeMemberOf), decodeMembership)
}

func (r *reader) Grants(ctx context.Context) iter.Seq2[graph.Grant, error] {
	return stream(ctx, r, readEdgesCypher(schema.EdgeGrant), decodeGrant)
}

func (r *reader) Credentials(ctx context.Context) iter.Seq2[graph.Credential, error] {
	return stream(ctx, r, readNodesCypher(schema.KindCredential), decodeCredential)
}

func (r *reader) Delegations(ctx context.Context) iter.Seq2[graph.Delegation, error] {
	return stream(ctx, r, readEdgesCypher(schema.EdgeCanActAs), decodeDelegation)
}

// stream runs cypher in a read session and yields its decoded records as the
// driver fetches them; breaking early closes the session.
func stream[T any](ctx context.Context, r *reader, cypher string, decode func(*neo4j.Record) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		fail := func(err error) {
			yield(zero, ctxErr(ctx, fmt.Errorf("neo4jstore: read snapshot %s: %w", r.meta.ID, err)))
		}
		if err := ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		sess := r.store.driver.NewSession(ctx, neo4j.SessionConfig{
			DatabaseName: r.store.opts.Database, AccessMode: neo4j.AccessModeRead,
		})
		defer sess.Close(context.WithoutCancel(ctx))
		res, err := sess.Run(ctx, cypher, map[string]any{"snapshot": string(r.meta.ID)}, r.store.txOptions()...)
		if err != nil {
			fail(err)
			return
		}
		for res.Next(ctx) {
			v, err := decode(res.Record())
			if err != nil {
				// A property of the wrong type, lists of different lengths:
				// the stored data is damaged (Verify tells this from a failed read).
				fail(fmt.Errorf("%w: %w", errDamagedRow, err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := res.Err(); err != nil {
			fail(err)
		}
	}
}
