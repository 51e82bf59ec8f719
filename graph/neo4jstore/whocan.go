package neo4jstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// The analyst's whocan in Cypher (docs/neo4j.md): two read-only queries that
// return, for ($snapshot, $resource, $action) at $asOf, the same identities
// as the engine's WhoCan — every authorized one (R4), and the effective ones
// (R6). They need Neo4j 5.21 or later (quantified path patterns under ANY
// SHORTEST). reachgraph itself never runs them: its answers come from the
// projection; they exist so that an analyst's Cypher agrees with the tool,
// and the integration tests hold them to that.
//
// Both walk an act-as chain backwards from the grants, one stretch between
// two exposure hops (a credential read from a vault path) at a time: a
// stretch is a path over MEMBER_OF and CAN_ACT_AS in their own direction,
// matched with ANY SHORTEST so that Neo4j searches it breadth-first with the
// step predicates inlined; an exposure hop is a fixed pattern (owner →
// credential → vault path → grant covering it). A single path pattern cannot
// alternate the direction of travel by relationship type without a
// predicate on the step's endpoints (startNode(e) = a), which Neo4j does not
// inline, turning the search into an enumeration of every path; and the
// effective walk must carry the system each hop holds a session in, which a
// path pattern cannot remember. So the exposure hops are unrolled to a
// fixed depth: the one known difference from the engine is that a chain
// with more exposure hops than that depth is missed.

// liveCypher is the validity-window test of relationship v at $asOf.
func liveCypher(v string) string {
	return fmt.Sprintf("(%[1]s.valid_from IS NULL OR %[1]s.valid_from <= $asOf) AND (%[1]s.expires_at IS NULL OR $asOf < %[1]s.expires_at)", v)
}

// activeCypher is true for an identity whose status is active or unset.
func activeCypher(v string) string {
	return fmt.Sprintf("coalesce(%s.status, 'active') = 'active'", v)
}

// validCypher is true for a credential that is not revoked nor expired at
// $asOf (its owner's status is checked where the owner is matched).
func validCypher(c string) string {
	return fmt.Sprintf("NOT coalesce(%[1]s.revoked, false) AND (%[1]s.expires_at IS NULL OR %[1]s.expires_at > $asOf)", c)
}

// coveringCypher binds t to every node a grant on which covers resource or
// system r: r, its ancestors and r's own system (R2).
func coveringCypher(r, t string) string {
	return fmt.Sprintf("CALL { WITH %[1]s MATCH (%[1]s)-[:CHILD_OF]->*(%[2]s) RETURN %[2]s "+
		"UNION WITH %[1]s MATCH (%[1]s:Resource)-[:IN_SYSTEM]->(%[2]s) RETURN %[2]s }", r, t)
}

// stretchCypher binds x to every identity whose principal set, followed by
// delegations, reaches principal p over live memberships and delegations.
// With sys (effective), a delegation must be usable with a session in
// system sys (it names no system, or sys) and lead to an active identity;
// every predicate is on one relationship or one node, so Neo4j inlines them
// in its breadth-first search (memberships lead to groups only, so "an
// identity reached is active" is the delegation target's test).
func stretchCypher(x, p, sys string) string {
	pred := liveCypher("e")
	if sys != "" {
		pred += fmt.Sprintf(" AND (e:MEMBER_OF OR e.system IS NULL OR e.system = %s) AND (NOT b:Identity OR %s)", sys, activeCypher("b"))
	}
	return fmt.Sprintf("MATCH ANY SHORTEST (%s:Identity) ((a)-[e:MEMBER_OF|CAN_ACT_AS]->(b) WHERE %s)* (%s)", x, pred, p)
}

// whoCanCypher returns the authorized (effective false) or effective query
// for chains of at most exposures exposure hops. States are identities
// (authorized) or (identity, system it must hold a session in) pairs
// (effective), found level by level backwards from the grants, level k over
// k exposure hops; a grant principal (with its system) already walked back
// from is not walked again. Authorized returns every state's identity (R4:
// status, validity and expiry of credentials are ignored); effective returns
// the active identities with a valid credential of their own accepted in
// their state's system (R6).
func whoCanCypher(effective bool, exposures int) string {
	// Authorized states carry no system: a null in a map would make the
	// "already seen" test null, not false.
	sys, xs, qs, qvars, ys := "", "{x: x}", "{q: q}", "q", ""
	owner := "" // authorized: any credential of the identity
	if effective {
		sys, xs, qs, qvars, ys = "sys", "{x: x, sys: sys}", "{q: q, sys: sys}", "q, s.system AS sys", ", st.sys AS ysys"
		owner = "  WHERE " + activeCypher("y") + " AND " + validCypher("c") + " AND (c.systems IS NULL OR ysys IN c.systems)"
	}
	q := []string{
		"MATCH (r {snapshot: $snapshot, id: $resource}) WHERE r:Resource OR r:System",
		"WITH r, CASE WHEN r:System THEN r.id ELSE r.system END AS sys",
		coveringCypher("r", "t"),
		"MATCH (q)-[g:GRANT]->(t) WHERE g.action IN [$action, 'admin'] AND " + liveCypher("g"),
		"WITH DISTINCT q, sys",
		stretchCypher("x", "q", sys),
		"WITH collect(DISTINCT " + qs + ") AS seen, collect(DISTINCT " + xs + ") AS level",
		"WITH seen, level, level AS states",
	}
	for range exposures {
		q = append(q,
			"CALL { WITH level, seen UNWIND level AS st",
			"  WITH st.x AS y"+ys+", seen",
			"  MATCH (y)-[:HAS_CREDENTIAL]->(c:Credential)-[:STORED_IN]->(s:Resource)")
		if owner != "" {
			q = append(q, owner)
		}
		q = append(q,
			"  "+coveringCypher("s", "t"),
			"  MATCH (q)-[g:GRANT]->(t) WHERE g.action IN ['read', 'admin'] AND "+liveCypher("g"),
			"  WITH DISTINCT "+qvars+", seen WHERE NOT "+qs+" IN seen",
			"  "+stretchCypher("x", "q", sys),
			"  RETURN collect(DISTINCT "+qs+") AS walked, collect(DISTINCT "+xs+") AS next }",
			"WITH next AS level, seen + walked AS seen, states + next AS states",
		)
	}
	q = append(q, "UNWIND states AS st", "WITH st.x AS x, st.sys AS sys")
	if effective {
		q = append(q,
			"WHERE "+activeCypher("x")+" AND EXISTS { MATCH (x)-[:HAS_CREDENTIAL]->(c:Credential)",
			"  WHERE "+validCypher("c")+" AND (c.systems IS NULL OR sys IN c.systems) }")
	}
	return strings.Join(append(q, "RETURN DISTINCT x.id AS identity ORDER BY identity"), "\n")
}

// DefaultCypherExposures is the exposure-hop depth of WhoCanCypher's
// effective query.
const DefaultCypherExposures = 3

// WhoCanCypher returns the analyst queries for whocan: authorized and, with
// at most exposures exposure hops per chain, effective. Their parameters are
// $snapshot, $resource, $action and $asOf (a datetime); each returns one
// column, identity, sorted.
func WhoCanCypher(exposures int) (authorized, effective string) {
	return whoCanCypher(false, exposures), whoCanCypher(true, exposures)
}

// WhoCanCypher runs the analyst queries of WhoCanCypher(exposures) on
// snapshot id for (resource, action) at asOf and returns the identity ids.
func (s *Store) WhoCanCypher(ctx context.Context, id graph.SnapshotID, resource string, action schema.Action, asOf time.Time, exposures int) (authorized, effective []string, err error) {
	params := map[string]any{"snapshot": string(id), "resource": resource, "action": string(action), "asOf": asOf.UTC()}
	a, e := WhoCanCypher(exposures)
	run := func(q string) ([]string, error) {
		res, err := s.read(ctx, q, params)
		if err != nil {
			return nil, ctxErr(ctx, fmt.Errorf("neo4jstore: whocan cypher: %w", err))
		}
		out := make([]string, 0, len(res.Records))
		for _, rec := range res.Records {
			v, _ := rec.Get("identity")
			id, _ := v.(string)
			out = append(out, id)
		}
		return out, nil
	}
	if authorized, err = run(a); err != nil {
		return nil, nil, err
	}
	if effective, err = run(e); err != nil {
		return nil, nil, err
	}
	return authorized, effective, nil
}
