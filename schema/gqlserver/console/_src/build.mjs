// Builds the embedded console: ../console.js and ../console.css (minified,
// one file each, every dependency bundled) and ../LICENSES.txt (the license
// text of every bundled package). Run through `make console`.
import * as esbuild from "esbuild";
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const out = "..";
const result = await esbuild.build({
  entryPoints: { console: "src/main.jsx" },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  jsx: "automatic",
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "eof",
  charset: "utf8",
  outdir: out,
  metafile: true,
  logLevel: "warning",
  banner: { js: "/* reachgraph console bundle: third-party licenses in LICENSES.txt */", css: "/* reachgraph console bundle: third-party licenses in LICENSES.txt */" },
});
copyFileSync("index.html", join(out, "index.html"));
writeFileSync(join(out, "LICENSES.txt"), licenses(Object.keys(result.metafile.inputs)));

// licenses lists every npm package a bundled file came from, with its
// license text, sorted by name.
function licenses(inputs) {
  const pkgs = new Map();
  for (const file of inputs) {
    const m = file.match(/^(.*node_modules\/(@[^/]+\/[^/]+|[^/]+))\//);
    if (m && !pkgs.has(m[2])) pkgs.set(m[2], m[1]);
  }
  const parts = ["Third-party software bundled into the reachgraph console (console.js, console.css).\n"];
  for (const name of [...pkgs.keys()].sort()) {
    const dir = pkgs.get(name);
    const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const text = file ? readFileSync(join(dir, file), "utf8").trim() : "(no license file in the package; package.json says " + meta.license + ")";
    parts.push(`\n==== ${name} ${meta.version} — ${meta.license || "see text"}\n\n${text}\n`);
  }
  return parts.join("");
}
