"""Credentials: Argon2id password hashing off the event loop, JWT access tokens, refresh tokens.

Access tokens are HS256 JWTs verified with the algorithm pinned and `iss`,
`aud`, `exp` checked (RFC 8725 §3.1, §3.8-3.10). Refresh tokens are opaque
random strings of which only a SHA-256 hash is stored (RFC 9700 §4.14).
"""

import asyncio
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from jose import JWTError, jwt

from app.config import Settings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("sub", "jti", "iat", "exp", "iss", "aud")  # `sid` is read below
NUMERIC_CLAIMS = ("exp", "iat", "nbf")
STRING_CLAIMS = ("sub", "sid", "jti", "iss", "aud")
_DECIMAL_ID = re.compile(r"[1-9][0-9]{0,18}")  # a row id as `str(int)` writes it

_hasher = PasswordHasher()  # Argon2id, RFC 9106 low-memory profile
# Verified against when an email is unknown, so both failures cost the same.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


async def hash_password(password: str) -> str:
    """Argon2id hash of `password` (PHC string), computed in a worker thread."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches `password_hash`, in a worker thread.

    With `password_hash=None` (unknown user) a dummy hash is checked, so the
    answer takes as long as a wrong password does, and is False.
    """

    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """The claims of a verified access token."""

    user_id: int
    session_id: uuid.UUID


def create_access_token(
    settings: Settings, *, user_id: int, session_id: uuid.UUID, now: datetime
) -> str:
    """Signed JWT for the user and session, valid `ACCESS_TOKEN_TTL_SECONDS` from `now`."""
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "jti": uuid.uuid4().hex,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=settings.access_token_ttl_seconds)).timestamp()),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }
    return jwt.encode(claims, settings.jwt_key, algorithm=ALGORITHM)


def decode_access_token(settings: Settings, token: str) -> AccessClaims | None:
    """Verify `token`; None when its signature, algorithm, issuer, audience or expiry is wrong.

    Only HS256 is accepted, so `alg: none` and algorithm confusion are refused.
    """
    try:
        claims = jwt.decode(
            token,
            settings.jwt_key,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={f"require_{claim}": True for claim in REQUIRED_CLAIMS},
        )
        return _typed_claims(claims)
    except (JWTError, KeyError, TypeError, ValueError):
        return None


def _typed_claims(claims: dict[str, Any]) -> AccessClaims | None:
    """The claims of a verified token if every registered claim has the type it is issued
    with, else None (RFC 7519 §4.1: NumericDate numbers, string `iss`/`aud`; RFC 8725 §3.11).

    python-jose converts `exp`/`iat`/`nbf` with `int()`, so `"exp": "9999999999"` would
    pass; `int()` also reads `" 7"`, `"+7"` and non-ASCII digits as a user id. Only what
    `create_access_token` writes is accepted: numbers (not booleans), a decimal `sub`, a
    canonical UUID `sid`.
    """
    numeric = all(
        isinstance(claims[name], int | float) and not isinstance(claims[name], bool)
        for name in NUMERIC_CLAIMS
        if name in claims
    )
    strings = all(isinstance(claims[name], str) for name in STRING_CLAIMS)
    sub, sid = claims["sub"], claims["sid"]
    if not (numeric and strings and _DECIMAL_ID.fullmatch(sub)):
        return None
    session_id = uuid.UUID(sid)
    if str(session_id) != sid:
        return None
    return AccessClaims(user_id=int(sub), session_id=session_id)


def new_refresh_token() -> str:
    """A fresh opaque refresh token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """SHA-256 hex digest; tokens are random, so a fast hash is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()
