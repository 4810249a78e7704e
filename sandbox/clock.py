"""The market clock: is the market open, and what time is it in the simulation.

Two modes from the config: "always" (open around the clock, the default so demos work at
night) and "nyse" (regular session 09:30-16:00 America/New_York, Monday to Friday, no holiday
calendar). The admin can force the market closed ("closed") or switch modes, and can advance
simulated time; simulated time = wall time + the accumulated advance.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

CLOCK_MODES = ("always", "nyse", "closed")
_NEW_YORK = ZoneInfo("America/New_York")
_SESSION_OPEN = time(9, 30)
_SESSION_CLOSE = time(16, 0)


class MarketClock:
    """Answers ``is_open()``; mutable through the admin API only."""

    def __init__(self, mode: str = "always") -> None:
        self.mode = "always"
        self.offset = timedelta(0)
        self.set_mode(mode)

    def set_mode(self, mode: str) -> None:
        if mode not in CLOCK_MODES:
            raise ValueError(f"clock mode must be one of {', '.join(CLOCK_MODES)}")
        self.mode = mode

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def now(self) -> datetime:
        """Simulated current time (UTC)."""
        return datetime.now(UTC) + self.offset

    def is_open(self, at: datetime | None = None) -> bool:
        if self.mode == "always":
            return True
        if self.mode == "closed":
            return False
        local = (at or self.now()).astimezone(_NEW_YORK)
        return local.weekday() < 5 and _SESSION_OPEN <= local.time() < _SESSION_CLOSE

    def as_json(self) -> dict[str, object]:
        return {
            "Mode": self.mode,
            "IsOpen": self.is_open(),
            "Now": self.now().isoformat().replace("+00:00", "Z"),
            "OffsetSeconds": self.offset.total_seconds(),
        }
