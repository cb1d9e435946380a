"""Schema fuzzing (issue 7, deliverable 9): valid generated documents, no unexpected error.

hypothesis-graphql generates queries and mutations that pass validation
against the real schema, with argument values from `tests.fuzz.values`,
inline or as variables. Each one is sent as the owner of the seeded world
(`tests.fuzz.world`, written again before every document) to the real app
over HTTP (httpx's ASGI transport). No answer may be a 5xx or carry
`INTERNAL_SERVER_ERROR`, and every error's `extensions.code` must be one of
API.md "Errors".

Bounded in time: rounds of `ROUND_EXAMPLES` documents, round `k` seeded with
`FUZZ_SEED + k`, until `FUZZ_SECONDS` (per database) have passed. The test
does not stop at the first bad answer: it collects every one, grouped by
cause (the exception the app logged, and where in `app/` it was raised), and
fails with the list, each with its seed, document and variables.
Longer runs: `FUZZ_SECONDS=600` (bench/README.md).
"""

import asyncio
import contextlib
import json
import logging
import os
import threading
import time
import traceback
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import graphql
import httpx
import hypothesis
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema

from app.config import Settings
from app.db.base import Base
from app.db.engine import create_engine
from app.ids import encode_id
from app.main import create_app
from app.schema import schema
from tests.conftest import make_settings
from tests.fuzz.documents import aimed, with_variables
from tests.fuzz.values import cursor_values, group_by_order, scalar_values
from tests.fuzz.world import BASE, IDS_BY_TYPE, owner_token, seed
from tests.leaks import LEAKS

SECONDS = float(os.environ.get("FUZZ_SECONDS", "25"))
FIRST_SEED = int(os.environ.get("FUZZ_SEED", "0"))
ROUND_EXAMPLES = 25
# API.md "Errors", less INTERNAL_SERVER_ERROR, which is never an acceptable answer.
DOCUMENTED_CODES = {
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "BAD_USER_INPUT",
    "CONFLICT",
    "RATE_LIMITED",
    "COST_LIMIT_EXCEEDED",
    "PERSISTED_QUERY_NOT_FOUND",
    "PAYLOAD_TOO_LARGE",
    "BAD_REQUEST",
    "SERVICE_UNAVAILABLE",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
}
ACCEPTS = ["application/json", "application/graphql-response+json"]
SDL_SCHEMA = graphql.build_schema(schema.as_str())
T = TypeVar("T")


@dataclass
class Outcome:
    """What one document got: the HTTP status, the body, and the errors the app logged."""

    status: int
    body: str
    logged: list[logging.LogRecord] = field(default_factory=list)
    raised: BaseException | None = None


def problems(outcome: Outcome) -> list[str]:
    """Everything wrong with an answer, against API.md "Errors" (empty when it is fine)."""
    if outcome.raised is not None:
        return [f"the app raised {type(outcome.raised).__name__}"]
    found = [f"HTTP {outcome.status}"] if outcome.status >= 500 else []
    try:
        body = json.loads(outcome.body)
    except ValueError:
        return [*found, "the body is not JSON"]
    if not isinstance(body, dict) or not ({"data", "errors"} & body.keys()):
        return [*found, "neither data nor errors"]
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code not in DOCUMENTED_CODES:
            found.append(f"extensions.code {code}")
    return found


def cause(outcome: Outcome) -> tuple[str, str]:
    """What went wrong inside the app: the exception's type and the last `app/` frame it
    passed through (the group), and its message (an example)."""
    errors = [outcome.raised] if outcome.raised is not None else []
    errors += [r.exc_info[1] for r in outcome.logged if r.exc_info and r.exc_info[1] is not None]
    if not errors:
        return "no exception logged", ""
    error = errors[0]
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/app/" in f.filename]
    where = f"app/{frames[-1].filename.split('/app/')[-1]}:{frames[-1].lineno}" if frames else "?"
    message = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__} at {where}", message


class _Collect(logging.Handler):
    """Keeps the ERROR records logged while a document runs (the app logs each 500 whole)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Target:
    """The app, its engine and an HTTP client, on an event loop of their own in a thread.

    Hypothesis runs its examples synchronously; each one hands its request to
    this loop and waits for the answer.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.token = owner_token(settings)
        LEAKS.record_secret(self.token)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.stack = contextlib.AsyncExitStack()
        self.collect = _Collect()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    async def _start(self) -> None:
        self.engine = create_engine(self.settings.database_url)
        self.stack.push_async_callback(self.engine.dispose)
        app = create_app(self.settings)
        await self.stack.enter_async_context(app.router.lifespan_context(app))
        transport = httpx.ASGITransport(app=app)
        self.http = await self.stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60)
        )

    async def _stop(self) -> None:
        async with self.engine.begin() as connection:  # leave the database empty, as found
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
        await self.stack.aclose()

    @contextlib.contextmanager
    def running(self) -> Iterator["Target"]:
        self.thread.start()
        self.call(self._start())
        logging.getLogger().addHandler(self.collect)
        try:
            yield self
        finally:
            logging.getLogger().removeHandler(self.collect)
            self.call(self._stop())
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join()
            self.loop.close()

    async def exchange(self, query: str, variables: dict[str, Any], accept: str) -> Outcome:
        """Re-seed the world, then POST the document as the owner."""
        await seed(self.engine)
        self.collect.records = []
        body = json.dumps({"query": query, "variables": variables})  # ASCII: lone surrogates pass
        headers = {
            "content-type": "application/json",
            "accept": accept,
            "authorization": f"Bearer {self.token}",
        }
        try:
            response = await self.http.post("/graphql", content=body, headers=headers)
        except Exception as error:  # the app raised through the transport: a bare 500
            return Outcome(500, "", list(self.collect.records), error)
        with contextlib.suppress(ValueError):
            LEAKS.record_response(response.json())  # tokens of signups and logins that worked
        return Outcome(response.status_code, response.text, list(self.collect.records))

    def cursors(self) -> list[str]:
        """Real cursors of every list and order, as the server gives them for the world."""
        outcome = self.call(self.exchange(CURSORS_QUERY, {}, ACCEPTS[0]))
        body = json.loads(outcome.body)
        assert "errors" not in body, body
        found: list[str] = []
        _walk_cursors(body["data"], found)
        assert found, body
        return sorted(set(found))


def _connection(alias: str, field: str, order_field: str, direction: str) -> str:
    order = f"orderBy: {{field: {order_field}, direction: {direction}}}"
    return f"{alias}: {field}(first: 2, {order}) {{ edges {{ cursor }} }}"


TASK_ORDERS = ("CREATED_AT", "UPDATED_AT", "DUE_DATE", "PRIORITY", "TITLE")
PROJECT_ORDERS = ("CREATED_AT", "UPDATED_AT", "NAME")
DIRECTIONS = ("ASC", "DESC")
EDGES = " { edges { cursor } }"
SHARED = encode_id("Project", BASE + 2)
CURSORS_QUERY = (
    "{ "
    + " ".join(
        [
            *(_connection(f"t_{f}_{d}", "tasks", f, d) for f in TASK_ORDERS for d in DIRECTIONS),
            *(
                _connection(f"p_{f}_{d}", "projects", f, d)
                for f in PROJECT_ORDERS
                for d in DIRECTIONS
            ),
            f'project(id: "{SHARED}") {{ members{EDGES} tags{EDGES} }}',
        ]
    )
    + " }"
)


def _walk_cursors(value: object, found: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "cursor" and isinstance(item, str):
                found.append(item)
            else:
                _walk_cursors(item, found)
    elif isinstance(value, list):
        for item in value:
            _walk_cursors(item, found)


@pytest.fixture(scope="module")
def target(database_url: str) -> Iterator[Target]:
    """The app on `database_url`, its limits raised so that fuzzing reaches the resolvers."""
    unlimited = 10**9
    fuzz_settings = make_settings(
        database_url,
        rate_limit_points_per_minute=unlimited,
        auth_attempts_per_minute=unlimited,
        auth_attempts_per_ip_per_minute=unlimited,
        access_token_ttl_seconds=24 * 3600,
    )
    with Target(fuzz_settings).running() as running:
        yield running


@dataclass
class Failure:
    seed: int
    query: str
    variables: dict[str, Any]
    outcome: Outcome
    found: list[str]


def run_round(
    target: Target,
    documents: st.SearchStrategy[graphql.DocumentNode],
    round_seed: int,
    deadline: float,
    failures: list[Failure],
) -> int:
    """`ROUND_EXAMPLES` documents from `round_seed` (fewer if `deadline` passes); returns how
    many were sent."""
    sent = 0

    @hypothesis.seed(round_seed)
    @settings(
        max_examples=ROUND_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(document=documents, inline=st.booleans(), accept=st.sampled_from(ACCEPTS))
    def send(document: graphql.DocumentNode, inline: bool, accept: str) -> None:
        nonlocal sent
        if time.monotonic() > deadline:
            return
        variables: dict[str, Any] = {}
        if inline:
            query = graphql.print_ast(document)
        else:
            query, variables = with_variables(SDL_SCHEMA, document)
        outcome = target.call(target.exchange(query, variables, accept))
        sent += 1
        found = problems(outcome)
        if found:
            failures.append(Failure(round_seed, query, variables, outcome, found))

    send()
    return sent


def report(failures: list[Failure]) -> str:
    """The failures grouped by cause, with the shortest document of each group."""
    groups: dict[str, list[Failure]] = {}
    for failure in failures:
        groups.setdefault(cause(failure.outcome)[0], []).append(failure)
    lines = []
    for name, group in sorted(groups.items(), key=lambda item: -len(item[1])):
        example = min(group, key=lambda f: len(f.query) + len(json.dumps(f.variables)))
        lines += [
            f"- {len(group)}x {name}: {cause(example.outcome)[1]}",
            f"  {', '.join(example.found)}; seed {example.seed}; body {example.outcome.body[:300]}",
            f"  document: {example.query[:1500]}",
            f"  variables: {json.dumps(example.variables)[:1500]}",
        ]
    return "\n".join(lines)


def test_generated_documents_get_only_documented_answers(target: Target) -> None:
    cursors = target.cursors()
    generated = from_schema(
        SDL_SCHEMA, custom_scalars=scalar_values(cursors), print_ast=lambda doc: doc
    )
    by_order = {name: cursor_values(same) for name, same in group_by_order(cursors).items()}
    any_order = cursor_values(cursors)
    documents = aimed(generated, IDS_BY_TYPE, lambda order: by_order.get(order, any_order))
    deadline = time.monotonic() + SECONDS
    failures: list[Failure] = []
    sent = 0
    round_seed = FIRST_SEED
    while time.monotonic() < deadline:
        sent += run_round(target, documents, round_seed, deadline, failures)
        round_seed += 1
    print(f"fuzz: {sent} documents, seeds {FIRST_SEED}..{round_seed - 1}, {len(failures)} bad")
    assert sent > 0
    assert not failures, f"{len(failures)} of {sent} documents:\n{report(failures)}"
