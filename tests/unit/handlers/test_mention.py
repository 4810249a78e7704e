"""handlers.mention: its registration table (app_mention)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import mention
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(mention.LISTENERS)
    assert ids == {
        "subcommand": [],
        "action": [],
        "view": [],
        "event": ["app_mention"],
        "function": [],
    }
    assert_registers(register(mention), ids)
