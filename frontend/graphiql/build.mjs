// Bundles src/main.jsx into ../../graph_api/static/graphiql/ (graphiql.js, graphiql.css):
// a production build, minified, no source maps. Run through `make assets`.
import { build } from "esbuild";

await build({
  entryPoints: { graphiql: "src/main.jsx" },
  outdir: "../../graph_api/static/graphiql",
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "iife",
  target: ["es2020"],
  jsx: "automatic",
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "external",
  logLevel: "info",
});
