"""Rate limits of API.md "Limits", counted with the `limits` library.

Two kinds of counters, each over a sliding minute:

- the cost budget: `RATE_LIMIT_POINTS_PER_MINUTE` points per user (per client IP
  when anonymous); an operation spends its computed cost (`app/extensions/cost.py`).
  An operation that costs more than the whole budget spends the whole budget:
  it runs only when the budget is untouched, instead of never;
- auth attempts: every occurrence of `signup`, `login`, `refreshToken`,
  `requestPasswordReset` or `resetPassword` in a document counts once per client
  IP (`AUTH_ATTEMPTS_PER_IP_PER_MINUTE`) and, when it names an email, once per
  normalised email (`AUTH_ATTEMPTS_PER_MINUTE`), whether it then succeeds or not.

Strategy: `SlidingWindowCounterRateLimiter`. A hit costs O(1) whatever its cost
(the moving window stores one entry per point: 20,000 per budget), and unlike a
fixed window it does not let a client spend two budgets across a window's edge.

Storage: Redis (`REDIS_URL`, through redis-py) when set, so every instance
shares the counters; process memory otherwise.

Redis down: the limits fail open. The request is served unlimited and a
WARNING is logged; the cost and depth limits, which need no counter, still
hold. An outage of a protection must not become an outage of the API.

The headers follow draft-ietf-httpapi-ratelimit-headers-06 (the last draft with
separate `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` fields,
reset in delta-seconds), plus `Retry-After` on a refusal.
"""

import logging
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.storage.redis.redispy import RedispyBridge
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError

from app.config import Settings
from app.errors import RateLimited

logger = logging.getLogger(__name__)

KEY_PREFIX = "tasktracker"
REDIS_TIMEOUT_SECONDS = 0.5
"""How long a Redis call may take before the limits fail open."""


@dataclass(frozen=True)
class Budget:
    """The cost budget after an operation asked to spend from it.

    `allowed` is False when the operation was refused; `reset` is in whole seconds.
    """

    allowed: bool
    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        """The draft-06 `RateLimit-*` response fields, and `Retry-After` on a refusal."""
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset)
        return headers


def _storage(settings: Settings, key_prefix: str) -> Storage:
    if settings.redis_url is None:
        return MemoryStorage()
    url = settings.redis_url.get_secret_value()
    return RedisStorage(
        url if url.startswith("async+") else f"async+{url}",
        implementation="redispy",
        key_prefix=key_prefix,
        wrap_exceptions=True,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )


class RateLimiter:
    """The counters of one application (API.md "Limits"); see the module docstring.

    `key_prefix` separates applications sharing one Redis (tests give each its own).
    """

    def __init__(self, settings: Settings, *, key_prefix: str = KEY_PREFIX) -> None:
        self.storage = _storage(settings, key_prefix)
        self._limiter = SlidingWindowCounterRateLimiter(self.storage)
        self._points = RateLimitItemPerMinute(settings.rate_limit_points_per_minute)
        self._per_email = RateLimitItemPerMinute(settings.auth_attempts_per_minute)
        self._per_ip = RateLimitItemPerMinute(settings.auth_attempts_per_ip_per_minute)

    async def _retry_after(self, item: RateLimitItemPerMinute, *identifiers: str) -> int:
        stats = await self._limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def spend(self, client: str, cost: int) -> Budget | None:
        """Spend `cost` points of `client`'s budget (`client` names a user or an IP).

        Returns the budget after the hit (`allowed` False when refused), or None
        when the counters cannot be reached (fail open, logged).
        """
        points = min(cost, self._points.amount)
        try:
            allowed = await self._limiter.hit(self._points, "points", client, cost=points)
            stats = await self._limiter.get_window_stats(self._points, "points", client)
        except StorageError as error:
            logger.warning("rate limits not enforced, counters unavailable: %s", error)
            return None
        reset = math.ceil(stats.reset_time - time.time())
        return Budget(
            allowed, self._points.amount, stats.remaining, max(reset, 0 if allowed else 1)
        )

    async def count_auth_attempts(self, client_ip: str, emails: Sequence[str | None]) -> None:
        """Count one auth attempt per entry of `emails` (None: an attempt naming no email),
        per client IP and per email. Raises `RateLimited` when either limit is exceeded.

        Fails open (logged) when the counters cannot be reached.
        """
        if not emails:
            return
        try:
            if not await self._limiter.hit(self._per_ip, "auth-ip", client_ip, cost=len(emails)):
                raise RateLimited(await self._retry_after(self._per_ip, "auth-ip", client_ip))
            for email, attempts in Counter(e for e in emails if e is not None).items():
                if not await self._limiter.hit(self._per_email, "auth-email", email, cost=attempts):
                    retry_after = await self._retry_after(self._per_email, "auth-email", email)
                    raise RateLimited(retry_after)
        except StorageError as error:
            logger.warning("auth attempts not counted, counters unavailable: %s", error)

    async def close(self) -> None:
        """Close the Redis connections, if any."""
        if isinstance(self.storage, RedisStorage) and isinstance(
            self.storage.bridge, RedispyBridge
        ):
            await self.storage.bridge.storage.aclose()
