"""handlers.parsing.digest: the schedules `/autoshares digest` accepts (list, off, daily or
weekdays at a clock time or the market's open or close), and each refusal with its example."""

from __future__ import annotations

import pytest

from bot.core.commands import DigestListCommand, DigestOffCommand, DigestRequest
from handlers.parsing import ParseError, parse_autoshares


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("digest", DigestListCommand()),
        ("digests", DigestListCommand()),
        ("digest LIST", DigestListCommand()),
        ("digest off", DigestOffCommand()),
        ("digest stop 2", DigestOffCommand(2)),
        ("digest delete 0002", DigestOffCommand(2)),
        ("digest weekdays at close", DigestRequest("weekdays", market_time="close")),
        ("digest daily open", DigestRequest("daily", market_time="open")),
        ("digest weekday 4pm", DigestRequest("weekdays", at="16:00")),
    ],
)
def test_list_off_and_schedules_are_read(text: str, expected: object) -> None:
    command = parse_autoshares(text)
    assert (command.name, command.args) == ("digest", expected)


@pytest.mark.parametrize(
    ("typed", "clock"),
    [
        ("16:15", "16:15"),
        ("9:05", "09:05"),
        ("0:00", "00:00"),
        ("23:59", "23:59"),
        ("4:15PM", "16:15"),
        ("4pm", "16:00"),
        ("12am", "00:00"),
        ("12pm", "12:00"),
        ("12:30am", "00:30"),
        ("1am", "01:00"),
    ],
)
def test_a_clock_time_becomes_24_hours(typed: str, clock: str) -> None:
    assert parse_autoshares(f"digest daily at {typed}").args == DigestRequest("daily", at=clock)


SCHEDULE = "Try `/autoshares digest weekdays at close`."


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("digest list 2", "`2` is not understood after list. Try `/autoshares digest list`."),
        ("digest off 2 3", "`3` is not understood after the id. Try `/autoshares digest off 2`."),
        (
            "digest off two",
            "The digest id must be a whole number such as 12, not `two`. Try `/autoshares digest off 2`.",
        ),
        ("digest monthly 16:15", f"`monthly` is not understood; use daily, weekdays, list or off. {SCHEDULE}"),
        ("digest daily", f"Say when: a time such as 16:15, or close or open. {SCHEDULE}"),
        ("digest daily at", f"Say when: a time such as 16:15, or close or open. {SCHEDULE}"),
        ("digest daily 16:15 close", f"`close` is not understood after the time. {SCHEDULE}"),
        (
            "digest daily 16",
            "`16` is not a time; use 16:15, 4:15pm, close or open. Try `/autoshares digest daily 16:15`.",
        ),
        ("digest daily noon", "`noon` is not a time; use 16:15, 4:15pm, close or open. Try `/autoshares digest daily 16:15`."),
        ("digest daily 24:00", "`24:00` is not a time of day. Try `/autoshares digest daily 16:15`."),
        ("digest daily 16:60", "`16:60` is not a time of day. Try `/autoshares digest daily 16:15`."),
        ("digest daily 13pm", "`13pm` is not a time of day. Try `/autoshares digest daily 4:15pm`."),
        ("digest daily 0am", "`0am` is not a time of day. Try `/autoshares digest daily 4:15pm`."),
    ],
)
def test_each_refusal_is_one_sentence_and_an_example_that_fits_it(text: str, said: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse_autoshares(text)
    assert refused.value.message == said


def test_what_the_member_typed_is_echoed_harmlessly() -> None:
    with pytest.raises(ParseError) as refused:
        parse_autoshares("digest <!channel> 16:15")
    assert refused.value.message.startswith("`&lt;!channel&gt;` is not understood")


@pytest.mark.parametrize(
    "example", ["digest weekdays at close", "digest list", "digest off 2", "digest daily 16:15", "digest daily 4:15pm"]
)
def test_every_example_a_refusal_gives_parses(example: str) -> None:
    assert parse_autoshares(example).name == "digest"
