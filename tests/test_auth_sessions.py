"""API.md "Authentication": refresh token rotation, reuse detection, and logout."""

import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from jose import jwt
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.db.base import utcnow
from app.db.models import RefreshToken, Session
from app.main import create_app
from tests.helpers import LOGOUT, ME, GraphQLClient, assert_error, database_text, fetch_all


def sid(payload: dict[str, Any]) -> str:
    """The session id inside an `AuthPayload`'s access token."""
    return str(jwt.get_unverified_claims(payload["accessToken"])["sid"])


async def is_signed_in(api: GraphQLClient, access_token: str) -> bool:
    """True if `me` accepts the token; False if it is refused as UNAUTHENTICATED."""
    body = await api.execute(ME, token=access_token)
    if "errors" in body:
        assert_error(body, "UNAUTHENTICATED")
        return False
    return body["data"]["me"] is not None


async def revoked_sessions(engine: AsyncEngine) -> int:
    rows = await fetch_all(engine, select(Session.id).where(Session.revoked_at.is_not(None)))
    return len(rows)


@pytest.fixture
async def other_instance(settings: Settings, engine: AsyncEngine) -> AsyncIterator[GraphQLClient]:
    """A client of a second server instance on the same database."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://other") as http:
            yield GraphQLClient(http)


# refreshToken


async def test_refresh_returns_a_new_pair_for_the_same_session(api: GraphQLClient) -> None:
    signup = await api.signup(email="ann@example.com")
    body = await api.refresh(signup["refreshToken"])
    assert "errors" not in body, body
    pair = body["data"]["refreshToken"]
    assert pair["tokenType"] == "Bearer"
    assert pair["expiresIn"] == 900
    assert pair["user"] == {"id": signup["user"]["id"], "email": "ann@example.com"}
    assert pair["refreshToken"] != signup["refreshToken"]
    assert pair["accessToken"] != signup["accessToken"]
    assert sid(pair) == sid(signup)
    assert await is_signed_in(api, pair["accessToken"])
    assert "errors" not in await api.refresh(pair["refreshToken"])


async def test_reusing_a_retired_refresh_token_revokes_the_whole_session(
    api: GraphQLClient, engine: AsyncEngine
) -> None:
    signup = await api.signup(email="ann@example.com")
    other = await api.login("ann@example.com")
    rotated = (await api.refresh(signup["refreshToken"]))["data"]["refreshToken"]

    reuse = await api.refresh(signup["refreshToken"])
    assert_error(reuse, "UNAUTHENTICATED")
    assert await revoked_sessions(engine) == 1
    assert_error(await api.refresh(rotated["refreshToken"]), "UNAUTHENTICATED")
    assert not await is_signed_in(api, rotated["accessToken"])
    assert not await is_signed_in(api, signup["accessToken"])
    # the user's other session is untouched
    assert await is_signed_in(api, other["accessToken"])
    assert "errors" not in await api.refresh(other["refreshToken"])


async def test_an_unknown_refresh_token_is_refused_and_revokes_nothing(
    api: GraphQLClient, engine: AsyncEngine
) -> None:
    signup = await api.signup()
    for unknown in ["not-a-token", signup["refreshToken"][:-1], signup["accessToken"]]:
        assert_error(await api.refresh(unknown), "UNAUTHENTICATED")
    assert await revoked_sessions(engine) == 0
    assert await is_signed_in(api, signup["accessToken"])
    assert "errors" not in await api.refresh(signup["refreshToken"])


async def test_an_expired_refresh_token_is_refused(api: GraphQLClient, engine: AsyncEngine) -> None:
    signup = await api.signup()
    async with engine.begin() as connection:
        await connection.execute(
            update(RefreshToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert_error(await api.refresh(signup["refreshToken"]), "UNAUTHENTICATED")
    assert await revoked_sessions(engine) == 0


async def test_refresh_works_while_the_access_token_sent_with_it_has_expired(
    api: GraphQLClient, settings: Settings
) -> None:
    """refreshToken needs no access token, so a stale one in the header does not block it."""
    signup = await api.signup()
    claims = jwt.get_unverified_claims(signup["accessToken"])
    expired = jwt.encode(
        {**claims, "iat": claims["iat"] - 901, "exp": claims["iat"] - 1},
        settings.jwt_key,
        algorithm="HS256",
    )
    assert not await is_signed_in(api, expired)
    body = await api.execute(
        "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }",
        {"t": signup["refreshToken"]},
        token=expired,
    )
    assert "errors" not in body, body


async def test_only_sha256_hashes_of_refresh_tokens_are_stored(
    api: GraphQLClient, engine: AsyncEngine
) -> None:
    signup = await api.signup()
    rotated = (await api.refresh(signup["refreshToken"]))["data"]["refreshToken"]
    tokens = [signup["refreshToken"], rotated["refreshToken"]]
    stored = {row.token_hash for row in await fetch_all(engine, select(RefreshToken.token_hash))}
    assert stored == {hashlib.sha256(token.encode()).hexdigest() for token in tokens}
    everything = await database_text(engine)
    for secret in [*tokens, signup["accessToken"], rotated["accessToken"]]:
        assert secret not in everything


# logout


async def test_logout_revokes_only_the_callers_session(api: GraphQLClient) -> None:
    first = await api.signup(email="ann@example.com")
    second = await api.login("ann@example.com")
    body = await api.execute(LOGOUT, token=first["accessToken"])
    assert body == {"data": {"logout": True}, "extensions": {"cost": 1}}

    assert not await is_signed_in(api, first["accessToken"])
    assert_error(await api.refresh(first["refreshToken"]), "UNAUTHENTICATED")
    assert_error(await api.execute(LOGOUT, token=first["accessToken"]), "UNAUTHENTICATED")
    assert await is_signed_in(api, second["accessToken"])
    assert "errors" not in await api.refresh(second["refreshToken"])


async def test_logout_is_seen_by_every_server_instance(
    api: GraphQLClient, other_instance: GraphQLClient
) -> None:
    first = await api.signup()
    assert await is_signed_in(other_instance, first["accessToken"])
    assert (await api.execute(LOGOUT, token=first["accessToken"]))["data"] == {"logout": True}
    assert not await is_signed_in(other_instance, first["accessToken"])
    assert_error(await other_instance.refresh(first["refreshToken"]), "UNAUTHENTICATED")
