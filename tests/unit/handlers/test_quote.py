"""handlers.quote: its registration table (the quote command and Share) and the sparkline note."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from bot.core.charts import Candle
from handlers import quote
from handlers.blocks import quote as blocks
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(quote.LISTENERS)
    assert ids == {
        "subcommand": ["quote"],
        "action": [blocks.QUOTE_SHARE],
        "view": [],
        "event": [],
        "function": [],
    }
    assert_registers(register(quote), ids)


def test_the_sparkline_note_gives_the_move_over_the_range_and_why() -> None:
    candles = [
        Candle(time=i, open=v, high=v, low=v, close=v, volume=0) for i, v in enumerate((100.0, 90.0, 110.0))
    ]
    note = quote.sparkline_note("A&B", "5d", candles, "the image could not be shown")
    assert note.startswith(":chart_with_upwards_trend: *A&amp;B* over ")
    assert "(+10.00%)" in note
    assert note.endswith("`\n_the image could not be shown_")
