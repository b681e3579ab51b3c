// GraphiQL as graph-api serves it: the explorer plugin, the README's operations as
// tabs, subscriptions over graphql-transport-ws, and (for `make serve`'s demo) the
// demo token in the headers. Everything it needs is bundled: no CDN, no network but
// the API itself.
import { explorerPlugin } from "@graphiql/plugin-explorer";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { createRoot } from "react-dom/client";

import "graphiql/style.css";
import "@graphiql/plugin-explorer/style.css";

// the page carries its settings as JSON (graph_api/graphiql.py writes it)
const config = JSON.parse(document.getElementById("graphiql-config").textContent);

const endpoint = new URL(config.endpoint, window.location.href);
const subscriptions = new URL(endpoint);
subscriptions.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";

const fetcher = createGraphiQLFetcher({
  url: endpoint.href,
  subscriptionUrl: subscriptions.href,
  enableIncrementalDelivery: false,
});

const headers = config.headers ? JSON.stringify(config.headers, null, 2) : undefined;
const tabs = config.examples.map((example) => ({
  query: `# ${example.title}\n${example.query}`,
  variables: example.variables ?? undefined,
  headers,
}));

const explorer = explorerPlugin({ showAttribution: false });

createRoot(document.getElementById("graphiql")).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={[explorer]}
    defaultTabs={tabs.length ? tabs : undefined}
    defaultHeaders={headers}
    defaultEditorToolsVisibility={headers ? "headers" : undefined}
    isHeadersEditorEnabled
  />,
);
