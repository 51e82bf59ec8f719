// The GraphQL fetcher: POST to this server's /graphql with the session's
// bearer token. The token lives in sessionStorage only (gone when the tab
// closes; never in localStorage, never in the URL).

import { getIntrospectionQuery, parse } from "graphql";

const TOKEN_KEY = "reachgraph:token";

// GraphiQL's introspection follows type wrappers 9 levels deep, which the
// server's default depth limit (12) refuses; 4 levels (depth 10) cover every
// wrapper of reachgraph's schema ([X!]! needs 3).
const TYPE_DEPTH = 4;
const FRAGMENT = "fragment TypeRef on __Type";
const SHALLOW_TYPEREF = (() => {
  const q = getIntrospectionQuery({ typeDepth: TYPE_DEPTH });
  return q.slice(q.indexOf(FRAGMENT));
})();

// shallowIntrospection rewrites an introspection query's TypeRef fragment.
export function shallowIntrospection(query) {
  const i = query.indexOf(FRAGMENT);
  return i < 0 ? query : query.slice(0, i) + SHALLOW_TYPEREF;
}

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  } catch (e) {
    return "";
  }
}

export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch (e) {
    // storage disabled: the token is simply not kept
  }
}

// withKnownOperation drops an operation name the document does not define:
// GraphiQL updates the name a moment after an edit, so a query run right
// after it was typed may still carry the previous one.
export function withKnownOperation(params) {
  if (!params.operationName) return params;
  let names;
  try {
    names = parse(params.query).definitions.filter((d) => d.kind === "OperationDefinition").map((d) => d.name && d.name.value);
  } catch (e) {
    return params;
  }
  if (names.includes(params.operationName)) return params;
  const { operationName, ...rest } = params; // eslint-disable-line no-unused-vars
  return rest;
}

// makeFetcher returns a GraphiQL fetcher; onAnswer(data, status, params) is
// called for every answer but introspection's.
export function makeFetcher(onAnswer) {
  return async (params) => {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    const token = getToken();
    if (token) headers.Authorization = "Bearer " + token;
    const introspection = params.operationName === "IntrospectionQuery";
    if (introspection) params = { ...params, query: shallowIntrospection(params.query) };
    else params = withKnownOperation(params);
    let resp;
    try {
      resp = await fetch("graphql", { method: "POST", headers, credentials: "omit", body: JSON.stringify(params) });
    } catch (e) {
      const data = { errors: [{ message: "request failed: " + e.message }] };
      if (!introspection) onAnswer(data, 0, params);
      return data;
    }
    const text = await resp.text();
    let data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = { errors: [{ message: "HTTP " + resp.status + ": " + text.slice(0, 300) }] };
    }
    if (!introspection) onAnswer(data, resp.status, params);
    return data;
  };
}
