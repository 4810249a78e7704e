"""handlers.help: its registration table (the help command)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import help
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(help.LISTENERS)
    assert ids == {
        "subcommand": ["help"],
        "action": [],
        "view": [],
        "event": [],
        "function": [],
    }
    assert_registers(register(help), ids)
