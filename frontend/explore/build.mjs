// Bundles src/main.js (cytoscape.js and the page's code) into
// ../../graph_api/static/explore/ (explore.js, explore.css): a production build,
// minified, no source maps. Run through `make assets` (npm ci, then npm run build).
import { build } from "esbuild";

await build({
  entryPoints: { explore: "src/main.js" },
  outdir: "../../graph_api/static/explore",
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "iife",
  target: ["es2020"],
  legalComments: "external",
  logLevel: "info",
});
