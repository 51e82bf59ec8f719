// reachgraph console: GraphiQL (schema explorer, autocompletion, history,
// query builder) talking to this server's /graphql with the session's bearer
// token, and a path view drawing every evidence path of the last answer.
// Everything is bundled; nothing is fetched from any other origin.
import { createRoot } from "react-dom/client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { GraphiQL } from "graphiql";
import { explorerPlugin } from "@graphiql/plugin-explorer";
import { useEditorContext, useExecutionContext, useSchemaStore } from "@graphiql/react";
import "graphiql/style.css";
import "@graphiql/plugin-explorer/style.css";
import "./console.css";
import { fromFragment, isMutation } from "./linkguard.js";
import { getToken, makeFetcher, setToken } from "./fetcher.js";
import { PathView } from "./pathview.jsx";

const EXAMPLE = `# Who can approve journal entries, and through which path?
query WhoApprovesJournalEntries {
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
}
`;

const explorer = explorerPlugin();
const link = fromFragment(location.hash);
const toolsVisible = link.variables ? "variables" : false;

// AutoRun runs the linked query once the editor is ready — never a mutation.
function AutoRun({ onBlocked }) {
  const exec = useExecutionContext({ nonNull: true });
  const { queryEditor } = useEditorContext({ nonNull: true });
  const done = useRef(false);
  useEffect(() => {
    if (!link.run || done.current || !queryEditor) return;
    done.current = true;
    if (isMutation(queryEditor.getValue())) {
      onBlocked();
      return;
    }
    exec.run();
  }, [queryEditor, exec, onBlocked]);
  return null;
}

// Reintrospect fetches the schema again when the token changes — after any
// introspection still in flight (sent with the old token) has come back, so
// its answer cannot overwrite the new one.
function Reintrospect({ version }) {
  const { introspect, isFetching } = useSchemaStore();
  const done = useRef(0);
  useEffect(() => {
    if (version > done.current && !isFetching) {
      done.current = version;
      introspect();
    }
  }, [version, isFetching, introspect]);
  return null;
}

function TokenField({ onChange }) {
  const [value, setValue] = useState(getToken());
  const commit = () => {
    if (value.trim() !== getToken()) {
      setToken(value.trim());
      onChange();
    }
  };
  return (
    <label className="rg-token">
      Bearer token
      <input id="token" type="password" autoComplete="off" value={value} placeholder="empty when auth is off"
        title="Kept in this tab's session storage only"
        onChange={(e) => setValue(e.target.value)} onBlur={commit}
        onKeyDown={(e) => { if (e.key === "Enter") commit(); }} />
    </label>
  );
}

function App() {
  const [answer, setAnswer] = useState(null);
  const [status, setStatus] = useState({ state: "idle", text: "idle" });
  const [tokenVersion, setTokenVersion] = useState(0);
  const fetcher = useMemo(() => makeFetcher((data, code) => {
    const failed = code < 200 || code >= 300 || (data && Array.isArray(data.errors) && data.errors.length > 0);
    setAnswer(data);
    setStatus({ state: failed ? "error" : "done", text: (failed ? "error" : "done") + " (HTTP " + code + ")" });
  }), []);
  const blocked = useCallback(() => setStatus({
    state: "idle", text: "a mutation from a link is not run automatically: read it, then press Run",
  }), []);
  return (
    <div className="rg-app">
      <header className="rg-header">
        <h1>reachgraph</h1>
        <span className="rg-sub">GraphQL console (offline)</span>
        <TokenField onChange={() => setTokenVersion((v) => v + 1)} />
        <p id="status" data-state={status.state}>{status.text}</p>
      </header>
      <div className="rg-graphiql">
        <GraphiQL fetcher={fetcher} plugins={[explorer]} defaultQuery={EXAMPLE}
          query={link.query || undefined} variables={link.variables || undefined}
          isHeadersEditorEnabled={false} shouldPersistHeaders={false} defaultEditorToolsVisibility={toolsVisible}>
          <GraphiQL.Logo>reachgraph</GraphiQL.Logo>
          <AutoRun onBlocked={blocked} />
          <Reintrospect version={tokenVersion} />
        </GraphiQL>
      </div>
      <PathView data={answer} />
    </div>
  );
}

createRoot(document.getElementById("root")).render(<App />);
