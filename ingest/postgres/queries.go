package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// The catalog queries. Every value that varies is a parameter; the text is
// fixed. Schemas starting with pg_ (pg_catalog, pg_toast, temporary
// schemas) and information_schema are system schemas and are not read.
const (
	qRoles = `SELECT rolname, rolsuper, rolinherit, rolcanlogin, rolbypassrls,
  CASE WHEN rolvaliduntil = 'infinity' THEN NULL
       WHEN rolvaliduntil = '-infinity' THEN 'epoch'::timestamptz
       ELSE rolvaliduntil END
FROM pg_catalog.pg_roles ORDER BY rolname`
	// qMembers16 aggregates the rows of several grantors of one membership
	// (PostgreSQL 16+): an option holds when any grant gives it.
	qMembers16 = `SELECT r.rolname, m.rolname, bool_or(am.admin_option), bool_or(am.inherit_option), bool_or(am.set_option)
FROM pg_catalog.pg_auth_members am
JOIN pg_catalog.pg_roles r ON r.oid = am.roleid
JOIN pg_catalog.pg_roles m ON m.oid = am.member
GROUP BY 1, 2 ORDER BY 1, 2`
	qMembers = `SELECT r.rolname, m.rolname, bool_or(am.admin_option), NULL::bool, NULL::bool
FROM pg_catalog.pg_auth_members am
JOIN pg_catalog.pg_roles r ON r.oid = am.roleid
JOIN pg_catalog.pg_roles m ON m.oid = am.member
GROUP BY 1, 2 ORDER BY 1, 2`
	qHBAAllowed = `SELECT pg_catalog.has_function_privilege($1, 'EXECUTE') AND pg_catalog.has_table_privilege($2, 'SELECT')`
	qHBA        = `SELECT COALESCE(line_number, 0), COALESCE(type, ''), COALESCE(database, '{}'), COALESCE(user_name, '{}'),
  COALESCE(auth_method, ''), COALESCE(error, '')
FROM pg_catalog.pg_hba_file_rules ORDER BY line_number`
	qDatabases = `SELECT datname FROM pg_catalog.pg_database
WHERE datallowconn AND NOT datistemplate AND pg_catalog.has_database_privilege(datname, $1)
ORDER BY datname`
	qCurrentDB = `SELECT pg_catalog.current_database()`
	qSchemas   = `SELECT nspname FROM pg_catalog.pg_namespace
WHERE nspname NOT LIKE $1 AND nspname <> $2 ORDER BY nspname`
	qTables = `SELECT c.oid, n.nspname, c.relname, c.relkind::text, COALESCE(o.rolname, ''), c.relrowsecurity
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_roles o ON o.oid = c.relowner
WHERE c.relkind = ANY($1) AND n.nspname NOT LIKE $2 AND n.nspname <> $3
ORDER BY n.nspname, c.relname`
	qTableACL = `SELECT c.oid, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE COALESCE(g.rolname, '') END, a.privilege_type, a.is_grantable
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
LEFT JOIN pg_catalog.pg_roles g ON g.oid = a.grantee
WHERE c.relacl IS NOT NULL AND c.relkind = ANY($1) AND n.nspname NOT LIKE $2 AND n.nspname <> $3
ORDER BY 1, 2, 3`
	qColumnACL = `SELECT c.oid, att.attname, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE COALESCE(g.rolname, '') END, a.privilege_type, a.is_grantable
FROM pg_catalog.pg_attribute att
JOIN pg_catalog.pg_class c ON c.oid = att.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL pg_catalog.aclexplode(att.attacl) a
LEFT JOIN pg_catalog.pg_roles g ON g.oid = a.grantee
WHERE att.attacl IS NOT NULL AND att.attnum > 0 AND NOT att.attisdropped
  AND c.relkind = ANY($1) AND n.nspname NOT LIKE $2 AND n.nspname <> $3
ORDER BY 1, 2, 3, 4`
)

// relkinds are the relations read: tables, partitioned tables, views,
// materialized views, sequences and foreign tables.
var relkinds = []string{"r", "p", "v", "m", "S", "f"}

const systemSchemas, infoSchema = `pg\_%`, "information_schema"

// readCluster reads the version, roles, memberships and pg_hba rules.
func readCluster(ctx context.Context, tx pgx.Tx, cat *Catalog) error {
	var v string
	if err := tx.QueryRow(ctx, "SHOW server_version_num").Scan(&v); err != nil {
		return fmt.Errorf("read server_version_num: %w", err)
	}
	cat.Version, _ = strconv.Atoi(v)
	if cat.Version < 130000 {
		return fmt.Errorf("PostgreSQL %s is not supported (13 to 17 are)", v)
	}
	err := collect(ctx, tx, "pg_roles", qRoles, nil, func(rows pgx.Rows) error {
		var r Role
		var until *time.Time
		if err := rows.Scan(&r.Name, &r.Super, &r.Inherit, &r.CanLogin, &r.BypassRLS, &until); err != nil {
			return err
		}
		if until != nil {
			u := until.UTC()
			r.ValidUntil = &u
		}
		cat.Roles = append(cat.Roles, r)
		return nil
	})
	if err != nil {
		return err
	}
	q := qMembers
	if cat.Version >= 160000 {
		q = qMembers16
	}
	err = collect(ctx, tx, "pg_auth_members", q, nil, func(rows pgx.Rows) error {
		var m Member
		if err := rows.Scan(&m.Role, &m.Member, &m.Admin, &m.Inherit, &m.Set); err != nil {
			return err
		}
		cat.Members = append(cat.Members, m)
		return nil
	})
	if err != nil {
		return err
	}
	return readHBA(ctx, tx, cat)
}

// readHBA reads pg_hba_file_rules when the login may (superusers, or a
// role granted access); otherwise it marks the rules unreadable.
func readHBA(ctx context.Context, tx pgx.Tx, cat *Catalog) error {
	var ok bool
	if err := tx.QueryRow(ctx, qHBAAllowed, "pg_catalog.pg_hba_file_rules()", "pg_catalog.pg_hba_file_rules").Scan(&ok); err != nil {
		return fmt.Errorf("check access to pg_hba_file_rules: %w", err)
	}
	if !ok {
		cat.HBAUnreadable = true
		return nil
	}
	return collect(ctx, tx, "pg_hba_file_rules", qHBA, nil, func(rows pgx.Rows) error {
		var h HBARule
		if err := rows.Scan(&h.Line, &h.Type, &h.Databases, &h.Users, &h.Method, &h.Error); err != nil {
			return err
		}
		cat.HBA = append(cat.HBA, h)
		return nil
	})
}

// listDatabases lists the databases the login may connect to.
func listDatabases(ctx context.Context, tx pgx.Tx) ([]string, error) {
	var dbs []string
	err := collect(ctx, tx, "pg_database", qDatabases, []any{"CONNECT"}, func(rows pgx.Rows) error {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		dbs = append(dbs, name)
		return nil
	})
	return dbs, err
}

// readDatabase reads the schemas, relations and ACLs of the connected database.
func readDatabase(ctx context.Context, tx pgx.Tx, db *Database) error {
	var cur string
	if err := tx.QueryRow(ctx, qCurrentDB).Scan(&cur); err != nil {
		return fmt.Errorf("read current_database: %w", err)
	}
	db.Name = cur
	err := collect(ctx, tx, "pg_namespace", qSchemas, []any{systemSchemas, infoSchema}, func(rows pgx.Rows) error {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		db.Schemas = append(db.Schemas, s)
		return nil
	})
	if err != nil {
		return err
	}
	byOID := map[uint32]int{}
	args := []any{relkinds, systemSchemas, infoSchema}
	err = collect(ctx, tx, "pg_class", qTables, args, func(rows pgx.Rows) error {
		var oid uint32
		var t Table
		if err := rows.Scan(&oid, &t.Schema, &t.Name, &t.Kind, &t.Owner, &t.RLS); err != nil {
			return err
		}
		byOID[oid] = len(db.Tables)
		db.Tables = append(db.Tables, t)
		return nil
	})
	if err != nil {
		return err
	}
	err = collect(ctx, tx, "pg_class.relacl", qTableACL, args, func(rows pgx.Rows) error {
		var oid uint32
		var p Privilege
		if err := rows.Scan(&oid, &p.Grantee, &p.Privilege, &p.Grantable); err != nil {
			return err
		}
		if i, ok := byOID[oid]; ok {
			db.Tables[i].ACL = append(db.Tables[i].ACL, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return collect(ctx, tx, "pg_attribute.attacl", qColumnACL, args, func(rows pgx.Rows) error {
		var oid uint32
		var p Privilege
		if err := rows.Scan(&oid, &p.Column, &p.Grantee, &p.Privilege, &p.Grantable); err != nil {
			return err
		}
		if i, ok := byOID[oid]; ok {
			db.Tables[i].Columns = append(db.Tables[i].Columns, p)
		}
		return nil
	})
}

// collect runs query q and calls row for each row; errors name the catalog.
func collect(ctx context.Context, tx pgx.Tx, catalog, q string, args []any, row func(pgx.Rows) error) error {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read %s: %w", catalog, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return fmt.Errorf("read %s: %w", catalog, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", catalog, err)
	}
	return nil
}
