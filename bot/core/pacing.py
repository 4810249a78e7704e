"""How fast background work may call AutoShares for one user, so their own commands never starve.

AutoShares limits each user's token (60 price-alert calls a minute, 120 order queries...), and
the bot's polling spends the same quota as the user's slash commands. :class:`UserPacing` gives
background work an allowance per user: ``per_minute`` calls, refilled continuously and never
holding more than a minute's worth. A check may overdraw it (a listing, once begun, is
finished: half a listing proves nothing), and the user then waits until the debt is paid, so
on average background work uses at most ``per_minute`` of a user's quota; the rest stays theirs.

A 429 from AutoShares backs the user off until its ``Retry-After`` has passed: their quota is
spent, and every further background call would only take calls from them.

The allowance lives in the database (``storage.pacing``), so every replica spends the same one
and a 429 seen by one backs the user off for all. The clock is injected (``clock``, seconds
since the epoch: replicas compare their readings through the database; tests freeze it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum

from bot.core.users import UserKey
from storage.pacing import AllowanceRepository


class Standing(Enum):
    """Where a user's allowance stands now."""

    READY = "ready"
    PACED = "paced"  # spent (or overdrawn) until it refills
    BACKED_OFF = "backed_off"  # waiting out an AutoShares 429


class UserPacing:
    """Per-user allowance of background AutoShares calls, and back-off after a 429."""

    def __init__(
        self, allowances: AllowanceRepository, per_minute: int, *, clock: Callable[[], float] = time.time
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.allowances = allowances
        self.per_minute = per_minute
        self.clock = clock

    async def standing(self, key: UserKey) -> Standing:
        """Whether background work may call AutoShares for this user now, and if not, why."""
        now = self.clock()
        allowance = await self.allowances.get(*key, now=now, per_minute=self.per_minute)
        if allowance is None:
            return Standing.READY
        if now < allowance.backed_off_until:
            return Standing.BACKED_OFF
        return Standing.READY if allowance.calls >= 1 else Standing.PACED

    async def ready(self, key: UserKey) -> bool:
        """Whether background work may call AutoShares for this user now."""
        return await self.standing(key) is Standing.READY

    async def backed_off(self, key: UserKey) -> bool:
        """Whether the user is waiting out an AutoShares 429."""
        return await self.standing(key) is Standing.BACKED_OFF

    async def spend(self, key: UserKey, calls: int = 1) -> None:
        """Count ``calls`` made for this user (the allowance may go below zero)."""
        await self.allowances.spend(*key, calls, now=self.clock(), per_minute=self.per_minute)

    async def back_off(self, key: UserKey, seconds: float) -> None:
        """AutoShares answered 429 for this user: make no background call for ``seconds``."""
        now = self.clock()
        await self.allowances.back_off(*key, now + max(seconds, 0.0), now=now, per_minute=self.per_minute)
