#!/usr/bin/env node
// Runs Apollo Client's persisted-query link against a TaskTracker /graphql:
//
//   node tests/apq_client/apq.mjs <graphql endpoint URL> post|get|only
//   node tests/apq_client/apq.mjs manifest        (prints the manifest of PING)
//
// `post` and `get` send PING twice on one client (`get` with
// `useGETForHashedQueries`); `only` sends PING, then OTHER, which is in no
// manifest. Prints one JSON object: `trace`, one entry per HTTP request the link
// made (method, whether it carried the document, status, error codes), and
// `results`, one per query (data, or the error message).

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { print } from "graphql";
import { createHash } from "node:crypto";

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const PING = gql`
  query Ping {
    __typename
  }
`;
const OTHER = gql`
  query Other {
    me {
      id
    }
  }
`;

const [url, mode] = process.argv.slice(2);
if (url === "manifest") {
  const body = print(PING);
  const operation = { id: sha256(body), name: "Ping", type: "query", body };
  const manifest = { format: "apollo-persisted-query-manifest", version: 1, operations: [operation] };
  console.log(JSON.stringify(manifest));
  process.exit(0);
}
if (!url || !["post", "get", "only"].includes(mode)) {
  console.error("usage: node apq.mjs <graphql endpoint URL> post|get|only");
  process.exit(2);
}

const trace = [];
async function tracedFetch(input, init = {}) {
  const response = await fetch(input, init);
  const sent = init.body
    ? JSON.parse(init.body)
    : Object.fromEntries(new URL(String(input)).searchParams);
  const received = JSON.parse(await response.clone().text());
  trace.push({
    method: init.method ?? "GET",
    hasQuery: Boolean(sent.query),
    status: response.status,
    codes: (received.errors ?? []).map((error) => error.extensions?.code ?? null),
  });
  return response;
}

const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: mode === "get" }).concat(
  new HttpLink({ uri: url, fetch: tracedFetch }),
);
const client = new ApolloClient({ link, cache: new InMemoryCache() });

const results = [];
for (const query of mode === "only" ? [PING, OTHER] : [PING, PING]) {
  try {
    const result = await client.query({ query, fetchPolicy: "network-only" });
    results.push({ data: result.data ?? null, error: result.error?.message ?? null });
  } catch (error) {
    results.push({ data: null, error: String(error.message) });
  }
}
console.log(JSON.stringify({ trace, results }));
