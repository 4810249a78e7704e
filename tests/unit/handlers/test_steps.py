"""handlers.steps: its registration table (the two workflow steps)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import steps
from handlers.blocks import steps as blocks
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(steps.LISTENERS)
    assert ids == {
        "subcommand": [],
        "action": [],
        "view": [],
        "event": [],
        "function": [blocks.GET_QUOTE, blocks.PORTFOLIO_SUMMARY],
    }
    assert_registers(register(steps), ids)
