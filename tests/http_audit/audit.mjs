#!/usr/bin/env node
// Runs the graphql-http server audits (GraphQL-over-HTTP spec conformance)
// against the GraphQL endpoint given as the only argument:
//
//   node tests/http_audit/audit.mjs http://127.0.0.1:8000/graphql
//
// Prints one line per audit: its status, id and name, and for anything not
// `ok` the reason and the response status and content type. Exits 0 only
// when every audit is `ok`: warnings and notices count as failures.

import { serverAudits } from "graphql-http";

const url = process.argv[2];
if (!url || process.argv.length !== 3) {
  console.error("usage: node audit.mjs <graphql endpoint URL>");
  process.exit(2);
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  console.log(`${result.status.toUpperCase().padEnd(6)} ${result.id} ${result.name}`);
  if (result.status !== "ok") {
    const { response } = result;
    const type = response?.headers.get("content-type") ?? "-";
    console.log(`       reason: ${result.reason}`);
    console.log(`       response: ${response?.status ?? "-"} ${type}`);
  }
}

const summary = Object.entries(counts)
  .map(([status, count]) => `${count} ${status}`)
  .join(", ");
console.log(`graphql-http audit: ${summary}`);
process.exit(counts.ok === Object.values(counts).reduce((a, b) => a + b, 0) ? 0 : 1);
