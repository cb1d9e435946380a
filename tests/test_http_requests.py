"""`/graphql` over HTTP, in-process (API.md "Transport", GraphQL-over-HTTP spec): GET,
method and content-type refusals, requests that are not well formed, and documents with
several operations.
"""

import json

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
