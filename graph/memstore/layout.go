package memstore

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/reachgraph/reachgraph/graph"
)

// formatV7 is the layout version written to the info bucket; formatV6 is
// read too (and becomes formatV7 at the next commit into the file). A file
// with another value is refused rather than misread. Version 2 added the native
// string at the end of a delegation's encoding (graph.AppendDelegation), which
// a version 1 file lacks; version 3 put a validity window flags byte (and the
// bounds that are set) in front of every membership, grant and delegation;
// version 4 added the CRC-32C trailer of every chunk and metadata value
// (sealChunk, sealMeta); version 5 added the derived data of a snapshot (its
// projection, stored at ingest: see derived.go); version 6 lets a
// membership's flags byte announce a native string after its group and puts
// a flags byte (valid_from) in front of every credential; version 7 keys
// the chunks of derived data by 8-byte numbers and puts their checksum in
// front, so that the bytes of each chunk lie 8-byte aligned in the mapped
// file and the projection is used from there (derived.go). A version 6
// file's derived data, in the old form, is still read (copied).
const (
	formatV7 = "reachgraph-memstore/7"
	formatV6 = "reachgraph-memstore/6"
)

// formatPrefix starts every version of the format value, so an older store is
// told apart from a file that is not a reachgraph store at all.
const formatPrefix = "reachgraph-memstore/"

// Top-level buckets. See doc.go for the layout.
var (
	bucketInfo      = []byte("info")      // "format" → formatV7 (or formatV6)
	bucketMeta      = []byte("meta")      // seq (8-byte big-endian) → JSON graph.SnapshotMeta
	bucketIDs       = []byte("ids")       // snapshot id → seq
	bucketSnapshots = []byte("snapshots") // seq → bucket of kind buckets
	// bucketPending holds the records of a commit in progress, under the
	// sequence number the snapshot will have (commit); empty between
	// commits.
	bucketPending = []byte("pending")
	keyFormat     = []byte("format")
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
	if got := string(info.Get(keyFormat)); got != formatV7 && got != formatV6 {
		if strings.HasPrefix(got, formatPrefix) {
			return fmt.Errorf("%s has format %q, this reachgraph reads %q and %q: ingest the inputs again into a new store file (or move this one away): %w",
				path, got, formatV7, formatV6, ErrOldFormat)
		}
		return fmt.Errorf("%s has format %q, this reachgraph reads %q: %w", path, got, formatV7, ErrNotStore)
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
	if err := info.Put(keyFormat, []byte(formatV7)); err != nil {
		return err
	}
	for _, name := range [][]byte{bucketMeta, bucketIDs, bucketSnapshots} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// castagnoli is the CRC-32C table (hardware-accelerated on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crcLen is the size of the checksum trailer of stored values.
const crcLen = 4

// chunkSum is the CRC-32C of a chunk bound to where it belongs: the snapshot
// id, the kind and the chunk number come before the data, so a chunk read
// through a damaged page pointer from another place fails too.
func chunkSum(id graph.SnapshotID, k kind, n uint32, data []byte) uint32 {
	var where [5]byte
	where[0] = byte(k)
	binary.BigEndian.PutUint32(where[1:], n)
	c := crc32.Update(0, castagnoli, []byte(id))
	c = crc32.Update(c, castagnoli, where[:])
	return crc32.Update(c, castagnoli, data)
}

// sealChunk appends chunk n's checksum to data (which it may reuse).
func sealChunk(id graph.SnapshotID, k kind, n uint32, data []byte) []byte {
	return binary.BigEndian.AppendUint32(data, chunkSum(id, k, n, data))
}

// openChunk checks a stored chunk's trailer and returns its records.
func openChunk(id graph.SnapshotID, k kind, n uint32, v []byte) ([]byte, error) {
	if len(v) < crcLen {
		return nil, fmt.Errorf("chunk %d: %d bytes, shorter than its checksum", n, len(v))
	}
	data := v[:len(v)-crcLen]
	if binary.BigEndian.Uint32(v[len(data):]) != chunkSum(id, k, n, data) {
		return nil, fmt.Errorf("chunk %d: checksum mismatch", n)
	}
	return data, nil
}

// sealMeta appends the checksum of seq's metadata JSON to it.
func sealMeta(key, js []byte) []byte {
	c := crc32.Update(crc32.Checksum(key, castagnoli), castagnoli, js)
	return binary.BigEndian.AppendUint32(js, c)
}

// openMeta checks a stored metadata value's trailer and returns its JSON.
func openMeta(key, v []byte) ([]byte, error) {
	if len(v) < crcLen {
		return nil, fmt.Errorf("%d bytes, shorter than its checksum", len(v))
	}
	js := v[:len(v)-crcLen]
	c := crc32.Update(crc32.Checksum(key, castagnoli), castagnoli, js)
	if binary.BigEndian.Uint32(v[len(js):]) != c {
		return nil, fmt.Errorf("checksum mismatch")
	}
	return js, nil
}
