"""Helpers that keep tests short: a GraphQL client and error assertions."""

import itertools
import json
from typing import Any

import httpx
from sqlalchemy import Executable, Row, select
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.relay.utils import from_base64

from app.db.base import Base
from tests.leaks import LEAKS

SIGNUP = """
mutation Signup($input: SignupInput!) {
  signup(input: $input) {
    accessToken refreshToken tokenType expiresIn
    user { id name email createdAt }
  }
}
"""
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken tokenType expiresIn user { id email } }
}
"""
REFRESH = """
mutation Refresh($token: String!) {
  refreshToken(refreshToken: $token) {
    accessToken refreshToken tokenType expiresIn user { id email }
  }
}
"""
LOGOUT = "mutation { logout }"
ME = "{ me { id name email } }"
PASSWORD = "correct horse battery"
LEAKS.record_secret(PASSWORD)
_emails = itertools.count(1)


class GraphQLClient:
    """POSTs GraphQL operations to `/graphql` and returns the decoded response body."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
    ) -> dict[str, Any]:
        headers = {"accept": "application/json"}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def signup(
        self, *, email: str | None = None, password: str = PASSWORD, name: str = "Test User"
    ) -> dict[str, Any]:
        """Sign a new user up and return the `AuthPayload`; fails the test on any error."""
        email = email or f"user{next(_emails)}@example.com"
        body = await self.execute(
            SIGNUP, {"input": {"email": email, "password": password, "name": name}}
        )
        assert "errors" not in body, body
        payload: dict[str, Any] = body["data"]["signup"]
        return payload

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        """Log in and return the `AuthPayload`; fails the test on any error."""
        body = await self.execute(LOGIN, {"input": {"email": email, "password": password}})
        assert "errors" not in body, body
        payload: dict[str, Any] = body["data"]["login"]
        return payload

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        """The raw response to `refreshToken(refreshToken: ...)`."""
        return await self.execute(REFRESH, {"token": refresh_token})


def without_cost(body: dict[str, Any]) -> dict[str, Any]:
    """`body` without its `extensions`, once they are checked to hold exactly the operation's
    cost (API.md "Limits": every executed response carries `extensions.cost`, at least 1)."""
    extensions = body.get("extensions")
    assert isinstance(extensions, dict), body
    assert set(extensions) == {"cost"}, body
    assert isinstance(extensions["cost"], int), body
    assert extensions["cost"] >= 1, body
    return {key: value for key, value in body.items() if key != "extensions"}


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def assert_error(body: dict[str, Any], code: str, *, field: str | None = None) -> dict[str, Any]:
    """Assert that `body` carries exactly one error, with `code` (and `field`); return it."""
    assert error_codes(body) == [code], body
    error: dict[str, Any] = body["errors"][0]
    if field is not None:
        assert error["extensions"].get("field") == field, error
    return error


def user_pk(payload: dict[str, Any]) -> int:
    """The database id of the user in an `AuthPayload`."""
    type_name, pk = from_base64(payload["user"]["id"])
    assert type_name == "User", payload
    return int(pk)


async def fetch_all(engine: AsyncEngine, statement: Executable) -> list[Row[Any]]:
    """The rows `statement` returns, read on a connection of its own."""
    async with engine.connect() as connection:
        return list((await connection.execute(statement)).all())


async def database_text(engine: AsyncEngine) -> str:
    """Every value of every row of every table, one per line: search it for leaked secrets."""
    values = [
        str(value)
        for table in Base.metadata.sorted_tables
        for row in await fetch_all(engine, select(table))
        for value in row
    ]
    return "\n".join(values)


async def post_escaped(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    *,
    token: str | None = None,
) -> httpx.Response:
    """POST `query` as JSON with every non-ASCII character escaped, so a lone surrogate
    travels as `\\ud800`, as any JSON client may send it."""
    headers = {"content-type": "application/json", "accept": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables})
    return await http.post("/graphql", content=body, headers=headers)


async def execute_escaped(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    *,
    token: str | None = None,
) -> dict[str, Any]:
    """`post_escaped`, answered 200; returns the decoded body."""
    response = await post_escaped(http, query, variables, token=token)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def assert_bad_request(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    *,
    token: str | None = None,
) -> None:
    """The request is refused whole by the transport: 400 `BAD_REQUEST`, nothing run."""
    response = await post_escaped(http, query, variables, token=token)
    assert response.status_code == 400, response.text
    body = response.json()
    assert "data" not in body, body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_REQUEST"], body
