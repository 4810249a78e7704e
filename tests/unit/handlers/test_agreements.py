"""handlers.agreements: its registration table (the agreements command and the Sign buttons)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import agreements
from handlers.blocks import agreements as blocks
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(agreements.LISTENERS)
    assert ids == {
        "subcommand": ["agreements"],
        "action": [blocks.AGREEMENT_SIGN, blocks.AGREEMENTS_SIGN_ALL],
        "view": [],
        "event": [],
        "function": [],
    }
    assert_registers(register(agreements), ids)
