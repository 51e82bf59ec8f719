// Package postgres reads the access catalog of a live PostgreSQL server
// (roles, memberships, table and column privileges, row-level security,
// pg_hba rules) and turns it into reachgraph records.
//
// It is get → transform → load: Fetch reads a Catalog in one read-only
// REPEATABLE READ transaction per database (SELECT, SHOW and SET only);
// Transform is pure over the Catalog's rows (so the PostgreSQL 16+
// membership options are tested from recorded rows); the ReadFunc of
// NewReader hands the records to the shared loader. Supported servers:
// PostgreSQL 13 to 17.
package postgres
