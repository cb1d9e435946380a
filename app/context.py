"""The per-request GraphQL context: who is asking, the settings, the database, the loaders.

Made by the edge (`app.http.view`) for each HTTP request, after authentication,
with everything built: nothing in it depends on the order resolvers run in.
"""

import uuid
from dataclasses import dataclass
from typing import TypeAlias

import strawberry
from starlette.responses import Response

from app.config import Settings
from app.db.database import Database
from app.db.users import UserRow
from app.errors import Unauthenticated
from app.loaders import Loaders
from app.ratelimit import RateLimiter


@dataclass(frozen=True, slots=True)
class Authentication:
    """What the request's bearer token proved (API.md "Authentication").

    `user`: the signed-in user, None without a token or with a refused one
    (`refused`: invalid, expired, or its session revoked). `session_id`: the live
    session the token names. `token_user_id`: the user a token with a valid signature
    names, even when its session is revoked (whose rate-limit budget it spends).
    """

    user: UserRow | None = None
    session_id: uuid.UUID | None = None
    refused: bool = False
    token_user_id: int | None = None


ANONYMOUS = Authentication()


@dataclass(frozen=True, slots=True)
class Context:
    """What every resolver gets as `info.context`.

    `client_ip` is the client's address (API.md "Limits"); `response` the HTTP
    response being built, for headers (None over WebSocket); `rate_limiter` the
    application's counters (None: no rate limits).
    """

    settings: Settings
    db: Database
    auth: Authentication
    loaders: Loaders
    client_ip: str = ""
    response: Response | None = None
    rate_limiter: RateLimiter | None = None

    @property
    def viewer(self) -> UserRow | None:
        """The signed-in user, or None without a token; `Unauthenticated` for a refused
        token (API.md: "always UNAUTHENTICATED, even for `me`")."""
        if self.auth.refused:
            raise Unauthenticated("Invalid or expired token")
        return self.auth.user

    def require_viewer(self) -> UserRow:
        """The signed-in user; `Unauthenticated` without one."""
        viewer = self.viewer
        if viewer is None:
            raise Unauthenticated()
        return viewer


Info: TypeAlias = strawberry.Info[Context, None]
