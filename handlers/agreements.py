"""`/autoshares agreements`, the Sign / Sign all buttons, and the after-refresh agreements check.

AutoShares says agreements are checked at every login and trading with unsigned ones is not
permitted. The bot counts them when a user links (bot.core.linking), after every token refresh (the
hook installed here, run in the background so the refreshing request is not slowed), and
whenever the list is shown or signed; the trading gate (bot.core.accounts) always asks AutoShares.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.autoshares.client import UserApi
from handlers import blocks
from handlers.interactive import ButtonContext, on_button
from handlers.router import CommandContext, CommandRouter
from storage.links import Link, LinkRepository

log = logging.getLogger(__name__)

HOOK_FLAG = "agreements_refresh_hook"


async def outstanding_agreements(api: UserApi, links: LinkRepository) -> list[dict[str, Any]]:
    """The agreements AutoShares still wants signed; the stored count is brought up to date."""
    agreements = await api.agreements()
    await _store_count(api, links, len(agreements))
    return agreements


async def _store_count(api: UserApi, links: LinkRepository, count: int) -> None:
    if count != api.link.agreements_outstanding:
        await links.set_agreements_outstanding(api.link.team_id, api.link.slack_user_id, count)


async def sign_agreements(
    api: UserApi, links: LinkRepository, wanted: set[str] | None
) -> tuple[list[str], list[dict[str, Any]]]:
    """Sign the user's outstanding agreements whose ids are in ``wanted`` (None = every required
    one). Returns (titles signed, agreements still outstanding). Ids that are not among the
    user's outstanding agreements are ignored: a stale button signs nothing unexpected."""
    before = await api.agreements()
    signed: list[str] = []
    for agreement in before:
        agreement_id = agreement.get("Id")
        if agreement_id is None:
            continue
        chosen = not agreement.get("CanSkip") if wanted is None else str(agreement_id) in wanted
        if chosen:
            await api.sign_agreement(agreement_id)
            signed.append(blocks.agreement_title(agreement))
    if signed:
        return signed, await outstanding_agreements(api, links)
    await _store_count(api, links, len(before))
    return signed, before


def install_refresh_check(services: Any) -> None:
    """After every token refresh, recount the user's agreements (once per Services)."""
    if services.extras.get(HOOK_FLAG):
        return
    services.extras[HOOK_FLAG] = True
    running: set[tuple[str, str]] = set()

    async def recount(link: Link) -> None:
        key = (link.team_id, link.slack_user_id)
        if key in running:
            return
        running.add(key)
        try:
            await outstanding_agreements(services.api_for(link), services.links)
        except Exception as exc:  # a background check: log, never disturb the user
            log.warning("agreements check after token refresh failed: %s", type(exc).__name__)
        finally:
            running.discard(key)

    async def after_refresh(link: Link) -> None:
        services.spawn(recount(link))

    services.tokens.after_refresh.append(after_refresh)


def register(app: AsyncApp, router: CommandRouter, services: Any) -> None:
    install_refresh_check(services)

    async def show(ctx: CommandContext, _args: object) -> None:
        api = await services.user_api(ctx.team_id, ctx.user_id)
        await ctx.reply(blocks.agreements_message(await outstanding_agreements(api, services.links)))

    async def sign_one(ctx: ButtonContext) -> None:
        api = await services.user_api(ctx.team_id, ctx.user_id)
        signed, remaining = await sign_agreements(api, services.links, {ctx.value})
        if not signed:
            await ctx.replace(
                blocks.agreements_message(
                    remaining, lead="That agreement is no longer waiting for your signature."
                )
            )
            return
        await ctx.replace(blocks.agreements_message(remaining, signed=signed))

    async def sign_required(ctx: ButtonContext) -> None:
        api = await services.user_api(ctx.team_id, ctx.user_id)
        signed, remaining = await sign_agreements(api, services.links, None)
        await ctx.replace(blocks.agreements_message(remaining, signed=signed))

    router.add("agreements", show)
    on_button(app, blocks.AGREEMENT_SIGN, services, sign_one)
    on_button(app, blocks.AGREEMENTS_SIGN_ALL, services, sign_required)
