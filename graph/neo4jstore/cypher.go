package neo4jstore

import (
	"fmt"
	"strings"

	"github.com/reachgraph/reachgraph/schema"
)

// All Cypher text of the package is built here, from the schema field specs.
// Labels and relationship types come only from schema.NodeKinds and
// schema.EdgeKinds (plus the :Snapshot meta label); every value, ids included,
// is a query parameter ($snapshot, $rows, …), never part of the text.
//
// Property names follow the bundle field names: a TObject field becomes one
// property per sub-field (owners → owners_business, owners_technical), a
// TStringMap two parallel lists (tags → tags_keys, tags_values, sorted by
// key). Every node and relationship also carries `snapshot` (the snapshot id)
// and `seq` (its position in write order).

// snapshotLabel labels the per-snapshot metadata node.
const snapshotLabel = "Snapshot"

// nodeSection returns the bundle section declaring kind.
func nodeSection(kind schema.NodeKind) schema.Section {
	for _, s := range schema.Sections {
		if s.Node == kind {
			return s
		}
	}
	panic(fmt.Sprintf("neo4jstore: no section for node kind %q", kind))
}

// edgeSection returns the bundle section declaring kind.
func edgeSection(kind schema.EdgeKind) schema.Section {
	for _, s := range schema.Sections {
		if s.Edge == kind {
			return s
		}
	}
	panic(fmt.Sprintf("neo4jstore: no section for edge kind %q", kind))
}

// fieldProps returns the property names that store field f.
func fieldProps(f schema.Field) []string {
	switch f.Type {
	case schema.TObject:
		out := make([]string, 0, len(f.Sub))
		for _, sub := range f.Sub {
			out = append(out, f.Name+"_"+sub.Name)
		}
		return out
	case schema.TStringMap:
		return []string{f.Name + "_keys", f.Name + "_values"}
	}
	return []string{f.Name}
}

// nodeProps returns the properties of a node of kind, "id" first.
func nodeProps(kind schema.NodeKind) []string {
	var out []string
	for _, f := range nodeSection(kind).Fields {
		out = append(out, fieldProps(f)...)
	}
	return out
}

// edgeEnds returns the two fields of an edge section naming its endpoints:
// the first two required reference fields (member→group, principal→resource,
// from→to).
func edgeEnds(kind schema.EdgeKind) (from, to schema.Field) {
	var ends []schema.Field
	for _, f := range edgeSection(kind).Fields {
		if f.Type == schema.TRef && f.Required {
			ends = append(ends, f)
		}
	}
	if len(ends) != 2 {
		panic(fmt.Sprintf("neo4jstore: edge %q has %d endpoint fields, want 2", kind, len(ends)))
	}
	return ends[0], ends[1]
}

// edgeProps returns the relationship properties of an edge of kind: every
// field but the two endpoints.
func edgeProps(kind schema.EdgeKind) []string {
	from, to := edgeEnds(kind)
	var out []string
	for _, f := range edgeSection(kind).Fields {
		if f.Name != from.Name && f.Name != to.Name {
			out = append(out, fieldProps(f)...)
		}
	}
	return out
}

// propMap renders "{snapshot: $snapshot, seq: row.seq, a: row.a, …}".
func propMap(props []string) string {
	parts := []string{"snapshot: $snapshot", "seq: row.seq"}
	for _, p := range props {
		parts = append(parts, p+": row."+p)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// returnList renders "v.a AS a, v.b AS b".
func returnList(v string, props []string) string {
	parts := make([]string, len(props))
	for i, p := range props {
		parts[i] = v + "." + p + " AS " + p
	}
	return strings.Join(parts, ", ")
}

// createNodesCypher creates one node of kind per row of $rows and returns how
// many it created. A null row value leaves the property unset.
func createNodesCypher(kind schema.NodeKind) string {
	return fmt.Sprintf("UNWIND $rows AS row CREATE (n:%s %s) RETURN row.id AS id, elementId(n) AS eid", kind, propMap(nodeProps(kind)))
}

// readNodesCypher returns the nodes of kind in snapshot $snapshot in write
// order. The (snapshot, seq) index is both the lookup and the order (the
// hint, the seq range and ORDER BY both properties make Neo4j 5 use it for
// both; ORDER BY n.seq alone adds a Sort): rows stream as they
// are read, where a Sort would hold back the first row until every node of
// the snapshot was sorted — minutes at tier M, past the server's idle
// timeout.
func readNodesCypher(kind schema.NodeKind) string {
	return fmt.Sprintf("MATCH (n:%[1]s) USING INDEX n:%[1]s(snapshot, seq) WHERE n.snapshot = $snapshot AND n.seq >= 0 "+
		"RETURN %[2]s ORDER BY n.snapshot, n.seq", kind, returnList("n", nodeProps(kind)))
}

// createEdgesCypher creates one relationship of kind per row of $rows between
// the nodes whose element ids are row._a and row._b (written by this ingest:
// a direct record lookup, no index seek), and returns how many it created.
func createEdgesCypher(kind schema.EdgeKind) string {
	return fmt.Sprintf("UNWIND $rows AS row "+
		"MATCH (a) WHERE elementId(a) = row._a "+
		"MATCH (b) WHERE elementId(b) = row._b "+
		"CREATE (a)-[r:%s %s]->(b) RETURN count(r) AS created",
		kind, propMap(edgeProps(kind)))
}

// readEdgesCypher returns the relationships of kind in snapshot $snapshot in
// write order, with their endpoints' ids under the endpoint field names,
// streamed in the order of the (snapshot, seq) index (see readNodesCypher).
func readEdgesCypher(kind schema.EdgeKind) string {
	f, t := edgeEnds(kind)
	ret := "a.id AS " + f.Name + ", b.id AS " + t.Name
	if props := edgeProps(kind); len(props) > 0 {
		ret += ", " + returnList("r", props)
	}
	return fmt.Sprintf("MATCH (a)-[r:%[1]s]->(b) USING INDEX r:%[1]s(snapshot, seq) WHERE r.snapshot = $snapshot AND r.seq >= 0 "+
		"RETURN %[2]s ORDER BY r.snapshot, r.seq", kind, ret)
}

// derivedEdge is a relationship derived from a reference field of a node, for
// analysts' queries; readers never use it (the field is the source of truth).
type derivedEdge struct {
	Edge    schema.EdgeKind
	Node    schema.NodeKind // the node holding the reference field
	Field   string          // the reference field
	Target  schema.NodeKind // the kind the field refers to
	Reverse bool            // true: the edge leads from the target to the node
}

// derivedEdges lists the containment and credential edges of SPEC §1 that
// the bundle expresses as node fields.
var derivedEdges = []derivedEdge{
	{Edge: schema.EdgeHasCredential, Node: schema.KindCredential, Field: "identity", Target: schema.KindIdentity, Reverse: true},
	{Edge: schema.EdgeStoredIn, Node: schema.KindCredential, Field: "stored_in", Target: schema.KindResource},
	{Edge: schema.EdgeInSystem, Node: schema.KindResource, Field: "system", Target: schema.KindSystem},
	{Edge: schema.EdgeChildOf, Node: schema.KindResource, Field: "parent", Target: schema.KindResource},
}

// createDerivedCypher creates d's relationship for each row {id, ref} of
// $rows whose target exists; dangling references create nothing.
func createDerivedCypher(d derivedEdge) string {
	arrow := "(n)-[:%s {snapshot: $snapshot}]->(m)"
	if d.Reverse {
		arrow = "(m)-[:%s {snapshot: $snapshot}]->(n)"
	}
	return fmt.Sprintf("UNWIND $rows AS row "+
		"MATCH (n) WHERE elementId(n) = row._a "+
		"MATCH (m) WHERE elementId(m) = row._b "+
		"CREATE "+arrow+" RETURN count(*) AS created", d.Edge)
}

// deleteBatchCypher deletes up to $limit nodes of kind in snapshot $snapshot
// with their relationships and returns how many it deleted.
func deleteBatchCypher(kind schema.NodeKind) string {
	return fmt.Sprintf("MATCH (n:%s {snapshot: $snapshot}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted", kind)
}

// recordEdge reports whether relationships of kind e are records (a bundle
// section), not derived from node fields.
func recordEdge(e schema.EdgeKind) bool {
	for _, s := range schema.Sections {
		if s.Edge == e {
			return true
		}
	}
	return false
}

// schemaCypher returns the constraints and indexes created by Open, before
// any load: (snapshot, id) is unique per node label, nodes and record
// relationships are indexed by (snapshot, seq), derived relationships by
// snapshot, and snapshot ids are unique. (A database created before
// record relationships had the (snapshot, seq) index keeps its unused
// (snapshot) one.)
func schemaCypher() []string {
	var out []string
	for _, k := range schema.NodeKinds {
		name := strings.ToLower(string(k))
		out = append(out, fmt.Sprintf("CREATE CONSTRAINT %s_snapshot_id IF NOT EXISTS FOR (n:%s) REQUIRE (n.snapshot, n.id) IS UNIQUE", name, k))
		out = append(out, fmt.Sprintf("CREATE INDEX %s_snapshot_seq IF NOT EXISTS FOR (n:%s) ON (n.snapshot, n.seq)", name, k))
	}
	for _, e := range schema.EdgeKinds {
		if recordEdge(e) { // read back in seq order
			out = append(out, fmt.Sprintf("CREATE INDEX %s_snapshot_seq IF NOT EXISTS FOR ()-[r:%s]-() ON (r.snapshot, r.seq)", strings.ToLower(string(e)), e))
			continue
		}
		out = append(out, fmt.Sprintf("CREATE INDEX %s_snapshot IF NOT EXISTS FOR ()-[r:%s]-() ON (r.snapshot)", strings.ToLower(string(e)), e))
	}
	out = append(out, fmt.Sprintf("CREATE CONSTRAINT snapshot_id IF NOT EXISTS FOR (s:%s) REQUIRE s.id IS UNIQUE", snapshotLabel))
	out = append(out, fmt.Sprintf("CREATE INDEX derived_snapshot_name_part IF NOT EXISTS FOR (d:%s) ON (d.snapshot, d.name, d.part)", derivedLabel))
	return out
}

// Derived data queries (derived.go).
const (
	// createDerivedPartCypher creates the :Derived node of each row of $rows.
	createDerivedPartCypher = "UNWIND $rows AS row CREATE (d:" + derivedLabel + " {snapshot: $snapshot, name: row.name, " +
		"part: row.part, parts: row.parts, size: row.size, sha256: row.sha256, data: row.data}) RETURN count(d) AS created"
	// readDerivedCypher returns the parts of derived data $name of snapshot
	// $snapshot in part order (the index gives the order; see readNodesCypher).
	readDerivedCypher = "MATCH (d:" + derivedLabel + ") USING INDEX d:" + derivedLabel + "(snapshot, name, part) " +
		"WHERE d.snapshot = $snapshot AND d.name = $name AND d.part >= 0 " +
		"RETURN d.part AS part, d.parts AS parts, d.size AS size, d.sha256 AS sha256, d.data AS data " +
		"ORDER BY d.snapshot, d.name, d.part"
	// deleteDerivedBatchCypher deletes up to $limit parts of snapshot
	// $snapshot's derived data and returns how many it deleted.
	deleteDerivedBatchCypher = "MATCH (d:" + derivedLabel + " {snapshot: $snapshot}) WITH d LIMIT $limit DELETE d RETURN count(*) AS deleted"
	// derivedNamesCypher lists the names of snapshot $snapshot's derived data.
	derivedNamesCypher = "MATCH (d:" + derivedLabel + " {snapshot: $snapshot}) RETURN DISTINCT d.name AS name ORDER BY name"
	// deletePendingBatchCypher deletes up to $limit parts of derived data
	// $pending of snapshot $snapshot (left by a refresh that did not finish).
	deletePendingBatchCypher = "MATCH (d:" + derivedLabel + " {snapshot: $snapshot, name: $pending}) WITH d LIMIT $limit DELETE d RETURN count(*) AS deleted"
	// swapDerivedCypher deletes the parts of derived data $name of snapshot
	// $snapshot and gives its parts named $pending the name $name, in one
	// transaction.
	swapDerivedCypher = "OPTIONAL MATCH (d:" + derivedLabel + " {snapshot: $snapshot, name: $name}) DELETE d " +
		"WITH count(*) AS gone MATCH (p:" + derivedLabel + " {snapshot: $snapshot, name: $pending}) SET p.name = $name RETURN count(p) AS renamed"
)

// Snapshot metadata node queries.
const (
	snapshotReturn = "s.id AS id, s.source AS source, s.collected_at AS collected_at, s.ingested_at AS ingested_at, " +
		"s.files_names AS files_names, s.files_sha256 AS files_sha256, " +
		"s.counts_systems AS counts_systems, s.counts_resources AS counts_resources, " +
		"s.counts_identities AS counts_identities, s.counts_groups AS counts_groups, " +
		"s.counts_memberships AS counts_memberships, s.counts_grants AS counts_grants, " +
		"s.counts_credentials AS counts_credentials, s.counts_delegations AS counts_delegations"
	// claimCypher creates the incomplete metadata node that reserves a snapshot id.
	claimCypher = "CREATE (s:" + snapshotLabel + " {id: $snapshot, complete: false, claimed_at: $now})"
	// completeCypher fills in the metadata and makes the snapshot visible.
	completeCypher = "MATCH (s:" + snapshotLabel + " {id: $snapshot, complete: false}) " +
		"SET s += $meta, s.complete = true, s.committed_at = $now RETURN count(s) AS completed"
	// unclaimCypher removes an incomplete metadata node.
	unclaimCypher = "MATCH (s:" + snapshotLabel + " {id: $snapshot, complete: false}) DELETE s"
	// findSnapshotCypher returns the metadata node with id $snapshot, complete or not.
	findSnapshotCypher = "MATCH (s:" + snapshotLabel + " {id: $snapshot}) RETURN s.complete AS complete, " + snapshotReturn
	// listSnapshotsCypher lists complete snapshots, oldest (first committed) first.
	listSnapshotsCypher = "MATCH (s:" + snapshotLabel + ") WHERE s.complete = true RETURN " + snapshotReturn +
		" ORDER BY s.committed_at, s.id"
	// prefixSnapshotsCypher finds up to two complete snapshots whose id starts with $prefix.
	prefixSnapshotsCypher = "MATCH (s:" + snapshotLabel + ") WHERE s.complete = true AND s.id STARTS WITH $prefix RETURN " +
		snapshotReturn + " ORDER BY s.committed_at, s.id LIMIT 2"
	// newestSnapshotCypher returns the newest complete snapshot.
	newestSnapshotCypher = "MATCH (s:" + snapshotLabel + ") WHERE s.complete = true RETURN " + snapshotReturn +
		" ORDER BY s.committed_at DESC, s.id DESC LIMIT 1"
)
