package model

import (
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Scope pins a model to the snapshot and instant of analysis it was answered
// on, so nested fields (groups, criticalAccess, …) resolve against the same
// data. It is not exposed in GraphQL.
type Scope struct {
	Snapshot graph.SnapshotID
	AsOf     time.Time
}

// Snapshot is one immutable snapshot's metadata.
type Snapshot struct {
	ID          string
	Source      string
	CollectedAt *time.Time
	IngestedAt  time.Time
	AsOf        time.Time
	Counts      *Counts
	Files       []*SourceFile
}

// Identity is a person or non-human identity; groups, credentials, actor and
// criticalAccess are resolved from Scope.
type Identity struct {
	Scope                Scope
	ID                   string
	Name                 string
	Type                 schema.IdentityType
	Status               schema.Status
	Owners               *Owners
	Purpose              *string
	NonhumanRationale    *string
	Shared               bool
	BreakGlass           bool
	Vendor               *string
	CreatedAt            *time.Time
	LastUsedAt           *time.Time
	CompensatingControls []string
}

// Group is a group or role; system, members and groups are resolved from Scope.
type Group struct {
	Scope    Scope
	ID       string
	Name     string
	Type     schema.GroupType
	SystemID string
}

// System is an application or platform; resources are resolved from Scope.
type System struct {
	Scope    Scope
	ID       string
	Name     string
	Kind     string
	SoxScope bool
	Owner    *string
}

// IsTarget marks System as a GraphQL Target.
func (System) IsTarget() {}

// GetID returns the id.
func (x System) GetID() string { return x.ID }

// GetName returns the name.
func (x System) GetName() string { return x.Name }

// GetSoxScope reports whether it is in SOX scope.
func (x System) GetSoxScope() bool { return x.SoxScope }

// Resource is something inside a system; system, parent and children are
// resolved from Scope.
type Resource struct {
	Scope    Scope
	ID       string
	Name     string
	Kind     string
	SoxScope bool
	SystemID string
	ParentID string
}

// IsTarget marks Resource as a GraphQL Target.
func (Resource) IsTarget() {}

// GetID returns the id.
func (x Resource) GetID() string { return x.ID }

// GetName returns the name.
func (x Resource) GetName() string { return x.Name }

// GetSoxScope reports whether it is in SOX scope.
func (x Resource) GetSoxScope() bool { return x.SoxScope }

// Access is one (identity, resource, action) answer; identity and resource are
// resolved from Scope by id.
type Access struct {
	Scope          Scope
	IdentityID     string
	ResourceID     string
	Action         schema.Action
	Authorized     bool
	Effective      bool
	Critical       bool
	Paths          []*Path
	Authentication *Authentication
}

// NativeAccess is one answer of whoCanNative: Resource is the ARN asked.
type NativeAccess struct {
	Scope          Scope
	IdentityID     string
	NativeAction   string
	Resource       string
	Action         schema.Action
	Authorized     bool
	Effective      bool
	Critical       bool
	Conditional    bool
	Paths          []*Path
	Authentication *Authentication
}

// The graph's objects are GraphQL Nodes, named by their (snapshot-global) id.

// IsNode marks Identity as a GraphQL Node.
func (Identity) IsNode() {}

// GetID returns the id.
func (x Identity) GetID() string { return x.ID }

// IsNode marks Group as a GraphQL Node.
func (Group) IsNode() {}

// GetID returns the id.
func (x Group) GetID() string { return x.ID }

// IsNode marks System as a GraphQL Node.
func (System) IsNode() {}

// IsNode marks Resource as a GraphQL Node.
func (Resource) IsNode() {}
