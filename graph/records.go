package graph

import (
	"time"

	"github.com/reachgraph/reachgraph/schema"
)

// System is an application or platform (ERP, bank portal, vault …).
type System struct {
	ID       string
	Name     string
	Kind     string
	SOXScope bool
	Owner    string
}

// Resource is something inside a system that access is granted on.
type Resource struct {
	ID     string
	System string // system id, required
	Parent string // parent resource id, "" for none
	Name   string
	Kind   string // free text such as journal_entry
	// SOXScope overrides the scope of the parent chain and the system when set.
	SOXScope *bool
}

// Owners are an identity's named owners.
type Owners struct {
	Business  string
	Technical string
}

// Identity is anything that authenticates: a person or a non-human identity.
type Identity struct {
	ID                   string
	Name                 string
	Type                 schema.IdentityType
	Status               schema.Status // never "": ingest defaults it to active
	Owners               Owners
	Purpose              string
	NonhumanRationale    string
	Shared               bool
	BreakGlass           bool
	Vendor               string
	CreatedAt            time.Time // zero when unknown
	LastUsedAt           time.Time // zero when unknown
	CompensatingControls []string
	SameAs               []string          // ids of identities of the same actor (R7)
	Tags                 map[string]string // nil when none
}

// Group is a group or role; MEMBER_OF edges lead into it.
type Group struct {
	ID     string
	Name   string
	Type   schema.GroupType // never "": ingest defaults it to group
	System string           // "" when not system-specific
}

// Membership is a MEMBER_OF edge from an identity or group to a group.
type Membership struct {
	Member string
	Group  string
	// ValidFrom and ExpiresAt bound when the membership counts (R1): from
	// ValidFrom (inclusive) until ExpiresAt (exclusive); zero = unbounded.
	ValidFrom time.Time
	ExpiresAt time.Time
	// Native is the source's own text for the membership, kept as evidence
	// ("" when the source gave none), e.g. "AGR_USERS Z_FI_AP_CLERK" for a
	// direct SAP role assignment or "USREFUS REFUSER=REF_FI_AP (AGR_USERS
	// Z_FI_AP_CLERK)" for one inherited from a reference user. An extension of
	// SPEC §1.
	Native string
}

// Grant is a GRANT edge: a principal may perform Action on a resource or system.
type Grant struct {
	Principal   string
	Action      schema.Action
	Resource    string // resource or system id
	Native      string // the source's own permission string, kept as evidence
	Conditional bool
	LastUsedAt  time.Time // zero when unknown
	ValidFrom   time.Time // zero when it counts from the start
	ExpiresAt   time.Time // zero when it does not expire
}

// Credential is credential metadata. reachgraph never stores secret values.
type Credential struct {
	ID            string
	Identity      string // owner identity id
	Type          schema.CredentialType
	Systems       []string // systems that accept it; empty means every system
	CreatedAt     time.Time
	LastRotatedAt time.Time
	// ValidFrom is the instant from which the credential can be used (zero when
	// it always could): before it the credential is not valid (R5), like an
	// expired one. An extension of SPEC §1, e.g. SAP USR02.GLTGV.
	ValidFrom    time.Time
	ExpiresAt    time.Time // zero when it does not expire
	LastUsedAt   time.Time
	RotationDays int // 0 when unset
	Revoked      bool
	Vaulted      bool
	StoredIn     string // resource id of the secret location holding it, "" for none
}

// Delegation is a CAN_ACT_AS edge: From may act as To.
type Delegation struct {
	From   string
	To     string
	Kind   schema.DelegationKind
	System string // system where it is exercised; "" for any
	// Native is the source's own text for the delegation, kept as evidence
	// ("" when the source gave none), e.g. the trust policy statement of an
	// assumable role or "sts:AssumeRole". An extension of SPEC §1.
	Native string
	// ValidFrom and ExpiresAt bound when the delegation counts (R3a): from
	// ValidFrom (inclusive) until ExpiresAt (exclusive); zero = unbounded.
	ValidFrom time.Time
	ExpiresAt time.Time
}

// Counts are a snapshot's record counts per section.
type Counts struct {
	Systems     int `json:"systems"`
	Resources   int `json:"resources"`
	Identities  int `json:"identities"`
	Groups      int `json:"groups"`
	Memberships int `json:"memberships"`
	Grants      int `json:"grants"`
	Credentials int `json:"credentials"`
	Delegations int `json:"delegations"`
}

// Total is the number of records of every kind.
func (c Counts) Total() int {
	return c.Systems + c.Resources + c.Identities + c.Groups + c.Memberships + c.Grants + c.Credentials + c.Delegations
}

// SourceFile records one input of an ingest and the SHA-256 of its bytes.
type SourceFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// SnapshotMeta describes one immutable snapshot.
type SnapshotMeta struct {
	ID          SnapshotID   `json:"id"`
	Source      string       `json:"source"`       // the bundle's provenance label(s)
	CollectedAt time.Time    `json:"collected_at"` // zero when the input did not say
	IngestedAt  time.Time    `json:"ingested_at"`
	Files       []SourceFile `json:"files"`
	Counts      Counts       `json:"counts"`
}

// AsOf is the snapshot's default instant of analysis: collected_at, else the ingest time.
func (m SnapshotMeta) AsOf() time.Time {
	if !m.CollectedAt.IsZero() {
		return m.CollectedAt
	}
	return m.IngestedAt
}

// SnapshotID identifies a snapshot; it is derived from the snapshot's content and
// its sources, so the same input always yields the same id.
type SnapshotID string

// Normalized returns m with its times in UTC and its file list copied (nil
// when empty), the form every store keeps and returns.
func (m SnapshotMeta) Normalized() SnapshotMeta {
	if !m.CollectedAt.IsZero() {
		m.CollectedAt = m.CollectedAt.UTC()
	}
	if !m.IngestedAt.IsZero() {
		m.IngestedAt = m.IngestedAt.UTC()
	}
	if len(m.Files) == 0 {
		m.Files = nil
	} else {
		m.Files = append([]SourceFile(nil), m.Files...)
	}
	return m
}
