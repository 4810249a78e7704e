"""`/autoshares account`, `positions [account]`, `accounts add <id>`, `signup`, and the
"Make default" and Previous/Next buttons.

Viewing accounts and holdings is not trading, so the agreements gate does not apply here (the
account list reminds the user when agreements are outstanding).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.autoshares import errors as e
from bot.autoshares.client import UserApi
from bot.core.accounts import resolve_account
from bot.core.errors import BotError
from handlers import blocks
from handlers.interactive import ButtonContext, on_button
from handlers.router import CommandContext, CommandRouter
from storage.links import LinkRepository

log = logging.getLogger(__name__)

#: Balances fetched at once for one user (AutoShares limits calls per token).
BALANCE_CONCURRENCY = 5


async def account_views(api: UserApi, default_id: int | None) -> list[blocks.AccountView]:
    """The user's accounts with their balances (None for an account whose balances failed)."""
    accounts = [a for a in await api.accounts() if a.get("Id") is not None]
    limit = asyncio.Semaphore(BALANCE_CONCURRENCY)

    async def balances_of(account_id: int) -> dict[str, Any] | None:
        async with limit:
            try:
                return await api.balances(account_id)
            except e.AutoSharesError as exc:
                log.info("balances of an account unavailable: %s", exc.code)
                return None

    balances = await asyncio.gather(*(balances_of(int(a["Id"])) for a in accounts))
    return [
        blocks.AccountView(
            account, figures, is_default=default_id is not None and int(account["Id"]) == default_id
        )
        for account, figures in zip(accounts, balances, strict=True)
    ]


async def positions_page(
    api: UserApi, links: LinkRepository, requested: int | None, page: int
) -> dict[str, Any]:
    """One page (zero-based) of the holdings of the requested, default or first account."""
    account_id, account = await resolve_account(api, links, requested)
    size = blocks.POSITIONS_PAGE_SIZE
    body = await api.positions(account_id, page=page, page_size=size, sort_field="Symbol")
    if isinstance(body, dict):
        items = list(body.get("Result") or [])
        total = body.get("TotalCount")
        total = int(total) if isinstance(total, int | float) else None
        has_next = bool(body.get("NextPageLink")) or (total is not None and (page + 1) * size < total)
    else:  # some deployments answer with a bare list
        items, total, has_next = list(body or []), None, len(body or []) >= size
    return blocks.positions_message(
        account_id, account, items, page=page, total=total, has_next=has_next, page_size=size
    )


def refusal(account_id: int, exc: e.AutoSharesError) -> BotError:
    """AutoShares' own reason for refusing to bind an account, as one plain sentence."""
    reason = (exc.description or "").strip().rstrip(".")
    said = f": {blocks.escape(reason)}" if reason else ""
    return BotError(
        f"binding account {account_id} refused ({exc.code})",
        user_message=(
            f"AutoShares refused to add account {account_id}{said}. Check the account id, or ask "
            "the account's owner to give your AutoShares login access."
        ),
    )


def register(app: AsyncApp, router: CommandRouter, services: Any) -> None:
    settings = services.settings

    async def show_accounts(ctx: CommandContext, _args: object) -> None:
        api = await services.user_api(ctx.team_id, ctx.user_id)
        views = await account_views(api, api.link.default_account_id)
        await ctx.reply(
            blocks.accounts_message(views, agreements_outstanding=api.link.agreements_outstanding)
        )

    async def make_default(ctx: ButtonContext) -> None:
        if not ctx.value.isdigit():
            raise BotError(
                "bad make-default button value",
                user_message="That button is out of date. Run `/autoshares account` again.",
            )
        account_id = int(ctx.value)
        api = await services.user_api(ctx.team_id, ctx.user_id)
        await api.select_account(account_id)
        await services.links.set_default_account(ctx.team_id, ctx.user_id, account_id)
        views = await account_views(api, account_id)
        chosen = next((v for v in views if v.is_default), None)
        name = blocks.account_label(chosen.account) if chosen else f"Account {account_id}"
        await ctx.replace(
            blocks.accounts_message(
                views,
                note=f":star: {name} is now your default account for trades from Slack.",
                agreements_outstanding=api.link.agreements_outstanding,
            )
        )

    async def show_positions(ctx: CommandContext, account_id: int | None) -> None:
        api = await services.user_api(ctx.team_id, ctx.user_id)
        await ctx.reply(await positions_page(api, services.links, account_id, 0))

    async def turn_page(ctx: ButtonContext) -> None:
        try:
            account_id, page = blocks.parse_positions_page_value(ctx.value)
        except ValueError:
            raise BotError(
                "bad page button value",
                user_message="That button is out of date. Run `/autoshares positions` again.",
            ) from None
        api = await services.user_api(ctx.team_id, ctx.user_id)
        await ctx.replace(await positions_page(api, services.links, account_id, page))

    async def add_account(ctx: CommandContext, account_id: int) -> None:
        api = await services.user_api(ctx.team_id, ctx.user_id)
        try:
            bound = await api.bind_account(account_id, "Full")
        except e.AutoSharesAppKeyRejected:
            raise  # the operator's problem, not the account's: its own sentence says so
        except (
            e.AutoSharesForbidden,
            e.AutoSharesNotFound,
            e.AutoSharesInvalid,
            e.AutoSharesConflict,
        ) as exc:
            raise refusal(account_id, exc) from None
        access = bound.get("AccountAccessType") if isinstance(bound, dict) else None
        await ctx.reply(blocks.account_added_message(account_id, access))

    async def signup(ctx: CommandContext, _args: object) -> None:
        if settings.autoshares_signup_url:
            await ctx.reply(blocks.signup_message(settings.autoshares_signup_url))
            return
        log.warning("/autoshares signup asked for, but AUTOSHARES_SIGNUP_URL is not set")
        await ctx.reply(
            blocks.error_message(
                "Sign-up from Slack has not been set up by the people who run this bot. "
                "Ask them for the AutoShares sign-up link."
            )
        )

    async def ack_only(ack: AsyncAck) -> None:
        await ack()  # a URL button: the browser opens it, Slack still reports the click

    router.add("account", show_accounts)
    router.add("positions", show_positions)
    router.add("accounts_add", add_account)
    router.add("signup", signup)
    on_button(app, blocks.ACCOUNT_MAKE_DEFAULT, services, make_default)
    on_button(app, blocks.POSITIONS_PREVIOUS, services, turn_page)
    on_button(app, blocks.POSITIONS_NEXT, services, turn_page)
    app.action(blocks.SIGNUP_OPEN)(ack_only)
