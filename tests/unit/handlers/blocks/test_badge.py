"""The paper/live badge (``handlers.blocks.common.badged``) on messages and views."""

from __future__ import annotations

from typing import Any

from bot.autoshares.resources import OrderTicket
from bot.core.views import TradingEnvironment
from bot.devkit import blockkit
from handlers.blocks.common import badged, context, error_message, message, section
from handlers.blocks.home import unlinked_home_view
from handlers.blocks.order import large_order_view

PAPER, LIVE = TradingEnvironment.PAPER, TradingEnvironment.LIVE


def texts(payload: dict[str, Any]) -> list[str]:
    return [str(b.get("text", b.get("elements"))) for b in payload["blocks"]]


def test_a_message_gets_the_badge_first_and_a_tagged_text() -> None:
    original = error_message("AutoShares is slow.")
    paper = badged(original, PAPER)
    assert paper["text"] == "[PAPER] AutoShares is slow."
    assert paper["blocks"][0] == {
        "type": "context",
        "block_id": "trading_environment",
        "elements": [{"type": "mrkdwn", "text": ":test_tube: *Paper trading* · no real money"}],
    }
    assert paper["blocks"][1:] == original["blocks"]
    assert original["text"] == "AutoShares is slow." and len(original["blocks"]) == 1  # not changed
    live = badged(original, LIVE)
    assert live["text"] == "[LIVE] AutoShares is slow."
    assert live["blocks"][0]["elements"][0]["text"] == ":red_circle: *Live trading* · real money"
    assert blockkit.problems(paper["blocks"]) == [] and blockkit.problems(live["blocks"]) == []


def test_badging_again_replaces_the_badge() -> None:
    once = badged(error_message("Done."), PAPER)
    assert badged(once, PAPER) == once
    switched = badged(once, LIVE)
    assert switched["text"] == "[LIVE] Done."
    assert [b.get("block_id") for b in switched["blocks"]].count("trading_environment") == 1
    assert "Live trading" in texts(switched)[0]


def test_views_get_the_badge_under_their_header_and_no_text() -> None:
    home = badged(unlinked_home_view("https://bot.example/l"), PAPER)
    assert "text" not in home
    assert [b["type"] for b in home["blocks"][:2]] == ["header", "context"]
    assert home["blocks"][1]["block_id"] == "trading_environment"
    assert blockkit.problems(home["blocks"], view=True) == []
    modal = badged(
        large_order_view(
            pending_id="p1",
            order=OrderTicket.read({"Symbol": "AAPL", "Side": "Buy", "Quantity": 200, "Type": "Market"}),
            notional=46_000,
            response_url=None,
            channel_id="C1",
        ),
        LIVE,
    )
    assert modal["type"] == "modal" and "text" not in modal
    assert modal["blocks"][0]["block_id"] == "trading_environment"
    assert modal["callback_id"] == "order_large_confirm"
    assert blockkit.problems(modal["blocks"], view=True) == []


def test_a_full_message_keeps_the_badge_and_stays_within_slack_limits() -> None:
    full = message("x" * 4000, [section(f"row {i}") for i in range(49)] + [context("last")])
    shown = badged(full, LIVE)
    assert len(shown["blocks"]) == 50
    assert shown["blocks"][0]["block_id"] == "trading_environment"
    assert shown["blocks"][-1]["text"]["text"] == "row 48"  # the last block gave way
    assert len(shown["text"]) == 4000 and shown["text"].startswith("[LIVE] xxx")
