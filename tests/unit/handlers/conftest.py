"""What the handler modules' unit tests share: a Bolt app and a Surface to register a surface
module on, with no Slack, AutoShares or database behind them (registering touches none)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import cast

import pytest
from slack_bolt.async_app import AsyncApp

from bot.core.usecases import UseCases
from bot.core.views import TradingEnvironment
from bot.telemetry.metrics import Metrics
from handlers.kit import CommandRouter, Handled, Limits, Surface
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
