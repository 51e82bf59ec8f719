// A link (#query=…&run=1) may run a query, never a mutation: a mutation from
// a link waits for the user's click (a crafted link must not make an admin
// ingest).

// isMutation reports whether the document holds a mutation or subscription
// operation (comments and strings aside, any operation keyword counts).
export function isMutation(doc) {
  const text = doc
    .replace(/"""[\s\S]*?"""/g, '""')
    .replace(/#[^\n]*/g, "")
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
  return /(^|[^A-Za-z0-9_])(mutation|subscription)([^A-Za-z0-9_]|$)/.test(text);
}

// fromFragment reads query, variables and run from the URL fragment (which
// never reaches the server).
export function fromFragment(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  return {
    query: params.get("query"),
    variables: params.get("variables"),
    run: params.get("run") === "1",
  };
}
