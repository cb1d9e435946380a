"""`python -m bench.ceiling`: the GraphQL executor's ceiling for the benchmark queries.

How many requests per second graphql-core alone can execute on one core for
exactly the documents of the benchmark (bench/queries.py (a), (b), (c)) and
"c4", the issue's example for (c), over exactly the data the real server
answers: no database, no HTTP, no Strawberry, no authentication. Whatever the
SQL and the server do, a load target above this ceiling cannot be met with
this executor on this machine.

1. Prepares the benchmark database as `python -m bench` does (creates,
   migrates and seeds it if needed: about a minute the first time) and picks
   the same variables; the real application (in-process, production settings,
   logged in as the demo user) answers each query once.
2. Builds a graphql-core schema from the repository's schema.graphql SDL
   (`build_schema`: custom scalars pass values through, enum values are their
   names, so the already serialized answer comes out unchanged). Each document
   is parsed and validated once.
3. Checks that `graphql.execute` with `root_value` = the answer's `data`, the
   same variables and graphql-core's default resolvers (reading the dicts)
   returns exactly that `data` without errors, so the timed work is the full
   work; counts the fields it resolves (a counting resolver, in a separate
   pass).
4. Times `graphql.execute` alone: a warm-up, then 5 rounds of as many
   executions as fit in 0.5 s; the fastest round's mean counts (other work on
   the machine only slows rounds down). The 2-core ceiling is twice the
   one-core rate, an upper bound: the real server shares the 2 cores with
   PostgreSQL and the load generator.
5. Prints the table and writes it to bench/results/ceiling.md.

Run: `.venv/bin/python -m bench.ceiling` (about 15 s). BENCH_DATABASE_URL
overrides the database, as for `python -m bench`.
"""

import asyncio
import json
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import graphql
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_schema,
    default_field_resolver,
    execute,
    parse,
    validate,
)

from app.cli.seed.generate import DEMO_EMAIL, DEMO_PASSWORD
from app.config import Settings
from app.db.migrate import upgrade
from bench.capture import responses
from bench.common import RESULTS_DIR, ROOT, log
from bench.database import DEFAULT_DATABASE_URL, ensure_database, ensure_seeded, pick_variables
from bench.queries import QUERIES, body
from bench.report import TARGET_RPS, machine
from bench.server import server_settings

# The example for (c); measured here only, so the load bench is unchanged.
C4 = (
    "query { projects(first: 20) { nodes { owner { name } tasks(first: 10) { totalCount "
    "nodes { assignee { name } tags { name } } } } } }"
)
# c4 has no target of its own: it is compared with (c)'s.
TARGETS = {
    **{name: (rps, f"{rps:,}") for name, rps in TARGET_RPS.items()},
    "c4": (700, "700 (reference: (c)'s)"),
}
WARMUP_S = 0.5
ROUNDS = 5
ROUND_S = 0.5


@dataclass(frozen=True)
class Ceiling:
    """One document's measurement: fields resolved per execution and seconds per execution."""

    query: str
    fields: int
    seconds: float

    @property
    def per_core(self) -> float:
        """Executions per second on one core."""
        return 1 / self.seconds


def prepare(schema: GraphQLSchema, query: str) -> DocumentNode:
    """`query` parsed and validated against `schema` (raises on validation errors)."""
    document = parse(query)
    errors = validate(schema, document)
    if errors:
        msg = f"invalid document: {errors}"
        raise RuntimeError(msg)
    return document


def check_execution(
    schema: GraphQLSchema, document: DocumentNode, data: dict[str, Any], variables: dict[str, Any]
) -> int:
    """Execute `document` over `data` with the default resolvers; raise unless the result
    is exactly `data` without errors. Returns the number of fields resolved."""
    fields = 0

    def counting(source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
        nonlocal fields
        fields += 1
        return default_field_resolver(source, info, **args)

    result = execute(schema, document, root_value=data, variable_values=variables)
    if not isinstance(result, ExecutionResult) or result.errors or result.data != data:
        msg = f"execute did not reproduce the server's data: {result}"
        raise RuntimeError(msg)
    execute(schema, document, root_value=data, variable_values=variables, field_resolver=counting)
    return fields


def time_execute(
    schema: GraphQLSchema, document: DocumentNode, data: dict[str, Any], variables: dict[str, Any]
) -> float:
    """Seconds per `execute` of `document` over `data`: after WARMUP_S of executions, the
    mean of the fastest of ROUNDS rounds of as many executions as fit in ROUND_S each."""

    def run(seconds: float) -> float:
        count = 0
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            execute(schema, document, root_value=data, variable_values=variables)
            count += 1
        return elapsed / count

    run(WARMUP_S)
    return min(run(ROUND_S) for _ in range(ROUNDS))


def render(ceilings: Sequence[Ceiling]) -> str:
    """The markdown table of `ceilings`, with each query's target req/s (2 workers)."""
    lines = [
        "| query | fields resolved | ms per execute | µs per field | req/s per core "
        "| 2-core ceiling req/s | target req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in ceilings:
        lines.append(
            f"| ({c.query}) | {c.fields:,} | {c.seconds * 1e3:.2f} "
            f"| {c.seconds / c.fields * 1e6:.2f} | {c.per_core:,.0f} | {2 * c.per_core:,.0f} "
            f"| {TARGETS[c.query][1]} |"
        )
    return "\n".join(lines)


def verdicts(ceilings: Sequence[Ceiling]) -> list[str]:
    """For each query, whether its target is above the executor's 2-core ceiling."""
    found = []
    for c in ceilings:
        target = TARGETS[c.query][0]
        ratio = 2 * c.per_core / target
        where = "BEYOND the ceiling" if ratio < 1 else "within the ceiling"
        found.append(
            f"({c.query}) target {target:,} req/s is {where}: the executor alone reaches "
            f"{ratio:.0%} of it on 2 cores"
        )
    return found


def main() -> None:
    """Measure each document, print the table and write bench/results/ceiling.md."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    load_before = os.getloadavg()[0]
    asyncio.run(ensure_database(url))
    upgrade(url)
    log(asyncio.run(ensure_seeded(url, reseed=False)))
    variables: dict[str, dict[str, Any]] = {**asyncio.run(pick_variables(url)), "c4": {}}
    documents = {**QUERIES, "c4": C4}
    bodies = {name: body(name, variables[name]) for name in QUERIES}
    bodies["c4"] = json.dumps({"query": C4, "variables": {}}).encode()
    # What the benchmarked server gets; model_validate reads no environment and no .env.
    settings = Settings.model_validate(
        {key.lower(): value for key, value in server_settings(url).items()}
    )
    answers = responses(settings, bodies, email=DEMO_EMAIL, password=DEMO_PASSWORD)

    schema = build_schema((ROOT / "schema.graphql").read_text())
    ceilings = []
    for name, query in documents.items():
        document = prepare(schema, query)
        data = answers[name]["data"]
        fields = check_execution(schema, document, data, variables[name])
        seconds = time_execute(schema, document, data, variables[name])
        ceilings.append(Ceiling(name, fields, seconds))
        log(f"({name}) {fields:,} fields, {seconds * 1e3:.2f} ms per execute")

    table = render(ceilings)
    text = "\n".join(
        [
            "# GraphQL executor ceiling",
            "",
            f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- machine: {machine()}; load average before the run {load_before:.1f}",
            f"- Python {platform.python_version()}, graphql-core {graphql.__version__}",
            "- `graphql.execute` alone, one core, over the real server's answer with the "
            "default resolvers (result checked equal to the answer); parse and validation "
            f"not timed; after a {WARMUP_S} s warm-up, the fastest of {ROUNDS} rounds of "
            f"{ROUND_S} s (the mean of its executions)",
            "- 2-core ceiling = twice the req/s per core, an upper bound: the server shares the "
            "cores with PostgreSQL and the load generator, and adds Strawberry, HTTP, auth, SQL",
            f"- (c4): `{C4}`, the issue's example for (c); compared with (c)'s target",
            "",
            table,
            "",
            *[f"- {line}" for line in verdicts(ceilings)],
            "",
        ]
    )
    print(text)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "ceiling.md").write_text(text)


if __name__ == "__main__":
    main()
