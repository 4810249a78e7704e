"""``bot.core.performance``: the report's Decimal figures from AutoShares' answers, empty, zero-based or refused."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares import errors as e
from bot.autoshares.paging import Page
from bot.autoshares.resources import Account, AccountValue, ComparedHistory, Position, Security
from bot.core.accounts import AccountService
from bot.core.errors import NotYourAccount, UnknownSymbolError
from bot.core.performance import HOLDINGS_COMPARED, PerformanceService
from bot.core.returns import DAY
from bot.core.securities import SecurityCache
from tests.unit.core.conftest import People, StandInApi

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
WEEK_AGO = int(datetime(2026, 11, 30, 12, 0, tzinfo=UTC).timestamp())
FIRST_DAY = WEEK_AGO - WEEK_AGO % DAY  # the period's first day, from midnight
LAST_DAY = int(datetime(2026, 12, 7, tzinfo=UTC).timestamp())
CASH = Account.model_validate({"Id": 5001, "Alias": "Cash"})
AAPL = Position.model_validate({"SecurityId": 1, "Symbol": "AAPL", "Quantity": "10"})
MSFT = Position.model_validate({"SecurityId": 2, "Symbol": "MSFT", "Quantity": "2.5"})
UNNAMED = Position.model_validate({"SecurityId": 3, "Quantity": "1"})  # no symbol: cannot be compared
SPY = Security.model_validate({"Id": 9, "Symbol": "SPY"})


def values(*points: tuple[str, str]) -> list[AccountValue]:
    return [AccountValue.model_validate({"Date": day, "Value": value}) for day, value in points]


def closes(*pairs: tuple[float, float]) -> ComparedHistory:
    """One series per pair: its close on the first and on the last day of the period."""
    return ComparedHistory.model_validate(
        [[{"Time": FIRST_DAY, "Close": first}, {"Time": LAST_DAY, "Close": last}] for first, last in pairs]
    )


def positions(*held: Position, total: int | None = None) -> Page[Position]:
    return Page(list(held), total, has_next=False)


async def report_of(people: People, api: StandInApi, benchmark: str | None = None, **kwargs: Any) -> Any:
    await people.link(api)
    users = people.users
    service = PerformanceService(users, AccountService(users, signup_url=None), SecurityCache())
    return await service.performance("T1", "U1", kwargs.pop("period", "1w"), benchmark, now=NOW, **kwargs)


async def test_a_week_with_holdings_and_a_benchmark(people: People) -> None:
    api = StandInApi(
        accounts=[CASH],
        account_history=values(
            ("2026-11-29T00:00:00Z", "900"),  # before the period's first day: left out
            ("2026-12-07T00:00:00Z", "1100.50"),
            ("2026-11-30T00:00:00Z", "1000.25"),
        ),
        positions=positions(AAPL, MSFT, UNNAMED, total=3),
        equity=SPY,
        compare=closes((100, 110), (400, 380), (500, 505)),
    )
    found = await report_of(people, api, "spy")
    assert (found.account_id, found.account, found.period.key) == (5001, CASH, "1w")
    assert found.line.values == (Decimal("1000.25"), Decimal("1100.50"))
    assert (found.start_value, found.end_value) == (Decimal("1000.25"), Decimal("1100.50"))
    assert found.change == Decimal("100.25")
    assert found.percent == Decimal("10.02")  # 100.25 / 1000.25, to the hundredth
    assert found.benchmark.symbol == "SPY" and found.benchmark.percent == Decimal("1.00")
    assert (found.best.symbol, found.best.percent, found.best.quantity) == ("AAPL", Decimal("10.00"), 10)
    assert (found.worst.symbol, found.worst.percent) == ("MSFT", Decimal("-5.00"))
    assert (found.holdings, found.compared) == (3, 2)

    (account_id, start, end), _ = api.called("account_history")[0]
    assert (account_id, int(start.timestamp()), end) == (5001, WEEK_AGO, NOW)
    assert api.called("positions")[0] == (
        (5001,),
        {"page": 0, "page_size": HOLDINGS_COMPARED, "sort_field": "Symbol"},
    )
    (body,), _ = api.called("compare")[0]
    assert body["Securities"] == [{"Symbol": "AAPL"}, {"Symbol": "MSFT"}, {"Symbol": "SPY"}]
    settings = body["SecuritiesHistorySettings"]
    assert (settings["Period"], settings["CandlesCount"]) == ("Day", 9)  # 7 days and both ends
    assert (settings["StartDate"], settings["EndDate"]) == (WEEK_AGO, int(NOW.timestamp()))


async def test_nothing_held_no_benchmark_and_no_history_is_a_report_of_nothing(people: People) -> None:
    api = StandInApi(accounts=[CASH], account_history=[], positions=positions())
    found = await report_of(people, api)
    assert "compare" not in api.asked  # nothing to compare: no call
    assert found.line.values == () and found.start_value is None and found.end_value is None
    assert (found.change, found.percent, found.benchmark, found.best, found.worst) == (None,) * 5
    assert (found.holdings, found.compared) == (0, 0)


async def test_one_value_has_no_change_and_one_holding_is_best_but_not_worst(people: People) -> None:
    api = StandInApi(
        accounts=[CASH],
        account_history=values(("2026-12-01T00:00:00Z", "1000")),
        positions=positions(AAPL),
        compare=closes((100, 90)),
    )
    found = await report_of(people, api)
    assert (found.start_value, found.end_value, found.change, found.percent) == (
        Decimal("1000"),
        Decimal("1000"),
        None,
        None,
    )
    assert found.best.symbol == "AAPL" and found.best.percent == Decimal("-10.00")
    assert found.worst is None
    assert found.holdings == 1  # no total in the page: the holdings read are counted


async def test_a_zero_base_has_a_change_but_no_percent(people: People) -> None:
    api = StandInApi(
        accounts=[CASH],
        account_history=values(("2026-11-30T00:00:00Z", "0"), ("2026-12-07T00:00:00Z", "250")),
        positions=positions(AAPL),
        equity=SPY,
        compare=closes((0, 110), (0, 5)),  # a holding and a benchmark closing at 0 on the first day
    )
    found = await report_of(people, api, "SPY")
    assert found.change == Decimal("250") and found.percent is None
    assert found.benchmark.percent is None
    assert found.best is None and found.compared == 0  # a move from zero cannot be ranked


async def test_series_missing_from_the_comparison_leave_those_out(people: People) -> None:
    api = StandInApi(
        accounts=[CASH],
        account_history=[],
        positions=positions(AAPL, MSFT),
        equity=SPY,
        compare=closes((100, 120)),  # only AAPL's series came back
    )
    found = await report_of(people, api, "SPY")
    assert [found.best.symbol, found.compared, found.holdings] == ["AAPL", 1, 2]
    assert found.benchmark.symbol == "SPY"
    assert found.benchmark.percent is None and found.benchmark.line.values == ()


async def test_the_year_to_date_starts_on_the_first_of_january(people: People) -> None:
    api = StandInApi(accounts=[CASH], account_history=[], positions=positions())
    found = await report_of(people, api, period="ytd")
    (_, start, _), _ = api.called("account_history")[0]
    assert start == datetime(2026, 1, 1, tzinfo=UTC) and found.period.days is None


async def test_a_benchmark_autoshares_does_not_list_is_refused_with_suggestions(people: People) -> None:
    api = StandInApi(
        accounts=[CASH],
        account_history=[],
        positions=positions(),
        equity=e.AutoSharesNotFound("404", status=404),
        lookup=[Security.model_validate({"Id": 9, "Symbol": "SPY"})],
    )
    with pytest.raises(UnknownSymbolError) as refused:
        await report_of(people, api, "SPX")
    assert refused.value.symbol == "SPX" and [s.symbol for s in refused.value.suggestions] == ["SPY"]
    assert "compare" not in api.asked


async def test_another_members_account_is_refused_before_any_history_is_read(people: People) -> None:
    api = StandInApi(accounts=[CASH])
    with pytest.raises(NotYourAccount):
        await report_of(people, api, account_id=6001)
    assert api.asked == ["accounts"]


@pytest.mark.parametrize("failing", ["account_history", "compare"])
async def test_autoshares_failing_for_a_part_fails_the_report(people: People, failing: str) -> None:
    answers: dict[str, Any] = {
        "accounts": [CASH],
        "account_history": [],
        "positions": positions(AAPL),
        "compare": closes((1, 2)),
    }
    answers[failing] = e.AutoSharesUnavailable("timeout")
    with pytest.raises(e.AutoSharesUnavailable):
        await report_of(people, StandInApi(**answers))
