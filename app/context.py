"""The per-request GraphQL context: settings, one database session, the viewer."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql import Executable

from app.config import Settings
from app.db.models import User
from app.errors import Unauthenticated
from app.loaders import Loaders
from app.resolvers.auth import authenticate
from app.security import AccessClaims, decode_access_token

_UNSET = object()
_REVOKED = object()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value (scheme case-insensitive).

    None when no header was sent; "" when one was sent that is not a bearer token,
    so that it is refused like any other invalid token.
    """
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@dataclass
class Context:
    """What every resolver gets as `info.context`.

    `token` is the bearer token sent with the request, if any. The database
    session is opened on first use and closed by `close()`; the viewer is
    looked up once.
    """

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    token: str | None
    _session: AsyncSession | None = field(default=None, init=False)
    _viewer: object = field(default=_UNSET, init=False)
    _loaders: Loaders | None = field(default=None, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    @property
    def session(self) -> AsyncSession:
        """The request's database session, opened on first use."""
        if self._session is None:
            self._session = self.sessionmaker()
        return self._session

    async def fetch(self, statement: Executable) -> Sequence[Row[Any]]:
        """All rows of a read statement. Statements of one request run one at a time
        (a session is not safe for concurrent use; loaders fire together)."""
        async with self._lock:
            return (await self.session.execute(statement)).all()

    async def scalar(self, statement: Executable) -> Any:
        """The first column of the first row of a read statement."""
        async with self._lock:
            return (await self.session.execute(statement)).scalar()

    async def loaders(self) -> Loaders:
        """The request's dataloaders for the viewer; raises `Unauthenticated` without one."""
        if self._loaders is None:
            viewer = await self.require_viewer()
            self._loaders = Loaders(self, viewer.id)
        return self._loaders

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        session = self.session
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise

    @property
    def claims(self) -> AccessClaims | None:
        """Claims of the bearer token; raises `Unauthenticated` when one was sent but is invalid."""
        if self.token is None:
            return None
        claims = decode_access_token(self.settings, self.token)
        if claims is None:
            raise Unauthenticated("Invalid or expired token")
        return claims

    async def viewer(self) -> User | None:
        """The signed-in user, or None without a token.

        Raises `Unauthenticated` for a token that is invalid, expired, or whose
        session was revoked (API.md: "always UNAUTHENTICATED, even for `me`").
        """
        if self._viewer is _UNSET:
            claims = self.claims
            if claims is None:
                self._viewer = None
            else:
                async with self._lock:
                    if self._viewer is _UNSET:  # another resolver may have looked it up
                        user = await authenticate(self.session, claims)
                        self._viewer = _REVOKED if user is None else user
        if self._viewer is _REVOKED:
            raise Unauthenticated("Invalid or expired token")
        assert self._viewer is None or isinstance(self._viewer, User)
        return self._viewer

    async def require_viewer(self) -> User:
        """The signed-in user; raises `Unauthenticated` without one."""
        viewer = await self.viewer()
        if viewer is None:
            raise Unauthenticated()
        return viewer

    async def close(self) -> None:
        """Close the database session, if one was opened (rolling back what was left open)."""
        if self._session is not None:
            await self._session.close()
