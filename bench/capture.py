"""Record the SQL statements the application sends for a request (for the floor).

The real application runs in-process (httpx's ASGI transport) with the
server's settings; a `before_cursor_execute` hook on every engine records each
statement as the driver gets it (asyncpg's `$n` placeholders) with its
parameters. Each query runs once to warm up, then once recorded.
"""

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.config import Settings
from app.main import create_app
from bench.floor import Statement

LOGIN = "mutation($input: LoginInput!) { login(input: $input) { accessToken } }"


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
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                variables = {"input": {"email": email, "password": password}}
                answer = (
                    await client.post("/graphql", json={"query": LOGIN, "variables": variables})
                ).json()
                headers = {
                    "authorization": f"Bearer {answer['data']['login']['accessToken']}",
                    "content-type": "application/json",
                    "accept": "application/json",
                }
                for name, body in bodies.items():
                    await client.post("/graphql", content=body, headers=headers)  # warm-up
                    recording = captured[name] = []
                    response = await client.post("/graphql", content=body, headers=headers)
                    recording = None
                    if response.status_code != 200 or "errors" in response.json():
                        msg = f"capture of ({name}) failed: {response.text[:300]}"
                        raise RuntimeError(msg)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    return captured


def capture(
    settings: Settings, bodies: dict[str, bytes], *, email: str, password: str
) -> dict[str, list[Statement]]:
    """The statements the application sends for each request body, in order."""
    return asyncio.run(_capture(settings, bodies, email, password))


def describe(statements: Sequence[Statement]) -> str:
    """The statements as SQL text with their parameters (written to bench/results/)."""
    return "\n\n".join(
        f"-- {index}: parameters {json.dumps([str(value) for value in parameters])}\n{sql};"
        for index, (sql, parameters) in enumerate(statements, 1)
    )
