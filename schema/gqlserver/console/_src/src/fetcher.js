// The GraphQL fetcher: POST to this server's /graphql with the session's
// bearer token. The token lives in sessionStorage only (gone when the tab
// closes; never in localStorage, never in the URL).

const TOKEN_KEY = "reachgraph:token";

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

// makeFetcher returns a GraphiQL fetcher; onAnswer(data, status, params) is
// called for every answer but introspection's.
export function makeFetcher(onAnswer) {
  return async (params) => {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    const token = getToken();
    if (token) headers.Authorization = "Bearer " + token;
    const introspection = params.operationName === "IntrospectionQuery";
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
