"""handlers.alert: its registration table (the alert command, Delete, Buy/Sell and Snooze)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import alert
from handlers.blocks import alert as blocks
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(alert.LISTENERS)
    assert ids == {
        "subcommand": ["alert"],
        "action": [
            blocks.ALERT_DELETE,
            blocks.ALERT_BUY,
            blocks.ALERT_SELL,
            blocks.ALERT_SNOOZE_HOUR,
            blocks.ALERT_SNOOZE_DAY,
            blocks.ALERT_EDIT,
        ],
        "view": ["alert_edit_form"],
        "event": [],
        "function": [],
    }
    assert_registers(register(alert), ids)
