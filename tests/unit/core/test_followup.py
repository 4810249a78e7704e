"""``bot.core.followup``: one listing per account, finished orders by Ids, stuck submissions, where a pass stops."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares import errors as e
from bot.autoshares.paging import Page
from bot.autoshares.resources import Order
from bot.core.followup import OrderFollowUp, ids_filter
from bot.core.orders import LOOKUP_PAGE_SIZE, NOT_TAKEN, OPEN_FILTER, order_state
from bot.core.passes import PassReport, PollPolicy
from storage.records import FAILED, PLACED, SUBMITTING, utcnow
from tests.unit.core.conftest import Core, StandInApi

EVERY = timedelta(minutes=1)


def order(order_id: int, status: str, *, filled: str = "0", client_id: str | None = None) -> Order:
    return Order.model_validate(
        {
            "Id": order_id,
            "Status": status,
            "Symbol": "AAPL",
            "Side": "Buy",
            "Quantity": 10,
            "ExecutedQuantity": filled,
            "ClientId": client_id,
        }
    )


class Book:
    """An account's orders at AutoShares, listed the way ``GET /accounts/{id}/orders`` does:
    filtered by the open statuses or by Ids (either may be refused), or read one by one."""

    def __init__(
        self, *orders: Order, refuse: set[str] | None = None, failure: Exception | None = None
    ) -> None:
        self.orders = {o.id: o for o in orders}
        self.refuse = refuse or set()  # "open", "ids"
        self.failure = failure

    def listing(
        self, account_id: int, *, page: int = 0, page_size: int = 50, filter: str | None = None
    ) -> Page[Order]:
        if self.failure is not None:
            raise self.failure
        if filter == OPEN_FILTER:
            if "open" in self.refuse:
                raise e.AutoSharesInvalid("400", status=400, description="filter")
            return Page([o for o in self.orders.values() if o.is_open], None, False)
        if filter is not None and filter.startswith("Id in ("):
            if "ids" in self.refuse:
                raise e.AutoSharesInvalid("400", status=400, description="filter")
            wanted = {int(i) for i in filter[len("Id in (") : -1].split(", ")}
            return Page([o for i, o in self.orders.items() if i in wanted], None, False)
        if filter is not None and filter.startswith("ClientId"):
            client_id = filter.split("'")[1]
            return Page([o for o in self.orders.values() if o.client_id == client_id], None, False)
        return Page(list(self.orders.values()), None, False)

    def one(self, account_id: int, order_id: int) -> Order:
        if order_id not in self.orders:
            raise e.AutoSharesNotFound("404", status=404)
        return self.orders[order_id]

    def api(self) -> StandInApi:
        return StandInApi(orders=self.listing, order=self.one)


@dataclass
class Rig:
    core: Core
    followup: OrderFollowUp

    async def placed(self, order_id: int, *, user: str = "U1", account_id: int = 5001) -> str:
        """A confirmed order AutoShares took as ``order_id`` (New, nothing filled)."""
        pending_id = await self.submitting(user=user, account_id=account_id)
        await self.core.pending.record_placed(pending_id, order_state(order(order_id, "New")))
        return pending_id

    async def submitting(self, *, user: str = "U1", account_id: int = 5001) -> str:
        """A confirmed order whose placement was never answered."""
        pending_id = str(uuid.uuid4())
        await self.core.pending.create(
            id=pending_id,
            team_id="T1",
            slack_user_id=user,
            account_id=account_id,
            symbol="AAPL",
            request={"Symbol": "AAPL", "Side": "Buy", "Quantity": 10, "Type": "Market"},
            preview=None,
            notional=Decimal("2000"),
            ttl=timedelta(minutes=2),
            channel_id="C1",
            response_url=None,
        )
        assert await self.core.pending.claim(pending_id, "T1", user)
        return pending_id

    async def run(self, minutes: int = 2) -> PassReport:
        return await self.followup.run_once(
            every=EVERY, stuck_after=EVERY, now=utcnow() + timedelta(minutes=minutes)
        )

    async def state(self, pending_id: str) -> tuple[str, str | None, Decimal | None]:
        row = await self.core.pending.get(pending_id)
        assert row is not None
        filled = row.result.executed_quantity if row.result else None
        return row.status, row.order_status, filled

    def filters(self, api: StandInApi) -> list[str | None]:
        return [kwargs.get("filter") for _, kwargs in api.called("orders")]


@pytest.fixture
def rig(core: Core) -> Rig:
    followup = OrderFollowUp(
        users=core.people.users,
        orders=core.orders,
        pacing=core.pacing,
        policy=PollPolicy(concurrency=4, chunk=50),
    )
    return Rig(core, followup)


def test_the_ids_filter_names_the_ids_in_order() -> None:
    assert ids_filter([12, 3, 7]) == "Id in (3, 7, 12)"


async def test_one_listing_moves_the_open_orders_on_and_one_more_reads_the_finished(rig: Rig) -> None:
    book = Book(order(1, "PartiallyFilled", filled="4"), order(2, "Filled", filled="10"), order(3, "New"))
    api = book.api()
    await rig.core.people.link(api)
    moving, finished, waiting = await rig.placed(1), await rig.placed(2), await rig.placed(3)
    report = await rig.run()
    assert await rig.state(moving) == (PLACED, "PartiallyFilled", Decimal("4"))
    assert await rig.state(finished) == (PLACED, "Filled", Decimal("10"))
    assert await rig.state(waiting) == (PLACED, "New", Decimal("0"))
    # The open orders (1, 3) once, then the one missing from them (2) by its Id: two calls, not three.
    book_filters = rig.filters(api)
    assert book_filters == [OPEN_FILTER, "Id in (2)"]
    assert {kwargs["page_size"] for _, kwargs in api.called("orders")} == {LOOKUP_PAGE_SIZE}
    assert (report.rows, report.groups, report.calls, report.announced, report.failed) == (3, 1, 2, 2, 0)
    assert "order" not in api.asked


async def test_a_finished_order_is_not_followed_again(rig: Rig) -> None:
    book = Book(order(2, "Filled", filled="10"))
    api = book.api()
    await rig.core.people.link(api)
    await rig.placed(2)
    await rig.run()
    again = await rig.run(minutes=4)
    assert (again.rows, again.calls) == (0, 0)


async def test_an_order_seen_as_it_was_is_not_announced_again(rig: Rig) -> None:
    api = Book(order(3, "New")).api()
    await rig.core.people.link(api)
    await rig.placed(3)
    report = await rig.run()
    assert (report.calls, report.announced) == (1, 0)


async def test_a_refused_open_filter_reads_each_order_by_itself(rig: Rig) -> None:
    book = Book(order(1, "Canceled"), order(2, "PartiallyFilled", filled="1"), refuse={"open"})
    api = book.api()
    await rig.core.people.link(api)
    cancelled, partly = await rig.placed(1), await rig.placed(2)
    gone = await rig.placed(99)  # AutoShares has no such order
    report = await rig.run()
    assert rig.filters(api) == [OPEN_FILTER]  # the Ids filter is not tried on an incomplete listing
    assert sorted(args for args, _ in api.called("order")) == [(5001, 1), (5001, 2), (5001, 99)]
    assert (await rig.state(cancelled))[1] == "Canceled"
    assert (await rig.state(partly))[1:] == ("PartiallyFilled", Decimal("1"))
    assert (await rig.state(gone))[1] == "New"  # left as it was
    assert (report.calls, report.announced, report.failed) == (4, 2, 0)


async def test_a_refused_ids_filter_reads_the_finished_orders_one_by_one(rig: Rig) -> None:
    book = Book(order(1, "Filled", filled="10"), order(2, "Expired"), refuse={"ids"})
    api = book.api()
    await rig.core.people.link(api)
    filled, expired = await rig.placed(1), await rig.placed(2)
    report = await rig.run()
    assert rig.filters(api) == [OPEN_FILTER, "Id in (1, 2)"]
    assert [args for args, _ in api.called("order")] == [(5001, 1), (5001, 2)]
    assert (await rig.state(filled))[1] == "Filled" and (await rig.state(expired))[1] == "Expired"
    assert (report.calls, report.announced) == (4, 2)


async def test_each_account_is_listed_once_and_each_member_acts_as_themselves(rig: Rig) -> None:
    alice, bob = Book(order(1, "Filled")), Book(order(2, "Filled"))
    alice_api, bob_api = alice.api(), bob.api()
    await rig.core.people.link(alice_api, slack_user_id="U1")
    await rig.core.people.link(bob_api, slack_user_id="U2")
    await rig.placed(1, user="U1")
    await rig.placed(2, user="U2", account_id=5002)
    report = await rig.run()
    assert [args[0] for args, _ in alice_api.called("orders")] == [5001, 5001]
    assert [args[0] for args, _ in bob_api.called("orders")] == [5002, 5002]
    assert (report.groups, report.announced) == (2, 2)


# -- submissions left without an answer -----------------------------------------------------------
async def test_a_submission_autoshares_has_is_settled_as_placed(rig: Rig) -> None:
    book = Book()
    await rig.core.people.link(book.api())
    stuck = await rig.submitting()
    book.orders[7] = order(7, "New", client_id=stuck)
    report = await rig.run()
    assert (await rig.state(stuck))[:2] == (PLACED, "New")
    assert report.failed == 0


async def test_a_submission_autoshares_does_not_have_is_settled_as_not_taken(rig: Rig) -> None:
    await rig.core.people.link(Book().api())
    stuck = await rig.submitting()
    await rig.run()
    row = await rig.core.pending.get(stuck)
    assert row is not None and (row.status, row.error) == (FAILED, NOT_TAKEN)


async def test_a_submission_that_cannot_be_settled_now_stays_for_a_later_pass(rig: Rig) -> None:
    await rig.core.people.link(Book(failure=e.AutoSharesUnavailable("timeout")).api())
    stuck = await rig.submitting()
    report = await rig.run()
    assert report.failed == 1
    assert (await rig.state(stuck))[0] == SUBMITTING


# -- where a pass stops -----------------------------------------------------------------------------
async def test_a_429_backs_the_member_off_and_the_next_pass_leaves_them_alone(rig: Rig) -> None:
    book = Book(order(1, "Filled"), failure=e.AutoSharesRateLimited("429", retry_after=60, status=429))
    api = book.api()
    await rig.core.people.link(api)
    pending_id = await rig.placed(1)
    first = await rig.run()
    assert (first.backed_off, first.announced) == (1, 0)
    assert await rig.core.pacing.backed_off(("T1", "U1"))
    book.failure = None
    second = await rig.run(minutes=4)
    assert (second.backed_off, second.calls) == (1, 0)  # the clock of the pacing has not moved
    assert len(api.called("orders")) == 1
    assert (await rig.state(pending_id))[1] == "New"


async def test_a_spent_allowance_leaves_the_member_for_a_later_pass(rig: Rig) -> None:
    api = Book(order(1, "Filled")).api()
    await rig.core.people.link(api)
    await rig.placed(1)
    await rig.core.pacing.spend(("T1", "U1"), 60)
    report = await rig.run()
    assert (report.paced, report.calls) == (1, 0) and api.calls == []


@pytest.mark.parametrize(
    "failure", [e.AutoSharesUnavailable("timeout"), e.AutoSharesServerError("500", status=500)]
)
async def test_autoshares_failing_counts_a_failure_and_changes_nothing(rig: Rig, failure: Exception) -> None:
    await rig.core.people.link(Book(order(1, "Filled"), failure=failure).api())
    pending_id = await rig.placed(1)
    report = await rig.run()
    assert (report.failed, report.announced) == (1, 0)
    assert (await rig.state(pending_id))[1] == "New"


async def test_an_order_of_someone_no_longer_linked_is_a_failure_not_a_crash(rig: Rig) -> None:
    api: Any = Book(order(1, "Filled")).api()
    await rig.core.people.link(api)
    await rig.placed(1)
    await rig.core.people.links.delete("T1", "U1")
    report = await rig.run()
    assert (report.rows, report.failed, report.calls) == (1, 1, 0)
    assert api.calls == []
