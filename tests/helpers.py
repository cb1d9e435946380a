"""Helpers that keep tests short: a GraphQL client and error assertions."""

import itertools
from typing import Any

import httpx

SIGNUP = """
mutation Signup($input: SignupInput!) {
  signup(input: $input) {
    accessToken refreshToken tokenType expiresIn
    user { id name email createdAt }
  }
}
"""
PASSWORD = "correct horse battery"
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


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def assert_error(body: dict[str, Any], code: str, *, field: str | None = None) -> dict[str, Any]:
    """Assert that `body` carries exactly one error, with `code` (and `field`); return it."""
    assert error_codes(body) == [code], body
    error: dict[str, Any] = body["errors"][0]
    if field is not None:
        assert error["extensions"].get("field") == field, error
    return error
