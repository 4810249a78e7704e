"""`/autoshares digest …`: scheduled portfolio summaries."""

from __future__ import annotations

import re

from bot.core.commands import (
    DigestCommand,
    DigestEvery,
    DigestListCommand,
    DigestOffCommand,
    DigestRequest,
)
from handlers.parsing.common import (
    _identifier,
    _Invalid,
    _show,
)

# --------------------------------------------------------------------------- /autoshares digest

_CLOCK_RE = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?(am|pm)?", re.IGNORECASE)
_DIGEST_EXAMPLE = "digest weekdays at close"


def _clock(token: str) -> str:
    """`16:15`, `9:30`, `4pm`, `4:15pm` → ``HH:MM`` (24 hours)."""
    match = _CLOCK_RE.fullmatch(token)
    if match is None or (match.group(2) is None and match.group(3) is None):
        raise _Invalid(
            f"{_show(token)} is not a time; use 16:15, 4:15pm, close or open", example="digest daily 16:15"
        )
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise _Invalid(f"{_show(token)} is not a time of day", example="digest daily 4:15pm")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise _Invalid(f"{_show(token)} is not a time of day", example="digest daily 16:15")
    return f"{hour:02d}:{minute:02d}"


def _digest_from_tokens(tokens: list[str]) -> DigestCommand:
    """`digest [list]`, `digest off [id]`, `digest daily|weekdays [at] 16:15|4pm|close|open`."""
    if not tokens or tokens[0].lower() == "list":
        if tokens[1:]:
            raise _Invalid(f"{_show(tokens[1])} is not understood after list", example="digest list")
        return DigestListCommand()
    word, rest = tokens[0].lower(), tokens[1:]
    if word in ("off", "stop", "delete"):
        if not rest:
            return DigestOffCommand()
        if len(rest) > 1:
            raise _Invalid(f"{_show(rest[1])} is not understood after the id", example="digest off 2")
        try:
            return DigestOffCommand(_identifier(rest[0], "digest id"))
        except _Invalid as invalid:  # the digest's own example, not the bare help
            raise _Invalid(invalid.problem, example="digest off 2") from None
    if word not in ("daily", "weekdays", "weekday"):
        raise _Invalid(
            f"{_show(tokens[0])} is not understood; use daily, weekdays, list or off", example=_DIGEST_EXAMPLE
        )
    every: DigestEvery = "daily" if word == "daily" else "weekdays"
    if rest and rest[0].lower() == "at":
        rest = rest[1:]
    if not rest:
        raise _Invalid("Say when: a time such as 16:15, or close or open", example=_DIGEST_EXAMPLE)
    if len(rest) > 1:
        raise _Invalid(f"{_show(rest[1])} is not understood after the time", example=_DIGEST_EXAMPLE)
    when = rest[0].lower()
    if when in ("close", "open"):
        return DigestRequest(every, market_time="close" if when == "close" else "open")
    return DigestRequest(every, at=_clock(rest[0]))
