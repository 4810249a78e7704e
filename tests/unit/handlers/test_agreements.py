"""handlers.agreements: its registration table (the agreements command and the Sign buttons)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import agreements
from handlers.blocks import agreements as blocks
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(agreements.LISTENERS)
    assert ids == {
        "subcommand": ["agreements"],
        "action": [blocks.AGREEMENT_SIGN, blocks.AGREEMENTS_SIGN_ALL],
        "view": [],
        "event": [],
        "function": [],
    }
    registered = register(agreements)
    assert registered.subcommands == sorted(ids["subcommand"])
    assert registered.handled.actions == set(ids["action"])
    assert registered.handled.views == set(ids["view"])
    assert registered.handled.events == set(ids["event"]) | (
        {"function_executed"} if ids["function"] else set()
    )
    assert registered.handled.functions == set(ids["function"])
