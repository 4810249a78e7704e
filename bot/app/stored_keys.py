"""Can the configured ``TOKEN_ENCRYPTION_KEY`` read what is stored? Counted, cached, for /readyz.

Finding out means decrypting every linked user's tokens (``storage.keys.count_unreadable``),
about 30 µs a row: a few seconds for a hundred thousand users. That is fine for
``autoshares-bot check``, which counts afresh every run, but not for a readiness probe called
every few seconds with a timeout of about a second. So ``GET /readyz`` never counts: it reports
the last count (:meth:`StoredKeys.last`) and asks for a new one in the background when that count
is older than ``max_age`` (:meth:`StoredKeys.stale`); the web app counts once at start. The
keys are fixed for the life of the process and every row this process writes is encrypted with
the first key, so the count only moves when users link again, unlink, or another replica writes
with different keys: a few minutes' delay is enough.

Rows nobody can decrypt do not make the process unready: taking it out of the load balancer
would stop those users from linking again, the only way out when an old key is lost. The count
is reported, logged as a warning, and exported as the ``autoshares_unreadable_secrets`` gauge.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.telemetry.metrics import Metrics
from storage.crypto import TokenCipher
from storage.keys import Unreadable, count_unreadable

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 300.0


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def describe(found: Unreadable) -> str:
    """One line for an operator, naming the setting and what to do."""
    parts = []
    if found.linked_users:
        parts.append(
            f"{found.linked_users} of {_plural(found.linked_users_total, 'linked user', 'linked users')}"
        )
    if found.sign_ins:
        parts.append(
            f"{found.sign_ins} of {_plural(found.sign_ins_total, 'sign-in', 'sign-ins')} in progress"
        )
    return (
        f"{' and '.join(parts)} cannot be decrypted with TOKEN_ENCRYPTION_KEY: add the previous key at the "
        "end of TOKEN_ENCRYPTION_KEY and run `autoshares-bot rotate-key`, or those users must run "
        "`/autoshares link` again"
    )


class StoredKeys:
    """The last count of stored rows the configured keys cannot decrypt, recounted on request."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cipher: TokenCipher,
        metrics: Metrics,
        *,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._metrics = metrics
        self._max_age = max_age
        self._clock = clock
        self._last: Unreadable | None = None
        self._counted_at = 0.0
        self._lock = asyncio.Lock()

    @property
    def last(self) -> Unreadable | None:
        """The latest count, or None before the first one finished."""
        return self._last

    @property
    def stale(self) -> bool:
        """No count yet (and none running), or the last one is older than ``max_age``."""
        if self._lock.locked():
            return False
        return self._last is None or self._clock() - self._counted_at > self._max_age

    def problem(self) -> str | None:
        """The last count in words, or None when every row it saw was readable."""
        return describe(self._last) if self._last is not None and self._last.total else None

    async def recount(self) -> Unreadable:
        """Count now (one count at a time; a caller arriving meanwhile gets that count)."""
        started = self._clock()
        async with self._lock:
            if self._last is not None and self._counted_at >= started:
                return self._last
            found = await count_unreadable(self._sessions, self._cipher)
            self._last, self._counted_at = found, self._clock()
        self._metrics.unreadable_counted(found.linked_users, found.sign_ins)
        if found.total:
            log.warning("%s", describe(found))
        return found

    async def refresh(self) -> None:
        """:meth:`recount` for background use: a failure is logged, never raised."""
        try:
            await self.recount()
        except Exception as exc:  # the database being down is /readyz's own finding
            log.warning(
                "could not count the stored secrets TOKEN_ENCRYPTION_KEY decrypts: %s", type(exc).__name__
            )
