package graph

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash"
	"iter"
)

// RecordKind numbers the record kinds in section order (systems first,
// delegations last).
type RecordKind uint8

// Record kinds.
const (
	RecSystem RecordKind = iota
	RecResource
	RecIdentity
	RecGroup
	RecMembership
	RecGrant
	RecCredential
	RecDelegation
	NumRecordKinds
)

// recordTags are the bytes that precede each record in the id hash.
var recordTags = [NumRecordKinds]byte{'S', 'R', 'I', 'G', 'M', 'A', 'C', 'D'}

// windowTags precede a record of a kind whose encoding starts with the window
// flags byte (see encoder.window) when that byte is not 0; 0 for kinds
// without one. Credentials got the byte (for valid_from) after the edges.
var windowTags = [NumRecordKinds]byte{RecMembership: 'm', RecGrant: 'a', RecCredential: 'c', RecDelegation: 'd'}

// IDHasher derives a SnapshotID from a snapshot's content and provenance. Feed it
// every record (in write order) through its Writer methods, or already encoded
// with PutEncoded, then call Sum. Every backend uses it, so the same input gets
// the same id in every store.
type IDHasher struct {
	h      hash.Hash
	buf    []byte
	counts [NumRecordKinds]int
}

// NewIDHasher starts a hash over the provenance in meta (source label,
// collected_at and the input files with their hashes).
func NewIDHasher(meta SnapshotMeta) *IDHasher {
	h := &IDHasher{h: sha256.New()}
	e := encoder{}
	e.str("reachgraph-snapshot/1")
	e.str(meta.Source)
	e.tm(meta.CollectedAt)
	e.b = binary.AppendUvarint(e.b, uint64(len(meta.Files)))
	for _, f := range meta.Files {
		e.str(f.Name)
		e.str(f.SHA256)
	}
	h.h.Write(e.b)
	return h
}

// PutEncoded hashes one record of kind k given as its canonical encoding (the
// output of the matching AppendX), so a caller that encodes records anyway
// does not encode them twice.
//
// An edge or credential record without a window (and a membership without a
// native string) is hashed without its leading 0 flags byte under its plain
// tag, exactly as before windows existed, so such snapshots keep their ids; a
// record with a window is hashed whole under its own tag (lower case), so a
// window is part of the content the id covers.
func (h *IDHasher) PutEncoded(k RecordKind, enc []byte) {
	h.counts[k]++
	tag := recordTags[k]
	if windowTags[k] != 0 && len(enc) > 0 {
		if enc[0] == 0 {
			enc = enc[1:]
		} else {
			tag = windowTags[k]
		}
	}
	h.h.Write([]byte{tag})
	h.h.Write(enc)
}

func (h *IDHasher) put(k RecordKind, enc func([]byte) []byte) error {
	h.buf = enc(h.buf[:0])
	h.PutEncoded(k, h.buf)
	return nil
}

// PutSystem hashes r. It never fails.
func (h *IDHasher) PutSystem(r System) error {
	return h.put(RecSystem, func(b []byte) []byte { return AppendSystem(b, r) })
}

// PutResource hashes r. It never fails.
func (h *IDHasher) PutResource(r Resource) error {
	return h.put(RecResource, func(b []byte) []byte { return AppendResource(b, r) })
}

// PutIdentity hashes r. It never fails.
func (h *IDHasher) PutIdentity(r Identity) error {
	return h.put(RecIdentity, func(b []byte) []byte { return AppendIdentity(b, r) })
}

// PutGroup hashes r. It never fails.
func (h *IDHasher) PutGroup(r Group) error {
	return h.put(RecGroup, func(b []byte) []byte { return AppendGroup(b, r) })
}

// PutMembership hashes r. It never fails.
func (h *IDHasher) PutMembership(r Membership) error {
	return h.put(RecMembership, func(b []byte) []byte { return AppendMembership(b, r) })
}

// PutGrant hashes r. It never fails.
func (h *IDHasher) PutGrant(r Grant) error {
	return h.put(RecGrant, func(b []byte) []byte { return AppendGrant(b, r) })
}

// PutCredential hashes r. It never fails.
func (h *IDHasher) PutCredential(r Credential) error {
	return h.put(RecCredential, func(b []byte) []byte { return AppendCredential(b, r) })
}

// PutDelegation hashes r. It never fails.
func (h *IDHasher) PutDelegation(r Delegation) error {
	return h.put(RecDelegation, func(b []byte) []byte { return AppendDelegation(b, r) })
}

// Counts returns how many records of each kind were hashed.
func (h *IDHasher) Counts() Counts {
	c := h.counts
	return Counts{Systems: c[RecSystem], Resources: c[RecResource], Identities: c[RecIdentity], Groups: c[RecGroup],
		Memberships: c[RecMembership], Grants: c[RecGrant], Credentials: c[RecCredential], Delegations: c[RecDelegation]}
}

// Sum returns the snapshot id: "s-" and the first 16 bytes of the SHA-256 in hex.
func (h *IDHasher) Sum() SnapshotID {
	return SnapshotID("s-" + hex.EncodeToString(h.h.Sum(nil)[:16]))
}

var _ Writer = (*IDHasher)(nil)

// Rehash reads every record of r in its order and returns the content id
// and counts they give with r's provenance: for an intact snapshot, its own
// id and counts. The first read error is returned as it is.
func Rehash(ctx context.Context, r Reader) (SnapshotID, Counts, error) {
	h := NewIDHasher(r.Meta())
	err := errors.Join(
		feed(r.Systems(ctx), h.PutSystem), feed(r.Resources(ctx), h.PutResource),
		feed(r.Identities(ctx), h.PutIdentity), feed(r.Groups(ctx), h.PutGroup),
		feed(r.Memberships(ctx), h.PutMembership), feed(r.Grants(ctx), h.PutGrant),
		feed(r.Credentials(ctx), h.PutCredential), feed(r.Delegations(ctx), h.PutDelegation))
	if err != nil {
		return "", Counts{}, err
	}
	return h.Sum(), h.Counts(), nil
}

func feed[T any](seq iter.Seq2[T, error], put func(T) error) error {
	for rec, err := range seq {
		if err != nil {
			return err
		}
		if err := put(rec); err != nil {
			return err
		}
	}
	return nil
}
