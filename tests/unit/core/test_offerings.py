"""``bot.core.offerings``: offerings shown, Subscribe held under team rules and agreements, audited Unsubscribe."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares import errors as e
from bot.autoshares.resources import Account, Agreement, Offering, OfferingTicket
from bot.core.errors import (
    AgreementsOutstandingError,
    NotYourAccount,
    OfferingNotFound,
    OfferingRefused,
    OrderValueOverLimit,
    RoleTooLow,
    TradingPaused,
)
from bot.core.offerings import OfferingService, find_offering
from bot.core.team import VIEWER
from storage.records import PENDING
from tests.unit.core.conftest import Core, StandInApi

CASH = Account.model_validate({"Id": 5001, "Alias": "Cash"})
MARGIN = Account.model_validate({"Id": 5002})
ORBF = Offering.model_validate(
    {
        "OfferingReference": "ORBF-2026",
        "Name": "Orbital Freight Inc.",
        "TickerSymbol": "ORBF",
        "MinPrice": "17.00",
        "MaxPrice": "19.50",
        "TradeDate": "2026-12-10",
        "MinTicketSize": "1000",
        "Underwriter": None,
    }
)
UNPRICED = Offering.model_validate({"OfferingReference": "LONG-REFERENCE-WITHOUT-A-TICKER"})
UNSIGNED = Agreement.model_validate({"Id": 11, "Title": "Platform"})


def service(core: Core) -> OfferingService:
    return OfferingService(
        users=core.people.users,
        accounts=core.accounts,
        agreements=core.agreements,
        orders=core.orders,
        audit=core.audit,
    )


def offered(**changes: Any) -> StandInApi:
    answers: dict[str, Any] = {
        "accounts": [CASH, MARGIN],
        "agreements": [],
        "active_offerings": [ORBF, UNPRICED],
        "unsubscribe_offering": None,
    }
    return StandInApi(**(answers | changes))


async def preview(core: Core, reference: str = "ORBF-2026", account_id: int = 5001) -> Any:
    return await service(core).preview(
        "T1", "U1", account_id, reference, channel_id="C1", response_url="https://slack.test/r/1"
    )


def test_an_offering_is_found_by_its_reference_only() -> None:
    assert find_offering([UNPRICED, ORBF], "ORBF-2026") is ORBF
    assert find_offering([ORBF], "ORBF") is None  # the ticker is not the reference
    assert find_offering([], "ORBF-2026") is None


# -- /autoshares ipo --------------------------------------------------------------------------------
async def test_the_offerings_of_the_default_account_are_shown(core: Core) -> None:
    api = offered()
    await core.people.link(api, default_account_id=5002)
    view = await service(core).active("T1", "U1", None)
    assert (view.account_id, view.account, view.offerings) == (5002, MARGIN, [ORBF, UNPRICED])
    assert api.called("active_offerings") == [((5002,), {})]


async def test_no_offering_open_to_the_account_is_an_empty_list(core: Core) -> None:
    await core.people.link(offered(active_offerings=[]))
    view = await service(core).active("T1", "U1", 5001)
    assert (view.account_id, view.offerings) == (5001, [])


async def test_the_offerings_of_another_members_account_are_refused(core: Core) -> None:
    api = offered()
    await core.people.link(api)
    with pytest.raises(NotYourAccount):
        await service(core).active("T1", "U1", 6001)
    assert "active_offerings" not in api.asked


# -- Subscribe -----------------------------------------------------------------------------------
async def test_subscribe_holds_the_offering_as_read_now_valued_at_its_minimum_ticket(core: Core) -> None:
    api = offered()
    await core.people.link(api)
    shown = await preview(core)
    assert (shown.account_id, shown.account, shown.offering) == (5001, CASH, ORBF)
    assert (shown.approval, shown.approvals_channel) == (None, None)
    held = await core.pending.get(shown.pending.id)
    assert held is not None and held.status == PENDING
    assert (held.account_id, held.symbol, held.notional) == (5001, "ORBF", Decimal("1000"))
    assert held.channel_id == "C1"
    assert OfferingTicket.holds(held.request)
    assert OfferingTicket.read(held.request) == OfferingTicket.of(ORBF)
    assert "subscribe_offering" not in api.asked  # nothing is subscribed before Confirm


async def test_an_offering_without_a_ticker_is_listed_under_its_reference_cut_short(core: Core) -> None:
    await core.people.link(offered())
    shown = await preview(core, "LONG-REFERENCE-WITHOUT-A-TICKER")
    held = await core.pending.get(shown.pending.id)
    assert held is not None and held.symbol == "LONG-REFERENCE-W" and held.notional is None


async def test_an_offering_no_longer_active_is_not_held(core: Core) -> None:
    await core.people.link(offered(active_offerings=[UNPRICED]))
    with pytest.raises(OfferingNotFound) as refused:
        await preview(core)
    assert (refused.value.reference, refused.value.account_id) == ("ORBF-2026", 5001)


async def test_subscribe_waits_for_the_agreements_before_reading_the_offering(core: Core) -> None:
    api = offered(agreements=[UNSIGNED])
    await core.people.link(api)
    with pytest.raises(AgreementsOutstandingError):
        await preview(core)
    assert "active_offerings" not in api.asked


async def test_the_team_rules_come_before_any_autoshares_call(core: Core) -> None:
    api = offered()
    await core.people.link(api)
    await core.team.repo.set_member("T1", "U1", actor="U0ADMIN", role=VIEWER)
    with pytest.raises(RoleTooLow):
        await preview(core)
    await core.team.repo.set_member("T1", "U1", actor="U0ADMIN", role=None)
    await core.team.repo.set_policy("T1", actor="U0ADMIN", trading_paused=True)
    with pytest.raises(TradingPaused):
        await preview(core)
    assert api.calls == []


async def test_a_minimum_ticket_over_the_members_limit_is_refused(core: Core) -> None:
    await core.people.link(offered())
    await core.team.repo.set_member("T1", "U1", actor="U0ADMIN", max_order_value=Decimal("999.99"))
    with pytest.raises(OrderValueOverLimit):
        await preview(core)


async def test_an_offering_of_unknown_value_needs_approval_wherever_a_threshold_is_set(core: Core) -> None:
    await core.people.link(offered())
    await core.team.repo.set_policy(
        "T1", actor="U0ADMIN", approval_threshold=Decimal("5000"), approvals_channel="C0APPROVE"
    )
    unknown = await preview(core, "LONG-REFERENCE-WITHOUT-A-TICKER")
    assert (unknown.approval, unknown.approvals_channel) == ("over_threshold", "C0APPROVE")
    under = await preview(core)  # 1000 is under the threshold
    assert (under.approval, under.approvals_channel) == (None, None)


# -- Unsubscribe ---------------------------------------------------------------------------------
async def test_unsubscribe_stops_following_and_is_audited(core: Core) -> None:
    api = offered()
    await core.people.link(api)
    assert await service(core).unsubscribe("T1", "U1", 5001, "ORBF-2026") == ORBF
    assert api.called("unsubscribe_offering") == [((5001, "ORBF-2026"), {})]
    (event,) = await core.audit.since(subject="ipo")
    assert (event.action, event.team_id, event.slack_user_id) == ("unsubscribed", "T1", "U1")
    assert event.detail == {"account_id": 5001, "offering": "ORBF-2026"}


async def test_unsubscribe_refused_by_autoshares_names_the_offering_and_is_not_audited(core: Core) -> None:
    await core.people.link(offered(unsubscribe_offering=e.AutoSharesConflict("409", status=409)))
    with pytest.raises(OfferingRefused) as refused:
        await service(core).unsubscribe("T1", "U1", 5001, "ORBF-2026")
    assert (refused.value.title, refused.value.action) == ("Orbital Freight Inc. (ORBF)", "unsubscribe from")
    assert await core.audit.since(subject="ipo") == []


async def test_unsubscribe_with_autoshares_unavailable_is_not_called_a_refusal(core: Core) -> None:
    await core.people.link(offered(unsubscribe_offering=e.AutoSharesUnavailable("timeout")))
    with pytest.raises(e.AutoSharesUnavailable):
        await service(core).unsubscribe("T1", "U1", 5001, "ORBF-2026")
    assert await core.audit.since(subject="ipo") == []


async def test_unsubscribe_is_a_traders_act_and_needs_the_offering_active(core: Core) -> None:
    api = offered(active_offerings=[UNPRICED])
    await core.people.link(api)
    with pytest.raises(OfferingNotFound):
        await service(core).unsubscribe("T1", "U1", 5001, "ORBF-2026")
    await core.team.repo.set_member("T1", "U1", actor="U0ADMIN", role=VIEWER)
    with pytest.raises(RoleTooLow):
        await service(core).unsubscribe("T1", "U1", 5001, "UNPRICED")
    assert "unsubscribe_offering" not in api.asked
