package bundle

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// ErrSectionOrder is returned by a JSONWriter when a record arrives for a
// section that comes before one already written: a streamed document can hold
// each section only once, so records must arrive grouped by section in
// schema.Sections order (graph.Dataset.WriteTo does that).
var ErrSectionOrder = errors.New("records out of section order")

// JSONWriter streams a reachgraph/v1 JSON document: the header, then each
// section's records, one record per line. It implements graph.Writer; records
// must arrive grouped by section in schema.Sections order (else
// ErrSectionOrder). Empty fields are omitted, tags are written in key order,
// times in RFC 3339 UTC. Sections without records are left out. After the
// first error every call returns it. Close finishes the document.
type JSONWriter struct {
	w       *bufio.Writer
	err     error
	section int // index in schema.Sections of the open section, -1 for none
	buf     []byte
	closed  bool
}

var _ graph.Writer = (*JSONWriter)(nil)

// Section indexes in schema.Sections; sectionIndex panics if the schema
// renames a section, so the writer cannot drift from it silently.
var (
	secSystems     = sectionIndex("systems")
	secResources   = sectionIndex("resources")
	secIdentities  = sectionIndex("identities")
	secGroups      = sectionIndex("groups")
	secMemberships = sectionIndex("memberships")
	secGrants      = sectionIndex("grants")
	secCredentials = sectionIndex("credentials")
	secDelegations = sectionIndex("delegations")
)

func sectionIndex(name string) int {
	for i, s := range schema.Sections {
		if s.Name == name {
			return i
		}
	}
	panic("bundle: no section " + name)
}

// NewJSONWriter starts a document on w with the given provenance label
// (which must not be empty for the document to load) and collected_at
// (omitted when zero). Output is buffered; Close flushes it.
func NewJSONWriter(w io.Writer, source string, collectedAt time.Time) *JSONWriter {
	j := &JSONWriter{w: bufio.NewWriterSize(w, 64<<10), section: -1}
	b := append(j.buf[:0], `{"format":`...)
	b = appendString(b, schema.FormatV1)
	b = append(b, `,"source":`...)
	b = appendString(b, source)
	if !collectedAt.IsZero() {
		b = append(b, `,"collected_at":`...)
		b = appendTime(b, collectedAt)
	}
	j.buf = b
	j.flushBuf()
	return j
}

func (j *JSONWriter) flushBuf() {
	if j.err == nil {
		_, j.err = j.w.Write(j.buf)
	}
}

// put writes one record of section sec, encoded by enc.
func (j *JSONWriter) put(sec int, enc func(o *object)) error {
	if j.err != nil {
		return j.err
	}
	if j.closed {
		j.err = errors.New("bundle: write after Close")
		return j.err
	}
	b := j.buf[:0]
	switch {
	case sec < j.section:
		j.err = fmt.Errorf("bundle: %s after %s: %w", schema.Sections[sec].Name, schema.Sections[j.section].Name, ErrSectionOrder)
		return j.err
	case sec > j.section:
		if j.section >= 0 {
			b = append(b, "\n]"...)
		}
		b = append(b, ",\n"...)
		b = appendString(b, schema.Sections[sec].Name)
		b = append(b, ":[\n"...)
		j.section = sec
	default:
		b = append(b, ",\n"...)
	}
	o := object{b: append(b, '{'), first: true}
	enc(&o)
	j.buf = append(o.b, '}')
	j.flushBuf()
	return j.err
}

// Close ends the document and flushes it. It does not close the underlying writer.
func (j *JSONWriter) Close() error {
	if j.closed {
		return j.err
	}
	j.closed = true
	b := j.buf[:0]
	if j.section >= 0 {
		b = append(b, "\n]"...)
	}
	j.buf = append(b, "}\n"...)
	j.flushBuf()
	if j.err == nil {
		j.err = j.w.Flush()
	}
	return j.err
}

// PutSystem writes a system.
func (j *JSONWriter) PutSystem(r graph.System) error {
	return j.put(secSystems, func(o *object) {
		o.str("id", r.ID)
		o.str("name", r.Name)
		o.str("kind", r.Kind)
		o.boolean("sox_scope", r.SOXScope)
		o.str("owner", r.Owner)
	})
}

// PutResource writes a resource.
func (j *JSONWriter) PutResource(r graph.Resource) error {
	return j.put(secResources, func(o *object) {
		o.str("id", r.ID)
		o.str("system", r.System)
		o.str("parent", r.Parent)
		o.str("name", r.Name)
		o.str("kind", r.Kind)
		if r.SOXScope != nil {
			o.key("sox_scope")
			o.b = strconv.AppendBool(o.b, *r.SOXScope)
		}
	})
}

// PutIdentity writes an identity.
func (j *JSONWriter) PutIdentity(r graph.Identity) error {
	return j.put(secIdentities, func(o *object) {
		o.str("id", r.ID)
		o.str("name", r.Name)
		o.str("type", string(r.Type))
		o.str("status", string(r.Status))
		if r.Owners != (graph.Owners{}) {
			o.key("owners")
			sub := object{b: append(o.b, '{'), first: true}
			sub.str("business", r.Owners.Business)
			sub.str("technical", r.Owners.Technical)
			o.b = append(sub.b, '}')
		}
		o.str("purpose", r.Purpose)
		o.str("nonhuman_rationale", r.NonhumanRationale)
		o.boolean("shared", r.Shared)
		o.boolean("break_glass", r.BreakGlass)
		o.str("vendor", r.Vendor)
		o.time("created_at", r.CreatedAt)
		o.time("last_used_at", r.LastUsedAt)
		o.list("compensating_controls", r.CompensatingControls)
		o.list("same_as", r.SameAs)
		if len(r.Tags) > 0 {
			o.key("tags")
			sub := object{b: append(o.b, '{'), first: true}
			keys := make([]string, 0, len(r.Tags))
			for k := range r.Tags {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				sub.key(k)
				sub.b = appendString(sub.b, r.Tags[k])
			}
			o.b = append(sub.b, '}')
		}
	})
}

// PutGroup writes a group.
func (j *JSONWriter) PutGroup(r graph.Group) error {
	return j.put(secGroups, func(o *object) {
		o.str("id", r.ID)
		o.str("name", r.Name)
		o.str("type", string(r.Type))
		o.str("system", r.System)
	})
}

// PutMembership writes a membership.
func (j *JSONWriter) PutMembership(r graph.Membership) error {
	return j.put(secMemberships, func(o *object) {
		o.str("member", r.Member)
		o.str("group", r.Group)
		o.time("valid_from", r.ValidFrom)
		o.time("expires_at", r.ExpiresAt)
		o.str("native", r.Native)
	})
}

// PutGrant writes a grant.
func (j *JSONWriter) PutGrant(r graph.Grant) error {
	return j.put(secGrants, func(o *object) {
		o.str("principal", r.Principal)
		o.str("action", string(r.Action))
		o.str("resource", r.Resource)
		o.str("native", r.Native)
		o.boolean("conditional", r.Conditional)
		o.time("last_used_at", r.LastUsedAt)
		o.time("valid_from", r.ValidFrom)
		o.time("expires_at", r.ExpiresAt)
	})
}

// PutCredential writes a credential's metadata.
func (j *JSONWriter) PutCredential(r graph.Credential) error {
	return j.put(secCredentials, func(o *object) {
		o.str("id", r.ID)
		o.str("identity", r.Identity)
		o.str("type", string(r.Type))
		o.list("systems", r.Systems)
		o.time("created_at", r.CreatedAt)
		o.time("last_rotated_at", r.LastRotatedAt)
		o.time("valid_from", r.ValidFrom)
		o.time("expires_at", r.ExpiresAt)
		o.time("last_used_at", r.LastUsedAt)
		if r.RotationDays != 0 {
			o.key("rotation_days")
			o.b = strconv.AppendInt(o.b, int64(r.RotationDays), 10)
		}
		o.boolean("revoked", r.Revoked)
		o.boolean("vaulted", r.Vaulted)
		o.str("stored_in", r.StoredIn)
	})
}

// PutDelegation writes a delegation.
func (j *JSONWriter) PutDelegation(r graph.Delegation) error {
	return j.put(secDelegations, func(o *object) {
		o.str("from", r.From)
		o.str("to", r.To)
		o.str("kind", string(r.Kind))
		o.str("system", r.System)
		o.str("native", r.Native)
		o.time("valid_from", r.ValidFrom)
		o.time("expires_at", r.ExpiresAt)
	})
}

// object appends the members of one JSON object, skipping empty values.
type object struct {
	b     []byte
	first bool
}

func (o *object) key(k string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = appendString(o.b, k)
	o.b = append(o.b, ':')
}

func (o *object) str(k, v string) {
	if v != "" {
		o.key(k)
		o.b = appendString(o.b, v)
	}
}

func (o *object) boolean(k string, v bool) {
	if v {
		o.key(k)
		o.b = append(o.b, "true"...)
	}
}

func (o *object) time(k string, t time.Time) {
	if !t.IsZero() {
		o.key(k)
		o.b = appendTime(o.b, t)
	}
}

func (o *object) list(k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	o.key(k)
	o.b = append(o.b, '[')
	for i, v := range vs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendString(o.b, v)
	}
	o.b = append(o.b, ']')
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Control characters, quotes and
// backslashes are escaped (and U+2028/U+2029, for JavaScript); invalid UTF-8
// becomes U+FFFD; everything else is written as is.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			switch r {
			case '\u2028':
				b = append(b, `\u2028`...)
			case '\u2029':
				b = append(b, `\u2029`...)
			default:
				b = append(b, `\ufffd`...)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
