package graph

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
)

// IDHasher derives a SnapshotID from a snapshot's content and provenance. Feed it
// every record (in write order) through its Writer methods, then call Sum. Every
// backend uses it, so the same input gets the same id in every store.
type IDHasher struct {
	h      hash.Hash
	buf    []byte
	counts Counts
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

func (h *IDHasher) add(tag byte, enc func([]byte) []byte) {
	h.buf = enc(append(h.buf[:0], tag))
	h.h.Write(h.buf)
}

// PutSystem hashes r. It never fails.
func (h *IDHasher) PutSystem(r System) error {
	h.counts.Systems++
	h.add('S', func(b []byte) []byte { return AppendSystem(b, r) })
	return nil
}

// PutResource hashes r. It never fails.
func (h *IDHasher) PutResource(r Resource) error {
	h.counts.Resources++
	h.add('R', func(b []byte) []byte { return AppendResource(b, r) })
	return nil
}

// PutIdentity hashes r. It never fails.
func (h *IDHasher) PutIdentity(r Identity) error {
	h.counts.Identities++
	h.add('I', func(b []byte) []byte { return AppendIdentity(b, r) })
	return nil
}

// PutGroup hashes r. It never fails.
func (h *IDHasher) PutGroup(r Group) error {
	h.counts.Groups++
	h.add('G', func(b []byte) []byte { return AppendGroup(b, r) })
	return nil
}

// PutMembership hashes r. It never fails.
func (h *IDHasher) PutMembership(r Membership) error {
	h.counts.Memberships++
	h.add('M', func(b []byte) []byte { return AppendMembership(b, r) })
	return nil
}

// PutGrant hashes r. It never fails.
func (h *IDHasher) PutGrant(r Grant) error {
	h.counts.Grants++
	h.add('A', func(b []byte) []byte { return AppendGrant(b, r) })
	return nil
}

// PutCredential hashes r. It never fails.
func (h *IDHasher) PutCredential(r Credential) error {
	h.counts.Credentials++
	h.add('C', func(b []byte) []byte { return AppendCredential(b, r) })
	return nil
}

// PutDelegation hashes r. It never fails.
func (h *IDHasher) PutDelegation(r Delegation) error {
	h.counts.Delegations++
	h.add('D', func(b []byte) []byte { return AppendDelegation(b, r) })
	return nil
}

// Counts returns how many records of each kind were hashed.
func (h *IDHasher) Counts() Counts { return h.counts }

// Sum returns the snapshot id: "s-" and the first 16 bytes of the SHA-256 in hex.
func (h *IDHasher) Sum() SnapshotID {
	return SnapshotID("s-" + hex.EncodeToString(h.h.Sum(nil)[:16]))
}

var _ Writer = (*IDHasher)(nil)
