"""`make demo` as a test: the whole session runs in-process and every step does what it should."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from rich.console import Console

from bot.devkit.demo import STEPS, DemoWorld, contains, run_demo, step_help


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=110, color_system=None), out


async def test_the_demo_plays_every_step(tmp_path: Path) -> None:
    screen, printed = console()
    assert await run_demo(tmp_path, console=screen) == 0, printed.getvalue()[-3000:]

    transcript = (tmp_path / "transcript.txt").read_text(encoding="utf-8")
    passed = [line.split()[1] for line in transcript.splitlines() if line.startswith("  PASS")]
    assert len(passed) == len(STEPS)
    assert "FAIL" not in transcript

    # link
    assert "── alice typed · #trading\n   /autoshares link" in transcript
    assert "Your Slack account is now linked to AutoShares as alice" in transcript
    # agreements: signed with the button
    assert "── alice clicked · #trading\n   [Sign all required]" in transcript
    assert "no AutoShares agreements left to sign" in transcript
    # account and positions
    assert "Alice's cash account (5001)" in transcript
    assert "10 sh @" in transcript
    # quote with its chart
    assert "/quote AAPL chart 5d" in transcript
    chart = tmp_path / "aapl-chart.png"
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert "(picture saved as aapl-chart.png)" in transcript
    # the limit order: previewed, confirmed by click, then filled when the price moved
    assert "Review your order: Buy 10 AAPL · limit" in transcript
    assert "── alice clicked · #trading\n   [Confirm]" in transcript
    assert "is filled." in transcript and "10 filled at $" in transcript
    # the edit: the order now and after the change side by side, then changed in place
    assert "/order edit " in transcript and "Review your change to order" in transcript
    assert "Order changed: Buy 10 AAPL" in transcript
    # the alert: set in the channel, fired by a price move, posted in the channel
    assert (
        "── AutoShares posted · #trading\n     🧪 Paper trading · no real money\n"
        "   🚨 @alice's alert triggered: AAPL"
    ) in transcript

    # the repeating alert: fired, re-armed after its cool-down, and its re-trigger a thread reply
    assert "/alert AAPL above" in transcript and "repeat every 1m" in transcript
    assert "── a minute later the re-arm pass ran\n   the cool-down is over: AutoShares alert" in transcript
    assert (
        "── AutoShares replied in a thread · #trading\n     🧪 Paper trading · no real money\n"
        "   🚨 @alice's alert triggered: AAPL"
    ) in transcript
    assert transcript.index("re-arm pass ran") < transcript.index("replied in a thread")

    page = (tmp_path / "transcript.html").read_text(encoding="utf-8")
    assert '<img src="aapl-chart.png"' in page
    assert page.count('class="entry person"') >= 10
    assert "✔ alert" in page and "✔ repeating alert" in page

    shown = printed.getvalue()
    assert "Every step did what it should." in shown


async def failing_step(world: DemoWorld) -> str:
    answer = await world.slash("/autoshares", "status")
    contains(answer, "linked as bob", what="bob's link status")
    return "unreachable"


async def test_a_failed_step_says_what_was_expected_and_exits_1(tmp_path: Path) -> None:
    screen, printed = console()
    code = await run_demo(tmp_path, console=screen, steps=[("help", step_help), ("bob", failing_step)])
    assert code == 1
    shown = printed.getvalue()
    assert "✘ bob failed" in shown
    assert "expected: bob's link status (mentioning 'linked as bob')" in shown
    assert "not linked" in shown.split("got:", 1)[1]  # what the bot really said
    transcript = (tmp_path / "transcript.txt").read_text(encoding="utf-8")
    assert "  PASS  help" in transcript and "  FAIL  bob" in transcript


@pytest.mark.parametrize("missing", [["rich"], ["rich", "matplotlib"], ["matplotlib"]])
def test_without_the_demo_extra_the_demo_says_how_to_install_it(
    missing: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    for name in missing:  # as on an install without the extra: the import fails
        monkeypatch.setitem(sys.modules, name, None)
    assert main(["demo", "--output", str(tmp_path)]) == 2
    said = capsys.readouterr()
    assert said.err == (
        f"autoshares-bot demo: {' and '.join(missing)} missing; install the demo extra with "
        "pip install 'autoshares-slack[demo]' (make demo does it for you).\n"
    )
    assert said.out == "" and list(tmp_path.iterdir()) == []  # nothing ran
