package postgres_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest/postgres"
	"github.com/reachgraph/reachgraph/schema"
)

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

const sys = "postgres:127.0.0.1:5432"

func rid(name string) string { return sys + ":role:" + name }

// edges renders memberships and delegations as short strings.
func edges(r *postgres.Records) []string {
	var out []string
	for _, m := range r.Cluster.MembershipList {
		if m.Group != rid(postgres.PUBLIC) {
			out = append(out, "MEMBER_OF "+m.Member[len(sys)+6:]+" -> "+m.Group[len(sys)+6:])
		}
	}
	for _, d := range r.Cluster.DelegationList {
		out = append(out, "CAN_ACT_AS "+d.From[len(sys)+6:]+" -> "+d.To[len(sys)+6:]+" ("+d.Native+")")
	}
	return out
}

// TestMembershipsByVersion covers the PostgreSQL 16+ options (recorded
// pg_auth_members rows with inherit_option and set_option) and the rule
// before 16 (the member's rolinherit; SET always allowed).
func TestMembershipsByVersion(t *testing.T) {
	roles := []postgres.Role{
		{Name: "grp"}, // NOLOGIN
		{Name: "app", CanLogin: true, Inherit: true}, // login, INHERIT
		{Name: "ops", CanLogin: true},                // login, NOINHERIT
		{Name: "svc", CanLogin: true, Inherit: true}, // a login role others are granted
	}
	tests := []struct {
		name    string
		version int
		members []postgres.Member
		want    []string
	}{
		{name: "16 inherit into group", version: 160004,
			members: []postgres.Member{{Role: "grp", Member: "app", Inherit: yes(), Set: yes()}},
			want:    []string{"MEMBER_OF app -> grp"}},
		{name: "16 set without inherit into group is a membership", version: 160004,
			members: []postgres.Member{{Role: "grp", Member: "app", Inherit: no(), Set: yes()}},
			want:    []string{"MEMBER_OF app -> grp"}},
		{name: "16 no option at all gives nothing", version: 160004,
			members: []postgres.Member{{Role: "grp", Member: "app", Inherit: no(), Set: no()}},
			want:    nil},
		{name: "16 admin only into group", version: 170000,
			members: []postgres.Member{{Role: "grp", Member: "app", Admin: true, Inherit: no(), Set: no()}},
			want:    []string{"MEMBER_OF app -> grp"}},
		{name: "16 inherit into login role", version: 160004,
			members: []postgres.Member{{Role: "svc", Member: "ops", Inherit: yes(), Set: yes()}},
			want:    []string{"CAN_ACT_AS ops -> svc (GRANT svc TO ops WITH INHERIT)"}},
		{name: "16 set without inherit into login role", version: 160004,
			members: []postgres.Member{{Role: "svc", Member: "app", Inherit: no(), Set: yes()}},
			want:    []string{"CAN_ACT_AS app -> svc (SET ROLE svc)"}},
		{name: "16 admin without inherit or set into login role", version: 160004,
			members: []postgres.Member{{Role: "svc", Member: "app", Admin: true, Inherit: no(), Set: no()}},
			want:    []string{"CAN_ACT_AS app -> svc (ADMIN OPTION on svc)"}},
		{name: "16 option overrides the member's NOINHERIT", version: 160004,
			members: []postgres.Member{{Role: "svc", Member: "ops", Inherit: yes(), Set: no()}},
			want:    []string{"CAN_ACT_AS ops -> svc (GRANT svc TO ops WITH INHERIT)"}},
		{name: "15 INHERIT member into login role", version: 150018,
			members: []postgres.Member{{Role: "svc", Member: "app"}},
			want:    []string{"CAN_ACT_AS app -> svc (GRANT svc TO app WITH INHERIT)"}},
		{name: "15 NOINHERIT member may SET ROLE", version: 150018,
			members: []postgres.Member{{Role: "svc", Member: "ops"}},
			want:    []string{"CAN_ACT_AS ops -> svc (SET ROLE svc)"}},
		{name: "15 NOINHERIT member with admin option", version: 130000,
			members: []postgres.Member{{Role: "svc", Member: "ops", Admin: true}},
			want:    []string{"CAN_ACT_AS ops -> svc (SET ROLE svc)", "CAN_ACT_AS ops -> svc (ADMIN OPTION on svc)"}},
		{name: "15 NOINHERIT member into group", version: 150018,
			members: []postgres.Member{{Role: "grp", Member: "ops"}},
			want:    []string{"MEMBER_OF ops -> grp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := &postgres.Catalog{Version: tt.version, Address: "127.0.0.1:5432", Roles: roles, Members: tt.members, HBAUnreadable: true}
			r := postgres.Transform(cat, nil)
			require.Equal(t, tt.want, edges(r))
			for _, d := range r.Cluster.DelegationList {
				require.Equal(t, schema.DelegRunAs, d.Kind)
				require.Equal(t, sys, d.System)
			}
		})
	}
}

// sample is a small catalog with one RLS table and every kind of grant.
func sample() *postgres.Catalog {
	until := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	return &postgres.Catalog{
		Version: 160004, Address: "127.0.0.1:5432",
		Roles: []postgres.Role{
			{Name: "owner"},
			{Name: "reader", CanLogin: true, Inherit: true},
			{Name: "bypass", CanLogin: true, Inherit: true, BypassRLS: true},
			{Name: "root", CanLogin: true, Super: true, BypassRLS: true},
			{Name: "gone", CanLogin: true, ValidUntil: &until},
			{Name: "pg_read_all_data"},
			{Name: "pg_write_all_data"},
		},
		HBAUnreadable: true,
		Databases: []postgres.Database{{Name: "fin", Schemas: []string{"gl", "public"}, Tables: []postgres.Table{
			{Schema: "gl", Name: "journal", Kind: "r", Owner: "owner", RLS: true,
				ACL: []postgres.Privilege{
					{Grantee: "owner", Privilege: "SELECT"},
					{Grantee: "reader", Privilege: "SELECT"},
					{Grantee: "bypass", Privilege: "SELECT"},
					{Grantee: "reader", Privilege: "REFERENCES"},
				},
				Columns: []postgres.Privilege{
					{Grantee: "reader", Privilege: "UPDATE", Column: "memo"},
					{Grantee: "reader", Privilege: "UPDATE", Column: "amount", Grantable: true},
				}},
			{Schema: "public", Name: "notes", Kind: "v", Owner: "reader",
				ACL: []postgres.Privilege{{Grantee: "PUBLIC", Privilege: "INSERT"}, {Grantee: "PUBLIC", Privilege: "DELETE"}}},
		}}},
	}
}

func grants(r *postgres.Records) []graph.Grant {
	return append(append([]graph.Grant(nil), r.Cluster.GrantList...), r.Objects.GrantList...)
}

func TestGrants(t *testing.T) {
	r := postgres.Transform(sample(), nil)
	journal := sys + "/fin/gl/journal"
	notes := sys + "/fin/public/notes"
	want := []graph.Grant{
		{Principal: rid("root"), Action: schema.ActionAdmin, Resource: sys, Native: "SUPERUSER [BYPASSRLS]"},
		{Principal: rid("owner"), Action: schema.ActionAdmin, Resource: journal, Native: "OWNER of gl.journal"},
		{Principal: rid("bypass"), Action: schema.ActionRead, Resource: journal, Native: "SELECT ON gl.journal [BYPASSRLS]"},
		{Principal: rid("reader"), Action: schema.ActionRead, Resource: journal, Conditional: true,
			Native: "SELECT ON gl.journal (approximated: row-level security is enabled, rows may be filtered by policies)"},
		{Principal: rid("reader"), Action: schema.ActionWrite, Resource: journal, Conditional: true,
			Native: "UPDATE(amount, memo) ON gl.journal WITH GRANT OPTION (approximated: row-level security is enabled, rows may be filtered by policies)"},
		{Principal: rid("pg_read_all_data"), Action: schema.ActionRead, Resource: journal, Conditional: true,
			Native: "pg_read_all_data (every table) (approximated: row-level security is enabled, rows may be filtered by policies)"},
		{Principal: rid("pg_write_all_data"), Action: schema.ActionWrite, Resource: journal, Conditional: true,
			Native: "pg_write_all_data (every table) (approximated: row-level security is enabled, rows may be filtered by policies)"},
		{Principal: rid("reader"), Action: schema.ActionAdmin, Resource: notes, Native: "OWNER of public.notes"},
		{Principal: rid("PUBLIC"), Action: schema.ActionWrite, Resource: notes, Native: "DELETE, INSERT ON public.notes"},
		{Principal: rid("pg_read_all_data"), Action: schema.ActionRead, Resource: notes, Native: "pg_read_all_data (every table)"},
		{Principal: rid("pg_write_all_data"), Action: schema.ActionWrite, Resource: notes, Native: "pg_write_all_data (every table)"},
	}
	require.Equal(t, want, grants(r))
}

func TestNodesAndCredentials(t *testing.T) {
	cfg := &postgres.Config{Cluster: "fin-pg", SOXScope: true, Owner: "dba",
		Tables: []postgres.TableRule{{Pattern: "fin.gl.*", Kind: "journal_entry", SOXScope: no()}},
		Roles:  []postgres.RoleRule{{Pattern: "read*", Type: schema.IdentityHuman}}}
	r := postgres.Transform(sample(), cfg)
	require.Equal(t, "postgres:fin-pg", r.SystemID)
	require.Equal(t, []graph.System{{ID: "postgres:fin-pg", Name: "fin-pg", Kind: "database", SOXScope: true, Owner: "dba"}}, r.Cluster.SystemList)
	res := map[string]graph.Resource{}
	for _, x := range r.Objects.ResourceList {
		res[x.ID] = x
	}
	require.Len(t, res, 5) // database, 2 schemas, 2 relations
	j := res["postgres:fin-pg/fin/gl/journal"]
	require.Equal(t, "journal_entry", j.Kind)
	require.Equal(t, no(), j.SOXScope)
	require.Equal(t, "postgres:fin-pg/fin/gl", j.Parent)
	require.Equal(t, "table", res["postgres:fin-pg/fin/public/notes"].Kind)
	require.Equal(t, "postgres:fin-pg/fin", res["postgres:fin-pg/fin/public"].Parent)

	types := map[string]schema.IdentityType{}
	for _, id := range r.Cluster.IdentityList {
		types[id.Name] = id.Type
	}
	require.Equal(t, map[string]schema.IdentityType{"reader": schema.IdentityHuman, "bypass": schema.IdentityServiceAccount,
		"root": schema.IdentityServiceAccount, "gone": schema.IdentityServiceAccount}, types)
	var groups []string
	for _, g := range r.Cluster.GroupList {
		require.Equal(t, schema.GroupRole, g.Type)
		groups = append(groups, g.Name)
	}
	require.Equal(t, []string{"PUBLIC", "owner", "pg_read_all_data", "pg_write_all_data"}, groups)
	require.Len(t, r.Cluster.MembershipList, 7, "every role is a member of PUBLIC")
	for _, c := range r.Cluster.CredentialList {
		require.Equal(t, schema.CredPassword, c.Type, "pg_hba unreadable: password")
		require.Equal(t, []string{"postgres:fin-pg"}, c.Systems)
		if c.Identity == "postgres:fin-pg:role:gone" {
			require.Equal(t, "2020-01-01T00:00:00Z", c.ExpiresAt.Format(time.RFC3339))
		} else {
			require.True(t, c.ExpiresAt.IsZero())
		}
	}
}

func TestCredentialTypeFromHBA(t *testing.T) {
	roles := []postgres.Role{{Name: "etl", CanLogin: true}, {Name: "web", CanLogin: true}, {Name: "ops", CanLogin: true}, {Name: "admins"}, {Name: "x9", CanLogin: true}}
	members := []postgres.Member{{Role: "admins", Member: "ops"}}
	tests := []struct {
		name  string
		hba   []postgres.HBARule
		want  map[string]schema.CredentialType
		trust []string
		gone  []string // revoked: no rule lets them in
	}{
		{name: "first matching rule", hba: []postgres.HBARule{
			{Line: 1, Type: "local", Databases: []string{"all"}, Users: []string{"etl"}, Method: "peer"},
			{Line: 2, Type: "hostssl", Databases: []string{"all"}, Users: []string{"+admins"}, Method: "cert"},
			{Line: 3, Type: "host", Databases: []string{"all"}, Users: []string{"all"}, Method: "scram-sha-256"},
		}, want: map[string]schema.CredentialType{"etl": schema.CredPeer, "web": schema.CredPassword, "ops": schema.CredCertificate, "x9": schema.CredPassword}},
		{name: "trust anywhere wins and is recorded", hba: []postgres.HBARule{
			{Line: 1, Type: "host", Databases: []string{"all"}, Users: []string{"all"}, Method: "md5"},
			{Line: 7, Type: "host", Databases: []string{"fin"}, Users: []string{"web", "etl"}, Method: "trust"},
		}, want: map[string]schema.CredentialType{"etl": schema.CredTrust, "web": schema.CredTrust, "ops": schema.CredPassword, "x9": schema.CredPassword},
			trust: []string{"etl: pg_hba.conf line 7", "web: pg_hba.conf line 7"}},
		{name: "reject, replication-only and broken rules do not count", hba: []postgres.HBARule{
			{Line: 1, Type: "host", Databases: []string{"all"}, Users: []string{"etl"}, Method: "reject"},
			{Line: 2, Type: "host", Databases: []string{"replication"}, Users: []string{"all"}, Method: "trust"},
			{Line: 3, Type: "host", Databases: []string{"all"}, Users: []string{"all"}, Method: "trust", Error: "invalid IP address"},
			{Line: 4, Type: "host", Databases: []string{"all"}, Users: []string{"/^x[0-9]$"}, Method: "ldap"},
			{Line: 5, Type: "host", Databases: []string{"all"}, Users: []string{"web"}, Method: "gss"},
		}, want: map[string]schema.CredentialType{"etl": schema.CredPassword, "web": schema.CredFederated, "ops": schema.CredPassword, "x9": schema.CredPassword},
			gone: []string{"etl", "ops"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := postgres.Transform(&postgres.Catalog{Version: 150000, Address: "127.0.0.1:5432", Roles: roles, Members: members, HBA: tt.hba}, nil)
			got := map[string]schema.CredentialType{}
			var gone []string
			for _, c := range r.Cluster.CredentialList {
				name := c.Identity[len(sys)+6:]
				got[name] = c.Type
				if c.Revoked {
					gone = append(gone, name)
				}
			}
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.trust, r.TrustRules)
			require.Equal(t, tt.gone, gone)
		})
	}
}

func TestTransformIsDeterministic(t *testing.T) {
	a, b := postgres.Transform(sample(), nil), postgres.Transform(sample(), nil)
	require.Equal(t, a, b)
}
