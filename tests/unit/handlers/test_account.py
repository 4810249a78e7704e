"""handlers.account: its registration table (the account, positions and signup commands and buttons)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import account
from handlers.blocks import account as blocks
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(account.LISTENERS)
    assert ids == {
        "subcommand": ["account", "positions", "accounts_add", "signup"],
        "action": [
            blocks.ACCOUNT_MAKE_DEFAULT,
            blocks.POSITIONS_PREVIOUS,
            blocks.POSITIONS_NEXT,
            blocks.SIGNUP_OPEN,
        ],
        "view": [],
        "event": [],
        "function": [],
    }
    assert_registers(register(account), ids)
