"""Corporate actions: which are worth telling, what the outbox keeps of one, and the DM."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.autoshares.resources import CorporateAction, parse
from bot.core.corporate_actions import RECENT, action_key, worth_telling
from bot.core.notices import ActionNotice
from bot.devkit import blockkit
from handlers.blocks.corporate_actions import corporate_action_message, headline

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def action(**fields: object) -> CorporateAction:
    return parse(CorporateAction, {"Id": 9, "Type": "Dividend", **fields}, "test")


def test_cancellations_and_old_actions_are_not_told() -> None:
    assert worth_telling(action(Date=NOW.isoformat()), NOW)
    assert worth_telling(action(), NOW)  # no date: told
    assert not worth_telling(action(Date=(NOW - RECENT - timedelta(days=1)).isoformat()), NOW)
    assert not worth_telling(action(IsCancel=True), NOW)
    assert action_key(action()) == "id:9"


def test_a_notice_survives_the_outbox_and_reads_as_a_dm() -> None:
    terms = {"Amount": 0.25, "PayDate": "2026-12-28", "Note": "<!channel>"}
    notice = ActionNotice.of("AAPL", action(Date="2026-12-14T00:00:00Z", Data=terms))
    assert ActionNotice.from_data(notice.as_data()) == notice
    message = corporate_action_message(notice)
    text = str(message["blocks"])
    assert message["text"] == headline(notice) == "AAPL: dividend of 0.25 USD per share"
    assert "*Effective*: 2026-12-14" in text and "*Payment date*: 2026-12-28" in text
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert blockkit.problems(message["blocks"]) == []
    split = ActionNotice("MSFT", "Split", None, {"Ratio": "2-for-1"})
    assert headline(split) == "MSFT: 2-for-1 stock split"
    assert headline(ActionNotice("X", "Spinoff")) == "X: spinoff"
    merger = ActionNotice(
        "X", "Merger", None, {"Acquirer": "<https://evil.example|Claim shares> <!here>", "Terms": "1:1\n*Pay*: now"}
    )
    told = corporate_action_message(merger)
    assert "<" not in told["text"] and "<" not in str(told["blocks"])  # the notification too
    assert "*Terms*: 1:1 *Pay*: now" in told["blocks"][0]["text"]["text"]  # a term starts no line of its own


def test_named_terms_are_read_in_either_spelling_and_the_rest_follow_as_written() -> None:
    notice = ActionNotice("X", "Dividend", None, {"amount": "0.5", "Currency": "EUR", "payDate": "", "Fee": "none"})
    assert notice.named_terms.named() == [("amount", "0.5"), ("currency", "EUR")]
    assert notice.other_terms == {"Fee": "none"}  # an empty term is not shown
    assert headline(notice) == "X: dividend of 0.5 EUR per share"
    lines = corporate_action_message(notice)["blocks"][0]["text"]["text"].split("\n")
    assert lines[-3:] == ["*Amount per share*: 0.5", "*Currency*: EUR", "*Fee*: none"]
