"""`/graphql` over HTTP, in-process: what the deployment's settings change at the edge,
GraphiQL, production hardening (no introspection, no GraphiQL) and CORS.
"""

import httpx

from tests.http_helpers import (
    ACCEPT_GRAPHQL_RESPONSE,
    ACCEPT_JSON,
    GRAPHQL_RESPONSE_JSON,
    OK,
    OK_BODY,
    assert_request_error,
    client_for,
    post,
)

INTROSPECTION = "{ __schema { types { name } } }"


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
