"""handlers.digest: its registration table (the digest command), and the answer to one digest too many."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from bot.core.commands import DigestRequest
from bot.core.digests import MOST_DIGESTS
from handlers import digest
from handlers.kit import table_ids
from storage.digests import TooManyDigests
from tests.unit.handlers.conftest import Registered, Replies, assert_registers, command_context, surface_with


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(digest.LISTENERS)
    assert ids == {
        "subcommand": ["digest"],
        "action": [],
        "view": [],
        "event": [],
        "function": [],
    }
    assert_registers(register(digest), ids)


class FullDigests:
    """Stands for ``core.digests`` when the member already has the most digests allowed."""

    async def schedule(self, team_id: str, user_id: str, channel_id: str, request: DigestRequest) -> object:
        raise TooManyDigests()


async def test_one_digest_too_many_says_how_to_stop_one_in_safe_mrkdwn() -> None:
    replies = Replies()
    request = DigestRequest("daily", at="16:15")
    await digest.digest_command(surface_with(digests=FullDigests()), command_context(replies), request)
    [answer] = replies.sent
    shown = answer["blocks"][0]["text"]["text"]
    assert f"You already have {MOST_DIGESTS} digests" in shown
    assert "`/autoshares digest off &lt;id&gt;`" in shown and "<id>" not in shown
