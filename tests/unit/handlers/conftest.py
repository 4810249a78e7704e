"""What the handler modules' unit tests share: a Bolt app and a Surface to register a surface
module on, with no Slack, AutoShares or database behind them (registering touches none); one
stand-in for a ``response_url`` (``Replies``) and one for the Web API client (``SlackWeb``); and two
ways to run a listener over stand-in use cases with them: a harness that goes through the command
router and ``run_click`` as Slack's requests do, or a direct call with ``command_context`` or
``button_context``."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from types import ModuleType, SimpleNamespace
from typing import Any, cast

import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.usecases import UseCases
from bot.core.views import TradingEnvironment
from bot.telemetry.metrics import Metrics
from handlers import kit
from handlers.kit import (
    Button,
    ButtonContext,
    CommandContext,
    CommandRouter,
    Handled,
    Limits,
    Surface,
    run_click,
)
from handlers.notify import SlackClients, SlackSession


@dataclass(frozen=True)
class Registered:
    """What a surface module registered: the Slack ids Bolt now answers, and the subcommands."""

    handled: Handled
    subcommands: list[str]


class NotReached:
    """Stands for the use cases: registering may name a service (``surface.core.team``) but
    never calls one, so every attribute is None."""

    def __getattr__(self, name: str) -> None:
        return None


def unit_surface() -> Surface:
    """A Surface whose services are never reached: registering only reads the tables."""
    metrics, limits = Metrics(), Limits()
    return Surface(
        core=cast(UseCases, NotReached()),
        slack=cast(SlackClients, None),
        metrics=metrics,
        router=CommandRouter(metrics, limits, SlackSession()),
        limits=limits,
        environment=TradingEnvironment.PAPER,
        quote_domain="autoshares.com",
    )


@pytest.fixture
def register() -> Callable[[ModuleType], Registered]:
    """``register(module)``: call the surface module's ``register`` on a fresh Bolt app."""

    def run(module: ModuleType) -> Registered:
        app = AsyncApp(signing_secret="unit-test-secret", token="xoxb-unit", name="unit")
        surface = unit_surface()
        module.register(app, surface)
        return Registered(surface.handled, surface.router.names())

    return run


def assert_registers(registered: Registered, ids: dict[str, list[str]]) -> None:
    """What Bolt answers after ``register`` is exactly what the table lists (``table_ids``):
    its subcommands, buttons, forms, events and steps (a step is a ``function_executed`` event)."""
    assert registered.subcommands == sorted(ids["subcommand"])
    assert registered.handled.actions == set(ids["action"])
    assert registered.handled.views == set(ids["view"])
    assert registered.handled.events == set(ids["event"]) | ({"function_executed"} if ids["function"] else set())
    assert registered.handled.functions == set(ids["function"])


TEAM, USER, RESPONSE_URL = "T0TEAM", "U0ALICE", "https://hooks.slack.test/response"


class Replies:
    """Stands for a ``response_url`` (Bolt's ``respond``): records each answer's keywords and says
    Slack took it, except the answers numbered in ``refused`` (the first is 1), which Slack
    refuses as it refuses an image it cannot fetch."""

    def __init__(self, refused: Iterable[int] = ()) -> None:
        self.sent: list[dict[str, Any]] = []
        self._refused = set(refused)

    async def __call__(self, **message: Any) -> SimpleNamespace:
        self.sent.append(message)
        if len(self.sent) in self._refused:
            return SimpleNamespace(status_code=400, body='{"ok":false,"error":"invalid_blocks"}')
        return SimpleNamespace(status_code=200, body="ok")

    @property
    def last(self) -> dict[str, Any]:
        assert self.sent, "nothing was said to the user"
        return self.sent[-1]

    def shown(self) -> str:
        """The last answer's notification text and blocks, as one string to look for words in."""
        return f"{self.last.get('text', '')}\n{self.last.get('blocks', '')}"


def slack_answers() -> dict[str, dict[str, Any]]:
    """What Slack answers beyond ``{"ok": True}`` unless told otherwise: opening a direct
    message with U0ALICE gives its channel."""
    return {"conversations_open": {"ok": True, "channel": {"id": "D0ALICE"}}}


@dataclass
class SlackWeb:
    """Stands for the Web API client: records each method called with its keywords, answers
    ``answers[method]`` (``{"ok": True}`` for a method not listed there) and raises Slack's error
    for the methods named in ``refuse`` (method → error code)."""

    answers: dict[str, dict[str, Any]] = field(default_factory=slack_answers)
    refuse: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __getattr__(self, method: str) -> Callable[..., Awaitable[dict[str, Any]]]:
        if method.startswith("_"):
            raise AttributeError(method)

        async def call(**arguments: Any) -> dict[str, Any]:
            self.calls.append((method, arguments))
            if method in self.refuse:
                raise SlackApiError(method, {"ok": False, "error": self.refuse[method]})
            return self.answers.get(method, {"ok": True})

        return call

    def called(self, method: str) -> list[dict[str, Any]]:
        return [arguments for name, arguments in self.calls if name == method]


@dataclass
class Harness:
    """One surface module registered over stand-in use cases. ``command`` and ``click`` run its
    listeners through the same error boundaries as Slack's requests (the command router and
    ``run_click``), so a failure is worded as the user would read it; both return the answers."""

    module: ModuleType
    surface: Surface
    slack: SlackWeb
    replies: Replies = field(default_factory=Replies)

    async def command(
        self, text: str, *, command: str = "/autoshares", channel_id: str = "C0TRADE", replies: Replies | None = None
    ) -> Replies:
        self.replies = replies or Replies()
        ctx = CommandContext(
            team_id=TEAM,
            user_id=USER,
            channel_id=channel_id,
            command=command,
            text=text,
            respond=self.replies,
            client=cast(AsyncWebClient, self.slack),
            body={"response_url": RESPONSE_URL, "channel_id": channel_id},
            trigger_id="trigger-1",
        )
        await self.surface.router.dispatch(ctx)
        return self.replies

    async def click(
        self, action_id: str, value: str, *, channel_id: str = "C0TRADE", replies: Replies | None = None
    ) -> Replies:
        self.replies = replies or Replies()
        entry = next(e for e in self.module.LISTENERS if isinstance(e, Button) and e.action_id == action_id)
        body = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": USER},
            "channel": {"id": channel_id},
            "container": {"type": "message", "channel_id": channel_id},
            "actions": [{"action_id": action_id, "value": value}],
            "trigger_id": "trigger-1",
            "response_url": RESPONSE_URL,
        }
        handler = functools.partial(entry.handler, self.surface)
        await run_click(
            self.surface, action_id, handler, body, cast(AsyncWebClient, self.slack), working=entry.working
        )
        return self.replies


@pytest.fixture
def harness(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Harness]:
    """``harness(module, **services)``: ``module`` registered on a fresh Bolt app over use cases
    made of ``services`` (e.g. ``activity=StandIn()``), paper trading, answering into ``Replies``."""

    def build(module: ModuleType, **services: object) -> Harness:
        metrics, limits = Metrics(), Limits(working_after_seconds=60.0)  # never "working on it"
        surface = Surface(
            core=cast(UseCases, SimpleNamespace(**services)),
            slack=cast(SlackClients, SimpleNamespace(session=None)),
            metrics=metrics,
            router=CommandRouter(metrics, limits, SlackSession()),
            limits=limits,
            environment=TradingEnvironment.PAPER,
            quote_domain="autoshares.com",
        )
        module.register(AsyncApp(signing_secret="unit-test-secret", token="xoxb-unit", name="unit"), surface)
        built = Harness(module, surface, SlackWeb())
        # A click answers at its response_url: here, into the harness's current Replies.
        monkeypatch.setattr(kit, "responder", lambda session, url: built.replies if url else None)
        return built

    return build


# -- calling a listener directly -----------------------------------------------------------------


def surface_with(**services: object) -> Surface:
    """A Surface whose use cases are the stand-ins given (``options=…``, ``performance=…``)."""
    return replace(unit_surface(), core=cast(UseCases, SimpleNamespace(**services)))


def command_context(
    respond: Replies, client: SlackWeb | None = None, *, channel_id: str = "C1"
) -> CommandContext:
    """What a subcommand gets when U0ALICE of T1 types in ``channel_id`` (no working message)."""
    return CommandContext(
        team_id="T1",
        user_id="U0ALICE",
        channel_id=channel_id,
        command="/autoshares",
        text="",
        respond=respond,
        client=cast(AsyncWebClient, client or SlackWeb()),
        body={},
    )


def button_context(
    value: str, respond: Replies, client: SlackWeb | None = None, *, channel_id: str = "C1"
) -> ButtonContext:
    """What a button listener gets when U0ALICE of T1 clicks a button holding ``value``."""
    return ButtonContext(
        team_id="T1",
        user_id="U0ALICE",
        channel_id=channel_id,
        action_id="",
        value=value,
        respond=respond,
        client=cast(AsyncWebClient, client or SlackWeb()),
        body={"trigger_id": "trigger-1", "container": {"type": "message"}},
    )
