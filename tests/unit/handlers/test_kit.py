"""handlers.kit: the registration table and its registrar, and the readers of Slack payloads."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp

from handlers import errors
from handlers.kit import (
    Button,
    ButtonContext,
    CommandContext,
    Event,
    Form,
    LinkButton,
    Listener,
    Step,
    StepContext,
    Subcommand,
    Surface,
    ViewContext,
    button_context,
    clicker,
    register_table,
    step_context,
    table_ids,
    view_metadata,
)
from tests.unit.handlers.conftest import unit_surface


async def said(surface: Surface, ctx: CommandContext, args: Any) -> None:
    """A subcommand that records what it was called with."""
    calls.append((surface, ctx, args))


async def clicked(surface: Surface, ctx: ButtonContext) -> None:
    """A button listener."""


async def submitted(surface: Surface, ctx: ViewContext) -> None:
    """A form listener."""


async def happened(surface: Surface, body: dict[str, Any], event: dict[str, Any], client: Any) -> None:
    """An event listener."""


async def failed(
    surface: Surface, body: dict[str, Any], event: dict[str, Any], client: Any, exc: BaseException
) -> None:
    """An event's failure."""


async def stepped(surface: Surface, ctx: StepContext) -> dict[str, Any]:
    """A workflow step."""
    return {}


def no_problems(view: dict[str, Any]) -> dict[str, str] | None:
    return None


calls: list[tuple[Surface, CommandContext, Any]] = []

TABLE: tuple[Listener, ...] = (
    Subcommand("help", said),
    Button("press", clicked, working=True),
    LinkButton("open_url"),
    Form("form", no_problems, submitted),
    Event("app_mention", happened, failed),
    Step("step", stepped),
    Button("press", clicked),  # twice on purpose: table_ids keeps repeats
)


def test_table_ids_lists_each_kind_in_order_with_repeats() -> None:
    assert table_ids(TABLE) == {
        "subcommand": ["help"],
        "action": ["press", "open_url", "press"],
        "view": ["form"],
        "event": ["app_mention"],
        "function": ["step"],
    }


async def test_register_table_hands_every_entry_to_its_boundary_bound_to_the_surface() -> None:
    app = AsyncApp(signing_secret="unit-test-secret", token="xoxb-unit", name="unit")
    surface = unit_surface()
    register_table(app, surface, TABLE[:-1])
    handled = surface.handled
    assert (handled.actions, handled.views, handled.functions) == ({"press", "open_url"}, {"form"}, {"step"})
    assert handled.events == {"app_mention", "function_executed"}
    assert surface.router.names() == ["help"]
    # A dispatched subcommand reaches the listener with the surface bound first.
    ctx = CommandContext("T1", "U1", "C1", "/autoshares", "help", respond=None, client=None, body={})  # type: ignore[arg-type]
    calls.clear()
    await surface.router.dispatch(ctx)
    assert [(bound, got.text) for bound, got, _args in calls] == [(surface, "help")]


def test_view_metadata_reads_json_and_tolerates_anything_else() -> None:
    assert view_metadata({"private_metadata": '{"channel": "C1"}'}) == {"channel": "C1"}
    assert view_metadata({"private_metadata": "not json"}) == {}
    assert view_metadata({"private_metadata": "[1, 2]"}) == {}
    assert view_metadata({}) == {}


def test_clicker_prefers_the_team_then_the_users_team() -> None:
    assert clicker({"team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T2"}}) == ("T1", "U1")
    assert clicker({"user": {"id": "U1", "team_id": "T2"}}) == ("T2", "U1")
    assert clicker({}) == ("", "")


def test_button_context_reads_the_first_action_and_the_channel() -> None:
    body = {
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "container": {"type": "message", "channel_id": "C9"},
        "actions": [{"action_id": "press", "value": "42"}, {"action_id": "other"}],
        "trigger_id": "trig",
        "response_url": "https://hooks.slack.test/r",
    }
    ctx = button_context(body, None, None)  # type: ignore[arg-type]
    assert (ctx.team_id, ctx.user_id, ctx.channel_id) == ("T1", "U1", "C9")
    assert (ctx.action_id, ctx.value, ctx.container_type) == ("press", "42", "message")
    assert (ctx.trigger_id, ctx.response_url) == ("trig", "https://hooks.slack.test/r")


def test_step_context_acts_for_the_person_who_ran_the_workflow() -> None:
    body = {"team_id": "T1", "event": {"function": {"callback_id": "get_quote"}}}
    ctx = step_context(body, {"user_context": {"id": "U7"}, "symbol": "AAPL", "n": 3})
    assert (ctx.team_id, ctx.user_id, ctx.callback_id) == ("T1", "U7", "get_quote")
    assert ctx.text("symbol") == "AAPL"
    assert ctx.text("n") == "" and ctx.text("missing") == ""


def test_a_step_without_its_runner_is_refused() -> None:
    with pytest.raises(errors.StepInputMissing):
        step_context({"team_id": "T1"}, {"symbol": "AAPL"})
