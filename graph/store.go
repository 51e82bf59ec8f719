package graph

import (
	"context"
	"errors"
	"iter"
)

// Sentinel errors of the graph layer.
var (
	// ErrNotFound is returned when a node id does not exist in a snapshot.
	ErrNotFound = errors.New("not found")
	// ErrSnapshotNotFound is returned when no snapshot has the given id, or the
	// store holds no snapshot at all.
	ErrSnapshotNotFound = errors.New("snapshot not found")
	// ErrAmbiguousSnapshot is returned when a snapshot id prefix matches several.
	ErrAmbiguousSnapshot = errors.New("snapshot id prefix is ambiguous")
)

// Writer receives the records of one snapshot during Store.Ingest. Records may
// arrive in any order; the store does not validate them (ingest does).
type Writer interface {
	PutSystem(System) error
	PutResource(Resource) error
	PutIdentity(Identity) error
	PutGroup(Group) error
	PutMembership(Membership) error
	PutGrant(Grant) error
	PutCredential(Credential) error
	PutDelegation(Delegation) error
}

// Reader reads one immutable snapshot. Each iterator yields the records in the
// order they were written and stops at the first error, which it yields.
type Reader interface {
	Meta() SnapshotMeta
	Systems(ctx context.Context) iter.Seq2[System, error]
	Resources(ctx context.Context) iter.Seq2[Resource, error]
	Identities(ctx context.Context) iter.Seq2[Identity, error]
	Groups(ctx context.Context) iter.Seq2[Group, error]
	Memberships(ctx context.Context) iter.Seq2[Membership, error]
	Grants(ctx context.Context) iter.Seq2[Grant, error]
	Credentials(ctx context.Context) iter.Seq2[Credential, error]
	Delegations(ctx context.Context) iter.Seq2[Delegation, error]
}

// SnapshotStore lists and opens snapshots.
type SnapshotStore interface {
	// Snapshots lists every snapshot, oldest first.
	Snapshots(ctx context.Context) ([]SnapshotMeta, error)
	// Snapshot opens the snapshot with the given id or unique id prefix; "" means
	// the newest. It returns ErrSnapshotNotFound or ErrAmbiguousSnapshot.
	Snapshot(ctx context.Context, id SnapshotID) (Reader, error)
}

// Ingester lands snapshots atomically.
type Ingester interface {
	// Ingest calls fn with a Writer and, when fn returns nil, commits everything
	// written as one new immutable snapshot described by meta (whose ID, Counts
	// are filled in by the store) and returns its final metadata. When fn returns
	// an error, or the process dies before commit, nothing is changed. If a
	// snapshot with the same content id exists already, it is returned unchanged.
	Ingest(ctx context.Context, meta SnapshotMeta, fn func(w Writer) error) (SnapshotMeta, error)
}

// Store is a complete backend.
type Store interface {
	SnapshotStore
	Ingester
	Close() error
}
