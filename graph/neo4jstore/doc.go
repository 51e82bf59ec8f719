// Package neo4jstore is the Neo4j 5 backend of graph.Store.
//
// Every snapshot lives in the same database, kept apart by a `snapshot`
// property on every node and relationship; (snapshot, id) is unique per node
// label, and a `seq` property keeps write order so that readers stream
// records back exactly as they were written (and graph.NewIDHasher over them
// gives the stored id). Labels and relationship types come only from the
// schema vocabulary (schema.NodeKinds, schema.EdgeKinds) plus one :Snapshot
// metadata node per snapshot. Memberships, grants and delegations are
// relationships; HAS_CREDENTIAL, STORED_IN, IN_SYSTEM and CHILD_OF are derived
// from node fields for analysts' queries.
//
// All Cypher text is generated from the schema field specs in cypher.go;
// every value, ids included, travels as a query parameter.
//
// Ingest spools the records (graph/spool: encoded, in memory up to
// Options.SpoolBudget, in a temporary file beyond), then writes them back
// kind by kind in batched `UNWIND $rows` transactions; the snapshot becomes visible only when its
// :Snapshot node is marked complete, and a failed ingest deletes what it
// wrote. Analysis does not run in Neo4j: graph/projection streams a snapshot
// through the Reader and traverses in memory (see docs/neo4j.md).
//
// BulkImport writes a snapshot as the CSV files of `neo4j-admin database
// import full` instead, from the same kind of spool, for a new database.
package neo4jstore
