"""``bot.core.transfers``: what is shown and noted as ended, each later outcome told once, where a check stops."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares import errors as e
from bot.autoshares.paging import Page
from bot.autoshares.resources import Account, Transfer
from bot.core.accounts import AccountService
from bot.core.errors import NotYourAccount
from bot.core.pacing import UserPacing
from bot.core.transfers import MAX_TRANSFER_PAGES, TRANSFERS_PAGE_SIZE, TransferService, stored
from storage.outbox import OutboxRepository
from storage.pacing import AllowanceRepository
from storage.records import utcnow
from storage.transfers import TRANSFER_SETTLED, TransferRepository
from tests.unit.core.conftest import People, StandInApi

CASH = Account.model_validate({"Id": 5001})
MARGIN = Account.model_validate({"Id": 5002})
EVERY = timedelta(minutes=1)


def transfer(transfer_id: str, status: str, amount: str = "250.00") -> Transfer:
    return Transfer.model_validate(
        {"Id": transfer_id, "Status": status, "Amount": amount, "IsDeposit": True, "Mechanism": "ACH"}
    )


class Ledger:
    """An account's transfers as AutoShares pages them (newest first); a page may fail."""

    def __init__(self, *pages: list[Transfer], failing: dict[int, Exception] | None = None) -> None:
        self.pages = [list(p) for p in pages]
        self.failing = failing or {}

    def __call__(self, account_id: int, *, page: int = 0, page_size: int = 20) -> Page[Transfer]:
        if page in self.failing:
            raise self.failing[page]
        items = self.pages[page] if page < len(self.pages) else []
        return Page(items, None, has_next=page + 1 < len(self.pages))


@dataclass
class Rig:
    people: People
    service: TransferService
    pacing: UserPacing
    outbox: OutboxRepository

    async def told(self) -> list[tuple[str, str, str]]:
        """(member, transfer, status) of each DM owed, oldest first."""
        items = [i for i in await self.outbox.listed() if i.kind == TRANSFER_SETTLED]
        told = [(i.channel, Transfer.model_validate(i.data["transfer"])) for i in reversed(items)]
        return [(channel, t.id, t.status) for channel, t in told]


@pytest.fixture
def rig(people: People) -> Rig:
    sessions = people.db.sessions
    pacing = UserPacing(AllowanceRepository(sessions), 60, clock=lambda: 1_000_000.0)
    accounts = AccountService(people.users, signup_url=None)
    service = TransferService(
        users=people.users, accounts=accounts, repo=TransferRepository(sessions), pacing=pacing
    )
    return Rig(people, service, pacing, OutboxRepository(sessions))


def later(minutes: int = 2) -> datetime:
    return utcnow() + timedelta(minutes=minutes)


# -- /autoshares transfers -------------------------------------------------------------------------
async def test_recent_shows_the_first_page_and_notes_what_had_ended_as_never_to_tell(rig: Rig) -> None:
    ledger = Ledger(
        [transfer("t1", "Pending"), transfer("t2", "Completed")],
        [transfer("t3", "Returned")],
    )
    api = StandInApi(accounts=[CASH], transfers=lambda *a, **k: ledger(*a, **k))
    await rig.people.link(api)
    view = await rig.service.recent("T1", "U1", None)
    assert (view.account_id, view.account, view.has_more) == (5001, CASH, True)
    assert [t.id for t in view.transfers] == ["t1", "t2"]  # the first page only
    assert [kw.get("page", 0) for _, kw in api.called("transfers")] == [0, 1]
    assert {kw["page_size"] for _, kw in api.called("transfers")} == {TRANSFERS_PAGE_SIZE}

    # The next pass: t1 has completed since; t2 and t3 had ended before and are not told.
    ledger.pages[0][0] = transfer("t1", "COMPLETED")
    assert await rig.service.check_once(EVERY, now=later()) == 1
    assert await rig.told() == [("U1", "t1", "COMPLETED")]
    assert await rig.service.check_once(EVERY, now=later(4)) == 0  # told once
    assert len(await rig.told()) == 1


async def test_recent_reads_at_most_the_newest_pages(rig: Rig) -> None:
    ledger = Ledger(*([transfer(f"t{n}", "Completed")] for n in range(MAX_TRANSFER_PAGES + 3)))
    api = StandInApi(accounts=[CASH], transfers=ledger)
    await rig.people.link(api)
    view = await rig.service.recent("T1", "U1", None)
    assert len(api.called("transfers")) == MAX_TRANSFER_PAGES
    assert [t.id for t in view.transfers] == ["t0"] and view.has_more


async def test_recent_of_an_account_with_no_transfer_is_empty_and_still_followed(rig: Rig) -> None:
    ledger = Ledger([])
    await rig.people.link(StandInApi(accounts=[CASH], transfers=ledger))
    view = await rig.service.recent("T1", "U1", 5001)
    assert (view.transfers, view.has_more) == ([], False)
    ledger.pages = [[transfer("t9", "Failed", "-40.10")]]
    assert await rig.service.check_once(EVERY, now=later()) == 1
    (item,) = [i for i in await rig.outbox.listed() if i.kind == TRANSFER_SETTLED]
    assert item.data["account_id"] == 5001
    assert Transfer.model_validate(item.data["transfer"]).amount == Decimal("-40.10")


async def test_recent_of_another_members_account_is_refused_and_not_followed(rig: Rig) -> None:
    api = StandInApi(accounts=[CASH])
    await rig.people.link(api)
    with pytest.raises(NotYourAccount):
        await rig.service.recent("T1", "U1", 5002)
    assert await rig.service.repo.watchers_of(5002) == []


async def test_a_transfer_still_on_its_way_is_not_told(rig: Rig) -> None:
    ledger = Ledger([])
    await rig.people.link(StandInApi(accounts=[CASH], transfers=ledger))
    await rig.service.recent("T1", "U1", None)
    ledger.pages = [[transfer("t1", "Pending"), transfer("t2", "in progress")]]
    assert await rig.service.check_once(EVERY, now=later()) == 0
    assert await rig.told() == []


# -- where a check stops ---------------------------------------------------------------------------
async def test_a_429_backs_the_member_off_and_what_was_read_before_still_counts(rig: Rig) -> None:
    ledger = Ledger([])
    await rig.people.link(StandInApi(accounts=[CASH], transfers=ledger))
    await rig.service.recent("T1", "U1", None)
    ledger.pages = [[transfer("t1", "Completed")], [transfer("t2", "Completed")]]
    ledger.failing = {1: e.AutoSharesRateLimited("429", retry_after=30, status=429)}
    assert await rig.service.check_once(EVERY, now=later()) == 1
    assert await rig.told() == [("U1", "t1", "Completed")]
    assert await rig.pacing.backed_off(("T1", "U1"))


@pytest.mark.parametrize(
    "failure", [e.AutoSharesUnavailable("timeout"), e.AutoSharesServerError("502", status=502)]
)
async def test_autoshares_failing_tells_nothing_and_does_not_back_off(rig: Rig, failure: Exception) -> None:
    ledger = Ledger([])
    await rig.people.link(StandInApi(accounts=[CASH], transfers=ledger))
    await rig.service.recent("T1", "U1", None)
    ledger.pages, ledger.failing = [[transfer("t1", "Completed")]], {0: failure}
    assert await rig.service.check_once(EVERY, now=later()) == 0
    assert not await rig.pacing.backed_off(("T1", "U1"))
    ledger.failing = {}  # a later pass reads it
    assert await rig.service.check_once(EVERY, now=later(4)) == 1


async def test_a_spent_allowance_stops_reading_until_a_later_pass(rig: Rig) -> None:
    ledger = Ledger([])
    api = StandInApi(accounts=[CASH], transfers=ledger)
    await rig.people.link(api)
    await rig.service.recent("T1", "U1", None)
    ledger.pages = [[transfer("t1", "Completed")], [transfer("t2", "Completed")]]
    await rig.pacing.spend(("T1", "U1"), 59)  # one call left this minute
    before = len(api.called("transfers"))
    assert await rig.service.check_once(EVERY, now=later()) == 1
    assert len(api.called("transfers")) == before + 1
    assert [t for _, t, _ in await rig.told()] == ["t1"]


async def test_a_member_unlinked_since_is_no_longer_followed(rig: Rig) -> None:
    await rig.people.link(StandInApi(accounts=[CASH], transfers=Ledger([])))
    await rig.service.recent("T1", "U1", None)
    await rig.people.links.delete("T1", "U1")
    assert await rig.service.check_once(EVERY, now=later()) == 0
    assert await rig.service.repo.watchers_of(5001) == []


async def test_a_webhook_reads_the_followers_of_that_account_only(rig: Rig) -> None:
    cash, margin = Ledger([]), Ledger([])
    cash_api = StandInApi(accounts=[CASH], transfers=cash)
    margin_api = StandInApi(accounts=[MARGIN], transfers=margin)
    await rig.people.link(cash_api, slack_user_id="U1")
    await rig.people.link(margin_api, slack_user_id="U2")
    await rig.service.recent("T1", "U1", None)
    await rig.service.recent("T1", "U2", None)
    cash.pages = [[transfer("c1", "Settled")]]
    margin.pages = [[transfer("m1", "Settled")]]
    assert await rig.service.check_account(5001) == 1
    assert await rig.told() == [("U1", "c1", "Settled")]
    assert await rig.service.check_account(5001) == 0  # the same outcome again: told already
    assert await rig.service.check_account(7777) == 0  # nobody follows it


def test_stored_keeps_what_the_dm_reads_back_and_drops_what_is_missing() -> None:
    original = transfer("t1", "Completed", "1234.5")
    kept: dict[str, Any] = stored(original)
    assert (kept["id"], kept["status"], "comment" in kept) == ("t1", "Completed", False)
    assert Transfer.model_validate(kept) == original
