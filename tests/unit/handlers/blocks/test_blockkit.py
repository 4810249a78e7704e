from __future__ import annotations

from bot.devkit.blockkit import problems
from handlers.blocks.common import error_message, link_prompt


def test_common_builders_pass() -> None:
    assert problems(error_message("Nope. Try again.")["blocks"]) == []
    assert problems(link_prompt("https://example.com/x")["blocks"]) == []


def test_limits_are_caught() -> None:
    too_long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    label = {
        "type": "actions",
        "elements": [{"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "y" * 76}}],
    }
    assert any("3001" in p for p in problems([too_long]))
    assert any("button label" in p for p in problems([label]))
    assert any("51 blocks" in p for p in problems([{"type": "divider"}] * 51))
    assert problems([{"type": "nonsense"}])
