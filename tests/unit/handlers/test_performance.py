"""handlers.performance: its registration table, the private answer (a kept chart at its URL, a
sparkline when no image can be drawn or shown) and Share (the figures posted, the kept chart
uploaded, what the asker is told when either fails)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

from bot.autoshares.resources import Account
from bot.core.chart_images import ShownChart
from bot.core.commands import PerformanceRequest
from bot.core.errors import ChartExpired, PerformanceChartExpired
from bot.core.returns import PERIODS, Benchmark, Line, PerformanceReport, report
from bot.devkit import blockkit
from handlers import charts, performance
from handlers.blocks import performance as blocks
from handlers.errors import CannotPostHere, StaleButton, sentence
from handlers.kit import table_ids
from storage.charts import KeptChart
from tests.unit.handlers.conftest import (
    Registered,
    Replies,
    SlackWeb,
    assert_registers,
    button_context,
    command_context,
    surface_with,
)

D = Decimal
T0 = 1_796_083_200
DAY = 86_400
CHART_ID = "c" * 32
NOW = datetime(2026, 12, 7, 15, tzinfo=UTC)


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(performance.LISTENERS)
    assert ids == {
        "subcommand": ["performance"],
        "action": [blocks.PERFORMANCE_SHARE],
        "view": [],
        "event": [],
        "function": [],
    }
    assert_registers(register(performance), ids)


def a_report(*values: int, account_id: int = 5001) -> PerformanceReport:
    account = Account.model_validate({"Id": account_id, "Alias": "Alice & Co", "Currency": "USD"})
    line = Line(tuple(T0 + i * DAY for i in range(len(values))), tuple(D(v) for v in values))
    mark = Benchmark("SPY", D("5.00"), Line((T0, T0 + DAY), (D(100), D(105))))
    return report(account_id, account, PERIODS["1m"], line, mark, [], holdings=0)


def test_a_kept_chart_is_filed_under_the_account() -> None:
    assert performance.chart_key(a_report(1, 2, account_id=5002)) == "#5002"


def test_the_sparkline_note_draws_the_values_and_says_why() -> None:
    note = performance.sparkline_note(a_report(1000, 990, 1100), "no image here")
    assert note == f":chart_with_upwards_trend: `{charts.sparkline([1000.0, 990.0, 1100.0])}`\n_no image here_"


class Performance:
    """Stands for ``core.performance``: records what was asked and answers ``answer``."""

    def __init__(self, answer: PerformanceReport) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str, str, str | None, int | None]] = []

    async def performance(
        self, team_id: str, user_id: str, period: str, benchmark: str | None, *, account_id: int | None
    ) -> PerformanceReport:
        self.asked.append((team_id, user_id, period, benchmark, account_id))
        return self.answer


class Charts:
    """Stands for ``core.charts``: keeps what it is given; hands back a kept chart, or none."""

    def __init__(self, *, kept: bool = True) -> None:
        self.kept: list[tuple[str, str, str, str, bytes]] = []
        self.shared: list[tuple[str, str, str, str, str]] = []
        self._kept = kept

    async def keep(self, team_id: str, user_id: str, symbol: str, chart_range: str, png: bytes) -> ShownChart:
        self.kept.append((team_id, user_id, symbol, chart_range, png))
        return ShownChart(CHART_ID, f"https://bot.test/charts/{CHART_ID}.png?exp=1&sig=s", NOW)

    async def for_share(
        self, team_id: str, user_id: str, chart_id: str, symbol: str, chart_range: str
    ) -> KeptChart:
        self.shared.append((team_id, user_id, chart_id, symbol, chart_range))
        if not self._kept:
            raise ChartExpired(symbol, chart_range)
        return KeptChart(chart_id, team_id, user_id, symbol, chart_range, b"PNG", NOW, NOW)


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The chart is drawn as ``b"PNG"`` (no matplotlib run); records each title drawn."""
    titles: list[str] = []

    def draw(title: str, *args: Any, **kwargs: Any) -> bytes:
        titles.append(title)
        return b"PNG"

    monkeypatch.setattr(charts, "render_performance_png", draw)
    return titles


@pytest.fixture
def no_images(monkeypatch: pytest.MonkeyPatch) -> None:
    """This install draws no images (matplotlib missing)."""

    def draw(*args: Any, **kwargs: Any) -> bytes:
        raise charts.ChartImagesUnavailable()

    monkeypatch.setattr(charts, "render_performance_png", draw)


def share_button(message: dict[str, Any]) -> dict[str, Any] | None:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == blocks.PERFORMANCE_SHARE:
                return dict(element)
    return None


def images(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in message["blocks"] if b["type"] == "image"]


async def test_the_answer_shows_the_kept_chart_and_a_share_button_naming_it(drawn: list[str]) -> None:
    done, kept, replies = Performance(a_report(1000, 990, 1100)), Charts(), Replies()
    request = PerformanceRequest("1m", "SPY", 5001)
    await performance.show_performance(
        surface_with(performance=done, charts=kept), command_context(replies), request
    )
    assert done.asked == [("T1", "U0ALICE", "1m", "SPY", 5001)]
    assert kept.kept == [("T1", "U0ALICE", "#5001", "1m", b"PNG")]
    [answer] = replies.sent
    assert answer["response_type"] == "ephemeral"
    [image] = images(answer)
    assert image["image_url"].startswith(f"https://bot.test/charts/{CHART_ID}.png")
    button = share_button(answer)
    assert button is not None
    assert blocks.parse_share_value(button["value"]).chart_id == CHART_ID
    assert blockkit.problems(answer["blocks"]) == []
    assert drawn == [blocks.chart_title(done.answer)]


async def test_without_images_the_answer_carries_a_sparkline_and_nothing_is_kept(no_images: None) -> None:
    kept, replies = Charts(), Replies()
    await performance.show_performance(
        surface_with(performance=Performance(a_report(1000, 1100)), charts=kept),
        command_context(replies),
        PerformanceRequest(),
    )
    assert kept.kept == []
    [answer] = replies.sent
    assert images(answer) == []
    text = str(answer["blocks"])
    assert ":chart_with_upwards_trend:" in text and "charts` extra" in text
    button = share_button(answer)
    assert button is not None and blocks.parse_share_value(button["value"]).chart_id is None


async def test_one_value_draws_nothing(drawn: list[str]) -> None:
    kept, replies = Charts(), Replies()
    await performance.show_performance(
        surface_with(performance=Performance(a_report(1000)), charts=kept),
        command_context(replies),
        PerformanceRequest(),
    )
    assert drawn == [] and kept.kept == []
    [answer] = replies.sent
    assert images(answer) == [] and ":chart_with_upwards_trend:" not in str(answer["blocks"])


async def test_an_image_slack_refuses_is_answered_again_with_a_sparkline(drawn: list[str]) -> None:
    replies = Replies(refused=[1, 2])  # Slack refuses both answers
    await performance.show_performance(
        surface_with(performance=Performance(a_report(1000, 990, 1100)), charts=Charts()),
        command_context(replies),
        PerformanceRequest(),
    )
    first, second = replies.sent
    assert images(first) and not images(second)
    assert "Slack could not show the chart image here" in str(second["blocks"])
    button = share_button(second)
    assert button is not None and blocks.parse_share_value(button["value"]).chart_id == CHART_ID


@pytest.mark.parametrize("value", ["", "1m", "2w;;;", "1m;not a symbol;;", "1m;;short;", "1m;;;twelve"])
async def test_a_share_value_it_cannot_read_is_a_stale_button(value: str) -> None:
    done, web = Performance(a_report(1, 2)), SlackWeb()
    with pytest.raises(StaleButton) as raised:
        await performance.share(
            surface_with(performance=done, charts=Charts()), button_context(value, Replies(), web)
        )
    assert done.asked == [] and web.calls == []
    assert sentence(raised.value) == "That button is out of date. Run `/autoshares performance` again."


async def test_share_posts_the_figures_uploads_the_kept_chart_and_says_so() -> None:
    done, kept = Performance(a_report(1000, 1100, account_id=5002)), Charts()
    replies, web = Replies(), SlackWeb()
    value = blocks.share_value(PerformanceRequest("1m", "SPY", 5002), CHART_ID)
    await performance.share(surface_with(performance=done, charts=kept), button_context(value, replies, web))
    assert done.asked == [("T1", "U0ALICE", "1m", "SPY", 5002)]
    assert kept.shared == [("T1", "U0ALICE", CHART_ID, "#5002", "1m")]
    [posted] = web.called("chat_postMessage")
    assert posted["channel"] == "C1"
    assert "Shared by <@U0ALICE>" in str(posted["blocks"]) and share_button(posted) is None
    [uploaded] = web.called("files_upload_v2")
    assert uploaded["channel"] == "C1" and uploaded["file"] == b"PNG"
    assert uploaded["filename"] == "performance-5002-1m.png"
    assert uploaded["title"] == "Account 5002 over 1 month vs SPY"
    assert uploaded["initial_comment"] == "Account 5002 over 1 month vs SPY, shared by <@U0ALICE>"
    [private] = replies.sent
    assert private["replace_original"] is True and share_button(private) is None
    assert "Shared to the channel, with the chart." in str(private["blocks"])


async def test_share_without_a_kept_chart_posts_only_the_figures() -> None:
    kept, replies, web = Charts(), Replies(), SlackWeb()
    value = blocks.share_value(PerformanceRequest("3m"), None)
    await performance.share(
        surface_with(performance=Performance(a_report(1, 2)), charts=kept),
        button_context(value, replies, web),
    )
    assert kept.shared == [] and web.called("files_upload_v2") == []
    assert len(web.called("chat_postMessage")) == 1
    assert "Shared to the channel." in str(replies.sent[0]["blocks"])


async def test_an_expired_chart_names_the_command_to_run_again_and_posts_nothing() -> None:
    web = SlackWeb()
    value = blocks.share_value(PerformanceRequest("3m", "QQQ"), CHART_ID)
    with pytest.raises(PerformanceChartExpired) as raised:
        await performance.share(
            surface_with(performance=Performance(a_report(1, 2)), charts=Charts(kept=False)),
            button_context(value, Replies(), web),
        )
    assert web.calls == []
    assert "`/autoshares performance 3m vs QQQ`" in sentence(raised.value)


async def test_an_expired_chart_of_a_named_account_names_that_account_in_the_command() -> None:
    value = blocks.share_value(PerformanceRequest("1y", None, 5002), CHART_ID)
    with pytest.raises(PerformanceChartExpired) as raised:
        await performance.share(
            surface_with(performance=Performance(a_report(1, 2, account_id=5002)), charts=Charts(kept=False)),
            button_context(value, Replies()),
        )
    assert "run `/autoshares performance 1y account 5002` again" in sentence(raised.value)


async def test_a_refused_upload_still_shares_the_figures_and_says_how_to_get_the_image() -> None:
    replies, web = Replies(), SlackWeb(refuse={"files_upload_v2": "not_in_channel"})
    value = blocks.share_value(PerformanceRequest("1m"), CHART_ID)
    await performance.share(
        surface_with(performance=Performance(a_report(1, 2)), charts=Charts()),
        button_context(value, replies, web),
    )
    assert len(web.called("chat_postMessage")) == 1
    note = str(replies.sent[0]["blocks"])
    assert "Shared the figures to the channel" in note and "(not_in_channel)" in note
    assert "/invite @AutoShares" in note


async def test_a_channel_the_bot_cannot_post_in_is_the_members_error() -> None:
    replies, web = Replies(), SlackWeb(refuse={"chat_postMessage": "channel_not_found"})
    value = blocks.share_value(PerformanceRequest("1m"), CHART_ID)
    with pytest.raises(CannotPostHere):
        await performance.share(
            surface_with(performance=Performance(a_report(1, 2)), charts=Charts()),
            button_context(value, replies, web),
        )
    assert web.called("files_upload_v2") == [] and replies.sent == []
