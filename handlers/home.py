"""The App Home tab, published on ``app_home_opened`` and by its Refresh / Unlink buttons.

Opening the tab is acked at once; the lazy listener builds the view (``bot.core.home``) and
publishes it with ``views.publish``. Whatever fails, the tab says so rather than going stale.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.home import UnlinkedHome
from handlers import errors
from handlers.blocks import home as blocks
from handlers.blocks import team as team_blocks
from handlers.blocks.common import badged, section
from handlers.kit import Button, ButtonContext, Event, Listener, Surface, log_failure, register_table
from handlers.notify import slack_error

log = logging.getLogger(__name__)


def problem_view(exc: BaseException) -> dict[str, Any]:
    """The tab when it could not be built: the error's sentence."""
    return {"type": "home", "blocks": [section(f":warning: {errors.sentence(exc)}").to_dict()]}


async def publish(client: AsyncWebClient, user_id: str, view: dict[str, Any]) -> None:
    try:
        await client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        log.warning("views.publish refused: %s", slack_error(exc))


async def render(
    surface: Surface, client: AsyncWebClient, team_id: str, user_id: str, notice: str | None = None
) -> None:
    """Build and publish the user's tab; admins also get the Team section."""
    home, team = surface.core.home, surface.core.team
    try:
        built = await home.build(team_id, user_id, notice=notice)
        overview = await team.overview(team_id, user_id) if await team.is_admin(team_id, user_id) else None
    except Exception as exc:
        log_failure("app home", exc)
        await show(surface, client, user_id, problem_view(exc))
        return
    if isinstance(built, UnlinkedHome):
        view = blocks.unlinked_home_view(built.link_url, notice=built.notice)
    else:
        view = blocks.home_view(built)
    if overview is not None:
        view["blocks"] = (view["blocks"] + team_blocks.team_section(overview))[: blocks.VIEW_BLOCK_LIMIT]
    await show(surface, client, user_id, view)


async def show(surface: Surface, client: AsyncWebClient, user_id: str, view: dict[str, Any]) -> None:
    """Every version of the tab, a problem included, says whether trading is paper or live."""
    await publish(client, user_id, badged(view, surface.environment))


async def on_opened(
    surface: Surface, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
) -> None:
    """``app_home_opened`` on the Home tab: build and publish the user's tab."""
    if event.get("tab", "home") != "home":
        return
    await render(surface, client, str(body.get("team_id") or ""), str(event.get("user") or ""))


async def on_failure(
    surface: Surface, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, exc: BaseException
) -> None:
    """The tab says what went wrong rather than going stale."""
    await show(surface, client, str(event.get("user") or ""), problem_view(exc))


async def on_refresh(surface: Surface, ctx: ButtonContext) -> None:
    """Refresh: the tab built again."""
    await render(surface, ctx.client, ctx.team_id, ctx.user_id)


async def on_unlink(surface: Surface, ctx: ButtonContext) -> None:
    """Unlink: forget the user's AutoShares tokens, then show the tab with what happened."""
    try:
        was_linked, _revoked = await surface.core.linking.unlink(ctx.team_id, ctx.user_id)
        notice = ":wave: Unlinked: the bot no longer holds your AutoShares tokens." if was_linked else None
    except Exception as exc:
        log_failure("unlink from app home", exc)
        notice = f":warning: {errors.sentence(exc)}"
    await render(surface, ctx.client, ctx.team_id, ctx.user_id, notice)


LISTENERS: tuple[Listener, ...] = (
    Event("app_home_opened", on_opened, on_failure),
    Button(blocks.HOME_REFRESH, on_refresh),
    Button(blocks.HOME_UNLINK, on_unlink),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the App Home surface's listeners."""
    register_table(app, surface, LISTENERS)
