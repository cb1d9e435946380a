"""The resolvers of users and auth: `me`, `User.email`, signup, login, refresh, logout.

Rules from API.md "Authentication": passwords are Argon2-hashed; an access token
(a JWT naming its session) and a single-use refresh token are issued per login;
a wrong password and an unknown email look alike (same message, same Argon2
work); reusing a rotated refresh token revokes its session (RFC 9700 §4.14.2).
"""

import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, NamedTuple

import strawberry
from sqlalchemy.exc import IntegrityError

from app import rules
from app.context import Context, Info
from app.db import users
from app.db.base import utcnow
from app.errors import Conflict, Unauthenticated
from app.resolvers.nodes import SignedInUserNode, UserNode
from app.security import (
    create_access_token,
    hash_password,
    hash_refresh_token,
    new_refresh_token,
    verify_password,
)

if TYPE_CHECKING:
    from app.schema.user import LoginInput, SignupInput

logger = logging.getLogger(__name__)

INVALID_CREDENTIALS = "Invalid email or password"
INVALID_REFRESH_TOKEN = "Invalid refresh token"  # noqa: S105 (a message)


class AuthPayload(NamedTuple):
    """A token pair for `user`; `expires_in` is the access token lifetime in seconds."""

    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    user: SignedInUserNode


def me(info: Info) -> SignedInUserNode | None:
    """`Query.me`: the viewer, None without a token; `Unauthenticated` for a refused one."""
    viewer = info.context.viewer
    return None if viewer is None else SignedInUserNode._make(viewer)


def email(root: strawberry.Parent[UserNode], info: Info) -> str | None:
    """`User.email`: shown to the user themself only."""
    if isinstance(root, SignedInUserNode):
        return root.email
    viewer = info.context.auth.user
    return root.email if viewer is not None and viewer.id == root.id else None


def _payload(ctx: Context, user: users.UserRow, session_id: uuid.UUID, token: str) -> AuthPayload:
    access = create_access_token(ctx.settings, user_id=user.id, session_id=session_id, now=utcnow())
    return AuthPayload(
        access_token=access,
        refresh_token=token,
        token_type="Bearer",  # noqa: S106 (the scheme, not a secret)
        expires_in=ctx.settings.access_token_ttl_seconds,
        user=SignedInUserNode._make(user),
    )


async def signup(
    info: Info, input: Annotated["SignupInput", strawberry.lazy("app.schema.user")]
) -> AuthPayload:
    """`Mutation.signup`: a user with their personal project, signed in.

    `BadUserInput` (field `email`, `password` or `name`) for invalid input, `Conflict`
    when the email is already registered.
    """
    ctx = info.context
    address = rules.email("email", input.email)
    password = rules.password("password", input.password)
    name = rules.trimmed("name", input.name, max_length=rules.USER_NAME_MAX)
    password_hash = await hash_password(password)
    token = new_refresh_token()
    expires_at = utcnow() + timedelta(seconds=ctx.settings.refresh_token_ttl_seconds)
    try:
        user, session_id = await users.signup(
            ctx.db,
            email=address,
            name=name,
            password_hash=password_hash,
            session_expires_at=expires_at,
            refresh_token_hash=hash_refresh_token(token),
        )
    except IntegrityError:
        raise Conflict("Email is already registered") from None
    logger.info("user signed up", extra={"user_id": user.id})
    return _payload(ctx, user, session_id, token)


async def login(
    info: Info, input: Annotated["LoginInput", strawberry.lazy("app.schema.user")]
) -> AuthPayload:
    """`Mutation.login`: a new session for valid credentials; `Unauthenticated` otherwise."""
    ctx = info.context
    address = rules.normalised_email(rules.text("email", input.email))
    rules.text("password", input.password)
    found = None if address is None else await users.login_of(ctx.db, address)
    if not await verify_password(found.password_hash if found else None, input.password):
        user_id = found.user.id if found else None
        logger.info(
            "login failed: user %s, client %s",
            user_id,
            ctx.client_ip,
            extra={"user_id": user_id, "client_ip": ctx.client_ip},
        )
        raise Unauthenticated(INVALID_CREDENTIALS)
    assert found is not None
    token = new_refresh_token()
    session_id = await users.start_session(
        ctx.db,
        user_id=found.user.id,
        expires_at=utcnow() + timedelta(seconds=ctx.settings.refresh_token_ttl_seconds),
        refresh_token_hash=hash_refresh_token(token),
    )
    logger.info("user logged in", extra={"user_id": found.user.id})
    return _payload(ctx, found.user, session_id, token)


async def refresh_token(info: Info, refresh_token: str) -> AuthPayload:
    """`Mutation.refreshToken`: retire `refresh_token` and return a new pair.

    `Unauthenticated` for an unknown, expired or retired token, or a revoked session;
    a retired one revokes its session first (reuse detection).
    """
    ctx = info.context
    token_hash = hash_refresh_token(rules.text("refreshToken", refresh_token))
    token = new_refresh_token()
    now = utcnow()
    rotation = await users.rotate_refresh_token(
        ctx.db,
        token_hash=token_hash,
        new_token_hash=hash_refresh_token(token),
        now=now,
        expires_at=now + timedelta(seconds=ctx.settings.refresh_token_ttl_seconds),
    )
    if rotation.user is not None and rotation.session_id is not None:
        return _payload(ctx, rotation.user, rotation.session_id, token)
    if rotation.reused:
        logger.warning("refresh token reuse detected; session revoked")
    logger.info(
        "refresh token refused: client %s", ctx.client_ip, extra={"client_ip": ctx.client_ip}
    )
    raise Unauthenticated(INVALID_REFRESH_TOKEN)


async def logout(info: Info) -> bool:
    """`Mutation.logout`: revoke the caller's session; `Unauthenticated` without one."""
    ctx = info.context
    viewer = ctx.require_viewer()
    assert ctx.auth.session_id is not None
    await users.revoke_session(ctx.db, ctx.auth.session_id, utcnow())
    logger.info("session revoked by logout", extra={"user_id": viewer.id})
    return True
