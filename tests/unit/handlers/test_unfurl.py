"""handlers.unfurl: its registration table (link_shared)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import unfurl
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(unfurl.LISTENERS)
    assert ids == {
        "subcommand": [],
        "action": [],
        "view": [],
        "event": ["link_shared"],
        "function": [],
    }
    assert_registers(register(unfurl), ids)
