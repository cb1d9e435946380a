"""`/graphql` over HTTP, in-process (API.md "Errors"): error masking with the request id,
the request id header, and the limits and outages of the edge (503, 413, 500).
"""

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from app.db import users
from app.errors import ServiceUnavailable
from app.http import view
from app.logs import RequestIdFilter
from app.request_id import current_request_id
from tests.helpers import PASSWORD
from tests.http_helpers import (
    ACCEPT_GRAPHQL_RESPONSE,
    ACCEPT_JSON,
    GRAPHQL_RESPONSE_JSON,
    JSON,
    OK,
    assert_request_error,
    client_for,
    codes,
    post,
)

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken }
}
"""


# --- Errors and the request id -----------------------------------------------------------------


async def test_unexpected_error_is_masked_with_the_logged_request_id(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    async def broken_login(*_args: object, **_kwargs: object) -> object:
        seen.append(current_request_id())
        raise RuntimeError("boom: SELECT password_hash FROM users")

    monkeypatch.setattr(users, "login_of", broken_login)
    caplog.handler.addFilter(RequestIdFilter())
    variables = {"input": {"email": "ann@example.com", "password": PASSWORD}}
    with caplog.at_level(logging.ERROR):
        response = await post(http, {"query": LOGIN, "variables": variables}, ACCEPT_JSON)

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == "Internal server error"
    assert error["path"] == ["login"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    request_id = response.headers["x-request-id"]
    assert error["extensions"]["requestId"] == request_id
    assert seen == [request_id]
    logged = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [getattr(record, "request_id", None) for record in logged] == [request_id]
    assert logged[0].exc_info is not None
    for leak in ("RuntimeError", "Traceback", "boom", "password_hash", "broken_login"):
        assert leak not in response.text


async def test_field_error_keeps_200_with_graphql_response_json(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Execution ran (data is null, not absent): a field error is not a request error."""

    async def broken_login(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(users, "login_of", broken_login)
    variables = {"input": {"email": "ann@example.com", "password": PASSWORD}}
    response = await post(http, {"query": LOGIN, "variables": variables}, ACCEPT_GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert response.json()["data"] is None
    assert codes(response.json()) == ["INTERNAL_SERVER_ERROR"]


async def test_client_request_id_is_echoed(http: httpx.AsyncClient) -> None:
    headers = {**ACCEPT_JSON, "x-request-id": "client-chosen-id-42"}
    response = await post(http, {"query": OK}, headers)
    assert response.headers["x-request-id"] == "client-chosen-id-42"


async def test_malformed_request_id_is_replaced(http: httpx.AsyncClient) -> None:
    headers = {**ACCEPT_JSON, "x-request-id": "bad id with spaces"}
    response = await post(http, {"query": OK}, headers)
    assert response.headers["x-request-id"] not in ("", "bad id with spaces")


# --- Limits and outages ----------------------------------------------------------------------


@pytest.mark.parametrize("accept", [ACCEPT_JSON, ACCEPT_GRAPHQL_RESPONSE, {}])
async def test_service_unavailable_is_503_with_retry_after(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, accept: dict[str, str]
) -> None:
    """API.md "Errors": 503, `application/graphql-response+json` whatever was negotiated."""

    async def database_down(*_args: object, **_kwargs: object) -> object:
        raise ServiceUnavailable(retry_after=7)

    monkeypatch.setattr(users, "login_of", database_down)
    variables = {"input": {"email": "ann@example.com", "password": PASSWORD}}
    response = await post(http, {"query": LOGIN, "variables": variables}, accept)
    assert response.status_code == 503
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert response.headers["retry-after"] == "7"
    assert response.headers["x-request-id"]
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE", "retryAfter": 7}


@pytest.mark.parametrize("accept", [ACCEPT_JSON, ACCEPT_GRAPHQL_RESPONSE])
async def test_body_over_the_limit_is_413(database_url: str, accept: dict[str, str]) -> None:
    body = json.dumps({"query": OK, "variables": {"pad": ""}}).encode()
    limit = len(body) + 10
    fits = json.dumps({"query": OK, "variables": {"pad": "x" * 10}}).encode()
    over = json.dumps({"query": OK, "variables": {"pad": "x" * 11}}).encode()
    headers = {**accept, "content-type": "application/json"}

    async def chunked(data: bytes) -> AsyncIterator[bytes]:
        for start in range(0, len(data), 7):
            yield data[start : start + 7]

    async with client_for(database_url, max_body_bytes=limit) as client:
        ok = await client.post("/graphql", content=fits, headers=headers)
        assert ok.status_code == 200, ok.text
        for content in (over, chunked(over)):  # declared, then undeclared (no Content-Length)
            response = await client.post("/graphql", content=content, headers=headers)
            assert response.status_code == 413
            assert response.headers["connection"] == "close"
            assert response.headers["x-request-id"]
            media_type = JSON if accept == ACCEPT_JSON else GRAPHQL_RESPONSE_JSON
            assert_request_error(response, 413, media_type, "PAYLOAD_TOO_LARGE")
        undeclared = await client.post("/graphql", content=chunked(fits), headers=headers)
        assert undeclared.status_code == 200


async def test_unexpected_transport_error_is_a_logged_500_with_the_request_id(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_accept: str | None) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(view, "negotiate", broken)
    with caplog.at_level(logging.ERROR):
        response = await post(http, {"query": OK})
    assert response.status_code == 500
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    [error] = response.json()["errors"]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": response.headers["x-request-id"],
    }
    assert any(record.exc_info for record in caplog.records)
    assert "boom" not in response.text
