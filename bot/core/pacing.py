"""How fast background work may call AutoShares for one user, so their own commands never starve.

AutoShares limits each user's token (60 price-alert calls a minute, 120 order queries...), and
the bot's polling spends the same quota as the user's slash commands. :class:`UserPacing` gives
background work an allowance per user: ``per_minute`` calls, refilled continuously and never
holding more than a minute's worth. A check may overdraw it (a listing, once begun, is
finished: half a listing proves nothing), and the user then waits until the debt is paid, so
on average background work uses at most ``per_minute`` of a user's quota; the rest stays theirs.

A 429 from AutoShares backs the user off until its ``Retry-After`` has passed: their quota is
spent, and every further background call would only take calls from them.

No I/O: the clock is injected (``clock``; tests freeze it), the state is per process (each
replica paces what it calls).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

#: How often (in calls to ``spend``) users whose allowance is whole again are forgotten.
PRUNE_EVERY = 4096


@dataclass
class _Allowance:
    calls: float  # calls still allowed now (negative: overdrawn)
    at: float  # when ``calls`` was last brought up to date
    backed_off_until: float = 0.0


class UserPacing:
    """Per-user allowance of background AutoShares calls, and back-off after a 429."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.clock = clock
        self._users: dict[Hashable, _Allowance] = {}
        self._spent = 0

    def _current(self, key: Hashable) -> _Allowance | None:
        allowance = self._users.get(key)
        if allowance is not None:
            now = self.clock()
            refill = (now - allowance.at) * self.per_minute / 60.0
            allowance.calls = min(float(self.per_minute), allowance.calls + refill)
            allowance.at = now
        return allowance

    def ready(self, key: Hashable) -> bool:
        """Whether background work may call AutoShares for this user now."""
        allowance = self._current(key)
        if allowance is None:
            return True
        return allowance.calls >= 1 and self.clock() >= allowance.backed_off_until

    def backed_off(self, key: Hashable) -> bool:
        """Whether the user is waiting out an AutoShares 429."""
        allowance = self._users.get(key)
        return allowance is not None and self.clock() < allowance.backed_off_until

    def spend(self, key: Hashable, calls: int = 1) -> None:
        """Count ``calls`` made for this user (the allowance may go below zero)."""
        allowance = self._current(key)
        if allowance is None:
            allowance = self._users[key] = _Allowance(float(self.per_minute), self.clock())
        allowance.calls -= calls
        self._spent += 1
        if self._spent % PRUNE_EVERY == 0:
            self._prune()

    def back_off(self, key: Hashable, seconds: float) -> None:
        """AutoShares answered 429 for this user: make no background call for ``seconds``."""
        allowance = self._current(key)
        if allowance is None:
            allowance = self._users[key] = _Allowance(float(self.per_minute), self.clock())
        allowance.backed_off_until = max(allowance.backed_off_until, self.clock() + max(seconds, 0.0))

    def _prune(self) -> None:
        """Forget users whose allowance is whole and who are not backed off (same as unknown)."""
        now = self.clock()
        for key in [k for k in self._users if self._whole(self._users[k], now)]:
            del self._users[key]

    def _whole(self, allowance: _Allowance, now: float) -> bool:
        refilled = allowance.calls + (now - allowance.at) * self.per_minute / 60.0
        return refilled >= self.per_minute and now >= allowance.backed_off_until
