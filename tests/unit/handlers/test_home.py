"""handlers.home: its registration table (the tab, Refresh and Unlink) and the problem view."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import errors, home
from handlers.blocks import home as blocks
from handlers.errors import StaleButton
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(home.LISTENERS)
    assert ids == {
        "subcommand": [],
        "action": [blocks.HOME_REFRESH, blocks.HOME_UNLINK],
        "view": [],
        "event": ["app_home_opened"],
        "function": [],
    }
    assert_registers(register(home), ids)


def test_the_problem_view_is_a_home_tab_with_the_errors_sentence() -> None:
    view = home.problem_view(StaleButton("/autoshares account"))
    assert view["type"] == "home"
    (block,) = view["blocks"]
    assert block["text"]["text"] == f":warning: {errors.sentence(StaleButton('/autoshares account'))}"
