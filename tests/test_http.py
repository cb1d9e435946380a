"""`/graphql` over HTTP, in-process (API.md "Transport" and "Errors", GraphQL-over-HTTP spec).

Status code, content type and body shape for each media type the client may
accept, request errors (no `data` entry), method and content-type refusals,
error masking with the request id, GraphiQL, production hardening and CORS.
"""

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from app.db import users
from app.errors import ServiceUnavailable
from app.http import view
from app.logs import RequestIdFilter
from app.main import create_app
from app.request_id import current_request_id
from tests.conftest import make_settings
from tests.helpers import PASSWORD

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json; charset=utf-8"
JSON = "application/json; charset=utf-8"
ACCEPT_GRAPHQL_RESPONSE = {"accept": "application/graphql-response+json"}
ACCEPT_JSON = {"accept": "application/json"}

OK = "{ __typename }"
OK_BODY = {"data": {"__typename": "Query"}, "extensions": {"cost": 1}}
"""The answer to OK: every operation costs at least 1 (API.md "Limits")."""
PARSE_ERROR = "{ __typename"
VALIDATION_ERROR = "{ noSuchField }"
VARIABLES_QUERY = "query Q($b: Boolean!) { __typename @include(if: $b) }"
INTROSPECTION = "{ __schema { types { name } } }"
# Introspection nested past the depth limits (fields -> type -> fields -> ...).
TOO_DEEP = '{ __type(name: "Query") ' + "{ fields { type " * 4 + "{ name }" + " } }" * 4 + " }"
TOO_MANY_TOKENS = "{ " + "__typename " * 5001 + "}"  # the schema's MaxTokensLimiter: 5000
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken }
}
"""

REQUEST_ERRORS = [
    pytest.param({"query": PARSE_ERROR}, "GRAPHQL_PARSE_FAILED", id="parse"),
    pytest.param({"query": VALIDATION_ERROR}, "GRAPHQL_VALIDATION_FAILED", id="validation"),
    pytest.param(
        {"query": VARIABLES_QUERY, "variables": {"b": "not a boolean"}},
        "BAD_USER_INPUT",
        id="variables",
    ),
    pytest.param(
        {"query": OK, "operationName": "NoSuchOperation"},
        "GRAPHQL_VALIDATION_FAILED",
        id="unknown-operation",
    ),
    pytest.param({"query": TOO_DEEP}, "GRAPHQL_VALIDATION_FAILED", id="depth-limit"),
    pytest.param({"query": TOO_MANY_TOKENS}, "GRAPHQL_PARSE_FAILED", id="token-limit"),
]


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


async def post_without_accept(http: httpx.AsyncClient, payload: object) -> httpx.Response:
    """POST with no `Accept` header at all (httpx sends `*/*` unless it is removed)."""
    request = http.build_request("POST", "/graphql", json=payload)
    del request.headers["accept"]
    return await http.send(request)


@asynccontextmanager
async def client_for(database_url: str, **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app of its own, built with settings `overrides`."""
    other = create_app(make_settings(database_url, **overrides))
    async with other.router.lifespan_context(other):
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


# --- Accept: application/graphql-response+json --------------------------------------------


async def test_graphql_response_json_success_is_200(http: httpx.AsyncClient) -> None:
    response = await post(http, {"query": OK}, ACCEPT_GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert response.json() == OK_BODY


@pytest.mark.parametrize(("payload", "code"), REQUEST_ERRORS)
async def test_graphql_response_json_request_errors_are_400_without_data(
    http: httpx.AsyncClient, payload: dict[str, Any], code: str
) -> None:
    response = await post(http, payload, ACCEPT_GRAPHQL_RESPONSE)
    assert_request_error(response, 400, GRAPHQL_RESPONSE_JSON, code)


async def test_depth_limit_error_names_the_limit(http: httpx.AsyncClient) -> None:
    response = await post(http, {"query": TOO_DEEP}, ACCEPT_GRAPHQL_RESPONSE)
    assert "depth" in response.json()["errors"][0]["message"].lower()


# --- Accept: application/json ----------------------------------------------------------------


async def test_json_success_is_200(http: httpx.AsyncClient) -> None:
    response = await post(http, {"query": OK}, ACCEPT_JSON)
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON
    assert response.json() == OK_BODY


@pytest.mark.parametrize(("payload", "code"), REQUEST_ERRORS)
async def test_json_request_errors_are_200_without_data(
    http: httpx.AsyncClient, payload: dict[str, Any], code: str
) -> None:
    response = await post(http, payload, ACCEPT_JSON)
    assert_request_error(response, 200, JSON, code)


# --- Negotiation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/graphql-response+json, application/json", GRAPHQL_RESPONSE_JSON),
        ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json;q=0.5, application/json", JSON),
        ("application/graphql-response+json;q=0.9, application/json;q=1.0", JSON),
        ("application/json;q=0.5, application/graphql-response+json;q=0.8", GRAPHQL_RESPONSE_JSON),
        ("text/html, application/json;q=0.9", JSON),
        ("application/json, */*", JSON),
        ("application/json;q=0, */*", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json; charset=utf-8", GRAPHQL_RESPONSE_JSON),
        ("APPLICATION/JSON", JSON),
    ],
)
async def test_accept_header_picks_the_preferred_type(
    http: httpx.AsyncClient, accept: str, media_type: str
) -> None:
    response = await post(http, {"query": OK}, {"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type


@pytest.mark.parametrize("accept", ["*/*", "application/*", None])
async def test_either_type_answers_json_for_success_and_400_for_request_errors(
    http: httpx.AsyncClient, accept: str | None
) -> None:
    """Without a preference (wildcards, or no `Accept`), success is `application/json`
    (legacy clients, graphql-http audit) and a request error keeps its 400 under
    `application/graphql-response+json` (the spec's post-watershed default)."""

    async def send(payload: dict[str, Any]) -> httpx.Response:
        if accept is None:
            return await post_without_accept(http, payload)
        return await post(http, payload, {"accept": accept})

    response = await send({"query": OK})
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON
    assert response.json() == OK_BODY

    failed = await send({"query": VALIDATION_ERROR})
    assert_request_error(failed, 400, GRAPHQL_RESPONSE_JSON, "GRAPHQL_VALIDATION_FAILED")


@pytest.mark.parametrize(
    "accept",
    [
        "text/plain",
        "application/xml, text/html",
        "application/json;q=0",
        "application/json; charset=latin1",
    ],
)
async def test_unacceptable_accept_is_406(http: httpx.AsyncClient, accept: str) -> None:
    response = await post(http, {"query": OK}, {"accept": accept})
    assert response.status_code == 406
    assert "data" not in response.json()


# --- GET --------------------------------------------------------------------------------------


async def test_get_runs_a_query(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"query": OK}, headers=ACCEPT_GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert response.json() == OK_BODY


async def test_get_takes_variables_as_json(http: httpx.AsyncClient) -> None:
    params = {"query": VARIABLES_QUERY, "variables": json.dumps({"b": True})}
    response = await http.get("/graphql", params=params, headers=ACCEPT_JSON)
    assert response.status_code == 200
    assert response.json() == OK_BODY


@pytest.mark.parametrize("accept", [ACCEPT_GRAPHQL_RESPONSE, ACCEPT_JSON])
async def test_get_mutation_is_405_allowing_post(
    http: httpx.AsyncClient, accept: dict[str, str]
) -> None:
    params = {"query": "mutation { __typename }"}
    response = await http.get("/graphql", params=params, headers=accept)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "data" not in response.json()


# --- Refused requests ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "HEAD"])
async def test_other_methods_are_405(http: httpx.AsyncClient, method: str) -> None:
    response = await http.request(method, "/graphql", headers=ACCEPT_GRAPHQL_RESPONSE)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "Application/JSON", "APPLICATION/JSON;CHARSET=UTF-8"],
)
async def test_post_json_body_is_accepted_in_any_case(
    http: httpx.AsyncClient, content_type: str
) -> None:
    headers = {**ACCEPT_GRAPHQL_RESPONSE, "content-type": content_type}
    response = await http.post("/graphql", content=json.dumps({"query": OK}), headers=headers)
    assert response.status_code == 200
    assert response.json() == OK_BODY


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_post_body_that_is_not_json_is_415(
    http: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {
        **ACCEPT_GRAPHQL_RESPONSE,
        **({"content-type": content_type} if content_type else {}),
    }
    response = await http.post("/graphql", content=json.dumps({"query": OK}), headers=headers)
    assert response.status_code == 415
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert "data" not in response.json()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"query":', id="malformed-json"),
        pytest.param("{}", id="missing-query"),
        pytest.param('{"qeury": "{ __typename }"}', id="misspelt-query"),
        pytest.param('{"query": 1}', id="query-not-a-string"),
        pytest.param('{"query": "{ __typename }", "variables": [7]}', id="variables-not-a-map"),
        pytest.param("null", id="null"),
        pytest.param("123", id="number"),
        pytest.param('"x"', id="string"),
        pytest.param("[]", id="batch"),
        pytest.param('{"query": "{ __typename }", "operationName": 1}', id="name-not-a-string"),
        pytest.param('{"query": "{ __typename }", "extensions": "x"}', id="extensions-not-a-map"),
        pytest.param('{"query": "{ a }", "variables": {"s": "a\\ud800b"}}', id="lone-surrogate"),
        pytest.param(
            '{"query": "{ a }", "variables": {"v": ' + "[" * 1000 + "]" * 1000 + "}}",
            id="nested-1000",
        ),
        pytest.param(
            '{"query": "{ a }", "variables": {"v": ' + "[" * 65 + "]" * 65 + "}}", id="nested-65"
        ),
    ],
)
@pytest.mark.parametrize(
    ("accept", "media_type"),
    [(ACCEPT_GRAPHQL_RESPONSE, GRAPHQL_RESPONSE_JSON), (ACCEPT_JSON, JSON)],
)
async def test_request_that_is_not_well_formed_is_400(
    http: httpx.AsyncClient, body: str, accept: dict[str, str], media_type: str
) -> None:
    headers = {**accept, "content-type": "application/json"}
    response = await http.post("/graphql", content=body, headers=headers)
    assert_request_error(response, 400, media_type, "BAD_REQUEST")
    assert response.json()["errors"][0]["message"]
    assert response.headers["x-request-id"]


async def test_body_that_is_not_utf8_is_400(http: httpx.AsyncClient) -> None:
    headers = {**ACCEPT_GRAPHQL_RESPONSE, "content-type": "application/json"}
    body = b'{"query": "{ __typename }", "variables": {"s": "\xff\xfe"}}'
    response = await http.post("/graphql", content=body, headers=headers)
    assert_request_error(response, 400, GRAPHQL_RESPONSE_JSON, "BAD_REQUEST")
    assert "UTF-8" in response.json()["errors"][0]["message"]


async def test_nesting_within_the_bound_reaches_graphql(http: httpx.AsyncClient) -> None:
    """64 levels (the bound) are parsed; the variable is then refused by GraphQL itself."""
    nested = "[" * 62 + "]" * 62  # the body and `variables` are two levels
    body = '{"query": "query Q($b: Boolean!) { __typename @include(if: $b) }", '
    body += '"variables": {"b": ' + nested + "}}"
    headers = {**ACCEPT_GRAPHQL_RESPONSE, "content-type": "application/json"}
    response = await http.post("/graphql", content=body, headers=headers)
    assert_request_error(response, 400, GRAPHQL_RESPONSE_JSON, "BAD_USER_INPUT")


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"query": OK, "variables": "[1]"}, id="variables-not-a-map"),
        pytest.param({"query": OK, "variables": "{"}, id="variables-not-json"),
        pytest.param({"query": OK, "extensions": "7"}, id="extensions-not-a-map"),
        pytest.param({"query": OK, "variables": '{"s": "\\udc00"}'}, id="lone-surrogate"),
        pytest.param({}, id="no-query"),
    ],
)
async def test_get_that_is_not_well_formed_is_400(
    http: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await http.get("/graphql", params=params, headers=ACCEPT_GRAPHQL_RESPONSE)
    assert_request_error(response, 400, GRAPHQL_RESPONSE_JSON, "BAD_REQUEST")


@pytest.mark.parametrize(
    ("accept", "status", "media_type"),
    [(ACCEPT_GRAPHQL_RESPONSE, 400, GRAPHQL_RESPONSE_JSON), (ACCEPT_JSON, 200, JSON)],
)
async def test_several_operations_need_an_operation_name(
    http: httpx.AsyncClient, accept: dict[str, str], status: int, media_type: str
) -> None:
    """GraphQL spec, GetOperation(): without `operationName` nothing runs, not the first one."""
    document = "query A { __typename } mutation B { logout }"
    response = await post(http, {"query": document}, accept)
    assert_request_error(response, status, media_type, "GRAPHQL_VALIDATION_FAILED")
    assert "operation name" in response.json()["errors"][0]["message"]
    named = await post(http, {"query": document, "operationName": "A"}, accept)
    assert named.status_code == 200
    assert named.json() == {"data": {"__typename": "Query"}, "extensions": {"cost": 1}}


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


# --- GraphiQL, production, CORS ----------------------------------------------------------------


async def test_graphiql_is_served_to_browsers(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_graphiql_off_is_404(database_url: str) -> None:
    async with client_for(database_url, graphiql=False) as client:
        response = await client.get("/graphql", headers={"accept": "text/html"})
        assert response.status_code == 404
        still_served = await post(client, {"query": OK}, ACCEPT_GRAPHQL_RESPONSE)
        assert still_served.json() == OK_BODY


async def test_introspection_works_outside_production(http: httpx.AsyncClient) -> None:
    response = await post(http, {"query": INTROSPECTION}, ACCEPT_GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert {"name": "Query"} in response.json()["data"]["__schema"]["types"]


async def test_production_disables_introspection_and_graphiql(database_url: str) -> None:
    overrides = {"environment": "production", "jwt_secret": "p" * 40}
    async with client_for(database_url, **overrides) as client:
        response = await post(client, {"query": INTROSPECTION}, ACCEPT_GRAPHQL_RESPONSE)
        assert_request_error(response, 400, GRAPHQL_RESPONSE_JSON, "GRAPHQL_VALIDATION_FAILED")
        assert "introspection" in response.json()["errors"][0]["message"].lower()
        ide = await client.get("/graphql", headers={"accept": "text/html"})
        assert ide.status_code == 404
        still_served = await post(client, {"query": OK}, ACCEPT_GRAPHQL_RESPONSE)
        assert still_served.json() == OK_BODY


PREFLIGHT = {
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type, authorization",
}


async def test_cors_preflight_from_an_allowed_origin(database_url: str) -> None:
    async with client_for(database_url, cors_origins=["https://app.example"]) as client:
        headers = {**PREFLIGHT, "origin": "https://app.example"}
        response = await client.options("/graphql", headers=headers)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://app.example"
        assert "POST" in response.headers["access-control-allow-methods"]

        headers = {**ACCEPT_JSON, "origin": "https://app.example"}
        actual = await post(client, {"query": OK}, headers)
        assert actual.headers["access-control-allow-origin"] == "https://app.example"
        assert "x-request-id" in actual.headers["access-control-expose-headers"].lower()


async def test_cors_refuses_other_origins(database_url: str) -> None:
    async with client_for(database_url, cors_origins=["https://app.example"]) as client:
        headers = {**PREFLIGHT, "origin": "https://evil.example"}
        response = await client.options("/graphql", headers=headers)
        assert response.status_code == 400
        assert "access-control-allow-origin" not in response.headers

        headers = {**ACCEPT_JSON, "origin": "https://evil.example"}
        actual = await post(client, {"query": OK}, headers)
        assert "access-control-allow-origin" not in actual.headers


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
