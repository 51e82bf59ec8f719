// Generated from graph/neo4jstore/whocan.go (WhoCanCypher, 3 exposure hops); see docs/neo4j.md.
// Parameters: $snapshot, $resource (resource or system id), $action, $asOf (datetime).
MATCH (r {snapshot: $snapshot, id: $resource}) WHERE r:Resource OR r:System
WITH r, CASE WHEN r:System THEN r.id ELSE r.system END AS sys
CALL { WITH r MATCH (r)-[:CHILD_OF]->*(t) RETURN t UNION WITH r MATCH (r:Resource)-[:IN_SYSTEM]->(t) RETURN t }
MATCH (q)-[g:GRANT]->(t) WHERE g.action IN [$action, 'admin'] AND (g.valid_from IS NULL OR g.valid_from <= $asOf) AND (g.expires_at IS NULL OR $asOf < g.expires_at)
WITH DISTINCT q, sys
MATCH ANY SHORTEST (x:Identity) ((a)-[e:MEMBER_OF|CAN_ACT_AS]->(b) WHERE (e.valid_from IS NULL OR e.valid_from <= $asOf) AND (e.expires_at IS NULL OR $asOf < e.expires_at) AND (e:MEMBER_OF OR e.system IS NULL OR e.system = sys) AND (NOT b:Identity OR coalesce(b.status, 'active') = 'active'))* (q)
WITH collect(DISTINCT {q: q, sys: sys}) AS seen, collect(DISTINCT {x: x, sys: sys}) AS level
WITH seen, level, level AS states
CALL { WITH level, seen UNWIND level AS st
  WITH st.x AS y, st.sys AS ysys, seen
  MATCH (y)-[:HAS_CREDENTIAL]->(c:Credential)-[:STORED_IN]->(s:Resource)
  WHERE coalesce(y.status, 'active') = 'active' AND NOT coalesce(c.revoked, false) AND (c.expires_at IS NULL OR c.expires_at > $asOf) AND (c.systems IS NULL OR ysys IN c.systems)
  CALL { WITH s MATCH (s)-[:CHILD_OF]->*(t) RETURN t UNION WITH s MATCH (s:Resource)-[:IN_SYSTEM]->(t) RETURN t }
  MATCH (q)-[g:GRANT]->(t) WHERE g.action IN ['read', 'admin'] AND (g.valid_from IS NULL OR g.valid_from <= $asOf) AND (g.expires_at IS NULL OR $asOf < g.expires_at)
  WITH DISTINCT q, s.system AS sys, seen WHERE NOT {q: q, sys: sys} IN seen
  MATCH ANY SHORTEST (x:Identity) ((a)-[e:MEMBER_OF|CAN_ACT_AS]->(b) WHERE (e.valid_from IS NULL OR e.valid_from <= $asOf) AND (e.expires_at IS NULL OR $asOf < e.expires_at) AND (e:MEMBER_OF OR e.system IS NULL OR e.system = sys) AND (NOT b:Identity OR coalesce(b.status, 'active') = 'active'))* (q)
  RETURN collect(DISTINCT {q: q, sys: sys}) AS walked, collect(DISTINCT {x: x, sys: sys}) AS next }
WITH next AS level, seen + walked AS seen, states + next AS states
CALL { WITH level, seen UNWIND level AS st
  WITH st.x AS y, st.sys AS ysys, seen
  MATCH (y)-[:HAS_CREDENTIAL]->(c:Credential)-[:STORED_IN]->(s:Resource)
  WHERE coalesce(y.status, 'active') = 'active' AND NOT coalesce(c.revoked, false) AND (c.expires_at IS NULL OR c.expires_at > $asOf) AND (c.systems IS NULL OR ysys IN c.systems)
  CALL { WITH s MATCH (s)-[:CHILD_OF]->*(t) RETURN t UNION WITH s MATCH (s:Resource)-[:IN_SYSTEM]->(t) RETURN t }
  MATCH (q)-[g:GRANT]->(t) WHERE g.action IN ['read', 'admin'] AND (g.valid_from IS NULL OR g.valid_from <= $asOf) AND (g.expires_at IS NULL OR $asOf < g.expires_at)
  WITH DISTINCT q, s.system AS sys, seen WHERE NOT {q: q, sys: sys} IN seen
  MATCH ANY SHORTEST (x:Identity) ((a)-[e:MEMBER_OF|CAN_ACT_AS]->(b) WHERE (e.valid_from IS NULL OR e.valid_from <= $asOf) AND (e.expires_at IS NULL OR $asOf < e.expires_at) AND (e:MEMBER_OF OR e.system IS NULL OR e.system = sys) AND (NOT b:Identity OR coalesce(b.status, 'active') = 'active'))* (q)
  RETURN collect(DISTINCT {q: q, sys: sys}) AS walked, collect(DISTINCT {x: x, sys: sys}) AS next }
WITH next AS level, seen + walked AS seen, states + next AS states
CALL { WITH level, seen UNWIND level AS st
  WITH st.x AS y, st.sys AS ysys, seen
  MATCH (y)-[:HAS_CREDENTIAL]->(c:Credential)-[:STORED_IN]->(s:Resource)
  WHERE coalesce(y.status, 'active') = 'active' AND NOT coalesce(c.revoked, false) AND (c.expires_at IS NULL OR c.expires_at > $asOf) AND (c.systems IS NULL OR ysys IN c.systems)
  CALL { WITH s MATCH (s)-[:CHILD_OF]->*(t) RETURN t UNION WITH s MATCH (s:Resource)-[:IN_SYSTEM]->(t) RETURN t }
  MATCH (q)-[g:GRANT]->(t) WHERE g.action IN ['read', 'admin'] AND (g.valid_from IS NULL OR g.valid_from <= $asOf) AND (g.expires_at IS NULL OR $asOf < g.expires_at)
  WITH DISTINCT q, s.system AS sys, seen WHERE NOT {q: q, sys: sys} IN seen
  MATCH ANY SHORTEST (x:Identity) ((a)-[e:MEMBER_OF|CAN_ACT_AS]->(b) WHERE (e.valid_from IS NULL OR e.valid_from <= $asOf) AND (e.expires_at IS NULL OR $asOf < e.expires_at) AND (e:MEMBER_OF OR e.system IS NULL OR e.system = sys) AND (NOT b:Identity OR coalesce(b.status, 'active') = 'active'))* (q)
  RETURN collect(DISTINCT {q: q, sys: sys}) AS walked, collect(DISTINCT {x: x, sys: sys}) AS next }
WITH next AS level, seen + walked AS seen, states + next AS states
UNWIND states AS st
WITH st.x AS x, st.sys AS sys
WHERE coalesce(x.status, 'active') = 'active' AND EXISTS { MATCH (x)-[:HAS_CREDENTIAL]->(c:Credential)
  WHERE NOT coalesce(c.revoked, false) AND (c.expires_at IS NULL OR c.expires_at > $asOf) AND (c.systems IS NULL OR sys IN c.systems) }
RETURN DISTINCT x.id AS identity ORDER BY identity;
