package analysis

import (
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/schema"
)

// Hop is one edge of an evidence path.
type Hop struct {
	From string          `json:"from"`
	Edge schema.EdgeKind `json:"edge"`
	To   string          `json:"to"`
	// Action is the granted action, on GRANT hops only.
	Action schema.Action `json:"action,omitempty"`
	// Native is the source's own text, kept as evidence: the permission string
	// on GRANT hops, the delegation's or membership's own text on CAN_ACT_AS
	// and MEMBER_OF hops (when the source gave one), e.g. "F_BKPF_BUK/ACTVT=01",
	// "sts:AssumeRole" or "USREFUS BNAME=AP_CLERK2 REFUSER=REF_AP".
	Native string `json:"native,omitempty"`
	// Conditional is set on GRANT hops whose grant carries a condition (an
	// IAM Condition block, a time window …): the grant counts for reach, but
	// a reviewer should know it may not apply in every context.
	Conditional bool `json:"conditional,omitempty"`
	// Kind is the delegation kind on CAN_ACT_AS hops.
	Kind schema.DelegationKind `json:"kind,omitempty"`
	// System is where a CAN_ACT_AS hop is exercised, when it names one.
	System string `json:"system,omitempty"`
	// ValidFrom and ExpiresAt are the validity window of the hop's edge
	// (MEMBER_OF, GRANT or CAN_ACT_AS), when it has one: the edge counts
	// from ValidFrom (inclusive) until ExpiresAt (exclusive). Zero = unbounded.
	ValidFrom time.Time `json:"valid_from,omitzero"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Path is a sequence of hops from an identity to a resource. An exposure hop
// (R3b) appears as three hops: X …GRANT(read)→ secret location, the location
// ←STORED_IN— credential, credential ←HAS_CREDENTIAL— Y; see ExposureHops.
type Path []Hop

// Authentication is the evidence that an effective access can be exercised now
// (R5/R6): the session used in the resource's system and how it was obtained.
type Authentication struct {
	System string `json:"system"`
	// Via is "credential" when the session comes from a credential of the
	// identity holding it at the end of the chain (the origin's own, or one
	// exposed to the chain), or "delegation" when a CAN_ACT_AS hop carried it.
	Via            string                `json:"via"`
	Credential     string                `json:"credential,omitempty"`
	CredentialType schema.CredentialType `json:"credential_type,omitempty"`
	ExpiresAt      *time.Time            `json:"expires_at,omitempty"`
	LastRotatedAt  *time.Time            `json:"last_rotated_at,omitempty"`
	// Delegation names the CAN_ACT_AS hop that carried the session, as
	// "from -> to", when Via is "delegation".
	Delegation string `json:"delegation,omitempty"`
}

// Access is one (identity, resource, action) answer. Authorized follows R4;
// Effective follows R6 (Effective implies Authorized); an authorized access that
// is not effective is latent.
type Access struct {
	Identity   string        `json:"identity"`
	Resource   string        `json:"resource"`
	Action     schema.Action `json:"action"`
	Authorized bool          `json:"authorized"`
	Effective  bool          `json:"effective"`
	// Critical follows R8.
	Critical bool `json:"critical"`
	// Paths holds at least one shortest evidence path: for an effective access a
	// shortest walkable one, else a shortest authorization path. Paths and
	// Alternates may be shared with other accesses of the same answer (every
	// resource one grant covers has the same evidence): treat them as
	// read-only.
	Paths          []Path          `json:"paths"`
	Authentication *Authentication `json:"authentication,omitempty"`
	// Native is the source's own action asked by a native query (an IAM
	// action such as s3:GetObject); Resource then is the ARN asked.
	Native string `json:"native_action,omitempty"`
	// Conditional is set by native queries when the identity reaches the
	// request only through grants or exceptions that carry a condition (or,
	// for an effective access, only its effective paths do).
	Conditional bool `json:"conditional,omitempty"`
	// Alternates are the access's other shortest paths, each with the
	// authentication it is exercised with (effective access), sorted by
	// content: filled only when a query asks for them (the report's toxic
	// rules do, so that a predicate over "a path" does not depend on which
	// of several equally short paths is the evidence). Never serialized.
	Alternates []Alternate `json:"-"`
	// AlternatesCapped is set when the access had more shortest paths than
	// the query asked for: Alternates then holds the first ones found.
	AlternatesCapped bool `json:"-"`
	// PathsSkipped is set when the query did not ask for this access's
	// evidence (reach.ReachQuery.PathsFor): Paths, Alternates and
	// Authentication are then empty whatever the access is. Never
	// serialized.
	PathsSkipped bool `json:"-"`
	// ResourceNode is Resource's node in the projection of the engine that
	// made the access, plus one (0: not known), so that callers holding
	// per-node tables look it up without hashing the id. Never serialized.
	ResourceNode int32 `json:"-"`
}

// Alternate is one more shortest path of an access.
type Alternate struct {
	Path Path
	// Authentication is the session this path is exercised with, for an
	// effective access (a walkable path), else nil.
	Authentication *Authentication
}

// WindowLabel renders a hop's validity window compactly for tables and
// reports: "[from 2026-01-01]", "[until 2027-01-01]", "[from 2026-01-01
// until 2027-01-01]"; a bound at midnight UTC shows as a date, any other as
// RFC 3339. It is "" for a hop without a window.
func (h Hop) WindowLabel() string {
	var parts []string
	if !h.ValidFrom.IsZero() {
		parts = append(parts, "from "+compactTime(h.ValidFrom))
	}
	if !h.ExpiresAt.IsZero() {
		parts = append(parts, "until "+compactTime(h.ExpiresAt))
	}
	if len(parts) == 0 {
		return ""
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func compactTime(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}
