// Evidence paths in a GraphQL answer, and the kind of every node on them.
//
// collectChains walks any JSON value and returns every evidence path it
// holds: an object with hops (a Path) or with paths (an Access, a
// PathResult), wherever it sits — also inside Relay connections
// (accesses { edges { node { paths … } } }).
//
// inferKinds gives each node id a kind from the hops that touch it. A path
// is rendered by the engine from the identity outwards, so:
//   first node of a path ................ identity (weak)
//   MEMBER_OF  from → identity (weak; a group when nested), to → group
//   CAN_ACT_AS from → identity/group (as known), to → identity
//   GRANT      to → resource (a system when it is IN_SYSTEM's target)
//   STORED_IN  from → secret (the location holding the credential), to → credential
//   HAS_CREDENTIAL from → credential, to → identity
//   IN_SYSTEM  to → system; CHILD_OF to → resource
//   an id containing "vault:" → secret
//   Access.identity.id → identity, Access.resource.id → resource
// A node keeps the kind of its strongest hint; ties keep the first seen.

export const KINDS = {
  identity: { shape: "ellipse", color: "#2b6cb0" },
  group: { shape: "round-rectangle", color: "#6b46c1" },
  credential: { shape: "diamond", color: "#c05621" },
  secret: { shape: "hexagon", color: "#c53030" },
  resource: { shape: "rectangle", color: "#2f855a" },
  system: { shape: "rectangle", color: "#4a5568" },
};

export function collectChains(value, out = [], ctx = "") {
  if (Array.isArray(value)) {
    value.forEach((v) => collectChains(v, out, ctx));
    return out;
  }
  if (value === null || typeof value !== "object") {
    return out;
  }
  if (Array.isArray(value.hops)) {
    out.push({ title: ctx, effective: null, hops: value.hops.filter(isHop) });
    return out;
  }
  const handled = Array.isArray(value.paths);
  if (handled) {
    const who = value.identity && value.identity.id ? value.identity.id : "";
    const what = value.resource && value.resource.id ? value.resource.id : "";
    const title = [who, value.action, what].filter(Boolean).join(" · ");
    const effective = typeof value.effective === "boolean" ? value.effective : null;
    value.paths.forEach((p) => {
      if (p && Array.isArray(p.hops)) {
        out.push({ title: title || ctx, effective, hops: p.hops.filter(isHop), identity: who, resource: what });
      }
    });
  }
  Object.keys(value).forEach((k) => {
    if (k !== "paths" || !handled) {
      collectChains(value[k], out, k);
    }
  });
  return out;
}

function isHop(h) {
  return h && typeof h.from === "string" && typeof h.to === "string";
}

const WEAK = 1;
const STRONG = 2;
const ID_RULE = 3;

function hint(kinds, id, kind, weight) {
  const cur = kinds.get(id);
  if (!cur || weight > cur.weight) {
    kinds.set(id, { kind, weight });
  }
}

const HOP_HINTS = {
  MEMBER_OF: [null, ["group", STRONG]],
  CAN_ACT_AS: [null, ["identity", STRONG]],
  GRANT: [null, ["resource", WEAK]],
  STORED_IN: [["secret", STRONG], ["credential", STRONG]],
  HAS_CREDENTIAL: [["credential", STRONG], ["identity", STRONG]],
  IN_SYSTEM: [["resource", WEAK], ["system", STRONG]],
  CHILD_OF: [["resource", WEAK], ["resource", WEAK]],
};

// inferKinds returns a Map id → kind for every node on the chains.
export function inferKinds(chains) {
  const kinds = new Map();
  chains.forEach((c) => {
    if (c.identity) hint(kinds, c.identity, "identity", STRONG);
    if (c.resource) hint(kinds, c.resource, "resource", WEAK);
    c.hops.forEach((h, i) => {
      if (i === 0) hint(kinds, h.from, "identity", WEAK);
      else if (h.from !== c.hops[i - 1].to) hint(kinds, h.from, "resource", WEAK);
      if (h.edge === "MEMBER_OF" && i > 0 && c.hops[i - 1].edge === "MEMBER_OF") hint(kinds, h.from, "group", STRONG);
      const [from, to] = HOP_HINTS[h.edge] || [null, null];
      if (from) hint(kinds, h.from, from[0], from[1]);
      if (to) hint(kinds, h.to, to[0], to[1]);
    });
  });
  for (const id of kinds.keys()) {
    if (id.includes("vault:")) hint(kinds, id, "secret", ID_RULE);
  }
  return new Map([...kinds].map(([id, k]) => [id, k.kind]));
}

// edgeLabel is the text drawn on an edge: its kind and, on a GRANT, the
// action and the source's native permission text.
export function edgeLabel(h) {
  let label = h.edge || "?";
  if (h.action) {
    label += " " + h.action.toLowerCase() + (h.native ? ' "' + h.native + '"' : "");
  } else if (h.native) {
    label += ' "' + h.native + '"';
  }
  return label;
}

// graphOf turns chains into de-duplicated nodes and edges (at most limit
// nodes; truncated says when some were left out).
export function graphOf(chains, limit = 400) {
  const kinds = inferKinds(chains);
  const nodes = new Map();
  const edges = new Map();
  let truncated = false;
  const addNode = (id) => {
    if (nodes.has(id)) return true;
    if (nodes.size >= limit) {
      truncated = true;
      return false;
    }
    const kind = kinds.get(id) || "resource";
    nodes.set(id, { id, kind, shape: KINDS[kind].shape });
    return true;
  };
  chains.forEach((c) => {
    c.hops.forEach((h, i) => {
      if (!addNode(h.from) || !addNode(h.to)) return;
      if (i > 0 && h.from !== c.hops[i - 1].to && nodes.has(c.hops[i - 1].to)) {
        addEdge(edges, { from: c.hops[i - 1].to, to: h.from, edge: "CONTAINS", label: "contains" }, c.effective);
      }
      addEdge(edges, { from: h.from, to: h.to, edge: h.edge, label: edgeLabel(h) }, c.effective);
    });
  });
  return { nodes: [...nodes.values()], edges: [...edges.values()], truncated };
}

function addEdge(edges, e, effective) {
  const key = e.from + "\u0000" + e.label + "\u0000" + e.to;
  const cur = edges.get(key);
  if (cur) {
    cur.effective = cur.effective || effective !== false;
    return;
  }
  edges.set(key, { ...e, id: "e" + edges.size, effective: effective !== false });
}

// layered places the nodes in columns by the longest chain of hops leading
// to them from the paths' starting identities (edges closing a cycle are
// ignored), in order of first appearance within a column: the chains read
// left to right.
export function layered(graph, dx = 260, dy = 64) {
  const out = new Map();
  graph.edges.forEach((e) => {
    if (!out.has(e.from)) out.set(e.from, []);
    out.get(e.from).push(e.to);
  });
  const hasIn = new Set(graph.edges.map((e) => e.to));
  const starts = graph.nodes.filter((n) => !hasIn.has(n.id)).map((n) => n.id);
  // depth-first order from the starts, then from anything left (cycles)
  const state = new Map();
  const order = [];
  const visit = (id) => {
    state.set(id, 1);
    (out.get(id) || []).forEach((to) => { if (!state.has(to)) visit(to); });
    state.set(id, 2);
    order.push(id);
  };
  [...starts, ...graph.nodes.map((n) => n.id)].forEach((id) => { if (!state.has(id)) visit(id); });
  const rank = new Map(order.map((id, i) => [id, i])); // reverse post-order rank
  const depth = new Map(graph.nodes.map((n) => [n.id, 0]));
  [...order].reverse().forEach((id) => {
    (out.get(id) || []).forEach((to) => {
      if (rank.get(to) < rank.get(id)) depth.set(to, Math.max(depth.get(to), depth.get(id) + 1));
    });
  });
  const columns = new Map();
  graph.nodes.forEach((n) => {
    const d = depth.get(n.id);
    if (!columns.has(d)) columns.set(d, []);
    columns.get(d).push(n.id);
  });
  const pos = {};
  columns.forEach((ids, d) => {
    ids.forEach((id, row) => {
      pos[id] = { x: d * dx, y: (row - (ids.length - 1) / 2) * dy };
    });
  });
  return pos;
}
