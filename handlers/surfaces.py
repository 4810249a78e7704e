"""Every Slack surface registered on one Bolt app."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import (
    account,
    activity,
    agreements,
    alert,
    digest,
    fund,
    help,
    holdings,
    home,
    ipo,
    link,
    mention,
    news,
    options,
    order,
    performance,
    quote,
    steps,
    team,
    transfers,
    unfurl,
    watch,
    workspace,
)
from handlers.kit import Surface

SURFACES = (
    link,
    help,
    agreements,
    account,
    activity,
    holdings,
    ipo,
    order,
    options,
    fund,
    quote,
    performance,
    news,
    alert,
    watch,
    digest,
    home,
    team,
    transfers,
    workspace,
    unfurl,
    mention,
    steps,
)


def register_all(app: AsyncApp, surface: Surface) -> None:
    """Slash commands (through the router) and every module's buttons, modals and events."""
    surface.router.register(app, surface.handled)
    for module in SURFACES:
        module.register(app, surface)
