"""Users, their sessions and refresh tokens: batch reads by id, and the auth writes.

Rules from API.md "Authentication". A session row backs every login; access
tokens name it, so revoking the row refuses them on every instance. A refresh
token is stored only as its hash and is single use: rotation retires it, and
presenting a retired one revokes its whole session (RFC 9700 §4.14.2). Hashing,
signing and verifying are the caller's (`app.security`); this module only keeps rows.
"""

import uuid
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.access import USER_COLUMNS, VIEWER, visible_users
from app.db.database import Database
from app.db.id_lists import IDS, among
from app.db.lists import by_id, typed
from app.db.models import members, projects, refresh_tokens, sessions, users
from app.enums import ProjectRole
from app.rules import PERSONAL_PROJECT_NAME


class UserRow(NamedTuple):
    """What the API shows of a user (`USER_COLUMNS`, in that order)."""

    id: int
    name: str
    email: str
    created_at: datetime


class Login(NamedTuple):
    """A user with the Argon2 hash of their password, for `login` to verify."""

    user: UserRow
    password_hash: str


class Rotation(NamedTuple):
    """What presenting a refresh token did (`rotate_refresh_token`)."""

    user: UserRow | None  # the session's user when the token was rotated, else None
    session_id: uuid.UUID | None  # the session of a token that was live
    reused: bool  # the token had been rotated already: its session is now revoked


# Built once and run with parameters: no statement is built per request.
USERS_BY_ID = select(*USER_COLUMNS).where(among(users.c.id, IDS))
VISIBLE_USERS_BY_ID = visible_users(VIEWER).where(among(users.c.id, IDS))
SESSION_USER = (
    select(*USER_COLUMNS)
    .join(sessions, sessions.c.user_id == users.c.id)
    .where(
        sessions.c.id == bindparam("session_id"),
        sessions.c.revoked_at.is_(None),
        sessions.c.expires_at > bindparam("now"),
    )
)
LOGIN = select(*USER_COLUMNS, users.c.password_hash).where(users.c.email == bindparam("email"))


def _user(row: Row[Any]) -> UserRow:
    return typed(UserRow, row)


async def by_ids(db: Database, ids: list[int]) -> list[UserRow | None]:
    """Users by id, with no visibility check: only for ids read from rows that
    `app.db.access.visible()` let through (a task's creator and assignee)."""
    return by_id(await db.read(USERS_BY_ID, {IDS: ids}), ids, _user)


async def visible_by_ids(db: Database, viewer_id: int, ids: list[int]) -> list[UserRow | None]:
    """Users by id among those the viewer may look up (`visible_users`); None for the rest."""
    rows = await db.read(VISIBLE_USERS_BY_ID, {"viewer_id": viewer_id, IDS: ids})
    return by_id(rows, ids, _user)


async def session_user(
    db: Database, *, session_id: uuid.UUID, user_id: int, now: datetime
) -> UserRow | None:
    """The user of a live session (not revoked, not expired at `now`), if it is `user_id`."""
    rows = await db.read(SESSION_USER, {"session_id": session_id, "now": now})
    user = typed(UserRow, rows[0]) if rows else None
    return user if user is not None and user.id == user_id else None


async def login_of(db: Database, email: str) -> Login | None:
    """The user registered with `email` (already normalised) and their password hash."""
    rows = await db.read(LOGIN, {"email": email})
    return Login(typed(UserRow, rows[0]), rows[0].password_hash) if rows else None


async def signup(
    db: Database,
    *,
    email: str,
    name: str,
    password_hash: str,
    session_expires_at: datetime,
    refresh_token_hash: str,
) -> tuple[UserRow, uuid.UUID]:
    """A new user with their personal project (they own it) and a first session holding
    one refresh token: `(user, session id)`, in one transaction.

    Raises SQLAlchemy's `IntegrityError` when the email is already registered.
    """
    async with db.transaction() as connection:
        created = await connection.execute(
            insert(users)
            .values(email=email, name=name, password_hash=password_hash)
            .returning(*USER_COLUMNS)
        )
        user = typed(UserRow, created.one())
        project_id = await connection.scalar(
            insert(projects)
            .values(name=PERSONAL_PROJECT_NAME, is_personal=True)
            .returning(projects.c.id)
        )
        await connection.execute(
            insert(members).values(
                project_id=project_id, user_id=user.id, role=ProjectRole.OWNER.value
            )
        )
        session_id = await _start_session(
            connection, user.id, session_expires_at, refresh_token_hash
        )
    return user, session_id


async def start_session(
    db: Database, *, user_id: int, expires_at: datetime, refresh_token_hash: str
) -> uuid.UUID:
    """A new session of `user_id` until `expires_at`, holding one refresh token: its id."""
    async with db.transaction() as connection:
        return await _start_session(connection, user_id, expires_at, refresh_token_hash)


async def _start_session(
    connection: AsyncConnection, user_id: int, expires_at: datetime, refresh_token_hash: str
) -> uuid.UUID:
    session_id = uuid.uuid4()
    await connection.execute(
        insert(sessions).values(id=session_id, user_id=user_id, expires_at=expires_at)
    )
    await connection.execute(
        insert(refresh_tokens).values(
            session_id=session_id, token_hash=refresh_token_hash, expires_at=expires_at
        )
    )
    return session_id


async def rotate_refresh_token(
    db: Database, *, token_hash: str, new_token_hash: str, now: datetime, expires_at: datetime
) -> Rotation:
    """Retire the live refresh token `token_hash` and, if its session is live, store
    `new_token_hash` in it and extend the session to `expires_at`; one transaction.

    A token that was rotated already revokes its session (reuse detection), committed
    like the rest. An unknown or expired token changes nothing.
    """
    async with db.transaction() as connection:
        session_id = await connection.scalar(
            update(refresh_tokens)
            .where(
                refresh_tokens.c.token_hash == token_hash,
                refresh_tokens.c.used_at.is_(None),
                refresh_tokens.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(refresh_tokens.c.session_id)
        )
        if session_id is None:
            retired = await connection.scalar(
                select(refresh_tokens.c.session_id).where(
                    refresh_tokens.c.token_hash == token_hash,
                    refresh_tokens.c.used_at.is_not(None),
                )
            )
            if retired is not None:
                await _revoke(connection, retired, now)
            return Rotation(user=None, session_id=None, reused=retired is not None)
        live = (
            await connection.execute(SESSION_USER, {"session_id": session_id, "now": now})
        ).one_or_none()
        if live is None:
            return Rotation(user=None, session_id=session_id, reused=False)
        await connection.execute(
            update(sessions).where(sessions.c.id == session_id).values(expires_at=expires_at)
        )
        await connection.execute(
            insert(refresh_tokens).values(
                session_id=session_id, token_hash=new_token_hash, expires_at=expires_at
            )
        )
        return Rotation(user=typed(UserRow, live), session_id=session_id, reused=False)


async def revoke_session(db: Database, session_id: uuid.UUID, now: datetime) -> None:
    """Revoke a session (logout): its access and refresh tokens are refused from now on."""
    async with db.transaction() as connection:
        await _revoke(connection, session_id, now)


async def _revoke(connection: AsyncConnection, session_id: uuid.UUID, now: datetime) -> None:
    await connection.execute(
        update(sessions)
        .where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
