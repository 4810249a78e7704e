"""handlers.blocks.digest: the portfolio digest (figures formatted, values escaped, a part
AutoShares did not answer said so, long lists capped) and the digest schedules."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bot.autoshares.resources import Order
from bot.core.digests import DigestSummary, Mover
from bot.devkit import blockkit
from handlers.blocks.digest import MAX_LISTED, UNAVAILABLE, digest_message, schedules_message
from storage.records import Digest, Route

AS_OF = datetime(2026, 12, 7, 21, 15, tzinfo=UTC)
STAMP = "<!date^1796678100^{date_short_pretty} at {time}|2026-12-07 21:15 UTC>"


def order(order_id: int) -> Order:
    return Order.model_validate(
        {
            "Id": order_id,
            "Status": "New",
            "Symbol": "AAPL",
            "Side": "Buy",
            "Type": "Limit",
            "Quantity": 10,
            "Price": 180,
            "TimeInForce": "Day",
        }
    )


def fired(symbol: str) -> Route:
    return Route(
        1, "T1", "U0ALICE", 7, "C1", symbol, 3, "GTEQ", "Last", Decimal(200), None, AS_OF, "fired", AS_OF
    )


def summary(**parts: Any) -> DigestSummary:
    given: dict[str, Any] = {
        "total_value": Decimal("12345.678"),
        "day_change": Decimal("12.3"),
        "movers": [Mover("A&B", Decimal("5.123")), Mover("MSFT", Decimal(-2))],
        "open_orders": [order(1)],
        "fired": [fired("A&B")],
        **parts,
    }
    return DigestSummary("U0ALICE", "every day at 16:15 <!here>", AS_OF, **given)


def texts(message: dict[str, Any]) -> list[str]:
    """The mrkdwn of each block, in order (a section's fields joined)."""
    found = []
    for block in message["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        elif "fields" in block:
            found.append("|".join(f["text"] for f in block["fields"]))
        elif "elements" in block:
            found.append("|".join(e["text"] for e in block["elements"]))
    return found


def test_the_digest_shows_each_part_formatted_and_escaped() -> None:
    message = digest_message(summary())
    assert blockkit.problems(message["blocks"]) == []
    assert message["text"] == "Portfolio digest: total value $12,345.68, day change +$12.30"
    assert [b["type"] for b in message["blocks"]] == ["header", "section", "section", "section", "section", "divider", "context"]
    assert texts(message) == [
        "Portfolio digest",
        "*Total value*\n$12,345.68|*Day change*\n+$12.30",
        "*Top movers*\nA&amp;B  +5.12%\nMSFT  -2.00%",
        "*Open orders*\n• *Buy 10 AAPL* · limit $180.00 · day (order 1)",
        "*Alerts that fired*\n• *A&amp;B* last price at or above *$200.00*",
        f"<@U0ALICE>'s digest, every day at 16:15 &lt;!here&gt; · as of {STAMP}.",
    ]


def test_a_part_autoshares_did_not_answer_is_said_and_the_rest_still_shown() -> None:
    message = digest_message(summary(total_value=None, day_change=None, movers=None, open_orders=None))
    assert message["text"] == "Portfolio digest: total value unavailable, day change unavailable"
    shown = texts(message)
    assert shown[1] == "*Total value*\nunavailable|*Day change*\nunavailable"
    assert shown[2] == f"*Top movers*\n{UNAVAILABLE}" and shown[3] == f"*Open orders*\n{UNAVAILABLE}"
    assert shown[4].startswith("*Alerts that fired*\n• *A&amp;B*")


def test_nothing_to_report_reads_as_nothing_not_as_a_failure() -> None:
    shown = texts(digest_message(summary(movers=[], open_orders=[], fired=[])))
    assert shown[2:5] == [
        "*Top movers*\nNo positions moved.",
        "*Open orders*\nNone.",
        "*Alerts that fired*\nNone in the last 24 hours.",
    ]


def test_long_lists_are_capped_and_say_how_many_more() -> None:
    message = digest_message(
        summary(open_orders=[order(i) for i in range(1, 9)], fired=[fired(f"S{i}") for i in range(9)])
    )
    orders, alerts = texts(message)[3:5]
    assert orders.count("• ") == MAX_LISTED and "(order 5)" in orders and "(order 6)" not in orders
    assert orders.endswith("\n…and 3 more.")
    assert alerts.count("• ") == MAX_LISTED


def test_a_digest_that_could_not_go_to_its_channel_says_where_it_was_meant_to_go() -> None:
    footer = texts(digest_message(summary(), undeliverable_channel="C9"))[-1]
    assert footer.endswith(" · I could not post in <#C9>, so it came to you here.")


def schedule(digest_id: int, channel_id: str, label: str, zone: str) -> Digest:
    return Digest(digest_id, "T1", "U0ALICE", channel_id, "daily", "16:15", zone, label, AS_OF, None)


def test_the_schedules_name_each_digest_where_it_goes_and_when_next() -> None:
    digests = [
        schedule(2, "U0ALICE", "every day at 16:15", "America/New_York"),
        schedule(3, "C1", "on weekdays at the <market> close", "Europe/Paris"),
    ]
    message = schedules_message(digests, notice=":white_check_mark: Digest 3 set.")
    assert blockkit.problems(message["blocks"]) == []
    assert message["text"] == ":white_check_mark: Digest 3 set."
    notice, listed, footer = texts(message)
    assert notice == ":white_check_mark: Digest 3 set."
    assert listed.split("\n") == [
        "*Your digests*",
        f"*2* · every day at 16:15 (America/New_York) in your DM · next {STAMP}",
        f"*3* · on weekdays at the &lt;market&gt; close (Europe/Paris) in <#C1> · next {STAMP}",
    ]
    assert "holiday" in footer and "`/autoshares digest off &lt;id&gt;`" in footer and "<id>" not in footer


def test_no_schedules_says_how_to_make_one() -> None:
    message = schedules_message([])
    assert message["text"] == "You have no digests."
    assert texts(message) == ["You have no digests. Try `/autoshares digest weekdays at close`."]
    assert schedules_message([], "Stopped 1 digest.")["text"] == "Stopped 1 digest."
