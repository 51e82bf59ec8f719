// reachgraph console: send a GraphQL query to /graphql, show the JSON and
// draw every evidence path found in the answer as a chain of nodes.
// An initial query may be given in the URL fragment: #query=...&run=1
// (variables=... too). The fragment never reaches the server.
"use strict";

const EXAMPLE = `query WhoApprovesJournalEntries {
  whoCan(action: APPROVE, kind: "journal_entry") {
    snapshot { id }
    asOf
    accesses(first: 100) {
      totalCount complete
      pageInfo { hasNextPage endCursor }
      edges { node {
        identity { id type }
        resource { id }
        action authorized effective critical
        authentication { system via credential }
        paths { hops { from edge to action native } }
      } }
    }
  }
}`;

const $ = (id) => document.getElementById(id);

function setStatus(state, text) {
  const s = $("status");
  s.dataset.state = state;
  s.textContent = text;
}

// collectAccesses walks any JSON value and returns the objects that look like
// an Access (have paths with hops) or a PathResult path.
function collectChains(value, out, ctx) {
  if (Array.isArray(value)) {
    value.forEach((v) => collectChains(v, out, ctx));
    return;
  }
  if (value === null || typeof value !== "object") {
    return;
  }
  if (Array.isArray(value.hops)) {
    out.push({ title: ctx, effective: null, hops: value.hops });
    return;
  }
  if (Array.isArray(value.paths)) {
    const who = value.identity && value.identity.id ? value.identity.id : "";
    const what = value.resource && value.resource.id ? value.resource.id : "";
    const title = [who, value.action, what].filter(Boolean).join(" · ");
    value.paths.forEach((p) => {
      if (p && Array.isArray(p.hops)) {
        out.push({ title: title || ctx, effective: typeof value.effective === "boolean" ? value.effective : null, hops: p.hops });
      }
    });
  }
  Object.keys(value).forEach((k) => {
    if (k !== "paths") {
      collectChains(value[k], out, k);
    }
  });
}

function node(text) {
  const span = document.createElement("span");
  span.className = "node";
  span.textContent = text;
  return span;
}

function drawChains(data) {
  const box = $("chains");
  box.replaceChildren();
  const chains = [];
  collectChains(data, chains, "");
  chains.forEach((c) => {
    const div = document.createElement("div");
    div.className = "chain" + (c.effective === true ? " effective" : c.effective === false ? " latent" : "");
    const title = document.createElement("div");
    title.className = "title";
    title.textContent = c.title + (c.effective === true ? " (effective)" : c.effective === false ? " (latent)" : "");
    div.appendChild(title);
    c.hops.forEach((h, i) => {
      if (i === 0 || h.from !== c.hops[i - 1].to) {
        if (i > 0) {
          div.appendChild(document.createTextNode(" ~ "));
        }
        div.appendChild(node(h.from));
      }
      const edge = document.createElement("span");
      edge.className = "edge";
      let label = h.edge || "?";
      if (h.action) {
        label += "(" + h.action + (h.native ? ' "' + h.native + '"' : "") + ")";
      }
      edge.textContent = " —" + label + "→ ";
      div.appendChild(edge);
      div.appendChild(node(h.to));
    });
    box.appendChild(div);
  });
  box.dataset.count = String(chains.length);
}

async function run() {
  let variables = {};
  try {
    variables = JSON.parse($("variables").value || "{}");
  } catch (e) {
    setStatus("error", "variables are not valid JSON");
    return;
  }
  const headers = { "Content-Type": "application/json" };
  const token = $("token").value.trim();
  if (token) {
    headers.Authorization = "Bearer " + token;
  }
  setStatus("running", "running…");
  try {
    const resp = await fetch("graphql", {
      method: "POST", headers, credentials: "omit",
      body: JSON.stringify({ query: $("query").value, variables }),
    });
    const text = await resp.text();
    let data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = { raw: text };
    }
    $("result").textContent = JSON.stringify(data, null, 2);
    drawChains(data);
    const failed = !resp.ok || (data.errors && data.errors.length);
    setStatus(failed ? "error" : "done", (failed ? "error" : "done") + " (HTTP " + resp.status + ")");
  } catch (e) {
    setStatus("error", "request failed: " + e.message);
  }
}

function init() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  $("query").value = params.get("query") || EXAMPLE;
  if (params.get("variables")) {
    $("variables").value = params.get("variables");
  }
  $("run").addEventListener("click", run);
  $("example").addEventListener("click", () => { $("query").value = EXAMPLE; });
  $("query").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      run();
    }
  });
  if (params.get("run") === "1") {
    // A link may run a query, never a mutation: a mutation from a link waits
    // for the user's click (a crafted link must not make an admin ingest).
    if (isMutation($("query").value)) {
      setStatus("idle", "a mutation from a link is not run automatically: read it, then press Run");
    } else {
      run();
    }
  }
}

// isMutation reports whether the document holds a mutation or subscription
// operation (comments and strings aside, any operation keyword counts).
function isMutation(doc) {
  const text = doc.replace(/#[^\n]*/g, "").replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return /(^|[^A-Za-z0-9_])(mutation|subscription)([^A-Za-z0-9_]|$)/.test(text);
}

init();
