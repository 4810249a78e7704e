"""handlers.link: its registration table (link, unlink, status and the sign-in URL button)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import link
from handlers.blocks.home import HOME_LINK
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(link.LISTENERS)
    assert ids == {
        "subcommand": ["link", "unlink", "status"],
        "action": [HOME_LINK],
        "view": [],
        "event": [],
        "function": [],
    }
    assert_registers(register(link), ids)
