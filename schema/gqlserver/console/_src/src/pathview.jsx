// The path view: every evidence path of the last answer drawn as one graph,
// node shapes and colours by kind (see paths.js for the inference rule), plus
// the same paths as text chains and a machine-readable list of what was drawn.
import { useEffect, useMemo, useRef } from "react";
import cytoscape from "cytoscape";
import { KINDS, collectChains, edgeLabel, graphOf, layered } from "./paths.js";

const STYLE = [
  {
    selector: "node",
    style: {
      shape: "data(shape)", "background-color": "data(color)", label: "data(id)",
      color: "#1a202c", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4,
      "text-wrap": "ellipsis", "text-max-width": 180, width: 34, height: 26,
    },
  },
  { selector: "node[kind = 'resource'], node[kind = 'system']", style: { width: 40, height: 24 } },
  {
    selector: "edge",
    style: {
      width: 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "#718096",
      "target-arrow-color": "#718096", label: "data(label)", "font-size": 9, "text-rotation": "autorotate",
      "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 2,
      color: "#2d3748", "text-wrap": "ellipsis", "text-max-width": 170,
    },
  },
  { selector: "edge[?latent]", style: { "line-style": "dashed" } },
  { selector: "edge[edge = 'CONTAINS']", style: { "line-style": "dotted", "target-arrow-shape": "none" } },
];

function elementsOf(graph) {
  return [
    ...graph.nodes.map((n) => ({ data: { id: n.id, kind: n.kind, shape: n.shape, color: KINDS[n.kind].color } })),
    ...graph.edges.map((e) => ({
      data: { id: e.id, source: e.from, target: e.to, edge: e.edge, label: e.label, latent: !e.effective },
    })),
  ];
}

function Graph({ graph }) {
  const box = useRef(null);
  useEffect(() => {
    if (!box.current || graph.nodes.length === 0) return undefined;
    const positions = layered(graph);
    const cy = cytoscape({
      container: box.current, elements: elementsOf(graph), style: STYLE, minZoom: 0.2, maxZoom: 3,
      layout: { name: "preset", positions, fit: true, padding: 24 },
    });
    box.current.dataset.drawn = String(cy.nodes().length);
    return () => cy.destroy();
  }, [graph]);
  return <div className="pv-canvas" ref={box} />;
}

function Chains({ chains }) {
  return chains.map((c, k) => {
    const cls = "chain" + (c.effective === true ? " effective" : c.effective === false ? " latent" : "");
    const parts = [];
    c.hops.forEach((h, i) => {
      if (i === 0 || h.from !== c.hops[i - 1].to) {
        if (i > 0) parts.push(" ~ ");
        parts.push(<span className="node" key={"f" + i}>{h.from}</span>);
      }
      parts.push(<span className="edge" key={"e" + i}>{" —" + edgeLabel(h) + "→ "}</span>);
      parts.push(<span className="node" key={"t" + i}>{h.to}</span>);
    });
    const state = c.effective === true ? " (effective)" : c.effective === false ? " (latent)" : "";
    return (
      <div className={cls} key={k}>
        <div className="title">{c.title + state}</div>
        {parts}
      </div>
    );
  });
}

function Legend() {
  return (
    <ul className="pv-legend">
      {Object.entries(KINDS).map(([kind, k]) => (
        <li key={kind} title={k.shape}><span className={"pv-swatch pv-k-" + kind} />{kind}</li>
      ))}
    </ul>
  );
}

// PathView draws the evidence paths found anywhere in data.
export function PathView({ data }) {
  const chains = useMemo(() => collectChains(data), [data]);
  const graph = useMemo(() => graphOf(chains), [chains]);
  return (
    <section id="pathview" className="pv" aria-label="Evidence paths" data-count={chains.length}
      data-nodes={graph.nodes.length} data-edges={graph.edges.length}>
      <div className="pv-head">
        <h2>Paths</h2>
        <Legend />
        <span className="pv-count">
          {chains.length ? `${chains.length} path(s), ${graph.nodes.length} node(s)` : "no paths in the last answer — ask for paths { hops { from edge to action native } }"}
          {graph.truncated ? " — too many nodes, the graph is cut" : ""}
        </span>
      </div>
      <div className="pv-body">
        <Graph graph={graph} />
        <details className="pv-text">
          <summary>as text</summary>
          <div id="chains"><Chains chains={chains} /></div>
        </details>
      </div>
      <ul id="pv-drawn" hidden>
        {graph.nodes.map((n) => <li key={n.id} data-id={n.id} data-kind={n.kind} data-shape={n.shape}>{n.id}</li>)}
        {graph.edges.map((e) => (
          <li key={e.id} data-from={e.from} data-edge={e.edge} data-to={e.to} data-label={e.label}>{e.label}</li>
        ))}
      </ul>
    </section>
  );
}
