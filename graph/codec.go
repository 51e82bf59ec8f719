package graph

import (
	"encoding/binary"
	"errors"
	"slices"
	"time"
	"unsafe"

	"github.com/reachgraph/reachgraph/schema"
)

// ErrCorrupt is returned when stored bytes do not decode as a record.
var ErrCorrupt = errors.New("corrupt record encoding")

// The record codec is a compact, canonical binary encoding used by the embedded
// store for storage and by every store for content-derived snapshot ids: the
// same record always encodes to the same bytes.

type encoder struct{ b []byte }

func (e *encoder) str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) boolean(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *encoder) optBool(v *bool) {
	switch {
	case v == nil:
		e.b = append(e.b, 0)
	case *v:
		e.b = append(e.b, 2)
	default:
		e.b = append(e.b, 1)
	}
}

func (e *encoder) integer(v int) { e.b = binary.AppendVarint(e.b, int64(v)) }

func (e *encoder) tm(t time.Time) {
	if t.IsZero() {
		e.b = append(e.b, 0)
		return
	}
	e.b = append(e.b, 1)
	e.b = binary.AppendVarint(e.b, t.Unix())
	e.b = binary.AppendUvarint(e.b, uint64(t.Nanosecond()))
}

func (e *encoder) list(ss []string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

func (e *encoder) smap(m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.b = binary.AppendUvarint(e.b, uint64(len(keys)))
	for _, k := range keys {
		e.str(k)
		e.str(m[k])
	}
}

type decoder struct {
	b   []byte
	err error
	// share makes strings views of b instead of copies (see DecodeShared).
	share bool
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = ErrCorrupt
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	n := d.uvarint()
	if uint64(len(d.b)) < n {
		d.fail()
		return ""
	}
	var s string
	switch {
	case n == 0:
	case d.share:
		s = unsafe.String(&d.b[0], int(n))
	default:
		s = string(d.b[:n])
	}
	d.b = d.b[n:]
	return s
}

func (d *decoder) byte1() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) boolean() bool { return d.byte1() == 1 }

func (d *decoder) optBool() *bool {
	switch d.byte1() {
	case 1:
		v := false
		return &v
	case 2:
		v := true
		return &v
	}
	return nil
}

func (d *decoder) integer() int { return int(d.varint()) }

func (d *decoder) tm() time.Time {
	if d.byte1() == 0 {
		return time.Time{}
	}
	sec := d.varint()
	nsec := d.uvarint()
	return time.Unix(sec, int64(nsec)).UTC()
}

func (d *decoder) list() []string {
	n := d.uvarint()
	if n == 0 || n > uint64(len(d.b)) {
		if n > uint64(len(d.b)) {
			d.fail()
		}
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *decoder) smap() map[string]string {
	n := d.uvarint()
	if n == 0 || n > uint64(len(d.b)) {
		if n > uint64(len(d.b)) {
			d.fail()
		}
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k := d.str()
		m[k] = d.str()
	}
	return m
}

// Window flags: the first byte of a membership, grant, delegation or
// credential encoding says which window bounds follow it (each as unix seconds
// and nanoseconds). A record without a window starts with a 0 byte, which the
// snapshot id hash leaves out, so snapshot ids of data without windows did not
// change when windows were added (see IDHasher.PutEncoded). The same byte says
// whether a membership's native string follows its group (winNative), so
// memberships without one also hash as before.
const (
	winFrom    = 1 << 0 // valid_from follows
	winExpires = 1 << 1 // expires_at follows (memberships and delegations)
	winNative  = 1 << 2 // a native string ends the record (memberships only)
)

// window writes the window flags byte (with extra flags such as winNative)
// and the bounds that are set; a grant or credential passes a zero expires,
// its expires_at keeps its own place.
func (e *encoder) window(from, expires time.Time, extra byte) {
	f := extra
	if !from.IsZero() {
		f |= winFrom
	}
	if !expires.IsZero() {
		f |= winExpires
	}
	e.b = append(e.b, f)
	for _, t := range []time.Time{from, expires} {
		if !t.IsZero() {
			e.b = binary.AppendVarint(e.b, t.Unix())
			e.b = binary.AppendUvarint(e.b, uint64(t.Nanosecond()))
		}
	}
}

// window reads what encoder.window wrote; extra are the extra flags the
// record kind may carry, and the ones set are returned.
func (d *decoder) window(extra byte) (from, expires time.Time, flags byte) {
	f := d.byte1()
	if f&^(winFrom|winExpires|extra) != 0 {
		d.fail()
		return
	}
	flags = f & extra
	read := func() time.Time {
		sec := d.varint()
		nsec := d.uvarint()
		if nsec >= 1e9 {
			d.fail()
		}
		return time.Unix(sec, int64(nsec)).UTC()
	}
	if f&winFrom != 0 {
		from = read()
	}
	if f&winExpires != 0 {
		expires = read()
	}
	return from, expires, flags
}

// AppendSystem appends the canonical encoding of r to b.
func AppendSystem(b []byte, r System) []byte {
	e := encoder{b}
	e.str(r.ID)
	e.str(r.Name)
	e.str(r.Kind)
	e.boolean(r.SOXScope)
	e.str(r.Owner)
	return e.b
}

// AppendResource appends the canonical encoding of r to b.
func AppendResource(b []byte, r Resource) []byte {
	e := encoder{b}
	e.str(r.ID)
	e.str(r.System)
	e.str(r.Parent)
	e.str(r.Name)
	e.str(r.Kind)
	e.optBool(r.SOXScope)
	return e.b
}

// AppendIdentity appends the canonical encoding of r to b.
func AppendIdentity(b []byte, r Identity) []byte {
	e := encoder{b}
	e.str(r.ID)
	e.str(r.Name)
	e.str(string(r.Type))
	e.str(string(r.Status))
	e.str(r.Owners.Business)
	e.str(r.Owners.Technical)
	e.str(r.Purpose)
	e.str(r.NonhumanRationale)
	e.boolean(r.Shared)
	e.boolean(r.BreakGlass)
	e.str(r.Vendor)
	e.tm(r.CreatedAt)
	e.tm(r.LastUsedAt)
	e.list(r.CompensatingControls)
	e.list(r.SameAs)
	e.smap(r.Tags)
	return e.b
}

// AppendGroup appends the canonical encoding of r to b.
func AppendGroup(b []byte, r Group) []byte {
	e := encoder{b}
	e.str(r.ID)
	e.str(r.Name)
	e.str(string(r.Type))
	e.str(r.System)
	return e.b
}

// AppendMembership appends the canonical encoding of r to b.
func AppendMembership(b []byte, r Membership) []byte {
	e := encoder{b}
	var native byte
	if r.Native != "" {
		native = winNative
	}
	e.window(r.ValidFrom, r.ExpiresAt, native)
	e.str(r.Member)
	e.str(r.Group)
	if r.Native != "" {
		e.str(r.Native)
	}
	return e.b
}

// AppendGrant appends the canonical encoding of r to b.
func AppendGrant(b []byte, r Grant) []byte {
	e := encoder{b}
	e.window(r.ValidFrom, time.Time{}, 0)
	e.str(r.Principal)
	e.str(string(r.Action))
	e.str(r.Resource)
	e.str(r.Native)
	e.boolean(r.Conditional)
	e.tm(r.LastUsedAt)
	e.tm(r.ExpiresAt)
	return e.b
}

// AppendCredential appends the canonical encoding of r to b.
func AppendCredential(b []byte, r Credential) []byte {
	e := encoder{b}
	e.window(r.ValidFrom, time.Time{}, 0)
	e.str(r.ID)
	e.str(r.Identity)
	e.str(string(r.Type))
	e.list(r.Systems)
	e.tm(r.CreatedAt)
	e.tm(r.LastRotatedAt)
	e.tm(r.ExpiresAt)
	e.tm(r.LastUsedAt)
	e.integer(r.RotationDays)
	e.boolean(r.Revoked)
	e.boolean(r.Vaulted)
	e.str(r.StoredIn)
	return e.b
}

// AppendDelegation appends the canonical encoding of r to b.
func AppendDelegation(b []byte, r Delegation) []byte {
	e := encoder{b}
	e.window(r.ValidFrom, r.ExpiresAt, 0)
	e.str(r.From)
	e.str(r.To)
	e.str(string(r.Kind))
	e.str(r.System)
	e.str(r.Native)
	return e.b
}

// DecodeSystem decodes one system from the front of b and returns the rest.
func DecodeSystem(b []byte) (System, []byte, error) { return decodeSystem(&decoder{b: b}) }

func decodeSystem(d *decoder) (System, []byte, error) {
	r := System{ID: d.str(), Name: d.str(), Kind: d.str(), SOXScope: d.boolean(), Owner: d.str()}
	return r, d.b, d.err
}

// DecodeResource decodes one resource from the front of b and returns the rest.
func DecodeResource(b []byte) (Resource, []byte, error) { return decodeResource(&decoder{b: b}) }

func decodeResource(d *decoder) (Resource, []byte, error) {
	r := Resource{ID: d.str(), System: d.str(), Parent: d.str(), Name: d.str(), Kind: d.str(), SOXScope: d.optBool()}
	return r, d.b, d.err
}

// DecodeIdentity decodes one identity from the front of b and returns the rest.
func DecodeIdentity(b []byte) (Identity, []byte, error) { return decodeIdentity(&decoder{b: b}) }

func decodeIdentity(d *decoder) (Identity, []byte, error) {
	r := Identity{ID: d.str(), Name: d.str(), Type: schema.IdentityType(d.str()), Status: schema.Status(d.str())}
	r.Owners.Business = d.str()
	r.Owners.Technical = d.str()
	r.Purpose = d.str()
	r.NonhumanRationale = d.str()
	r.Shared = d.boolean()
	r.BreakGlass = d.boolean()
	r.Vendor = d.str()
	r.CreatedAt = d.tm()
	r.LastUsedAt = d.tm()
	r.CompensatingControls = d.list()
	r.SameAs = d.list()
	r.Tags = d.smap()
	return r, d.b, d.err
}

// DecodeGroup decodes one group from the front of b and returns the rest.
func DecodeGroup(b []byte) (Group, []byte, error) { return decodeGroup(&decoder{b: b}) }

func decodeGroup(d *decoder) (Group, []byte, error) {
	r := Group{ID: d.str(), Name: d.str(), Type: schema.GroupType(d.str()), System: d.str()}
	return r, d.b, d.err
}

// DecodeMembership decodes one membership from the front of b and returns the rest.
func DecodeMembership(b []byte) (Membership, []byte, error) { return decodeMembership(&decoder{b: b}) }

func decodeMembership(d *decoder) (Membership, []byte, error) {
	var r Membership
	var flags byte
	r.ValidFrom, r.ExpiresAt, flags = d.window(winNative)
	r.Member, r.Group = d.str(), d.str()
	if flags&winNative != 0 {
		if r.Native = d.str(); r.Native == "" {
			d.fail() // the encoder never writes an empty native
		}
	}
	return r, d.b, d.err
}

// DecodeGrant decodes one grant from the front of b and returns the rest.
func DecodeGrant(b []byte) (Grant, []byte, error) { return decodeGrant(&decoder{b: b}) }

func decodeGrant(d *decoder) (Grant, []byte, error) {
	from, none, _ := d.window(0)
	if !none.IsZero() {
		d.fail()
	}
	r := Grant{Principal: d.str(), Action: schema.Action(d.str()), Resource: d.str(), Native: d.str(),
		Conditional: d.boolean(), LastUsedAt: d.tm(), ValidFrom: from, ExpiresAt: d.tm()}
	return r, d.b, d.err
}

// DecodeCredential decodes one credential from the front of b and returns the rest.
func DecodeCredential(b []byte) (Credential, []byte, error) { return decodeCredential(&decoder{b: b}) }

func decodeCredential(d *decoder) (Credential, []byte, error) {
	from, none, _ := d.window(0)
	if !none.IsZero() {
		d.fail()
	}
	r := Credential{ID: d.str(), Identity: d.str(), Type: schema.CredentialType(d.str()), Systems: d.list(),
		CreatedAt: d.tm(), LastRotatedAt: d.tm(), ValidFrom: from, ExpiresAt: d.tm(), LastUsedAt: d.tm(),
		RotationDays: d.integer(), Revoked: d.boolean(), Vaulted: d.boolean(), StoredIn: d.str()}
	return r, d.b, d.err
}

// DecodeDelegation decodes one delegation from the front of b and returns the rest.
func DecodeDelegation(b []byte) (Delegation, []byte, error) { return decodeDelegation(&decoder{b: b}) }

func decodeDelegation(d *decoder) (Delegation, []byte, error) {
	from, expires, _ := d.window(0)
	r := Delegation{From: d.str(), To: d.str(), Kind: schema.DelegationKind(d.str()), System: d.str(), Native: d.str(),
		ValidFrom: from, ExpiresAt: expires}
	return r, d.b, d.err
}

// The DecodeXShared functions decode like DecodeX, except that the record's
// strings are views of b rather than copies, which saves one allocation per
// string field. b must never be modified afterwards; it stays alive as long as
// any decoded string does. The embedded store's readers use them with a fresh
// buffer per chunk.

// DecodeSystemShared is DecodeSystem with strings shared with b.
func DecodeSystemShared(b []byte) (System, []byte, error) {
	return decodeSystem(&decoder{b: b, share: true})
}

// DecodeResourceShared is DecodeResource with strings shared with b.
func DecodeResourceShared(b []byte) (Resource, []byte, error) {
	return decodeResource(&decoder{b: b, share: true})
}

// DecodeIdentityShared is DecodeIdentity with strings shared with b.
func DecodeIdentityShared(b []byte) (Identity, []byte, error) {
	return decodeIdentity(&decoder{b: b, share: true})
}

// DecodeGroupShared is DecodeGroup with strings shared with b.
func DecodeGroupShared(b []byte) (Group, []byte, error) {
	return decodeGroup(&decoder{b: b, share: true})
}

// DecodeMembershipShared is DecodeMembership with strings shared with b.
func DecodeMembershipShared(b []byte) (Membership, []byte, error) {
	return decodeMembership(&decoder{b: b, share: true})
}

// DecodeGrantShared is DecodeGrant with strings shared with b.
func DecodeGrantShared(b []byte) (Grant, []byte, error) {
	return decodeGrant(&decoder{b: b, share: true})
}

// DecodeCredentialShared is DecodeCredential with strings shared with b.
func DecodeCredentialShared(b []byte) (Credential, []byte, error) {
	return decodeCredential(&decoder{b: b, share: true})
}

// DecodeDelegationShared is DecodeDelegation with strings shared with b.
func DecodeDelegationShared(b []byte) (Delegation, []byte, error) {
	return decodeDelegation(&decoder{b: b, share: true})
}
