// Unit tests of the console's pure parts: `node --test test/` (run by make console).
import { test } from "node:test";
import assert from "node:assert/strict";
import { collectChains, edgeLabel, graphOf, inferKinds, layered } from "../src/paths.js";
import { fromFragment, isMutation } from "../src/linkguard.js";

// ivan.p's credential-exposure path from the finance sample, as the server renders it.
const exposure = [
  { from: "ivan.p", edge: "MEMBER_OF", to: "g-platform-eng" },
  { from: "g-platform-eng", edge: "MEMBER_OF", to: "r-vault-fin-read" },
  { from: "r-vault-fin-read", edge: "GRANT", to: "vault:kv/finance", action: "READ", native: "path kv/finance/*" },
  { from: "vault:kv/finance/sap-rfc", edge: "STORED_IN", to: "c-sap-batch-pw" },
  { from: "c-sap-batch-pw", edge: "HAS_CREDENTIAL", to: "svc-sap-batch" },
  { from: "svc-sap-batch", edge: "GRANT", to: "sap:fi:je", action: "APPROVE", native: "Z_JE_AUTO_RELEASE" },
];

const answer = {
  data: { whoCan: { accesses: { totalCount: 2, edges: [
    { node: { identity: { id: "ivan.p" }, resource: { id: "sap:fi:je" }, action: "APPROVE", effective: true, paths: [{ hops: exposure }] } },
    { node: { identity: { id: "rita.a" }, resource: { id: "sap:fi:je" }, action: "APPROVE", effective: false, paths: [{ hops: [
      { from: "rita.a", edge: "CAN_ACT_AS", to: "grace.h" },
      { from: "grace.h", edge: "MEMBER_OF", to: "r-je-approver" },
      { from: "r-je-approver", edge: "GRANT", to: "sap:fi:je", action: "APPROVE" },
    ] }] } },
  ] } } },
};

test("paths are found inside Relay connections", () => {
  const chains = collectChains(answer);
  assert.equal(chains.length, 2);
  assert.equal(chains[0].title, "ivan.p · APPROVE · sap:fi:je");
  assert.equal(chains[0].effective, true);
  assert.equal(chains[1].effective, false);
  assert.equal(collectChains({ data: { paths: { paths: [{ hops: exposure }] } } }).length, 1, "a PathResult");
  assert.equal(collectChains({ data: null, errors: [{ message: "x" }] }).length, 0);
});

test("node kinds are inferred from the hops", () => {
  const kinds = inferKinds(collectChains(answer));
  assert.deepEqual(Object.fromEntries(kinds), {
    "ivan.p": "identity", "g-platform-eng": "group", "r-vault-fin-read": "group",
    "vault:kv/finance": "secret", "vault:kv/finance/sap-rfc": "secret", "c-sap-batch-pw": "credential",
    "svc-sap-batch": "identity", "sap:fi:je": "resource", "rita.a": "identity", "grace.h": "identity",
    "r-je-approver": "group",
  });
});

test("the graph has one node per id, a contains edge over a gap, latent edges marked", () => {
  const g = graphOf(collectChains(answer));
  assert.equal(g.nodes.length, 11);
  assert.deepEqual(g.nodes.find((n) => n.id === "c-sap-batch-pw"), { id: "c-sap-batch-pw", kind: "credential", shape: "diamond" });
  assert.ok(g.edges.some((e) => e.edge === "CONTAINS" && e.from === "vault:kv/finance" && e.to === "vault:kv/finance/sap-rfc"));
  const latent = g.edges.find((e) => e.from === "rita.a");
  assert.equal(latent.effective, false);
  assert.equal(graphOf(collectChains(answer), 3).truncated, true);
});

test("edge labels carry the grant's action and native text", () => {
  assert.equal(edgeLabel(exposure[2]), 'GRANT read "path kv/finance/*"');
  assert.equal(edgeLabel(exposure[0]), "MEMBER_OF");
});

test("layers follow the chains left to right, cycles included", () => {
  const pos = layered(graphOf(collectChains(answer)));
  assert.ok(pos["ivan.p"].x < pos["g-platform-eng"].x && pos["g-platform-eng"].x < pos["r-vault-fin-read"].x);
  assert.ok(pos["svc-sap-batch"].x < pos["sap:fi:je"].x);
  const cyc = layered(graphOf([{ hops: [{ from: "a", edge: "MEMBER_OF", to: "b" }, { from: "b", edge: "MEMBER_OF", to: "a" }] }]));
  assert.equal(Object.keys(cyc).length, 2);
});

test("a link never runs a mutation", () => {
  for (const [doc, want] of [
    ["{ whoCan { x } }", false],
    ["query Q { mutationCount }", false],
    ['{ a(s: "mutation") }', false],
    ['{ a(s: """\nmutation\n""") }', false],
    ["# mutation\n{ a }", false],
    ["mutation { ingest }", true],
    ["query A { a } mutation B { b }", true],
    ["subscription { s }", true],
    ['{ a(s: "x\\"") } mutation { b }', true],
  ]) {
    assert.equal(isMutation(doc), want, doc);
  }
  assert.deepEqual(fromFragment("#query=%7B+a+%7D&run=1"), { query: "{ a }", variables: null, run: true });
});
