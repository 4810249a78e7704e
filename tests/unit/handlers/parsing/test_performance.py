"""handlers.parsing.performance: the period, benchmark and account `/autoshares performance`
accepts in any order, and each refusal as one sentence with an example fit for it."""

from __future__ import annotations

import pytest

from bot.core.commands import PERFORMANCE_PERIODS, PerformanceRequest
from handlers.parsing import ParseError, parse_autoshares
from handlers.parsing.performance import PERFORMANCE_EXAMPLE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("performance", PerformanceRequest("1m", None, None)),
        ("performance 1Y", PerformanceRequest("1y", None, None)),
        ("performance against spy", PerformanceRequest("1m", "SPY", None)),
        ("performance vs. $spy 1w", PerformanceRequest("1w", "SPY", None)),
        ("performance account 12 1w", PerformanceRequest("1w", None, 12)),
        ("performance ytd vs QQQ Account 0012", PerformanceRequest("ytd", "QQQ", 12)),
        ("performance VERSUS brk.b 3m", PerformanceRequest("3m", "BRK.B", None)),
    ],
)
def test_a_period_a_benchmark_and_an_account_are_read_in_any_order(text: str, expected: PerformanceRequest) -> None:
    command = parse_autoshares(text)
    assert (command.name, command.args) == ("performance", expected)


@pytest.mark.parametrize("period", PERFORMANCE_PERIODS)
def test_every_period_is_accepted(period: str) -> None:
    request = parse_autoshares(f"performance {period}").args
    assert isinstance(request, PerformanceRequest) and request.period == period


WITH_BENCHMARK = f"Try `/autoshares {PERFORMANCE_EXAMPLE}`."
WITH_ACCOUNT = "Try `/autoshares performance 3m account 12`."


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("performance 2w", f"`2w` is not a period; periods are 1w, 1m, 3m, 1y or ytd. {WITH_BENCHMARK}"),
        ("performance 1m 1y", f"Give one period. {WITH_BENCHMARK}"),
        ("performance vs", f"Say which symbol to compare with after `vs`. {WITH_BENCHMARK}"),
        ("performance 3m versus", f"Say which symbol to compare with after `versus`. {WITH_BENCHMARK}"),
        ("performance vs SPY vs QQQ", f"Compare with one benchmark. {WITH_BENCHMARK}"),
        ("performance account", f"Say which account after `account`. {WITH_ACCOUNT}"),
        ("performance account 1 account 2", f"Name one account. {WITH_ACCOUNT}"),
        (
            "performance account twelve",
            f"The account id must be a whole number such as 12, not `twelve`. {WITH_ACCOUNT}",
        ),
        ("performance account -1", f"The account id must be a whole number such as 12, not `-1`. {WITH_ACCOUNT}"),
    ],
)
def test_each_refusal_is_one_sentence_and_an_example_that_fits_it(text: str, said: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse_autoshares(text)
    assert refused.value.message == said


@pytest.mark.parametrize("text", ["performance vs <!channel>", "performance @here", "performance <@U024BE7LH>"])
def test_what_the_member_typed_is_echoed_harmlessly(text: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse_autoshares(text)
    said = refused.value.message
    assert "<!" not in said and "<@" not in said and "@here" not in said
    assert said.endswith(WITH_BENCHMARK)


def test_every_example_given_parses() -> None:
    for example in (PERFORMANCE_EXAMPLE, "performance 3m account 12"):
        assert parse_autoshares(example).name == "performance"
