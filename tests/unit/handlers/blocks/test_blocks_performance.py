"""Performance: the grammar, the figures worked out from the lines (pure), the message and its
Share value, the chart, and the sandbox's account values replayed from its ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.autoshares.resources import Account, AccountValue, Position, parse
from bot.core.commands import PerformanceRequest
from bot.core.returns import PERIODS, Benchmark, Line, moves, report, value_line
from bot.devkit import blockkit
from handlers import charts
from handlers.blocks.performance import parse_share_value, performance_message, share_value
from handlers.parsing import ParseError, parse_autoshares
from sandbox.performance import DAY, account_values
from sandbox.state import Account as SandboxAccount
from sandbox.state import LedgerEntry
from sandbox.state import Position as SandboxPosition

D = Decimal
T0 = 1_796_083_200  # a UTC midnight


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("performance", PerformanceRequest("1m", None)),
        ("performance YTD", PerformanceRequest("ytd", None)),
        ("performance 3m vs spy", PerformanceRequest("3m", "SPY")),
        ("performance versus $QQQ 1w", PerformanceRequest("1w", "QQQ")),
        ("performance account 5002 ytd vs SPY", PerformanceRequest("ytd", "SPY", 5002)),
    ],
)
def test_the_grammar_reads_a_period_and_a_benchmark(text: str, expected: PerformanceRequest) -> None:
    assert parse_autoshares(text).args == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("performance 2w", "`2w` is not a period; periods are 1w, 1m, 3m, 1y or ytd"),
        ("performance vs", "Say which symbol to compare with after `vs`"),
        ("performance 1m 1y", "Give one period"),
        ("performance vs SPY vs QQQ", "Compare with one benchmark"),
        ("performance account", "Say which account after `account`"),
        ("performance account twelve", "The account id must be a whole number such as 12"),
        ("performance account 1 account 2", "Name one account"),
    ],
)
def test_the_grammar_says_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(ParseError, match=words):
        parse_autoshares(text)


def test_periods_start_where_they_say() -> None:
    now = datetime(2026, 12, 7, 15, tzinfo=UTC)
    assert PERIODS["ytd"].start(now) == datetime(2026, 1, 1, tzinfo=UTC)
    assert (now - PERIODS["1w"].start(now)).days == 7


def a_report(*, benchmark: bool = True) -> object:
    account = parse(Account, {"Id": 5001, "Alias": "Alice's cash account", "Currency": "USD"}, "test")
    points = [
        parse(AccountValue, {"Date": datetime.fromtimestamp(T0 + i * DAY, UTC).isoformat(), "Value": v}, "t")
        for i, v in enumerate((1000, 990, 1100))
    ]
    line = value_line(points, T0 + 3600)
    holdings = [
        parse(Position, {"SecurityId": i, "Symbol": s, "Quantity": 1}, "t") for i, s in enumerate("AB")
    ]
    ranked = moves(holdings, [Line((T0, T0 + DAY), (D(10), D(12))), Line((T0, T0 + DAY), (D(10), D(9)))])
    mark = Benchmark("SPY", D("5.00"), Line((T0, T0 + DAY), (D(100), D(105)))) if benchmark else None
    return report(5001, account, PERIODS["1m"], line, mark, ranked, holdings=3)


def test_the_figures_come_from_the_lines() -> None:
    done = a_report()
    assert (done.start_value, done.end_value, done.change, done.percent) == (
        D(1000),
        D(1100),
        D(100),
        D("10.00"),
    )
    assert done.best is not None and (done.best.symbol, done.best.percent) == ("A", D("20.00"))
    assert done.worst is not None and (done.worst.symbol, done.worst.percent) == ("B", D("-10.00"))


def test_the_message_shows_every_figure_and_its_share_value_round_trips() -> None:
    request = PerformanceRequest("1m", "SPY")
    chart_id = "a" * 32
    message = performance_message(
        a_report(), request, chart_id=chart_id, image_url="https://bot.example/c.png"
    )
    text = str(message["blocks"])
    for shown in (
        "$1,100.00",
        "+$100.00 (+10.00%)",
        "SPY over the same days",
        "+5.00%",
        "*A* +20.00%",
        "*B* -10.00%",
    ):
        assert shown in text
    assert "Ranked 2 of 3 holdings." in text
    assert blockkit.problems(message["blocks"]) == []
    value = share_value(request, chart_id)
    assert parse_share_value(value).request == request and parse_share_value(value).chart_id == chart_id
    named = PerformanceRequest("ytd", None, 5002)  # an account named: Share reports on it too
    assert parse_share_value(share_value(named, None)).request == named
    assert parse_share_value("1m;SPY;").request == PerformanceRequest("1m", "SPY")  # an older button
    for forged in ("1m;SPY", "2w;;", "1m;<!here>;", f"1m;SPY;{'a' * 31}", "1m;;;12x", "1m;;;0", "1m;;;;"):
        with pytest.raises(ValueError):
            parse_share_value(forged)
    shared = performance_message(a_report(benchmark=False), PerformanceRequest(), shared_by="U0BOB")
    assert "performance_share" not in str(shared["blocks"]) and "Shared by <@U0BOB>" in str(shared["blocks"])


def test_the_chart_draws_the_benchmark_on_the_same_axes() -> None:
    pytest.importorskip("matplotlib")
    done = a_report()
    assert done.benchmark is not None
    png = charts.render_performance_png("Account 5001", done.line, done.benchmark.line, "SPY")
    assert png.startswith(b"\x89PNG")


def test_the_sandbox_replays_its_ledger_backwards_to_value_past_days() -> None:
    bought = datetime.fromtimestamp(T0 + DAY + 100, UTC)  # during the second day
    account = SandboxAccount(id=1, clearing_account="X", cash=800.0)
    account.positions[7] = SandboxPosition(id=1, account_id=1, security_id=7, symbol="X", quantity=2)
    account.ledger.append(LedgerEntry(bought, -200.0, 7, 2))
    closes = {T0: 90.0, T0 + DAY: 100.0, T0 + 2 * DAY: 110.0}
    values = account_values(account, T0 + 5, T0 + 2 * DAY + 5, lambda _sid, _count, _end: closes)
    assert values == [(T0, 1000.0), (T0 + DAY, 1000.0), (T0 + 2 * DAY, 1020.0)]
