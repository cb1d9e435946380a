"""Accounts and sessions: signup, login, refresh token rotation, logout, and the viewer lookup.

Rules from API.md "Authentication". A session row backs every login; access
tokens name it (`sid`), so revoking the row refuses them on every instance.
Refresh tokens are single use: rotation retires the presented one, and
presenting a retired one revokes the whole session (RFC 9700 §4.14.2).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from app import rules
from app.config import Settings
from app.db.access import USER_COLUMNS
from app.db.base import utcnow
from app.db.models import Project, ProjectMember, RefreshToken, Session, User, sessions, users
from app.enums import ProjectRole
from app.errors import Conflict, Unauthenticated
from app.rules import PERSONAL_PROJECT_NAME
from app.security import (
    AccessClaims,
    create_access_token,
    hash_password,
    hash_refresh_token,
    new_refresh_token,
    verify_password,
)

if TYPE_CHECKING:
    from app.context import Context

logger = logging.getLogger(__name__)


INVALID_CREDENTIALS = "Invalid email or password"
INVALID_REFRESH_TOKEN = "Invalid refresh token"  # noqa: S105 (a message)


@dataclass(frozen=True, slots=True)
class AuthResult:
    """A token pair for `user`; `expires_in` is the access token lifetime in seconds."""

    access_token: str
    refresh_token: str
    expires_in: int
    user: User | Row[Any]


# The user of a live session; built once, run on every authenticated request.
SESSION_USER: Select[Any] = (
    select(*USER_COLUMNS)
    .join(sessions, sessions.c.user_id == users.c.id)
    .where(
        sessions.c.id == bindparam("session_id"),
        sessions.c.revoked_at.is_(None),
        sessions.c.expires_at > bindparam("now"),
    )
)


async def _active_session_user(
    session: AsyncSession, session_id: uuid.UUID, now: datetime
) -> Row[Any] | None:
    connection = await session.connection()
    parameters = {"session_id": session_id, "now": now}
    row: Row[Any] | None = (await connection.execute(SESSION_USER, parameters)).one_or_none()
    return row


async def authenticate(session: AsyncSession, claims: AccessClaims) -> Row[Any] | None:
    """The user of a verified access token, or None if its session is revoked or expired."""
    user = await _active_session_user(session, claims.session_id, utcnow())
    return user if user is not None and user.id == claims.user_id else None


async def _issue_refresh_token(
    session: AsyncSession, settings: Settings, *, session_id: uuid.UUID, now: datetime
) -> str:
    token = new_refresh_token()
    session.add(
        RefreshToken(
            session_id=session_id,
            token_hash=hash_refresh_token(token),
            expires_at=now + timedelta(seconds=settings.refresh_token_ttl_seconds),
        )
    )
    await session.flush()
    return token


async def _start_session(session: AsyncSession, settings: Settings, user: User) -> AuthResult:
    now = utcnow()
    login = Session(
        user_id=user.id, expires_at=now + timedelta(seconds=settings.refresh_token_ttl_seconds)
    )
    session.add(login)
    await session.flush()
    return AuthResult(
        access_token=create_access_token(settings, user_id=user.id, session_id=login.id, now=now),
        refresh_token=await _issue_refresh_token(session, settings, session_id=login.id, now=now),
        expires_in=settings.access_token_ttl_seconds,
        user=user,
    )


async def signup(ctx: Context, *, email: str, password: str, name: str) -> AuthResult:
    """Create a user with their personal project and sign them in.

    Raises `BadUserInput` (field `email`, `password` or `name`) for invalid
    input and `Conflict` when the email is already registered.
    """
    email = rules.email("email", email)
    password = rules.password("password", password)
    name = rules.trimmed("name", name, max_length=100)
    password_hash = await hash_password(password)
    try:
        async with ctx.transaction() as session:
            user = User(email=email, name=name, password_hash=password_hash)
            project = Project(name=PERSONAL_PROJECT_NAME, is_personal=True)
            session.add_all([user, project])
            await session.flush()
            session.add(
                ProjectMember(project_id=project.id, user_id=user.id, role=ProjectRole.OWNER.value)
            )
            result = await _start_session(session, ctx.settings, user)
    except IntegrityError:
        raise Conflict("Email is already registered") from None
    logger.info("user signed up", extra={"user_id": user.id})
    return result


async def login(ctx: Context, *, email: str, password: str) -> AuthResult:
    """Start a session for valid credentials.

    A wrong password and an unknown email both raise `Unauthenticated`
    ("Invalid email or password") after the same Argon2 work.
    """
    normalised = rules.normalised_email(rules.text("email", email))
    rules.text("password", password)
    async with ctx.transaction() as session:
        user = None
        if normalised is not None:  # an invalid address cannot be registered
            statement = select(User).where(User.email == normalised)
            user = (await session.execute(statement)).scalar_one_or_none()
        if not await verify_password(user.password_hash if user else None, password):
            user_id = user.id if user else None
            logger.info(
                "login failed: user %s, client %s",
                user_id,
                ctx.client_ip,
                extra={"user_id": user_id, "client_ip": ctx.client_ip},
            )
            raise Unauthenticated(INVALID_CREDENTIALS)
        assert user is not None
        result = await _start_session(session, ctx.settings, user)
    logger.info("user logged in", extra={"user_id": user.id})
    return result


async def _revoke_session_of_retired_token(
    session: AsyncSession, token_hash: str, now: datetime
) -> bool:
    """Revoke the session of a token that was already rotated; False if it never existed."""
    session_id = (
        await session.execute(
            select(RefreshToken.session_id).where(
                RefreshToken.token_hash == token_hash, RefreshToken.used_at.is_not(None)
            )
        )
    ).scalar_one_or_none()
    if session_id is None:
        return False
    await session.execute(
        update(Session)
        .where(Session.id == session_id, Session.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return True


async def refresh(ctx: Context, *, refresh_token: str) -> AuthResult:
    """Rotate `refresh_token`: retire it and return a new pair for the same session.

    Raises `Unauthenticated` for an unknown, expired or retired token, or a
    revoked session. A retired token revokes its session first (reuse detection,
    RFC 9700 §4.14.2), and that revocation is committed before the error.
    """
    token_hash = hash_refresh_token(rules.text("refreshToken", refresh_token))
    now = utcnow()
    async with ctx.transaction() as session:
        session_id = (
            await session.execute(
                update(RefreshToken)
                .where(
                    RefreshToken.token_hash == token_hash,
                    RefreshToken.used_at.is_(None),
                    RefreshToken.expires_at > now,
                )
                .values(used_at=now)
                .returning(RefreshToken.session_id)
            )
        ).scalar_one_or_none()
        user = None if session_id is None else await _active_session_user(session, session_id, now)
        if session_id is not None and user is not None:
            expires_at = now + timedelta(seconds=ctx.settings.refresh_token_ttl_seconds)
            await session.execute(
                update(Session).where(Session.id == session_id).values(expires_at=expires_at)
            )
            return AuthResult(
                access_token=create_access_token(
                    ctx.settings, user_id=user.id, session_id=session_id, now=now
                ),
                refresh_token=await _issue_refresh_token(
                    session, ctx.settings, session_id=session_id, now=now
                ),
                expires_in=ctx.settings.access_token_ttl_seconds,
                user=user,
            )
        reused = session_id is None and await _revoke_session_of_retired_token(
            session, token_hash, now
        )
    if reused:
        logger.warning("refresh token reuse detected; session revoked")
    logger.info(
        "refresh token refused: client %s", ctx.client_ip, extra={"client_ip": ctx.client_ip}
    )
    raise Unauthenticated(INVALID_REFRESH_TOKEN)


async def logout(ctx: Context) -> bool:
    """Revoke the caller's session: its access and refresh tokens are refused from now on.

    Raises `Unauthenticated` without a valid token.
    """
    await ctx.require_viewer()
    claims = ctx.claims
    assert claims is not None
    async with ctx.transaction() as session:
        await session.execute(
            update(Session)
            .where(Session.id == claims.session_id, Session.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    logger.info("session revoked by logout", extra={"user_id": claims.user_id})
    return True
