"""handlers.ipo: its table, the offerings, Subscribe and Unsubscribe as the user sees them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from bot.autoshares.resources import Account, Offering, OfferingTicket
from bot.core.errors import OfferingNotFound, OfferingRefused
from bot.core.orders import OrderPolicy
from bot.core.views import OfferingsView, PendingState, SubscriptionPreview
from bot.devkit.driver import buttons
from handlers import ipo
from handlers.blocks.ipo import IPO_SUBSCRIBE, IPO_UNSUBSCRIBE, offering_value
from handlers.blocks.order import ORDER_CANCEL_PENDING, ORDER_CONFIRM
from handlers.kit import table_ids
from storage.records import Pending
from tests.unit.handlers.conftest import RESPONSE_URL, TEAM, USER, Harness, Registered, assert_registers

ACCOUNT = Account.model_validate({"Id": 12, "Alias": "Main"})
ORBITAL = Offering.model_validate(
    {"OfferingReference": "ORB-1", "Name": "Orbital Inc.", "TickerSymbol": "ORBF", "MinPrice": 18,
     "MaxPrice": 21.5, "TradeDate": "2026-12-15", "MinTicketSize": 500}
)  # fmt: skip
FOLLOWED = Offering.model_validate(
    {"OfferingReference": "Q-2", "Name": "Quarry Co", "TickerSymbol": "QRY", "IsSubscribed": True}
)
PAPER = "[PAPER]"


def pending() -> Pending:
    now = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)
    return Pending(
        id="p-1", team_id=TEAM, slack_user_id=USER, account_id=12, symbol="ORBF",
        request=OfferingTicket.of(ORBITAL).stored(), preview=None, notional=Decimal(500),
        status=PendingState.PENDING, created_at=now, expires_at=now, updated_at=now, channel_id=None,
        response_url=None, autoshares_order_id=None, order_status=None, result=None, error=None,
    )  # fmt: skip


class OfferingsStandIn:
    """Stands for ``OfferingService``: records what it is asked, answers with real views."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.fail = fail
        self.asked: list[tuple[Any, ...]] = []

    async def active(self, team_id: str, slack_user_id: str, account_id: int | None) -> OfferingsView:
        self.asked.append(("active", team_id, slack_user_id, account_id))
        if self.fail:
            raise self.fail
        return OfferingsView(12, ACCOUNT, [ORBITAL, FOLLOWED])

    async def preview(
        self,
        team_id: str,
        slack_user_id: str,
        account_id: int,
        reference: str,
        *,
        channel_id: str | None,
        response_url: str | None,
    ) -> SubscriptionPreview:
        self.asked.append(("preview", team_id, slack_user_id, account_id, reference, channel_id, response_url))
        if self.fail:
            raise self.fail
        return SubscriptionPreview(12, ACCOUNT, ORBITAL, pending())

    async def unsubscribe(self, team_id: str, slack_user_id: str, account_id: int, reference: str) -> Offering:
        self.asked.append(("unsubscribe", team_id, slack_user_id, account_id, reference))
        if self.fail:
            raise self.fail
        return FOLLOWED


def build(harness: Callable[..., Harness], service: OfferingsStandIn) -> Harness:
    orders = SimpleNamespace(policy=OrderPolicy(confirm_seconds=180))
    return harness(ipo, offerings=service, orders=orders)


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(ipo.LISTENERS)
    assert ids == {
        "subcommand": ["ipo"],
        "action": [IPO_SUBSCRIBE, IPO_UNSUBSCRIBE],
        "view": [],
        "event": [],
        "function": [],
    }
    assert_registers(register(ipo), ids)


@pytest.mark.parametrize(("text", "account_id"), [("ipo", None), ("ipo 12", 12), ("ipo account 12", 12)])
async def test_the_offerings_are_shown_privately_badged_each_with_its_button(
    harness: Callable[..., Harness], text: str, account_id: int | None
) -> None:
    service = OfferingsStandIn()
    replies = await build(harness, service).command(text)
    assert service.asked == [("active", TEAM, USER, account_id)]
    answer = replies.last
    assert answer["response_type"] == "ephemeral" and answer["text"].startswith(PAPER)
    assert "Paper trading" in replies.shown()
    assert [(b["action_id"], b["value"]) for b in buttons(answer["blocks"])] == [
        (IPO_SUBSCRIBE, "12:ORB-1"),
        (IPO_UNSUBSCRIBE, "12:Q-2"),
    ]


async def test_subscribe_reads_the_offering_afresh_and_shows_it_to_confirm(harness: Callable[..., Harness]) -> None:
    service = OfferingsStandIn()
    replies = await build(harness, service).click(IPO_SUBSCRIBE, offering_value(12, "ORB-1"))
    assert service.asked == [("preview", TEAM, USER, 12, "ORB-1", "C0TRADE", RESPONSE_URL)]
    answer = replies.last
    assert (answer["response_type"], answer["replace_original"]) == ("ephemeral", False)
    assert answer["text"] == f"{PAPER} Review your subscription to Orbital Inc. (ORBF)"
    assert [(b["action_id"], b["value"]) for b in buttons(answer["blocks"])] == [
        (ORDER_CONFIRM, "p-1"),
        (ORDER_CANCEL_PENDING, "p-1"),
    ]
    assert "This confirmation expires in 3 minutes" in replies.shown()  # the orders' policy


async def test_subscribe_outside_a_channel_names_none(harness: Callable[..., Harness]) -> None:
    service = OfferingsStandIn()
    await build(harness, service).click(IPO_SUBSCRIBE, "12:ORB-1", channel_id="")
    assert service.asked[0][5] is None


async def test_unsubscribe_replaces_the_list_saying_so_on_top(harness: Callable[..., Harness]) -> None:
    service = OfferingsStandIn()
    replies = await build(harness, service).click(IPO_UNSUBSCRIBE, "12:Q-2")
    assert service.asked == [("unsubscribe", TEAM, USER, 12, "Q-2"), ("active", TEAM, USER, 12)]
    answer = replies.last
    assert answer["replace_original"] is True and answer["text"].startswith(PAPER)
    assert "You unsubscribed from Quarry Co" in replies.shown()


@pytest.mark.parametrize("action_id", [IPO_SUBSCRIBE, IPO_UNSUBSCRIBE])
@pytest.mark.parametrize("value", ["", "ORB-1", "x:ORB-1", "0:ORB-1", "12:"])
async def test_a_stale_button_asks_to_run_ipo_again_and_does_nothing(
    harness: Callable[..., Harness], action_id: str, value: str
) -> None:
    service = OfferingsStandIn()
    replies = await build(harness, service).click(action_id, value)
    assert service.asked == []
    assert replies.last["text"] == "That button is out of date. Run `/autoshares ipo` again."


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (
            OfferingNotFound("ORB-1", 12),
            "That new issue is no longer open to account 12. Run `/autoshares ipo` to see the offerings open now.",
        ),
        (
            OfferingRefused("Orbital <Inc>", "unsubscribe from"),
            "AutoShares would not unsubscribe from Orbital &lt;Inc&gt;, so nothing changed. "
            "Run `/autoshares ipo` to see where you stand.",
        ),
    ],
)
@pytest.mark.parametrize("action_id", [IPO_SUBSCRIBE, IPO_UNSUBSCRIBE])
async def test_a_refusal_is_told_privately_as_a_sentence_and_a_next_step(
    harness: Callable[..., Harness], error: Exception, says: str, action_id: str
) -> None:
    replies = await build(harness, OfferingsStandIn(fail=error)).click(action_id, "12:ORB-1")
    assert len(replies.sent) == 1
    assert (replies.last["text"], replies.last["replace_original"]) == (says, False)
