"""Paper or live, as users see it: the badge on the order preview, on the message that replaces
it, on the order's later updates (delivered by the outbox), on the large-order modal, on App Home
and on an alert's post in the channel, from a bot configured paper and from one that is live.

The tests' bot reaches the sandbox by URL, as it would a real AutoShares, so ``bot_env`` says
``AUTOSHARES_ENVIRONMENT=paper``; without it the bot takes the sandbox for a real AutoShares and
is live.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import RunningBot
from tests.scenario.steps import WEBHOOK_SECRET, with_webhooks
from tests.scenario.test_alerts import alert_posts, delivered
from tests.scenario.test_home import open_home
from tests.scenario.test_orders import BOB, button, click, command
from tests.scenario.test_webhooks import place_open_order, wait_for_update

PAPER = ":test_tube: *Paper trading* · no real money"
LIVE = ":red_circle: *Live trading* · real money"
CHANNEL = "C0GENERAL"


def badge(payload: dict[str, Any]) -> str:
    """The one badge of a message or view, which must come first (under the tab's header)."""
    blocks = payload["blocks"]
    found = [(i, b) for i, b in enumerate(blocks) if b.get("block_id") == "trading_environment"]
    assert len(found) == 1, f"expected one badge in {[b.get('type') for b in blocks]}"
    (index, block) = found[0]
    assert index == (1 if blocks[0]["type"] == "header" else 0), f"the badge is block {index}"
    assert block["type"] == "context"
    return str(block["elements"][0]["text"])


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    """Webhooks configured, so an order's fill and an alert arrive through the outbox at once."""
    return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": WEBHOOK_SECRET}


@pytest.fixture
async def bob(bot: RunningBot) -> RunningBot:
    return await with_webhooks(bot, BOB, "bob")


class TestPaper:
    async def test_preview_placed_message_and_the_fill_update_say_paper(self, bob: RunningBot) -> None:
        assert bob.settings.autoshares_environment == "paper"
        preview = await command(bob, "buy 3 TSLA limit 200")
        assert badge(preview) == PAPER
        assert preview["text"].startswith("[PAPER] Review your order: Buy 3 TSLA")

        placed, path = await place_open_order(bob)  # confirmed: the answer replaces the preview
        assert badge(placed) == PAPER
        assert placed["text"].startswith("[PAPER] Order ")

        await bob.admin("POST", "_sandbox/prices", json={"Symbol": "TSLA", "Last": 199})
        filled = await wait_for_update(bob, path, "is filled")  # posted by the outbox
        assert badge(filled) == PAPER
        assert filled["text"].startswith("[PAPER] Order ") and filled["text"].endswith("is filled.")

    async def test_a_refused_preview_and_a_cancelled_one_say_paper(self, bob: RunningBot) -> None:
        refused = await command(bob, "buy 3 NOPE")
        assert badge(refused) == PAPER
        assert refused["text"].startswith("[PAPER] AutoShares would not accept this order")

        preview = await command(bob, "buy 1 AAPL")
        cancelled = await click(bob, preview, "order_cancel_pending")
        assert badge(cancelled) == PAPER
        assert cancelled["text"].startswith("[PAPER] Cancelled: Buy 1 AAPL")

    async def test_the_large_order_modal_says_paper(self, bob: RunningBot) -> None:
        preview = await command(bob, "buy 200 AAPL")  # about $46,000 > $25,000
        before = len(bob.slack.by_method("views.open"))
        await bob.driver.click(button(preview, "order_confirm"), user=BOB)
        (opened,) = (await bob.slack.wait_for("views.open", count=before + 1))[before:]
        view = opened.args["view"]
        assert view["callback_id"] == "order_large_confirm"
        assert badge(view) == PAPER

    async def test_app_home_says_paper_linked_or_not(self, bob: RunningBot) -> None:
        linked = await open_home(bob, BOB)
        assert badge(linked) == PAPER
        assert "Default account" in str(linked["blocks"])
        assert badge(await open_home(bob, "U0NEWCOMER")) == PAPER

    async def test_an_alert_post_says_paper(self, bob: RunningBot) -> None:
        await command(bob, "AAPL above 240", command="/alert")
        await bob.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 241.25})
        (posted,) = await bob.slack.wait_for("chat.postMessage", channel=CHANNEL)
        assert badge(posted.args) == PAPER
        assert posted.args["text"].startswith("[PAPER] Alert: AAPL")
        await delivered(bob, "alert.triggered")
        assert len(await alert_posts(bob)) == 1


class TestLive:
    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        """AUTOSHARES_ENVIRONMENT left to choose: AutoShares is reached by URL, so it is live."""
        return {k: v for k, v in bot_env.items() if k != "AUTOSHARES_ENVIRONMENT"}

    async def test_orders_app_home_and_alerts_say_live(self, bob: RunningBot) -> None:
        assert bob.settings.autoshares_environment == "live"
        preview = await command(bob, "buy 3 TSLA limit 200")
        assert badge(preview) == LIVE
        assert preview["text"].startswith("[LIVE] Review your order")

        placed, path = await place_open_order(bob)
        assert badge(placed) == LIVE and placed["text"].startswith("[LIVE] Order ")
        await bob.admin("POST", "_sandbox/prices", json={"Symbol": "TSLA", "Last": 199})
        filled = await wait_for_update(bob, path, "is filled")
        assert badge(filled) == LIVE and filled["text"].startswith("[LIVE] Order ")

        assert badge(await open_home(bob, BOB)) == LIVE

        await command(bob, "AAPL above 240", command="/alert")
        await bob.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 241.25})
        (posted,) = await bob.slack.wait_for("chat.postMessage", channel=CHANNEL)
        assert badge(posted.args) == LIVE and posted.args["text"].startswith("[LIVE] Alert: AAPL")
