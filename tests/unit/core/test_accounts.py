"""``bot.core.accounts``: which account is acted on or refused, failed balances, positions pages, binding, sign-up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares import errors as e
from bot.autoshares.paging import Page
from bot.autoshares.resources import AccessType, Account, AccountBinding, Balance, Position
from bot.core.accounts import AccountService
from bot.core.errors import AccountBindRefused, NoTradingAccount, NotYourAccount, SignupNotConfigured
from tests.unit.core.conftest import People, StandInApi

CASH = Account.model_validate({"Id": 5001, "Alias": "Cash", "AccessType": "Full"})
MARGIN = Account.model_validate({"Id": 5002, "Alias": "Margin", "MarginType": "Margin"})
AAPL = Position.model_validate({"SecurityId": 1, "Symbol": "AAPL", "Quantity": 10})


def balance(equity: str) -> Balance:
    return Balance.model_validate({"Equity": equity, "BuyingPower": "100.50", "Note": "text is left out"})


def page(*positions: Position, total: int | None = None) -> Page[Position]:
    return Page(list(positions), total, has_next=False)


def service(people: People, signup_url: str | None = None) -> AccountService:
    return AccountService(people.users, signup_url=signup_url)


# -- which account --------------------------------------------------------------------------------
async def test_the_account_asked_for_is_used_when_it_is_the_users(people: People) -> None:
    await people.link(StandInApi(accounts=[CASH, MARGIN]), default_account_id=5001)
    user = await people.users.acting("T1", "U1")
    assert await service(people).resolve(user, 5002) == (5002, MARGIN)
    assert (await people.stored()).default_account_id == 5001  # asking for one is not choosing it


async def test_an_account_that_is_not_the_users_is_refused_by_its_id(people: People) -> None:
    await people.link(StandInApi(accounts=[CASH]))
    user = await people.users.acting("T1", "U1")
    with pytest.raises(NotYourAccount) as refused:
        await service(people).resolve(user, 9999)
    assert refused.value.account_id == 9999


async def test_without_any_account_there_is_nothing_to_act_on(people: People) -> None:
    await people.link(StandInApi(accounts=[]))
    user = await people.users.acting("T1", "U1")
    with pytest.raises(NoTradingAccount):
        await service(people).resolve(user, None)
    with pytest.raises(NoTradingAccount):  # even when one is named
        await service(people).resolve(user, 5001)


async def test_the_default_is_used_while_it_is_still_among_the_accounts(people: People) -> None:
    await people.link(StandInApi(accounts=[CASH, MARGIN]), default_account_id=5002)
    user = await people.users.acting("T1", "U1")
    assert await service(people).resolve(user, None) == (5002, MARGIN)


@pytest.mark.parametrize("default", [None, 4242])
async def test_else_the_first_account_is_used_and_becomes_the_default(
    people: People, default: int | None
) -> None:
    await people.link(StandInApi(accounts=[MARGIN, CASH]), default_account_id=default)
    user = await people.users.acting("T1", "U1")
    assert await service(people).resolve(user, None) == (5002, MARGIN)
    assert (await people.stored()).default_account_id == 5002


async def test_autoshares_unavailable_while_listing_accounts_is_not_hidden(people: People) -> None:
    await people.link(StandInApi(accounts=e.AutoSharesUnavailable("timeout")))
    user = await people.users.acting("T1", "U1")
    with pytest.raises(e.AutoSharesUnavailable):
        await service(people).resolve(user, None)


# -- the overview and the default -----------------------------------------------------------------
async def test_overview_shows_every_account_and_a_failed_balance_as_none(people: People) -> None:
    def balances(account_id: int) -> Balance:
        if account_id == 5002:
            raise e.AutoSharesServerError("500", status=500)
        return balance("1234.56")

    await people.link(StandInApi(accounts=[CASH, MARGIN], balances=balances), default_account_id=5002)
    _, views = await service(people).overview("T1", "U1")
    assert [(v.account.id, v.is_default) for v in views] == [(5001, False), (5002, True)]
    cash, margin = views
    assert cash.balances is not None and cash.balances.equity == Decimal("1234.56")
    assert cash.balances.buying_power == Decimal("100.50")
    assert margin.balances is None


async def test_overview_with_no_default_marks_none_and_with_no_account_shows_nothing(people: People) -> None:
    await people.link(StandInApi(accounts=[CASH], balances=balance("1")))
    _, views = await service(people).overview("T1", "U1")
    assert [v.is_default for v in views] == [False]
    await people.link(StandInApi(accounts=[]), slack_user_id="U2")
    _, empty = await service(people).overview("T1", "U2")
    assert empty == []


async def test_make_default_selects_at_autoshares_then_stores_and_marks_it(people: People) -> None:
    api = StandInApi(accounts=[CASH, MARGIN], balances=balance("1"), select_account=None)
    await people.link(api, default_account_id=5001)
    _, views = await service(people).make_default("T1", "U1", 5002)
    assert api.called("select_account") == [((5002,), {})]
    assert (await people.stored()).default_account_id == 5002
    assert [v.is_default for v in views] == [False, True]


async def test_make_default_refused_by_autoshares_keeps_the_old_default(people: People) -> None:
    api = StandInApi(accounts=[CASH], select_account=e.AutoSharesForbidden("403", status=403))
    await people.link(api, default_account_id=5001)
    with pytest.raises(e.AutoSharesForbidden):
        await service(people).make_default("T1", "U1", 5002)
    assert (await people.stored()).default_account_id == 5001


# -- positions ------------------------------------------------------------------------------------
async def test_positions_of_the_default_are_read_with_the_account_list(people: People) -> None:
    api = StandInApi(accounts=[CASH, MARGIN], positions=page(AAPL, total=21))
    await people.link(api, default_account_id=5002)
    found = await service(people).positions("T1", "U1", None, 1)
    assert (found.account_id, found.account, found.page, found.total) == (5002, MARGIN, 1, 21)
    assert list(found.positions) == [AAPL]
    assert api.called("positions") == [((5002,), {"page": 1, "page_size": 20, "sort_field": "Symbol"})]


async def test_positions_read_early_for_a_gone_default_are_read_again_for_the_first(people: People) -> None:
    def positions(account_id: int, **_: Any) -> Page[Position]:
        if account_id != 5001:
            raise e.AutoSharesForbidden("403", status=403)  # no longer the user's
        return page(AAPL)

    api = StandInApi(accounts=[CASH], positions=positions)
    await people.link(api, default_account_id=4242)
    found = await service(people).positions("T1", "U1", None, 0)
    assert found.account_id == 5001 and list(found.positions) == [AAPL]
    assert [args for args, _ in api.called("positions")] == [(4242,), (5001,)]


async def test_positions_of_an_account_not_the_users_are_refused_before_the_page_error(
    people: People,
) -> None:
    api = StandInApi(accounts=[CASH], positions=e.AutoSharesForbidden("403", status=403))
    await people.link(api)
    with pytest.raises(NotYourAccount):
        await service(people).positions("T1", "U1", 9999, 0)


async def test_positions_failing_for_the_chosen_account_fail_the_page(people: People) -> None:
    api = StandInApi(accounts=[CASH], positions=e.AutoSharesUnavailable("timeout"))
    await people.link(api)
    with pytest.raises(e.AutoSharesUnavailable):
        await service(people).positions("T1", "U1", 5001, 0)


async def test_positions_without_a_guess_list_the_accounts_first_and_may_be_empty(people: People) -> None:
    api = StandInApi(accounts=[CASH], positions=page())
    await people.link(api)
    found = await service(people).positions("T1", "U1", None, 0)
    assert api.asked == ["accounts", "positions"]
    assert (found.account_id, list(found.positions), found.total, found.has_next) == (5001, [], None, False)


# -- adding an account and signing up -------------------------------------------------------------
async def test_add_binds_the_account_with_full_access_and_says_what_was_granted(people: People) -> None:
    api = StandInApi(bind_account=AccountBinding.model_validate({"AccountAccessType": "ReadOnly"}))
    await people.link(api)
    assert await service(people).add("T1", "U1", 6001) == AccessType.ReadOnly.value
    assert api.called("bind_account") == [((6001, "Full"), {})]


async def test_add_without_an_access_type_in_the_answer_says_none(people: People) -> None:
    await people.link(StandInApi(bind_account=AccountBinding.model_validate({})))
    assert await service(people).add("T1", "U1", 6001) is None


@pytest.mark.parametrize(
    "refusal",
    [
        e.AutoSharesForbidden("403", status=403, description="Not your account"),
        e.AutoSharesNotFound("404", status=404, description="No such account"),
        e.AutoSharesInvalid("400", status=400, description="Bad id"),
        e.AutoSharesConflict("409", status=409, description="Already bound"),
    ],
)
async def test_add_refused_by_autoshares_says_why_for_that_account(
    people: People, refusal: e.AutoSharesError
) -> None:
    await people.link(StandInApi(bind_account=refusal))
    with pytest.raises(AccountBindRefused) as refused:
        await service(people).add("T1", "U1", 6001)
    assert (refused.value.account_id, refused.value.reason) == (6001, refusal.description)
    assert refusal.code in str(refused.value)


@pytest.mark.parametrize(
    "failure", [e.AutoSharesAppKeyRejected("app key", status=403), e.AutoSharesUnavailable("timeout")]
)
async def test_add_failing_for_other_reasons_is_not_called_a_refusal(
    people: People, failure: e.AutoSharesError
) -> None:
    await people.link(StandInApi(bind_account=failure))
    with pytest.raises(type(failure)):
        await service(people).add("T1", "U1", 6001)


async def test_the_signup_link_is_the_configured_one_or_a_config_error(people: People) -> None:
    assert service(people, "https://autoshares.test/signup").signup_url() == "https://autoshares.test/signup"
    for missing in (None, ""):
        with pytest.raises(SignupNotConfigured):
            service(people, missing).signup_url()
