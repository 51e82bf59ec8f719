package postgres

import "time"

// Catalog is what the ingester reads from one cluster: the cluster-wide
// catalogs (roles, memberships, pg_hba rules) and the tables of each database
// read. It is plain data (JSON-encodable), so a transform can be tested from
// recorded rows and its encoding hashed for the snapshot id.
type Catalog struct {
	// Version is server_version_num, e.g. 150018 or 160004.
	Version int `json:"version"`
	// Address is host:port of the connection, the default cluster name.
	Address string    `json:"address"`
	Roles   []Role    `json:"roles"`
	Members []Member  `json:"members"`
	HBA     []HBARule `json:"hba,omitempty"`
	// HBAUnreadable is set when pg_hba_file_rules could not be read (not a
	// superuser): credential types are then approximated as password.
	HBAUnreadable bool       `json:"hba_unreadable,omitempty"`
	Databases     []Database `json:"databases"`
}

// Role is one row of pg_roles.
type Role struct {
	Name       string     `json:"name"`
	Super      bool       `json:"super,omitempty"`
	Inherit    bool       `json:"inherit,omitempty"`
	CanLogin   bool       `json:"login,omitempty"`
	BypassRLS  bool       `json:"bypassrls,omitempty"`
	ValidUntil *time.Time `json:"valid_until,omitempty"`
}

// Member is one row of pg_auth_members, with role names resolved. Inherit
// and Set are the PostgreSQL 16+ options; nil before 16 (the member's
// rolinherit decides, and SET ROLE is always allowed).
type Member struct {
	Role    string `json:"role"`
	Member  string `json:"member"`
	Admin   bool   `json:"admin,omitempty"`
	Inherit *bool  `json:"inherit,omitempty"`
	Set     *bool  `json:"set,omitempty"`
}

// HBARule is one row of pg_hba_file_rules.
type HBARule struct {
	Line      int      `json:"line"`
	Type      string   `json:"type"`
	Databases []string `json:"databases"`
	Users     []string `json:"users"`
	Method    string   `json:"method"`
	Error     string   `json:"error,omitempty"`
}

// Database is one database and the relations read from it.
type Database struct {
	Name    string   `json:"name"`
	Schemas []string `json:"schemas"`
	Tables  []Table  `json:"tables"`
}

// Table is one relation of pg_class (table, partitioned table, view,
// materialized view, sequence or foreign table).
type Table struct {
	Schema  string      `json:"schema"`
	Name    string      `json:"name"`
	Kind    string      `json:"kind"` // relkind: r, p, v, m, S, f
	Owner   string      `json:"owner"`
	RLS     bool        `json:"rls,omitempty"`
	ACL     []Privilege `json:"acl,omitempty"`
	Columns []Privilege `json:"columns,omitempty"`
}

// Privilege is one aclexplode row of a table or column ACL. Grantee is the
// role name, "PUBLIC" for the pseudo-role; Column is set for column ACLs.
type Privilege struct {
	Grantee   string `json:"grantee"`
	Privilege string `json:"privilege"`
	Grantable bool   `json:"grantable,omitempty"`
	Column    string `json:"column,omitempty"`
}
