"""handlers.activity: its table, pages, Export CSV and failures as the user sees them; filter, Block Kit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import ModuleType

import pytest

from bot.autoshares.resources import Account, Activity
from bot.core.activity import activity_filter, period_start, report_filename
from bot.core.commands import ActivityRequest
from bot.core.errors import NotLinkedError, NotYourAccount
from bot.core.views import ActivityExport, ActivityPage
from bot.devkit import blockkit
from bot.devkit.driver import buttons
from handlers import activity
from handlers.blocks.activity import (
    ACTIVITY_EXPORT,
    ACTIVITY_NEXT,
    ACTIVITY_PREVIOUS,
    activity_message,
    page_value,
    parse_page_value,
)
from handlers.kit import table_ids
from tests.unit.handlers.conftest import TEAM, USER, Harness, Registered, assert_registers

NOW = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)


def test_filter_and_period_are_written_once_for_page_and_report() -> None:
    assert period_start("7d", NOW) == datetime(2026, 11, 30, tzinfo=UTC)
    assert period_start("ytd", NOW) == datetime(2026, 1, 1, tzinfo=UTC)
    since = period_start("30d", NOW)
    assert activity_filter(ActivityRequest("30d", "all"), since) == "Date >= #2026-11-07T00:00:00Z#"
    assert activity_filter(ActivityRequest("30d", "fees"), since) == (
        "Date >= #2026-11-07T00:00:00Z# and Type in ('Commission', 'Clearing')"
    )
    assert report_filename(5002, ActivityRequest("ytd", "trades"), NOW) == (
        "autoshares-5002-activity-ytd-trades-2026-12-07.csv"
    )


def test_buttons_carry_the_request_and_stale_values_are_refused() -> None:
    request = ActivityRequest("ytd", "dividends", 5002)
    assert parse_page_value(page_value(5002, request, 3)) == (request, 3)
    for stale in ("5002:ytd:dividends", "5002:1y:all:0", "0:7d:all:0", "x:7d:all:0", "\u0663:7d:all:0", "5002:7d:all:+1"):
        with pytest.raises(ValueError):
            parse_page_value(stale)


def test_message_shows_each_entry_and_only_the_buttons_that_lead_somewhere() -> None:
    account = Account.model_validate({"Id": 5002, "Alias": "Bob's cash account", "Currency": "USD"})
    trade = Activity.model_validate(
        {"Id": 1, "Date": "2026-12-07T14:30:00Z", "Type": "OrderExecution", "Symbol": "AAPL",
         "Description": "Bought 3 AAPL @ 200.00", "Quantity": 3, "Price": 200, "Value": -600}
    )
    dividend = Activity.model_validate(
        {"Id": 2, "Date": "2026-12-06T10:00:00Z", "Type": "Payment", "MarginType": "Dividend", "Value": 1.5}
    )
    found = ActivityPage(5002, account, ActivityRequest("30d", "all"), NOW, [trade, dividend], 1, 2, 5, True)
    message = activity_message(found)
    text = str(message["blocks"])
    assert blockkit.problems(message["blocks"]) == []
    assert "*Trade* · *AAPL* · Dec 7, 2026" in text and "Bought 3 sh @ $200.00 · amount -$600.00" in text
    assert "*Dividend* · Dec 6, 2026" in text and "amount +$1.50" in text
    assert "5 entries, page 2 of 3" in text
    ids = [b["action_id"] for b in buttons(message["blocks"])]
    assert ids == ["activity_previous", "activity_next", "activity_export"]
    empty = activity_message(ActivityPage(5002, account, ActivityRequest("7d", "fees"), NOW, [], 0, 10, 0, False))
    assert "nothing yet" in empty["text"] and not buttons(empty["blocks"])


# -- the surface: handlers.activity ---------------------------------------------------------------

BOB = Account.model_validate({"Id": 5002, "Alias": "Bob's cash account", "Currency": "USD"})
TRADE = Activity.model_validate(
    {"Id": 1, "Date": "2026-12-07T14:30:00Z", "Type": "OrderExecution", "Symbol": "AAPL",
     "Quantity": 3, "Price": 200, "Value": -600}
)  # fmt: skip


class ActivityStandIn:
    """Stands for ``ActivityService``: records what it is asked and answers with real views (or
    raises ``fail``)."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.fail = fail
        self.pages: list[tuple[str, str, ActivityRequest, int]] = []
        self.exports: list[tuple[str, str, ActivityRequest]] = []

    async def page(self, team_id: str, slack_user_id: str, request: ActivityRequest, page: int) -> ActivityPage:
        self.pages.append((team_id, slack_user_id, request, page))
        if self.fail:
            raise self.fail
        return ActivityPage(5002, BOB, request, NOW, [TRADE], page, 10, 25, page < 2)

    async def export(self, team_id: str, slack_user_id: str, request: ActivityRequest) -> ActivityExport:
        self.exports.append((team_id, slack_user_id, request))
        if self.fail:
            raise self.fail
        return ActivityExport(5002, "autoshares-5002-activity-ytd-trades-2026-12-07.csv", "Date,Type\n", 3)


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(activity.LISTENERS)
    assert ids == {
        "subcommand": ["activity"],
        "action": [ACTIVITY_PREVIOUS, ACTIVITY_NEXT, ACTIVITY_EXPORT],
        "view": [],
        "event": [],
        "function": [],
    }
    assert_registers(register(activity), ids)


async def test_the_command_answers_privately_with_the_first_page_of_what_was_asked(
    harness: Callable[..., Harness],
) -> None:
    service = ActivityStandIn()
    replies = await harness(activity, activity=service).command("activity trades 7d account 5002")
    assert service.pages == [(TEAM, USER, ActivityRequest("7d", "trades", 5002), 0)]
    assert len(replies.sent) == 1
    answer = replies.last
    assert (answer["response_type"], answer["replace_original"]) == ("ephemeral", False)
    assert answer["text"] == "Trades in account 5002 over the last 7 days (page 1 of 3)"
    assert [b["action_id"] for b in buttons(answer["blocks"])] == [ACTIVITY_NEXT, ACTIVITY_EXPORT]


async def test_a_page_button_reads_the_page_it_names_and_replaces_the_message(
    harness: Callable[..., Harness],
) -> None:
    service = ActivityStandIn()
    request = ActivityRequest("ytd", "dividends", 5002)
    replies = await harness(activity, activity=service).click(ACTIVITY_NEXT, page_value(5002, request, 2))
    assert service.pages == [(TEAM, USER, request, 2)]
    assert replies.last["replace_original"] is True and "response_type" not in replies.last
    assert "(page 3 of 3)" in replies.last["text"]
    # the last page leads back only
    assert [b["action_id"] for b in buttons(replies.last["blocks"])] == [ACTIVITY_PREVIOUS, ACTIVITY_EXPORT]


@pytest.mark.parametrize("action_id", [ACTIVITY_PREVIOUS, ACTIVITY_NEXT, ACTIVITY_EXPORT])
@pytest.mark.parametrize("value", ["", "5002:ytd:dividends", "5002:1y:all:0", "0:7d:all:0"])
async def test_a_stale_button_asks_to_run_the_command_again_and_reads_nothing(
    harness: Callable[..., Harness], action_id: str, value: str
) -> None:
    service = ActivityStandIn()
    replies = await harness(activity, activity=service).click(action_id, value)
    assert service.pages == [] and service.exports == []
    assert replies.last["replace_original"] is False  # the old message stays as it is
    assert replies.last["text"] == "That button is out of date. Run `/autoshares activity` again."


async def test_export_sends_the_report_to_the_clickers_direct_messages_only(
    harness: Callable[..., Harness],
) -> None:
    service = ActivityStandIn()
    surface = harness(activity, activity=service)
    request = ActivityRequest("ytd", "trades", 5002)
    replies = await surface.click(ACTIVITY_EXPORT, page_value(5002, request, 4))
    assert service.exports == [(TEAM, USER, request)]  # the whole period, whatever page was shown
    assert surface.slack.called("conversations_open") == [{"users": USER}]
    [upload] = surface.slack.called("files_upload_v2")
    assert upload["channel"] == "D0ALICE"
    assert (upload["filename"], upload["content"]) == ("autoshares-5002-activity-ytd-trades-2026-12-07.csv", "Date,Type\n")
    assert "account 5002" in upload["title"] and "account 5002" in upload["initial_comment"]
    assert (replies.last["response_type"], replies.last["replace_original"]) == ("ephemeral", False)
    assert "this year so far (3 rows) is in your direct messages" in replies.shown()
    assert "`autoshares-5002-activity-ytd-trades-2026-12-07.csv`" in replies.shown()


@pytest.mark.parametrize("refused", ["conversations_open", "files_upload_v2"])
async def test_a_refused_upload_says_why_and_what_to_do(harness: Callable[..., Harness], refused: str) -> None:
    surface = harness(activity, activity=ActivityStandIn())
    surface.slack.refuse[refused] = "not_allowed_token_type"
    replies = await surface.click(ACTIVITY_EXPORT, page_value(5002, ActivityRequest("7d", "all", 5002), 0))
    assert len(replies.sent) == 1
    shown = replies.shown()
    assert "I could not send the report to your direct messages (not_allowed_token_type)" in shown
    assert "Open a direct message with me, then click Export CSV again." in shown
    assert "is in your direct messages" not in shown


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (NotLinkedError(), "Run `/autoshares link` to connect it."),
        (NotYourAccount(77), "Account 77 is not one of your AutoShares accounts. Run `/autoshares account`"),
    ],
)
async def test_a_use_case_error_is_told_as_one_sentence_and_a_next_step(
    harness: Callable[..., Harness], error: Exception, says: str
) -> None:
    surface = harness(activity, activity=ActivityStandIn(fail=error))
    said = await surface.command("activity")
    assert says in said.last["text"] and said.last["response_type"] == "ephemeral"
    clicked = await surface.click(ACTIVITY_EXPORT, page_value(5002, ActivityRequest("7d", "all", 5002), 0))
    assert says in clicked.last["text"] and surface.slack.calls == []

