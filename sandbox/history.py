"""Deterministic candle history that ends at the current price.

The same seed, symbol, period and interval always give the same shape; the series is scaled
so its last close is the live Last price, so charts join the live quote without a jump.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

PERIOD_SECONDS = {"Minute": 60, "Hour": 3600, "Day": 86_400, "Week": 604_800, "Month": 2_592_000}


@dataclass(frozen=True)
class Candle:
    time: int
    open: float
    high: float
    low: float
    close: float
    volume: float


def candles(
    *,
    seed: int,
    symbol: str,
    last: float,
    daily_volume: int,
    period: str,
    interval: int,
    count: int,
    end: int,
) -> list[Candle]:
    """``count`` candles of ``interval`` x ``period``, the last one ending at ``end``."""
    step = PERIOD_SECONDS[period] * interval
    rng = random.Random(f"{seed}:{symbol}:{period}:{interval}")
    volatility = 0.02 * math.sqrt(step / 86_400)
    closes = [1.0]
    for _ in range(count - 1):
        closes.append(closes[-1] * math.exp(rng.gauss(0, volatility)))
    closes.reverse()  # generated backwards from "now"
    scale = last / closes[-1]
    last_slot = end - end % step
    result = []
    previous = closes[0] * scale * math.exp(rng.gauss(0, volatility / 2))
    for index, relative in enumerate(closes):
        close = relative * scale
        opening = previous
        spread = abs(rng.gauss(0, volatility / 2)) * close
        high = max(opening, close) + spread
        low = max(min(opening, close) - spread, 0.01)
        volume = daily_volume * (step / 86_400) * rng.uniform(0.6, 1.4)
        result.append(
            Candle(
                time=last_slot - (count - 1 - index) * step,
                open=round(opening, 2),
                high=round(high, 2),
                low=round(low, 2),
                close=round(close, 2),
                volume=float(int(volume)),
            )
        )
        previous = close
    return result
