"""API.md "Authentication": the access token, the Authorization header, and `me`.

Forged tokens are signed with the server's own key (`settings.jwt_key`), so
each one is refused for the reason its name gives and not for a bad signature.
"""

import base64
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from jose import jwt
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.db.base import utcnow
from app.db.models import Session
from tests.helpers import LOGOUT, ME, GraphQLClient, assert_error, fetch_all, user_pk

Claims = dict[str, Any]
Forgery = Callable[[str, Claims, str], str]  # (genuine token, its claims, key) -> token


def sign(claims: Claims, key: str, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def b64url(data: Claims) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def change_char(token: str, part: int) -> str:
    """`token` with one character in the middle of its `part` (0-2) replaced."""
    parts = token.split(".")
    middle = len(parts[part]) // 2
    old = parts[part][middle]
    parts[part] = parts[part][:middle] + ("B" if old == "A" else "A") + parts[part][middle + 1 :]
    return ".".join(parts)


def swap_payload(token: str, claims: Claims) -> str:
    """`token` with its payload replaced by `claims`, keeping the original signature."""
    header, _, signature = token.split(".")
    return f"{header}.{b64url(claims)}.{signature}"


def without(claims: Claims, name: str) -> Claims:
    return {key: value for key, value in claims.items() if key != name}


FORGERIES: dict[str, Forgery] = {
    "not a jwt": lambda token, claims, key: "not-a-jwt",
    "payload changed": lambda token, claims, key: change_char(token, 1),
    "signature changed": lambda token, claims, key: change_char(token, 2),
    "payload swapped": lambda token, claims, key: swap_payload(token, {**claims, "sub": "999"}),
    "signature stripped": lambda token, claims, key: token.rsplit(".", 1)[0] + ".",
    "other secret": lambda token, claims, key: sign(claims, key + "-other"),
    "expired": lambda token, claims, key: sign(
        {**claims, "iat": claims["iat"] - 901, "exp": claims["iat"] - 1}, key
    ),
    "alg none": lambda token, claims, key: (
        f"{b64url({'alg': 'none', 'typ': 'JWT'})}.{b64url(claims)}."
    ),
    "alg HS384": lambda token, claims, key: sign(claims, key, "HS384"),
    "alg HS512": lambda token, claims, key: sign(claims, key, "HS512"),
    "wrong iss": lambda token, claims, key: sign({**claims, "iss": "someone-else"}, key),
    "wrong aud": lambda token, claims, key: sign({**claims, "aud": "someone-else"}, key),
    "no sub": lambda token, claims, key: sign(without(claims, "sub"), key),
    "no sid": lambda token, claims, key: sign(without(claims, "sid"), key),
    "no exp": lambda token, claims, key: sign(without(claims, "exp"), key),
    "no iss": lambda token, claims, key: sign(without(claims, "iss"), key),
    "no aud": lambda token, claims, key: sign(without(claims, "aud"), key),
    "unknown sid": lambda token, claims, key: sign({**claims, "sid": str(uuid.uuid4())}, key),
    "sid not a uuid": lambda token, claims, key: sign({**claims, "sid": "1"}, key),
}


def retyped(name: str, value: Any) -> Forgery:
    """A forgery signed with the key whose claim `name` is `value`, of the wrong type."""
    return lambda token, claims, key: sign({**claims, name: value}, key)


# Registered claims of the wrong JSON type (RFC 7519 §4.1): each is refused on its own.
WRONG_TYPES: dict[str, Forgery] = {
    "exp a string": retyped("exp", "9999999999"),
    "exp a boolean": retyped("exp", True),
    "exp a list": retyped("exp", [9999999999]),
    "iat a string": retyped("iat", "0"),
    "iat a boolean": retyped("iat", False),
    "nbf a string": retyped("nbf", "0"),
    "nbf null": retyped("nbf", None),
    "sub a number": lambda token, claims, key: sign({**claims, "sub": int(claims["sub"])}, key),
    "sub not decimal": lambda token, claims, key: sign({**claims, "sub": f"+{claims['sub']}"}, key),
    "sub non-ascii digits": lambda token, claims, key: sign(
        {**claims, "sub": "".join(chr(0x660 + int(d)) for d in claims["sub"])}, key
    ),
    "sub padded": lambda token, claims, key: sign({**claims, "sub": f" {claims['sub']}"}, key),
    "sid a number": lambda token, claims, key: sign(
        {**claims, "sid": uuid.UUID(claims["sid"]).int}, key
    ),
    "sid not canonical": lambda token, claims, key: sign(
        {**claims, "sid": uuid.UUID(claims["sid"]).hex}, key
    ),
    "iss a list": lambda token, claims, key: sign({**claims, "iss": [claims["iss"]]}, key),
    "aud a number": retyped("aud", 1),
    "aud an object": lambda token, claims, key: sign({**claims, "aud": {"a": claims["aud"]}}, key),
}
FORGERIES.update(WRONG_TYPES)


async def me_with_header(http: httpx.AsyncClient, authorization: str) -> dict[str, Any]:
    """`me`, sent with a raw `Authorization` header."""
    headers = {"accept": "application/json", "authorization": authorization}
    response = await http.post("/graphql", json={"query": ME}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# the access token


async def test_access_token_is_an_hs256_jwt_with_the_required_claims(
    api: GraphQLClient, engine: AsyncEngine, settings: Settings
) -> None:
    payload = await api.signup()
    token = payload["accessToken"]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(
        token,
        settings.jwt_key,
        algorithms=["HS256"],
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )
    assert {"sub", "sid", "jti", "iat", "exp", "iss", "aud"} <= claims.keys()
    assert claims["sub"] == str(user_pk(payload))
    assert [row.id for row in await fetch_all(engine, select(Session.id))] == [
        uuid.UUID(claims["sid"])
    ]
    assert claims["exp"] - claims["iat"] == 900 == payload["expiresIn"]
    assert (claims["iss"], claims["aud"]) == ("tasktracker", "tasktracker")


async def test_every_access_token_has_its_own_jti(api: GraphQLClient) -> None:
    signup = await api.signup(email="ann@example.com")
    login = await api.login("ann@example.com")
    refreshed = (await api.refresh(login["refreshToken"]))["data"]["refreshToken"]
    tokens = [signup["accessToken"], login["accessToken"], refreshed["accessToken"]]
    assert len({jwt.get_unverified_claims(token)["jti"] for token in tokens}) == 3


# me and the Authorization header


async def test_me_is_null_without_a_token(api: GraphQLClient) -> None:
    assert await api.execute(ME) == {"data": {"me": None}, "extensions": {"cost": 1}}


async def test_me_is_the_owner_of_a_valid_token(api: GraphQLClient) -> None:
    payload = await api.signup(email="ann@example.com", name="Ann")
    body = await api.execute(ME, token=payload["accessToken"])
    assert body == {
        "data": {"me": {"id": payload["user"]["id"], "name": "Ann", "email": "ann@example.com"}},
        "extensions": {"cost": 1},
    }


async def test_bearer_scheme_is_case_insensitive(
    api: GraphQLClient, http: httpx.AsyncClient
) -> None:
    token = (await api.signup())["accessToken"]
    assert (await me_with_header(http, f"bearer {token}"))["data"]["me"] is not None


@pytest.mark.parametrize(
    "authorization",
    ["Basic {token}", "Basic YW5uOnBhc3N3b3Jk", "Token {token}", "{token}", "Bearer", "Bearer "],
)
async def test_a_header_that_is_not_a_bearer_token_is_refused(
    api: GraphQLClient, http: httpx.AsyncClient, authorization: str
) -> None:
    token = (await api.signup())["accessToken"]
    body = await me_with_header(http, authorization.format(token=token))
    assert_error(body, "UNAUTHENTICATED")
    assert (body.get("data") or {}).get("me") is None


async def test_a_token_resigned_with_the_same_claims_is_accepted(
    api: GraphQLClient, settings: Settings
) -> None:
    """The control for the forgeries below: re-signing alone changes nothing."""
    token = (await api.signup())["accessToken"]
    resigned = sign(jwt.get_unverified_claims(token), settings.jwt_key)
    assert (await api.execute(ME, token=resigned))["data"]["me"] is not None


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
async def test_me_refuses_a_forged_or_invalid_token(
    api: GraphQLClient, settings: Settings, forge: Forgery
) -> None:
    token = (await api.signup())["accessToken"]
    forged = forge(token, jwt.get_unverified_claims(token), settings.jwt_key)
    assert forged != token
    body = await api.execute(ME, token=forged)
    assert_error(body, "UNAUTHENTICATED")
    assert (body.get("data") or {}).get("me") is None
    assert (await api.execute(ME, token=token))["data"]["me"] is not None


async def test_me_refuses_a_token_naming_another_users_session(
    api: GraphQLClient, settings: Settings
) -> None:
    ann = await api.signup()
    bob = await api.signup()
    claims = {**jwt.get_unverified_claims(ann["accessToken"]), "sub": str(user_pk(bob))}
    assert_error(await api.execute(ME, token=sign(claims, settings.jwt_key)), "UNAUTHENTICATED")


@pytest.mark.parametrize("column", ["revoked_at", "expires_at"])
async def test_me_refuses_a_token_of_a_revoked_or_expired_session(
    api: GraphQLClient, engine: AsyncEngine, column: str
) -> None:
    token = (await api.signup())["accessToken"]
    async with engine.begin() as connection:
        await connection.execute(update(Session).values({column: utcnow() - timedelta(seconds=1)}))
    assert_error(await api.execute(ME, token=token), "UNAUTHENTICATED")


# operations that need a token


async def test_logout_needs_a_valid_token(api: GraphQLClient) -> None:
    assert_error(await api.execute(LOGOUT), "UNAUTHENTICATED")
    assert_error(await api.execute(LOGOUT, token="not-a-jwt"), "UNAUTHENTICATED")


async def test_introspection_needs_no_token(api: GraphQLClient) -> None:
    body = await api.execute("{ __schema { queryType { name } } }")
    expected = {"data": {"__schema": {"queryType": {"name": "Query"}}}, "extensions": {"cost": 2}}
    assert body == expected
