"""handlers.holdings: its table, `account all` and `positions top` (chart, text bars), grammar, Block Kit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

from bot.autoshares.resources import Account, Balance, Order, Position, PositionGroup
from bot.core.chart_images import ShownChart
from bot.core.errors import NoTradingAccount, NotYourAccount
from bot.core.views import ConsolidatedView, TopHoldings
from bot.devkit import blockkit
from handlers import charts, holdings
from handlers.blocks.holdings import consolidated_message, share_bar, top_message
from handlers.kit import table_ids
from handlers.parsing import ParseError, parse_autoshares
from tests.unit.handlers.conftest import TEAM, USER, Harness, Registered, Replies, assert_registers

BOB = Account.model_validate({"Id": 5002, "Alias": "Bob's cash account"})
ALICE = Account.model_validate({"Id": 5001, "Alias": "Alice's cash account"})


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("account all", "account_all", None),
        ("accounts ALL", "account_all", None),
        ("positions top", "positions_top", None),
        ("positions top account 12", "positions_top", 12),
        ("positions 12", "positions", 12),
    ],
)
def test_grammar(text: str, name: str, args: object) -> None:
    parsed = parse_autoshares(text)
    assert (parsed.name, parsed.args) == (name, args)


@pytest.mark.parametrize("text", ["account all 12", "positions top 12 13", "positions top account"])
def test_grammar_refuses_what_follows(text: str) -> None:
    with pytest.raises(ParseError, match="Try `/autoshares"):
        parse_autoshares(text)


def test_consolidated_message_names_the_account_of_each_holding_and_order() -> None:
    view = ConsolidatedView(
        [BOB, ALICE],
        Balance.model_validate({"Equity": 1500.5, "Cash": 1000}),
        [
            Position.model_validate(
                {"SecurityId": 1, "AccountId": 5002, "Symbol": "AAPL", "Quantity": 2, "MarketValueEOD": 200}
            ),
            Position.model_validate(
                {"SecurityId": 2, "AccountId": 5001, "Symbol": "SPY", "Quantity": 4, "MarketValueEOD": 300.5}
            ),
        ],
        2,
        [
            Order.model_validate(
                {
                    "Id": 7,
                    "AccountId": 5002,
                    "Symbol": "AAPL",
                    "Side": "Buy",
                    "Type": "Limit",
                    "Quantity": 1,
                    "Price": 90,
                    "Status": "New",
                }
            )
        ],
    )
    message = consolidated_message(view)
    text = str(message["blocks"])
    assert blockkit.problems(message["blocks"]) == []
    assert "*Equity*\\n$1,500.50" in text and "*Cash*\\n$1,000.00" in text
    assert "*AAPL* 2 sh · value $200.00 · in Bob's cash account (5002)" in text
    assert "*SPY* 4 sh · value $300.50 · in Alice's cash account (5001)" in text
    assert "order 7 · in Bob's cash account (5002)" in text


def test_top_message_shares_and_bars() -> None:
    found = TopHoldings(
        5002,
        BOB,
        [
            PositionGroup(name="AAPL", market_value=Decimal(300)),
            PositionGroup(name="SPY", market_value=Decimal(100)),
        ],
        [
            PositionGroup(name="CommonStock", market_value=Decimal(300)),
            PositionGroup(name="ETF", market_value=Decimal(100)),
        ],
    )
    message = top_message(found, image_url="https://bot.example/charts/x.png?exp=1&sig=a")
    text = str(message["blocks"])
    assert blockkit.problems(message["blocks"]) == []
    assert (
        "*Top 2 holdings in Bob's cash account (5002)*" in text
        and "1. *AAPL* $300.00 (75.0% of holdings)" in text
    )
    assert "`████████░░` Common stock $300.00 (75.0%)" in text and "`██░░░░░░░░` ETF $100.00 (25.0%)" in text
    assert [b["type"] for b in message["blocks"]][-1] == "image"
    assert share_bar(0.0) == "░" * 10 and share_bar(1.2) == "█" * 10
    assert top_message(TopHoldings(5002, BOB, [], []))["text"] == "No positions in Bob's cash account (5002)."


# -- the surface: handlers.holdings ---------------------------------------------------------------

EURO = Account.model_validate({"Id": 5003, "Alias": "Euro account", "Currency": "EUR"})
CHART_URL = "https://bot.example/charts/c-1.png?exp=1&sig=a"
HELD = TopHoldings(
    5003,
    EURO,
    [PositionGroup(name="AAPL", market_value=Decimal(300)), PositionGroup(name="SPY", market_value=Decimal(100))],
    [
        PositionGroup(name="CommonStock", market_value=Decimal("300.5")),
        PositionGroup(name="Warrant", market_value=Decimal(100)),
    ],
)


class HoldingsStandIn:
    """Stands for ``HoldingsService`` and ``ChartImages``: records what they are asked and answer
    with real views (or raise ``fail``)."""

    def __init__(self, top: TopHoldings = HELD, fail: Exception | None = None) -> None:
        self._top, self.fail = top, fail
        self.asked: list[tuple[Any, ...]] = []

    async def consolidated(self, team_id: str, slack_user_id: str) -> ConsolidatedView:
        self.asked.append(("consolidated", team_id, slack_user_id))
        if self.fail:
            raise self.fail
        return ConsolidatedView([BOB, ALICE], Balance.model_validate({"Equity": 10, "Cash": 4}), [], 0, [])

    async def top(self, team_id: str, slack_user_id: str, account_id: int | None) -> TopHoldings:
        self.asked.append(("top", team_id, slack_user_id, account_id))
        if self.fail:
            raise self.fail
        return self._top

    async def keep(self, team_id: str, slack_user_id: str, symbol: str, chart_range: str, png: bytes) -> ShownChart:
        self.asked.append(("keep", team_id, slack_user_id, symbol, chart_range, png))
        return ShownChart("c-1", CHART_URL, datetime(2026, 12, 7, tzinfo=UTC))


class Renderer:
    """Stands for the allocation chart's renderer: records what it is asked to draw, and draws
    PNG bytes, or cannot (no matplotlib)."""

    def __init__(self, installed: bool = True) -> None:
        self.installed = installed
        self.drawn: list[tuple[str, list[tuple[str, float]], str]] = []

    def __call__(self, title: str, shares: Sequence[tuple[str, float]], *, currency: str = "USD") -> bytes:
        self.drawn.append((title, list(shares), currency))
        if not self.installed:
            raise charts.ChartImagesUnavailable("matplotlib")
        return b"\x89PNG"


def surface(
    harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch, service: HoldingsStandIn, renderer: Renderer
) -> Harness:
    monkeypatch.setattr(charts, "render_allocation_png", renderer)
    return harness(holdings, holdings=service, charts=service)


def images(replies: Replies) -> list[list[str]]:
    """The image URLs of each answer, in order."""
    return [[b["image_url"] for b in m["blocks"] if b["type"] == "image"] for m in replies.sent]


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(holdings.LISTENERS)
    assert ids == {
        "subcommand": ["account_all", "positions_top"],
        "action": [],
        "view": [],
        "event": [],
        "function": [],
    }
    assert_registers(register(holdings), ids)


async def test_account_all_answers_privately_with_every_account(
    harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    service = HoldingsStandIn()
    replies = await surface(harness, monkeypatch, service, Renderer()).command("account all")
    assert service.asked == [("consolidated", TEAM, USER)]
    assert replies.last["response_type"] == "ephemeral"
    assert "*All 2 accounts at once*" in replies.shown() and "Bob's cash account (5002)" in replies.shown()


@pytest.mark.parametrize(("text", "account_id"), [("positions top", None), ("positions top account 5003", 5003)])
async def test_positions_top_draws_the_allocation_keeps_it_and_shows_it(
    harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch, text: str, account_id: int | None
) -> None:
    service, renderer = HoldingsStandIn(), Renderer()
    replies = await surface(harness, monkeypatch, service, renderer).command(text)
    assert renderer.drawn == [
        ("Allocation of account 5003 by security type", [("Common stock", 300.5), ("Warrant", 100.0)], "EUR")
    ]
    assert service.asked == [
        ("top", TEAM, USER, account_id),
        ("keep", TEAM, USER, "5003", holdings.ALLOCATION_CHART, b"\x89PNG"),
    ]
    assert images(replies) == [[CHART_URL]]
    assert holdings.IMAGE_REFUSED not in replies.shown()


async def test_an_account_without_a_currency_is_drawn_in_dollars(
    harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    renderer = Renderer()
    plain = TopHoldings(5002, BOB, HELD.top, HELD.groups)
    await surface(harness, monkeypatch, HoldingsStandIn(top=plain), renderer).command("positions top")
    assert [currency for _title, _shares, currency in renderer.drawn] == ["USD"]


@pytest.mark.parametrize(
    "found",
    [TopHoldings(5003, EURO, [], []), TopHoldings(5003, EURO, HELD.top, [])],
    ids=["no holdings", "no allocation"],
)
async def test_nothing_to_draw_answers_in_text_without_a_chart(
    harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch, found: TopHoldings
) -> None:
    service, renderer = HoldingsStandIn(top=found), Renderer()
    replies = await surface(harness, monkeypatch, service, renderer).command("positions top")
    assert renderer.drawn == [] and [a[0] for a in service.asked] == ["top"]
    assert replies.sent == [{"response_type": "ephemeral", "replace_original": False, **top_message(found)}]


async def test_without_the_charts_extra_the_bars_say_how_to_get_images(
    harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    service = HoldingsStandIn()
    replies = await surface(harness, monkeypatch, service, Renderer(installed=False)).command("positions top")
    assert [a[0] for a in service.asked] == ["top"]  # nothing kept
    assert len(replies.sent) == 1 and images(replies) == [[]]
    assert "autoshares-slack[charts]" in replies.shown() and "Common stock" in replies.shown()


async def test_a_chart_slack_will_not_show_is_followed_by_the_text_bars(
    harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    built = surface(harness, monkeypatch, HoldingsStandIn(), Renderer())
    replies = await built.command("positions top", replies=Replies(refused=[1]))
    assert images(replies) == [[CHART_URL], []]
    assert holdings.IMAGE_REFUSED in replies.shown()


@pytest.mark.parametrize(
    ("text", "error", "says"),
    [
        ("positions top account 77", NotYourAccount(77), "Account 77 is not one of your AutoShares accounts."),
        ("account all", NoTradingAccount(), "Run `/autoshares signup` to open one"),
    ],
)
async def test_a_use_case_error_is_one_sentence_and_a_next_step(
    harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch, text: str, error: Exception, says: str
) -> None:
    renderer = Renderer()
    replies = await surface(harness, monkeypatch, HoldingsStandIn(fail=error), renderer).command(text)
    assert renderer.drawn == [] and len(replies.sent) == 1
    assert says in replies.last["text"]
