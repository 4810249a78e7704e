"""handlers.digest: its registration table (the digest command)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import digest
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(digest.LISTENERS)
    assert ids == {
        "subcommand": ["digest"],
        "action": [],
        "view": [],
        "event": [],
        "function": [],
    }
    registered = register(digest)
    assert registered.subcommands == sorted(ids["subcommand"])
    assert registered.handled.actions == set(ids["action"])
    assert registered.handled.views == set(ids["view"])
    assert registered.handled.events == set(ids["event"]) | (
        {"function_executed"} if ids["function"] else set()
    )
    assert registered.handled.functions == set(ids["function"])
