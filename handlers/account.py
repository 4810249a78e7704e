"""`/autoshares account`, `positions [account]`, `accounts add <id>`, `signup`, and the
"Make default" and Previous/Next buttons."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.vocabulary.ids import autoshares_id
from handlers.blocks import account as blocks
from handlers.errors import StaleButton
from handlers.kit import (
    Button,
    ButtonContext,
    CommandContext,
    LinkButton,
    Listener,
    Subcommand,
    Surface,
    register_table,
)


async def show_accounts(surface: Surface, ctx: CommandContext, _args: object) -> None:
    """`/autoshares account`: the user's accounts, the default starred."""
    user, views = await surface.core.accounts.overview(ctx.team_id, ctx.user_id)
    await ctx.reply(blocks.accounts_message(views, agreements_outstanding=user.link.agreements_outstanding))


async def make_default(surface: Surface, ctx: ButtonContext) -> None:
    """ "Make default": the clicked account becomes the default for trades from Slack."""
    account_id = autoshares_id(ctx.value)
    if account_id is None:
        raise StaleButton("/autoshares account")
    user, views = await surface.core.accounts.make_default(ctx.team_id, ctx.user_id, account_id)
    chosen = next((v for v in views if v.is_default), None)
    name = blocks.account_label(chosen.account) if chosen else f"Account {account_id}"
    await ctx.replace(
        blocks.accounts_message(
            views,
            note=f":star: {name} is now your default account for trades from Slack.",
            agreements_outstanding=user.link.agreements_outstanding,
        )
    )


async def show_positions(surface: Surface, ctx: CommandContext, account_id: int | None) -> None:
    """`/autoshares positions [account]`: the first page of positions."""
    await ctx.reply(
        blocks.positions_message(
            await surface.core.accounts.positions(ctx.team_id, ctx.user_id, account_id, 0)
        )
    )


async def turn_page(surface: Surface, ctx: ButtonContext) -> None:
    """Previous/Next under the positions: the page the button names."""
    try:
        account_id, page = blocks.parse_positions_page_value(ctx.value)
    except ValueError:
        raise StaleButton("/autoshares positions") from None
    found = await surface.core.accounts.positions(ctx.team_id, ctx.user_id, account_id, page)
    await ctx.replace(blocks.positions_message(found))


async def add_account(surface: Surface, ctx: CommandContext, account_id: int) -> None:
    """`/autoshares accounts add <id>`: an account the user's login can reach."""
    access = await surface.core.accounts.add(ctx.team_id, ctx.user_id, account_id)
    await ctx.reply(blocks.account_added_message(account_id, access))


async def signup(surface: Surface, ctx: CommandContext, _args: object) -> None:
    """`/autoshares signup`: where to open an AutoShares account."""
    await ctx.reply(blocks.signup_message(surface.core.accounts.signup_url()))


LISTENERS: tuple[Listener, ...] = (
    Subcommand("account", show_accounts),
    Subcommand("positions", show_positions),
    Subcommand("accounts_add", add_account),
    Subcommand("signup", signup),
    Button(blocks.ACCOUNT_MAKE_DEFAULT, make_default, working=True),
    Button(blocks.POSITIONS_PREVIOUS, turn_page, working=True),
    Button(blocks.POSITIONS_NEXT, turn_page, working=True),
    LinkButton(blocks.SIGNUP_OPEN),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the account surface's listeners."""
    register_table(app, surface, LISTENERS)
