package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
)

// errDamagedRow marks a row whose properties do not decode as the record
// they store.
var errDamagedRow = errors.New("damaged row")

// ErrDamaged is wrapped by the error of a snapshot that Verify finds
// damaged.
var ErrDamaged = errors.New("damaged")

// SnapshotCheck is what Verify found for one snapshot: Err is nil when it
// is intact and wraps ErrDamaged otherwise.
type SnapshotCheck struct {
	Meta graph.SnapshotMeta
	Err  error
}

// Verify reads every complete snapshot back, oldest first: every record,
// whose content hash must be the snapshot's id and whose counts must be its
// counts (so a changed, added or deleted node or relationship shows), and
// every derived data set stored with it, whose parts must add up to their
// stored size and SHA-256. A snapshot found damaged gets an error naming
// what is wrong; Verify itself fails only when the server cannot be read
// (a lost connection is never reported as damage).
func (s *Store) Verify(ctx context.Context) ([]SnapshotCheck, error) {
	metas, err := s.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]SnapshotCheck, 0, len(metas))
	for _, m := range metas {
		r := &reader{store: s, meta: m}
		check, err := s.verifySnapshot(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, SnapshotCheck{Meta: m, Err: check})
	}
	return out, nil
}

// verifySnapshot returns what is wrong with r's snapshot (nil: nothing),
// or err when it could not be read.
func (s *Store) verifySnapshot(ctx context.Context, r *reader) (damage, err error) {
	id := r.meta.ID
	got, counts, err := graph.Rehash(ctx, r)
	switch {
	case errors.Is(err, errDamagedRow):
		return fmt.Errorf("snapshot %s is %w: %w", id, ErrDamaged, err), nil
	case err != nil:
		return nil, err
	case got != id || counts != r.meta.Counts:
		return fmt.Errorf("snapshot %s is %w: its records hash to %s (%d records, %d stored)", id, ErrDamaged, got,
			counts.Total(), r.meta.Counts.Total()), nil
	}
	res, err := s.read(ctx, derivedNamesCypher, map[string]any{"snapshot": string(id)})
	if err != nil {
		return nil, ctxErr(ctx, fmt.Errorf("neo4jstore: list the derived data of snapshot %s: %w", id, err))
	}
	for _, rec := range res.Records {
		name, _ := rec.Values[0].(string)
		if strings.HasSuffix(name, pendingSuffix) {
			continue // a refresh that did not finish: not data of the snapshot
		}
		if _, _, err := r.Derived(ctx, name); err != nil {
			if errors.Is(err, ErrDamaged) {
				return fmt.Errorf("snapshot %s is %w: %w", id, ErrDamaged, err), nil
			}
			return nil, fmt.Errorf("neo4jstore: read derived data %s of snapshot %s: %w", strconv.Quote(name), id, err)
		}
	}
	return nil, nil
}
