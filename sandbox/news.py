"""A seeded news feed and the corporate actions the sandbox publishes.

Each security gets a few headlines the first time its news is asked for: the same seed always
gives the same headlines, sources and ages (hours before that moment). ``POST /_sandbox/news``
publishes one more (the newest); ``POST /_sandbox/corporate-actions`` one corporate action (a
split, a dividend or a merger). Both are kept in ``SandboxState`` until the next reset.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.securities import Security

SOURCES = ("Sandbox Wire", "Market Desk", "Paper Street Journal", "Ticker Times")
_HEADLINES = (
    (
        "{name} shares move as analysts revisit targets",
        "Analysts at several desks revisited their price targets for {name} ({symbol}) on {day}, citing demand in {industry}.",
    ),
    (
        "{name} to present at an industry conference",
        "{name} ({symbol}) said its executives will speak at an {industry} conference next month.",
    ),
    (
        "Options traders eye {symbol} ahead of earnings",
        "Open interest in {symbol} calls rose this week as traders positioned for {name}'s quarterly results.",
    ),
    (
        "{name} announces a new product line",
        "{name} ({symbol}) announced a product line aimed at customers in {industry}.",
    ),
    (
        "What the week holds for {industry} stocks",
        "{industry} names including {symbol} face a week of economic data and company updates.",
    ),
)
SEEDED_PER_SECURITY = 4
CORPORATE_ACTION_TYPES = ("Split", "Dividend", "Merger")


@dataclass
class NewsStory:
    id: int
    security_id: int
    symbol: str
    date: int  # epoch seconds
    source: str
    header: str
    content: str
    attachment: str = ""


@dataclass
class CorporateAction:
    """A split, a dividend or a merger of one security; ``data`` holds its terms as text
    (``CorporateActionResource.Data``)."""

    id: int
    security_id: int
    symbol: str
    type: str  # Split, Dividend, Merger
    date: int  # epoch seconds: the action's effective (ex) date
    data: dict[str, str] = field(default_factory=dict)
    unique_id: str = ""
    completed: bool = False
    is_cancel: bool = False


def seeded_stories(seed: int, security: Security, now: int, next_id: Callable[[], int]) -> list[NewsStory]:
    """The security's seeded headlines, oldest first, the newest a few hours before ``now``."""
    rng = random.Random(f"{seed}:news:{security.symbol}")
    picked = rng.sample(range(len(_HEADLINES)), SEEDED_PER_SECURITY)
    ages = sorted((rng.randint(2, 72) for _ in picked), reverse=True)
    stories = []
    for index, age in zip(picked, ages, strict=True):
        header, content = _HEADLINES[index]
        words = {
            "name": security.name,
            "symbol": security.symbol,
            "industry": security.industry,
            "day": time.strftime("%A", time.gmtime(now - age * 3600)),
        }
        stories.append(
            NewsStory(
                id=next_id(),
                security_id=security.id,
                symbol=security.symbol,
                date=now - age * 3600,
                source=rng.choice(SOURCES),
                header=header.format(**words),
                content=content.format(**words),
            )
        )
    return stories
