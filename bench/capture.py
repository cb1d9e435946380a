"""Run the application in-process: record the SQL it sends for a request (for the
floor), or collect its answers (for the executor ceiling, `bench.ceiling`).

The real application runs in-process (httpx's ASGI transport) with the
server's settings, logged in as the given user. For `capture`, a
`before_cursor_execute` hook on every engine records each statement as the
driver gets it (asyncpg's `$n` placeholders) with its parameters; each query
runs once to warm up, then once recorded.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.config import Settings
from app.main import create_app
from bench.floor import Statement

LOGIN = "mutation($input: LoginInput!) { login(input: $input) { accessToken } }"


@asynccontextmanager
async def _logged_in(
    settings: Settings, email: str, password: str
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """The app running in-process: a client to it and the headers of a logged-in user."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            variables = {"input": {"email": email, "password": password}}
            answer = (
                await client.post("/graphql", json={"query": LOGIN, "variables": variables})
            ).json()
            yield (
                client,
                {
                    "authorization": f"Bearer {answer['data']['login']['accessToken']}",
                    "content-type": "application/json",
                    "accept": "application/json",
                },
            )


async def _post(
    client: httpx.AsyncClient, headers: dict[str, str], name: str, body: bytes
) -> dict[str, Any]:
    """The JSON answer to `body`; raises unless it is a 200 without errors."""
    response = await client.post("/graphql", content=body, headers=headers)
    if response.status_code == 200:
        answer: dict[str, Any] = response.json()
        if "errors" not in answer:
            return answer
    msg = f"request ({name}) failed: {response.text[:300]}"
    raise RuntimeError(msg)


async def _capture(
    settings: Settings, bodies: dict[str, bytes], email: str, password: str
) -> dict[str, list[Statement]]:
    recording: list[Statement] | None = None

    def record(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if recording is not None:
            recording.append((statement, tuple(parameters or ())))

    captured: dict[str, list[Statement]] = {}
    event.listen(Engine, "before_cursor_execute", record)
    try:
        async with _logged_in(settings, email, password) as (client, headers):
            for name, body in bodies.items():
                await client.post("/graphql", content=body, headers=headers)  # warm-up
                recording = captured[name] = []
                await _post(client, headers, name, body)
                recording = None
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    return captured


async def _responses(
    settings: Settings, bodies: dict[str, bytes], email: str, password: str
) -> dict[str, dict[str, Any]]:
    async with _logged_in(settings, email, password) as (client, headers):
        return {name: await _post(client, headers, name, body) for name, body in bodies.items()}


def capture(
    settings: Settings, bodies: dict[str, bytes], *, email: str, password: str
) -> dict[str, list[Statement]]:
    """The statements the application sends for each request body, in order."""
    return asyncio.run(_capture(settings, bodies, email, password))


def responses(
    settings: Settings, bodies: dict[str, bytes], *, email: str, password: str
) -> dict[str, dict[str, Any]]:
    """The application's JSON answer to each request body (raises if one has errors)."""
    return asyncio.run(_responses(settings, bodies, email, password))


def describe(statements: Sequence[Statement]) -> str:
    """The statements as SQL text with their parameters (written to bench/results/)."""
    return "\n\n".join(
        f"-- {index}: parameters {json.dumps([str(value) for value in parameters])}\n{sql};"
        for index, (sql, parameters) in enumerate(statements, 1)
    )
