"""handlers.help: its registration table (the help command) and the message it answers."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from handlers import help
from handlers.blocks.common import escape, help_message
from handlers.kit import table_ids
from handlers.parsing import COMMAND_HELP
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


def test_the_help_is_built_once_per_case_every_command_in_sections_slack_takes() -> None:
    unlinked, linked = help.help_for(linked=False), help.help_for(linked=True)
    assert help.help_for(linked=False) is unlinked  # shared by every help answer
    assert unlinked == help_message(COMMAND_HELP, linked=False)
    assert "/autoshares link" in unlinked["blocks"][1]["text"]["text"]
    assert len(unlinked["blocks"]) == len(linked["blocks"]) + 1
    sections = [b["text"]["text"] for b in linked["blocks"] if b["type"] == "section"]
    assert all(len(text) <= 2800 for text in sections)
    shown = "\n".join(sections)
    assert all(f"e.g. `{escape(example)}`" in shown for _command, example, _description in COMMAND_HELP)
