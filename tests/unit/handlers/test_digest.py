"""handlers.digest: its registration table (the digest command)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import digest
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(digest.LISTENERS)
    assert ids == {
        "subcommand": ["digest"],
        "action": [],
        "view": [],
        "event": [],
        "function": [],
    }
    assert_registers(register(digest), ids)
