package model

import "github.com/reachgraph/reachgraph/schema"

// Finding is one violation of a rule; identity and resource are resolved
// from Scope (the snapshot and instant the finding was evaluated on).
type Finding struct {
	Scope      Scope
	ID         string
	Rule       string
	Title      string
	Category   schema.Category
	Severity   schema.Severity
	Message    string
	IdentityID string
	Actor      []string
	Credential *string
	// ResourceID is "" when the finding names no resource.
	ResourceID string
	Action     *schema.Action
	Effective  bool
	Accesses   []*CoveredAccess
	// AccessesOmitted and PathsOmitted count what the rules left out.
	AccessesOmitted int
	Conflict        *Conflict
	Paths           []*Path
	PathsOmitted    int
	Frameworks      []string
}

// CoveredAccess is the accesses a finding covers on one resource; the
// resource is resolved from Scope.
type CoveredAccess struct {
	Scope      Scope
	ResourceID string
	Actions    []schema.Action
	Effective  bool
}

// AccessChange is a critical access gained or lost between two snapshots;
// identity and resource are resolved from Scope (the newer snapshot for a
// gain, the older one for a loss).
type AccessChange struct {
	Scope      Scope
	IdentityID string
	ResourceID string
	Action     schema.Action
	State      AccessState
	Paths      []*Path
}
