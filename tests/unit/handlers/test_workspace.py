"""handlers.workspace: its registration table (app_uninstalled and tokens_revoked)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import workspace
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(workspace.LISTENERS)
    assert ids == {
        "subcommand": [],
        "action": [],
        "view": [],
        "event": ["app_uninstalled", "tokens_revoked"],
        "function": [],
    }
    assert_registers(register(workspace), ids)
