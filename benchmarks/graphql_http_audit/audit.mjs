// The GraphQL-over-HTTP spec audit of graphql-http against a running graph-api:
//   node audit.mjs http://127.0.0.1:8000/graphql gapi_…
// Prints every audit (ok, notice, warn, error) with its id and name, the reason and
// the answer's status for each one that is not ok, then the counts. Exits 1 when
// any MUST audit errs.
import { serverAudits } from "graphql-http";

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error("usage: node audit.mjs URL TOKEN   (e.g. http://127.0.0.1:8000/graphql gapi_…)");
  process.exit(2);
}

// every request of the audit carries the bearer token, as a client of graph-api's would
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  counts[result.status] += 1;
  console.log(`${result.status.padEnd(6)} ${result.id} ${result.name}`);
  if (result.status !== "ok") {
    console.log(`       reason: ${result.reason}`);
    if (result.response) {
      let body = "";
      try {
        body = (await result.response.text()).slice(0, 300);
      } catch {
        body = "(body already read by the audit)";
      }
      console.log(`       answer: HTTP ${result.response.status} ${body}`);
    }
  }
}
const total = Object.values(counts).reduce((a, b) => a + b, 0);
console.log(
  `\n${total} audits: ${counts.ok} ok, ${counts.notice} notice, ${counts.warn} warn, ${counts.error} error`,
);
process.exit(counts.error > 0 ? 1 : 0);
