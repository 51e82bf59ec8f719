package memstore

import (
	"time"

	"github.com/reachgraph/reachgraph/graph"
)

// DefaultLockTimeout is how long a Store waits for the file lock held by
// another process (an ingest committing, or readers when this Store wants to
// commit) before it gives up with ErrLocked.
const DefaultLockTimeout = 30 * time.Second

// chunkSize is the target size of one stored value: records of one kind are
// concatenated up to this many bytes per bbolt key. A record larger than this
// gets a chunk of its own.
const chunkSize = 256 << 10

// spillAt is how many bytes of sealed record chunks an ingest keeps in
// memory; the rest wait in a temporary file (spool.go). 64 MiB holds a
// tier-S estate whole; tier M spools about 640 MB, tier L about 6.4 GB.
const spillAt = 64 << 20

// commitBatch is about how many bytes of record chunks one write transaction
// of an ingest's commit takes: bbolt holds a transaction's pages in memory
// until it commits.
const commitBatch = 64 << 20

// Option configures a Store.
type Option func(*options)

type options struct {
	lockTimeout time.Duration
	chunkSize   int
	// spillAt is how many bytes of an ingest's sealed chunks stay in
	// memory before the rest go to a temporary file (spool).
	spillAt int
	// commitBatch is about how many bytes of record chunks one write
	// transaction of a commit takes (commit).
	commitBatch int
	// afterBatch, when set, runs after each batch of a commit but the
	// last; only the crash test sets it (withAfterBatch).
	afterBatch func()
	// beforeCommit, when set, runs inside the write transaction after every
	// record and the metadata are in it and before bbolt commits. Only the
	// crash-safety test sets it (see withBeforeCommit).
	beforeCommit func()
	// derived are computed at ingest and stored with the records (WithDerived).
	derived      []derivation
	derivedCheck map[string]graph.DeriveCheck // WithDerivedCheck
	derivedChunk int
	notify       func(msg string) // WithNotify
}

// WithNotify has the Store hand fn a line for each repair an ingest makes
// beyond adding a snapshot: records of an existing snapshot replaced from
// the sources, its derived data stored anew.
func WithNotify(fn func(msg string)) Option { return func(o *options) { o.notify = fn } }

func defaultOptions() options {
	return options{lockTimeout: DefaultLockTimeout, chunkSize: chunkSize, spillAt: spillAt, commitBatch: commitBatch, derivedChunk: derivedChunk}
}

// WithLockTimeout sets how long the Store waits for a file lock held by
// another process before failing with ErrLocked. d <= 0 means
// DefaultLockTimeout; the Store never waits forever.
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.lockTimeout = d
		}
	}
}

// withBeforeCommit installs a hook that runs inside the write transaction just
// before it commits. Test-only: the crash-safety test kills the process from
// it.
func withBeforeCommit(fn func()) Option {
	return func(o *options) { o.beforeCommit = fn }
}

// withSpillAt sets how many bytes of sealed chunks an ingest keeps in
// memory before spilling to a temporary file; tests spill from the first.
func withSpillAt(n int) Option {
	return func(o *options) { o.spillAt = max(n, 0) }
}

// withCommitBatch sets the bytes of record chunks per commit transaction.
func withCommitBatch(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.commitBatch = n
		}
	}
}

// withAfterBatch installs a hook that runs after each committed batch but
// the last. Test-only: the crash test kills the process from it.
func withAfterBatch(fn func()) Option {
	return func(o *options) { o.afterBatch = fn }
}

// withChunkSize overrides the chunk size; tests use it to get many chunks
// out of small datasets.
func withChunkSize(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.chunkSize = n
		}
	}
}
