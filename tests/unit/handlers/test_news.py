"""handlers.news: its table, the private headlines, and Read opening a story or saying why not."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

from bot.autoshares.resources import NewsItem, parse
from bot.core.errors import NewsNotFound, NotLinkedError, UnknownSymbolError
from bot.core.news import Headlines
from bot.devkit.driver import buttons
from handlers import news
from handlers.blocks.news import NEWS_READ, article_view, read_value
from handlers.kit import table_ids
from tests.unit.handlers.conftest import TEAM, USER, Harness, Registered, assert_registers

STORY = parse(
    NewsItem,
    {"NewsId": 7, "Header": "AAPL <!channel> rally", "Date": 1_796_083_200, "Source": "Wire", "Content": "Text"},
    "news",
)


class NewsStandIn:
    """Stands for ``NewsService``: records what it is asked, answers with real resources."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.fail = fail
        self.asked: list[tuple[object, ...]] = []

    async def headlines(self, team_id: str, slack_user_id: str, symbol: str) -> Headlines:
        self.asked.append(("headlines", team_id, slack_user_id, symbol))
        if self.fail:
            raise self.fail
        return Headlines(symbol.upper(), [STORY])

    async def article(self, team_id: str, slack_user_id: str, symbol: str, news_id: int) -> NewsItem:
        self.asked.append(("article", team_id, slack_user_id, symbol, news_id))
        if self.fail:
            raise self.fail
        return STORY


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(news.LISTENERS)
    assert ids == {"subcommand": ["news"], "action": [NEWS_READ], "view": [], "event": [], "function": []}
    assert_registers(register(news), ids)


@pytest.mark.parametrize(("command", "text"), [("/news", "$aapl"), ("/autoshares", "news AAPL")])
async def test_the_headlines_are_shown_only_to_the_asker_with_a_read_button_each(
    harness: Callable[..., Harness], command: str, text: str
) -> None:
    service = NewsStandIn()
    replies = await harness(news, news=service).command(text, command=command)
    assert service.asked == [("headlines", TEAM, USER, "AAPL")]
    answer = replies.last
    assert (answer["response_type"], answer["replace_original"]) == ("ephemeral", False)
    assert answer["text"] == "Latest news for AAPL: AAPL &lt;!channel&gt; rally"
    assert [(b["action_id"], b["value"]) for b in buttons(answer["blocks"])] == [(NEWS_READ, "AAPL;7")]


async def test_an_unknown_symbol_is_one_sentence_with_what_to_try(harness: Callable[..., Harness]) -> None:
    replies = await harness(news, news=NewsStandIn(fail=UnknownSymbolError("ZZZZ"))).command("ZZZZ", command="/news")
    assert replies.last["text"] == "AutoShares does not know the symbol ZZZZ. Check it with `/quote` and try again."


async def test_a_command_without_a_symbol_is_refused_before_anything_is_asked(harness: Callable[..., Harness]) -> None:
    service = NewsStandIn()
    replies = await harness(news, news=service).command("", command="/news")
    assert service.asked == []
    assert replies.last["text"].startswith("Say whose news you want. Try `/news ")


async def test_read_opens_the_story_in_a_modal_with_the_clicks_trigger(harness: Callable[..., Harness]) -> None:
    service = NewsStandIn()
    surface = harness(news, news=service)
    replies = await surface.click(NEWS_READ, read_value("AAPL", STORY))
    assert service.asked == [("article", TEAM, USER, "AAPL", 7)]
    assert surface.slack.called("views_open") == [{"trigger_id": "trigger-1", "view": article_view("AAPL", STORY)}]
    assert replies.sent == []  # the modal is the answer


@pytest.mark.parametrize("value", ["", "AAPL", "AAPL;x", "<@U1>;7", ";7"])
async def test_a_read_button_the_bot_did_not_make_asks_to_run_news_again(
    harness: Callable[..., Harness], value: str
) -> None:
    service = NewsStandIn()
    surface = harness(news, news=service)
    replies = await surface.click(NEWS_READ, value)
    assert service.asked == [] and surface.slack.calls == []
    assert replies.last["text"] == "That button is out of date. Run `/news` again."


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (NewsNotFound("AAPL", 7), "That story is no longer in AutoShares' news for AAPL. Run `/news AAPL` to see the latest."),
        (NotLinkedError(), "Your Slack account is not linked to AutoShares yet. Run `/autoshares link` to connect it."),
    ],
)
async def test_a_story_that_cannot_be_read_is_told_privately(
    harness: Callable[..., Harness], error: Exception, says: str
) -> None:
    surface = harness(news, news=NewsStandIn(fail=error))
    replies = await surface.click(NEWS_READ, "AAPL;7")
    assert surface.slack.calls == []
    assert (replies.last["text"], replies.last["response_type"]) == (says, "ephemeral")


async def test_an_expired_trigger_says_to_click_again(harness: Callable[..., Harness]) -> None:
    surface = harness(news, news=NewsStandIn())
    surface.slack.refuse["views_open"] = "expired_trigger_id"
    replies = await surface.click(NEWS_READ, "AAPL;7")
    assert replies.last["text"] == "That took longer than Slack allows to open a window. Click the button again."
