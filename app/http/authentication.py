"""Authentication at the edge: the bearer token, checked once before execution.

Like Starlette's `AuthenticationMiddleware`, the view turns the request's
credentials into who is asking before any resolver runs (API.md "Authentication"):
the token's signature and expiry (HS256 pinned, `app.security`), then its session,
which must be live (so logout really revokes). A refused token is logged once at
INFO, never the token itself.
"""

import logging

from app.config import Settings
from app.context import ANONYMOUS, Authentication
from app.db import users
from app.db.base import utcnow
from app.db.database import Database
from app.security import decode_access_token

logger = logging.getLogger(__name__)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value (scheme case-insensitive).

    None when no header was sent; "" when one was sent that is not a bearer token,
    so that it is refused like any other invalid token.
    """
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def authenticate(
    db: Database, settings: Settings, authorization: str | None, client_ip: str
) -> Authentication:
    """Who the `Authorization` header value proves the client is.

    No header: anonymous. A token that does not verify, or whose session is revoked or
    expired: refused. Raises `ServiceUnavailable` when the database cannot say.
    """
    token = bearer_token(authorization)
    if token is None:
        return ANONYMOUS
    claims = decode_access_token(settings, token)
    if claims is None:
        return _refused("invalid or expired", user_id=None, client_ip=client_ip)
    user = await users.session_user(
        db, session_id=claims.session_id, user_id=claims.user_id, now=utcnow()
    )
    if user is None:
        return _refused("session revoked or expired", user_id=claims.user_id, client_ip=client_ip)
    return Authentication(user=user, session_id=claims.session_id, token_user_id=user.id)


def _refused(reason: str, *, user_id: int | None, client_ip: str) -> Authentication:
    logger.info(
        "access token refused (%s): user %s, client %s",
        reason,
        user_id,
        client_ip,
        extra={"user_id": user_id, "client_ip": client_ip},
    )
    return Authentication(refused=True, token_user_id=user_id)
