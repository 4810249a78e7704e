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

from handlers.kit import Surface, on_event

log = logging.getLogger(__name__)


def register(app: AsyncApp, surface: Surface) -> None:
    offboarding, installations = surface.core.offboarding, surface.slack.installation_store

    def forget_cached(body: dict[str, Any]) -> None:
        """First of all, so a token that is gone is not used from memory even if the rest fails."""
        if installations is not None:
            installations.forget(
                enterprise_id=body.get("enterprise_id"), team_id=str(body.get("team_id") or "")
            )

    async def forget_installation(body: dict[str, Any]) -> None:
        if installations is not None:  # the cached copies go with it
            await installations.async_delete_all(
                enterprise_id=body.get("enterprise_id"), team_id=str(body.get("team_id") or "")
            )

    async def uninstalled(body: dict[str, Any], _event: dict[str, Any], _client: AsyncWebClient) -> None:
        forget_cached(body)
        await offboarding.remove(str(body.get("team_id") or ""))
        await forget_installation(body)

    async def revoked(body: dict[str, Any], event: dict[str, Any], _client: AsyncWebClient) -> None:
        forget_cached(body)
        tokens = event.get("tokens") or {}
        team_id = str(body.get("team_id") or "")
        if tokens.get("bot"):
            await offboarding.remove(team_id)
            await forget_installation(body)
            return
        users = [str(u) for u in tokens.get("oauth") or [] if u]
        if users:
            await offboarding.remove(team_id, users)

    async def failed(
        body: dict[str, Any], event: dict[str, Any], _client: AsyncWebClient, exc: BaseException
    ) -> None:
        log.error(
            "letting go of workspace %s after %s failed: %s",
            body.get("team_id"),
            event.get("type"),
            type(exc).__name__,
        )

    on_event(app, "app_uninstalled", uninstalled, failed, surface=surface)
    on_event(app, "tokens_revoked", revoked, failed, surface=surface)
