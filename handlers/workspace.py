"""The workspace lets go of the app: ``app_uninstalled`` and ``tokens_revoked``.

Both are acked at once; the lazy listener offboards (``bot.core.offboarding``) the whole
workspace, or only the users whose tokens were revoked, and forgets the workspace's
installation (multi-workspace installs) when the app itself is gone or its bot token revoked.
Either event first drops the workspace from the in-memory installation and authorize caches
(``handlers.installations``), so a revoked token is not used from memory.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handlers.kit import Event, Listener, Surface, register_table

log = logging.getLogger(__name__)


def forget_cached(surface: Surface, body: dict[str, Any]) -> None:
    """First of all, so a token that is gone is not used from memory even if the rest fails."""
    installations = surface.slack.installation_store
    if installations is not None:
        installations.forget(enterprise_id=body.get("enterprise_id"), team_id=str(body.get("team_id") or ""))


async def forget_installation(surface: Surface, body: dict[str, Any]) -> None:
    """Drop the workspace's Slack installation (multi-workspace installs keep one)."""
    installations = surface.slack.installation_store
    if installations is not None:  # the cached copies go with it
        await installations.async_delete_all(
            enterprise_id=body.get("enterprise_id"), team_id=str(body.get("team_id") or "")
        )


async def uninstalled(
    surface: Surface, body: dict[str, Any], _event: dict[str, Any], _client: AsyncWebClient
) -> None:
    """``app_uninstalled``: offboard the whole workspace and forget its installation."""
    forget_cached(surface, body)
    await surface.core.offboarding.remove(str(body.get("team_id") or ""))
    await forget_installation(surface, body)


async def revoked(
    surface: Surface, body: dict[str, Any], event: dict[str, Any], _client: AsyncWebClient
) -> None:
    """``tokens_revoked``: the bot's token offboards the workspace, users' tokens those users."""
    forget_cached(surface, body)
    tokens = event.get("tokens") or {}
    team_id = str(body.get("team_id") or "")
    if tokens.get("bot"):
        await surface.core.offboarding.remove(team_id)
        await forget_installation(surface, body)
        return
    users = [str(u) for u in tokens.get("oauth") or [] if u]
    if users:
        await surface.core.offboarding.remove(team_id, users)


async def failed(
    surface: Surface, body: dict[str, Any], event: dict[str, Any], _client: AsyncWebClient, exc: BaseException
) -> None:
    """Nobody is left to tell: the failure is logged for the operator."""
    log.error(
        "letting go of workspace %s after %s failed: %s",
        body.get("team_id"),
        event.get("type"),
        type(exc).__name__,
    )


LISTENERS: tuple[Listener, ...] = (
    Event("app_uninstalled", uninstalled, failed),
    Event("tokens_revoked", revoked, failed),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the workspace surface's listeners."""
    register_table(app, surface, LISTENERS)
