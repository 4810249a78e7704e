"""handlers.link: its registration table (link, unlink, status and the sign-in URL button)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import link
from handlers.blocks.home import HOME_LINK
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(link.LISTENERS)
    assert ids == {
        "subcommand": ["link", "unlink", "status"],
        "action": [HOME_LINK],
        "view": [],
        "event": [],
        "function": [],
    }
    registered = register(link)
    assert registered.subcommands == sorted(ids["subcommand"])
    assert registered.handled.actions == set(ids["action"])
    assert registered.handled.views == set(ids["view"])
    assert registered.handled.events == set(ids["event"]) | (
        {"function_executed"} if ids["function"] else set()
    )
    assert registered.handled.functions == set(ids["function"])
