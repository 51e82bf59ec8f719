package memstore

import (
	"encoding/binary"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// formatV3 is the layout version written to the info bucket. A file with
// another value is refused rather than misread. Version 2 added the native
// string at the end of a delegation's encoding (graph.AppendDelegation), which
// a version 1 file lacks; version 3 put a validity window flags byte (and the
// bounds that are set) in front of every membership, grant and delegation.
const formatV3 = "reachgraph-memstore/3"

// formatPrefix starts every version of the format value, so an older store is
// told apart from a file that is not a reachgraph store at all.
const formatPrefix = "reachgraph-memstore/"

// Top-level buckets. See doc.go for the layout.
var (
	bucketInfo      = []byte("info")      // "format" → formatV3
	bucketMeta      = []byte("meta")      // seq (8-byte big-endian) → JSON graph.SnapshotMeta
	bucketIDs       = []byte("ids")       // snapshot id → seq
	bucketSnapshots = []byte("snapshots") // seq → bucket of kind buckets
	keyFormat       = []byte("format")
)

// kind is one record kind; its value indexes kindBuckets and the spool, and
// equals the graph.RecordKind of the same kind (checked in a test).
type kind int

const (
	kindSystem kind = iota
	kindResource
	kindIdentity
	kindGroup
	kindMembership
	kindGrant
	kindCredential
	kindDelegation
	numKinds
)

// kindBuckets names the per-kind bucket inside a snapshot's bucket.
var kindBuckets = [numKinds][]byte{
	[]byte("systems"), []byte("resources"), []byte("identities"), []byte("groups"),
	[]byte("memberships"), []byte("grants"), []byte("credentials"), []byte("delegations"),
}

func (k kind) String() string { return string(kindBuckets[k]) }

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func chunkKey(buf []byte, n uint32) []byte { return binary.BigEndian.AppendUint32(buf[:0], n) }

// checkFormat reports whether tx holds a reachgraph store. A file without any
// bucket is an empty store (bbolt initialised it but the first ingest never
// committed); a file with other buckets or another format is refused.
func checkFormat(tx *bolt.Tx, path string) error {
	info := tx.Bucket(bucketInfo)
	if info == nil {
		empty := true
		_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
		if empty {
			return nil
		}
		return fmt.Errorf("%s: %w", path, ErrNotStore)
	}
	if got := string(info.Get(keyFormat)); got != formatV3 {
		if strings.HasPrefix(got, formatPrefix) {
			return fmt.Errorf("%s has format %q, this reachgraph reads %q: ingest the inputs again into a new store file (or move this one away): %w",
				path, got, formatV3, ErrOldFormat)
		}
		return fmt.Errorf("%s has format %q, this reachgraph reads %q: %w", path, got, formatV3, ErrNotStore)
	}
	return nil
}

// ensureLayout creates the top-level buckets in a write transaction.
func ensureLayout(tx *bolt.Tx, path string) error {
	if err := checkFormat(tx, path); err != nil {
		return err
	}
	info, err := tx.CreateBucketIfNotExists(bucketInfo)
	if err != nil {
		return err
	}
	if err := info.Put(keyFormat, []byte(formatV3)); err != nil {
		return err
	}
	for _, name := range [][]byte{bucketMeta, bucketIDs, bucketSnapshots} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}
