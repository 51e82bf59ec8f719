package neo4jstore

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

func TestCypherText(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{
			name: "create systems",
			got:  createNodesCypher(schema.KindSystem),
			want: "UNWIND $rows AS row CREATE (n:System {snapshot: $snapshot, seq: row.seq, id: row.id, name: row.name, " +
				"kind: row.kind, sox_scope: row.sox_scope, owner: row.owner}) RETURN row.id AS id, elementId(n) AS eid",
		},
		{
			name: "read groups",
			got:  readNodesCypher(schema.KindGroup),
			want: "MATCH (n:Group) USING INDEX n:Group(snapshot, seq) WHERE n.snapshot = $snapshot AND n.seq >= 0 " +
				"RETURN n.id AS id, n.name AS name, n.type AS type, " +
				"n.system AS system ORDER BY n.snapshot, n.seq",
		},
		{
			name: "create memberships",
			got:  createEdgesCypher(schema.EdgeMemberOf),
			want: "UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row._a " +
				"MATCH (b) WHERE elementId(b) = row._b " +
				"CREATE (a)-[r:MEMBER_OF {snapshot: $snapshot, seq: row.seq, valid_from: row.valid_from, " +
				"expires_at: row.expires_at, native: row.native}]->(b) RETURN count(r) AS created",
		},
		{
			name: "create grants",
			got:  createEdgesCypher(schema.EdgeGrant),
			want: "UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row._a " +
				"MATCH (b) WHERE elementId(b) = row._b " +
				"CREATE (a)-[r:GRANT {snapshot: $snapshot, seq: row.seq, action: row.action, native: row.native, " +
				"conditional: row.conditional, last_used_at: row.last_used_at, valid_from: row.valid_from, " +
				"expires_at: row.expires_at}]->(b) " +
				"RETURN count(r) AS created",
		},
		{
			name: "read delegations",
			got:  readEdgesCypher(schema.EdgeCanActAs),
			want: "MATCH (a)-[r:CAN_ACT_AS]->(b) USING INDEX r:CAN_ACT_AS(snapshot, seq) " +
				"WHERE r.snapshot = $snapshot AND r.seq >= 0 RETURN a.id AS from, b.id AS to, " +
				"r.kind AS kind, r.system AS system, r.native AS native, r.valid_from AS valid_from, " +
				"r.expires_at AS expires_at ORDER BY r.snapshot, r.seq",
		},
		{
			name: "derived HAS_CREDENTIAL",
			got:  createDerivedCypher(derivedEdges[0]),
			want: "UNWIND $rows AS row MATCH (n) WHERE elementId(n) = row._a " +
				"MATCH (m) WHERE elementId(m) = row._b " +
				"CREATE (m)-[:HAS_CREDENTIAL {snapshot: $snapshot}]->(n) RETURN count(*) AS created",
		},
		{
			name: "delete a batch",
			got:  deleteBatchCypher(schema.KindResource),
			want: "MATCH (n:Resource {snapshot: $snapshot}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.got)
		})
	}
}

func TestIdentityProps(t *testing.T) {
	require.Equal(t, []string{"id", "name", "type", "status", "owners_business", "owners_technical", "purpose",
		"nonhuman_rationale", "shared", "break_glass", "vendor", "created_at", "last_used_at",
		"compensating_controls", "same_as", "tags_keys", "tags_values"}, nodeProps(schema.KindIdentity))
}

// TestRowKeysMatchCypher guards the hand-written row builders against the
// generated Cypher: every row key is a property the query stores, and back.
func TestRowKeysMatchCypher(t *testing.T) {
	tests := []struct {
		name  string
		row   map[string]any
		props []string
	}{
		{name: "system", row: systemRow(graph.System{}), props: nodeProps(schema.KindSystem)},
		{name: "resource", row: resourceRow(graph.Resource{}), props: nodeProps(schema.KindResource)},
		{name: "identity", row: identityRow(graph.Identity{}), props: nodeProps(schema.KindIdentity)},
		{name: "group", row: groupRow(graph.Group{}), props: nodeProps(schema.KindGroup)},
		{name: "credential", row: credentialRow(graph.Credential{}), props: nodeProps(schema.KindCredential)},
		{name: "membership", row: membershipRow(graph.Membership{}), props: append([]string{"member", "group"}, edgeProps(schema.EdgeMemberOf)...)},
		{name: "grant", row: grantRow(graph.Grant{}), props: append([]string{"principal", "resource"}, edgeProps(schema.EdgeGrant)...)},
		{name: "delegation", row: delegationRow(graph.Delegation{}), props: append([]string{"from", "to"}, edgeProps(schema.EdgeCanActAs)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keys := make([]string, 0, len(tc.row))
			for k := range tc.row {
				keys = append(keys, k)
			}
			require.ElementsMatch(t, tc.props, keys)
		})
	}
}

// TestLabelsOnlyFromVocabulary checks that every label and relationship type
// in the generated Cypher is a vocabulary kind, the Snapshot label or the
// Derived label of stored derived data.
func TestLabelsOnlyFromVocabulary(t *testing.T) {
	allowed := []string{snapshotLabel, derivedLabel}
	for _, k := range schema.NodeKinds {
		allowed = append(allowed, string(k))
	}
	for _, e := range schema.EdgeKinds {
		allowed = append(allowed, string(e))
	}
	var texts []string
	texts = append(texts, schemaCypher()...)
	for _, k := range schema.NodeKinds {
		texts = append(texts, createNodesCypher(k), readNodesCypher(k), deleteBatchCypher(k))
	}
	for _, e := range []schema.EdgeKind{schema.EdgeMemberOf, schema.EdgeGrant, schema.EdgeCanActAs} {
		texts = append(texts, readEdgesCypher(e), createEdgesCypher(e))
	}
	for _, d := range derivedEdges {
		texts = append(texts, createDerivedCypher(d))
	}
	texts = append(texts, createDerivedPartCypher, readDerivedCypher, deleteDerivedBatchCypher, deletePendingBatchCypher, swapDerivedCypher, derivedNamesCypher)
	for _, text := range texts {
		for _, part := range strings.Split(text, ":")[1:] {
			label := strings.FieldsFunc(part, func(r rune) bool { return !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') })
			if len(label) == 0 || part[0] == ' ' || !(part[0] >= 'A' && part[0] <= 'Z') {
				continue // a map entry "key: value", not a label
			}
			require.True(t, slices.Contains(allowed, label[0]), "label %q in %q", label[0], text)
		}
	}
}
