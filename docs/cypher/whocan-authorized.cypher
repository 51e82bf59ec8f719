// Generated from graph/neo4jstore/whocan.go (WhoCanCypher, 3 exposure hops); see docs/neo4j.md.
// Parameters: $snapshot, $resource (resource or system id), $action, $asOf (datetime).
MATCH (r {snapshot: $snapshot, id: $resource}) WHERE r:Resource OR r:System
WITH r, CASE WHEN r:System THEN r.id ELSE r.system END AS sys
CALL { WITH r MATCH (r)-[:CHILD_OF]->*(t) RETURN t UNION WITH r MATCH (r:Resource)-[:IN_SYSTEM]->(t) RETURN t }
MATCH (q)-[g:GRANT]->(t) WHERE g.action IN [$action, 'admin'] AND (g.valid_from IS NULL OR g.valid_from <= $asOf) AND (g.expires_at IS NULL OR $asOf < g.expires_at)
WITH DISTINCT q, sys
MATCH ANY SHORTEST (x:Identity) ((a)-[e:MEMBER_OF|CAN_ACT_AS]->(b) WHERE (e.valid_from IS NULL OR e.valid_from <= $asOf) AND (e.expires_at IS NULL OR $asOf < e.expires_at))* (q)
WITH collect(DISTINCT {q: q}) AS seen, collect(DISTINCT {x: x}) AS level
WITH seen, level, level AS states
CALL { WITH level, seen UNWIND level AS st
  WITH st.x AS y, seen
  MATCH (y)-[:HAS_CREDENTIAL]->(c:Credential)-[:STORED_IN]->(s:Resource)
  CALL { WITH s MATCH (s)-[:CHILD_OF]->*(t) RETURN t UNION WITH s MATCH (s:Resource)-[:IN_SYSTEM]->(t) RETURN t }
  MATCH (q)-[g:GRANT]->(t) WHERE g.action IN ['read', 'admin'] AND (g.valid_from IS NULL OR g.valid_from <= $asOf) AND (g.expires_at IS NULL OR $asOf < g.expires_at)
  WITH DISTINCT q, seen WHERE NOT {q: q} IN seen
  MATCH ANY SHORTEST (x:Identity) ((a)-[e:MEMBER_OF|CAN_ACT_AS]->(b) WHERE (e.valid_from IS NULL OR e.valid_from <= $asOf) AND (e.expires_at IS NULL OR $asOf < e.expires_at))* (q)
  RETURN collect(DISTINCT {q: q}) AS walked, collect(DISTINCT {x: x}) AS next }
WITH next AS level, seen + walked AS seen, states + next AS states
CALL { WITH level, seen UNWIND level AS st
  WITH st.x AS y, seen
  MATCH (y)-[:HAS_CREDENTIAL]->(c:Credential)-[:STORED_IN]->(s:Resource)
  CALL { WITH s MATCH (s)-[:CHILD_OF]->*(t) RETURN t UNION WITH s MATCH (s:Resource)-[:IN_SYSTEM]->(t) RETURN t }
  MATCH (q)-[g:GRANT]->(t) WHERE g.action IN ['read', 'admin'] AND (g.valid_from IS NULL OR g.valid_from <= $asOf) AND (g.expires_at IS NULL OR $asOf < g.expires_at)
  WITH DISTINCT q, seen WHERE NOT {q: q} IN seen
  MATCH ANY SHORTEST (x:Identity) ((a)-[e:MEMBER_OF|CAN_ACT_AS]->(b) WHERE (e.valid_from IS NULL OR e.valid_from <= $asOf) AND (e.expires_at IS NULL OR $asOf < e.expires_at))* (q)
  RETURN collect(DISTINCT {q: q}) AS walked, collect(DISTINCT {x: x}) AS next }
WITH next AS level, seen + walked AS seen, states + next AS states
CALL { WITH level, seen UNWIND level AS st
  WITH st.x AS y, seen
  MATCH (y)-[:HAS_CREDENTIAL]->(c:Credential)-[:STORED_IN]->(s:Resource)
  CALL { WITH s MATCH (s)-[:CHILD_OF]->*(t) RETURN t UNION WITH s MATCH (s:Resource)-[:IN_SYSTEM]->(t) RETURN t }
  MATCH (q)-[g:GRANT]->(t) WHERE g.action IN ['read', 'admin'] AND (g.valid_from IS NULL OR g.valid_from <= $asOf) AND (g.expires_at IS NULL OR $asOf < g.expires_at)
  WITH DISTINCT q, seen WHERE NOT {q: q} IN seen
  MATCH ANY SHORTEST (x:Identity) ((a)-[e:MEMBER_OF|CAN_ACT_AS]->(b) WHERE (e.valid_from IS NULL OR e.valid_from <= $asOf) AND (e.expires_at IS NULL OR $asOf < e.expires_at))* (q)
  RETURN collect(DISTINCT {q: q}) AS walked, collect(DISTINCT {x: x}) AS next }
WITH next AS level, seen + walked AS seen, states + next AS states
UNWIND states AS st
WITH st.x AS x, st.sys AS sys
RETURN DISTINCT x.id AS identity ORDER BY identity;
