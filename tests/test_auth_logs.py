"""Issue 7 "Logs": failed logins and refused tokens are logged at INFO with the user id (when
known), the client IP and the request id, never the password, token or hash; SQL parameters
never reach a log or an error message.
"""

import logging
from typing import Any

import httpx
import pytest
from jose import jwt
from sqlalchemy import exc, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.engine import create_engine
from app.db.models import users
from app.logs import RequestIdFilter
from tests.helpers import LOGIN, ME, PASSWORD, REFRESH, GraphQLClient, fetch_all, user_pk

CLIENT_IP = "127.0.0.1"  # httpx's ASGI transport's client address


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """`caplog` at INFO, each record with its `request_id` as the server's handler adds it."""
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    return caplog


async def send(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> tuple[dict[str, Any], str]:
    """The body of a GraphQL POST and the request id it was served under."""
    headers = {"accept": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = response.json()
    return body, response.headers["x-request-id"]


def lines(records: list[logging.LogRecord], start: str) -> list[logging.LogRecord]:
    return [r for r in records if r.getMessage().startswith(start) and r.levelno == logging.INFO]


async def test_a_failed_login_is_logged_with_user_ip_and_request_id_but_no_secret(
    api: GraphQLClient,
    http: httpx.AsyncClient,
    engine: AsyncEngine,
    logs: pytest.LogCaptureFixture,
) -> None:
    payload = await api.signup(email="ann@example.com")
    wrong = "wrong horse battery staple"
    _, known_id = await send(
        http, LOGIN, {"input": {"email": "ann@example.com", "password": wrong}}
    )
    _, unknown_id = await send(
        http, LOGIN, {"input": {"email": "nobody@example.com", "password": wrong}}
    )

    known, unknown = lines(logs.records, "login failed")
    assert (known.user_id, known.client_ip, known.request_id) == (  # type: ignore[attr-defined]
        user_pk(payload),
        CLIENT_IP,
        known_id,
    )
    assert (unknown.user_id, unknown.client_ip, unknown.request_id) == (  # type: ignore[attr-defined]
        None,
        CLIENT_IP,
        unknown_id,
    )
    assert str(user_pk(payload)) in known.getMessage()
    assert CLIENT_IP in known.getMessage()
    password_hash = (await fetch_all(engine, select(users.c.password_hash)))[0][0]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in logs.records)
    for secret in (wrong, PASSWORD, password_hash, payload["accessToken"], payload["refreshToken"]):
        assert secret not in logged


async def test_a_refused_access_token_is_logged_once_per_request(
    api: GraphQLClient, http: httpx.AsyncClient, logs: pytest.LogCaptureFixture
) -> None:
    payload = await api.signup()
    token = payload["accessToken"]
    forged = jwt.encode({**jwt.get_unverified_claims(token), "exp": "9999999999"}, "other-key")
    _, forged_id = await send(http, f"{{ a: {ME[1:-1]} b: {ME[1:-1]} }}", {}, forged)
    await send(http, "mutation { logout }", {}, token)
    _, revoked_id = await send(http, ME, {}, token)

    invalid, revoked = lines(logs.records, "access token refused")
    assert (invalid.user_id, invalid.client_ip, invalid.request_id) == (  # type: ignore[attr-defined]
        None,
        CLIENT_IP,
        forged_id,
    )
    assert (revoked.user_id, revoked.request_id) == (user_pk(payload), revoked_id)  # type: ignore[attr-defined]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in logs.records)
    assert token not in logged
    assert forged not in logged


async def test_a_refused_refresh_token_is_logged_without_it(
    api: GraphQLClient, http: httpx.AsyncClient, logs: pytest.LogCaptureFixture
) -> None:
    _, request_id = await send(http, REFRESH, {"token": "not-a-refresh-token-at-all"})
    (refused,) = lines(logs.records, "refresh token refused")
    assert (refused.client_ip, refused.request_id) == (CLIENT_IP, request_id)  # type: ignore[attr-defined]
    assert "not-a-refresh-token-at-all" not in "\n".join(str(r.__dict__) for r in logs.records)


async def test_sql_parameters_never_reach_an_error_message(database_url: str) -> None:
    """The message of a failed statement (what a 500's log line records) has no parameters."""
    engine = create_engine(database_url)
    secret = "$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0$secret-hash"
    try:
        async with engine.connect() as connection:
            with pytest.raises(exc.DBAPIError) as raised:
                await connection.execute(text("SELECT :hash FROM no_such_table"), {"hash": secret})
    finally:
        await engine.dispose()
    assert "no_such_table" in str(raised.value)
    assert secret not in str(raised.value)
