// Package memstore is reachgraph's embedded store: every snapshot in one
// bbolt file (default ./reachgraph.db), no server. It implements graph.Store
// and passes the storetest conformance suite.
//
// # File layout
//
// Top-level buckets:
//
//	info       "format" → "reachgraph-memstore/7" (/6 is read too; other values are refused)
//	meta       seq → JSON graph.SnapshotMeta + CRC-32C, seq = 8-byte big-endian commit number 1, 2, …
//	ids        snapshot id → seq
//	snapshots  seq → bucket with one bucket per record kind:
//	             systems, resources, identities, groups,
//	             memberships, grants, credentials, delegations
//	           each: chunk number (4-byte big-endian, from 0) → chunk
//	           and, when the Store was opened WithDerived, a "derived"
//	           bucket: one bucket per name (the projection) with its
//	           chunks (8-byte big-endian number → CRC-32C, 4 zero bytes,
//	           up to 16 MiB of data, or one array of the projection that
//	           is larger) and its total size ("size" → 8 bytes + CRC-32C);
//	           a version 6 file keys the chunks by 4-byte numbers with the
//	           CRC-32C after the data
//
// A chunk is the concatenation of up to 256 KiB of records of one kind, each
// in the canonical encoding of graph.AppendX, in write order; a record never
// spans two chunks (a larger record gets a chunk of its own). One key per
// record would make tier M (~10M records) far too slow to write and read.
//
// # Integrity
//
// Every chunk ends with a 4-byte big-endian CRC-32C (Castagnoli) of the
// snapshot id, the kind, the chunk number and the chunk's records; every
// metadata value ends with the CRC-32C of its key and JSON; every chunk of
// derived data (and its size) carries the CRC-32C of the snapshot id, the name,
// the chunk number and the bytes. Readers check
// them on every read (but for DerivedView, below), and check that the metadata keys are 1 … the meta
// bucket's sequence and that the id index leads back to each snapshot.
// Before mapping the file, both bbolt meta pages are checked and the file
// must hold every page they count (a truncated file would fault). Every
// bbolt access runs under recover with SetPanicOnFault, including in the
// chunk prefetch goroutine. Whatever is damaged gives an error wrapping
// ErrDamaged — "store file X is damaged" or "snapshot S is damaged" —
// never a crash and never a different answer. Verify reads the whole file
// (bbolt's page check, every chunk, every record, every content hash).
// Snapshot order ("oldest first") is commit order, and the newest snapshot
// is the one with the highest seq.
//
// # Snapshots and ids
//
// The snapshot id is graph.IDHasher over the metadata's provenance and every
// record in write order, so every backend gives the same input the same id.
// Ingesting content whose id exists already returns the stored metadata and
// adds nothing. Snapshots are immutable and never deleted.
//
// # Atomicity
//
// Ingest spools fn's records in memory (encoded chunks) and writes nothing
// while fn runs. When fn returns nil, the whole snapshot — chunks, metadata
// and id index entry — is written in one bbolt write transaction. bbolt
// writes the new pages, syncs them, then switches its meta page; a crash or
// SIGKILL before that switch leaves the file exactly as it was (the test
// suite kills a child process in the middle of a commit to prove it). When fn
// fails, the file is not even opened for writing; a failing first ingest
// does not create the file.
//
// # Locking
//
// bbolt locks the file with flock: a read-write open takes an exclusive lock,
// a read-only open a shared one. A Store therefore never keeps the file open
// for writing: it opens it read-only, lazily, for reads (listing, lookups,
// iterating a Reader) and closes it as soon as no read needs it, and it opens
// it read-write only for the commit at the end of Ingest, after fn returned.
// Consequences:
//
//   - while an ingest parses and validates (fn running), other processes and
//     goroutines read as usual;
//   - while a commit runs (typically seconds at tier M), readers in other
//     processes wait for it, and this process's readers wait in memory;
//   - a commit waits until no other process is reading (iterating a
//     snapshot holds the shared lock between chunks); this process's own
//     iterators are paused, the read handle closed, and they resume after
//     the commit, reopening the file;
//   - every wait for another process's lock is bounded by the lock timeout
//     (WithLockTimeout, default 30 s), after which the operation fails with
//     ErrLocked: "store ./reachgraph.db is locked by another reachgraph
//     process (waited 30s)". Another Store on the same file in the same
//     process counts as another process.
//
// A long-running process (reachgraph serve) calls KeepOpen(hold): the
// read-only handle then stays open between reads for up to hold after it
// was opened (closed once no read runs), is mapped without pre-faulting,
// and Snapshots answers from memory while it is open — exact, because
// holding it holds the shared lock. Another process's commit waits for the
// handle to close.
//
// A Reader holds no transaction: it copies one chunk at a time out of a
// short read transaction and decodes the copy, so it stays valid, with the
// same content, however many snapshots are committed while it is used, and
// it never blocks a commit of this process for longer than one chunk copy.
//
// A path that does not exist yet is an empty store: listing returns no
// snapshots and does not create the file; the first successful ingest creates
// it (mode 0600).
package memstore
