"""Helpers of the in-process `/graphql` tests (tests/test_http_*.py): the media types and
`Accept` headers, a trivial operation and its answer, POSTing, asserting a request error
(no `data` entry), and a client on an app built with other settings.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from app.main import create_app
from tests.conftest import make_settings

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json; charset=utf-8"
JSON = "application/json; charset=utf-8"
ACCEPT_GRAPHQL_RESPONSE = {"accept": "application/graphql-response+json"}
ACCEPT_JSON = {"accept": "application/json"}

OK = "{ __typename }"
OK_BODY = {"data": {"__typename": "Query"}, "extensions": {"cost": 1}}
"""The answer to OK: every operation costs at least 1 (API.md "Limits")."""
VARIABLES_QUERY = "query Q($b: Boolean!) { __typename @include(if: $b) }"


def codes(body: dict[str, Any]) -> list[str | None]:
    return [error.get("extensions", {}).get("code") for error in body["errors"]]


def assert_request_error(response: httpx.Response, status: int, media_type: str, code: str) -> None:
    """A request error: `status`, `media_type`, errors all with `code`, and no `data` entry."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == media_type
    body = response.json()
    assert "data" not in body, body
    assert body["errors"], body
    assert set(codes(body)) == {code}, body


async def post(
    http: httpx.AsyncClient, payload: object, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await http.post("/graphql", json=payload, headers=headers)


@asynccontextmanager
async def client_for(database_url: str, **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app of its own, built with settings `overrides`."""
    other = create_app(make_settings(database_url, **overrides))
    async with other.router.lifespan_context(other):
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
