"""`/graphql` over HTTP, in-process (API.md "Transport" and "Errors", GraphQL-over-HTTP spec):
status code, content type and body shape for each media type the client may accept,
request errors (no `data` entry), and `Accept` negotiation.
"""

from typing import Any

import httpx
import pytest

from tests.http_helpers import (
    ACCEPT_GRAPHQL_RESPONSE,
    ACCEPT_JSON,
    GRAPHQL_RESPONSE_JSON,
    JSON,
    OK,
    OK_BODY,
    VARIABLES_QUERY,
    assert_request_error,
    post,
)

PARSE_ERROR = "{ __typename"
VALIDATION_ERROR = "{ noSuchField }"
# Introspection nested past the depth limits (fields -> type -> fields -> ...).
TOO_DEEP = '{ __type(name: "Query") ' + "{ fields { type " * 4 + "{ name }" + " } }" * 4 + " }"
TOO_MANY_TOKENS = "{ " + "__typename " * 5001 + "}"  # the schema's MaxTokensLimiter: 5000

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


async def post_without_accept(http: httpx.AsyncClient, payload: object) -> httpx.Response:
    """POST with no `Accept` header at all (httpx sends `*/*` unless it is removed)."""
    request = http.build_request("POST", "/graphql", json=payload)
    del request.headers["accept"]
    return await http.send(request)


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
