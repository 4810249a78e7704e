"""`/autoshares account`, `positions [account]`, `accounts add <id>`, `signup`, and the
"Make default" and Previous/Next buttons."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.vocabulary.ids import autoshares_id
from handlers.blocks import account as blocks
from handlers.errors import StaleButton
from handlers.kit import ButtonContext, CommandContext, Surface, on_button, on_link_button


def register(app: AsyncApp, surface: Surface) -> None:
    accounts = surface.core.accounts

    async def show_accounts(ctx: CommandContext, _args: object) -> None:
        user, views = await accounts.overview(ctx.team_id, ctx.user_id)
        await ctx.reply(
            blocks.accounts_message(views, agreements_outstanding=user.link.agreements_outstanding)
        )

    async def make_default(ctx: ButtonContext) -> None:
        account_id = autoshares_id(ctx.value)
        if account_id is None:
            raise StaleButton("/autoshares account")
        user, views = await accounts.make_default(ctx.team_id, ctx.user_id, account_id)
        chosen = next((v for v in views if v.is_default), None)
        name = blocks.account_label(chosen.account) if chosen else f"Account {account_id}"
        await ctx.replace(
            blocks.accounts_message(
                views,
                note=f":star: {name} is now your default account for trades from Slack.",
                agreements_outstanding=user.link.agreements_outstanding,
            )
        )

    async def show_positions(ctx: CommandContext, account_id: int | None) -> None:
        await ctx.reply(
            blocks.positions_message(await accounts.positions(ctx.team_id, ctx.user_id, account_id, 0))
        )

    async def turn_page(ctx: ButtonContext) -> None:
        try:
            account_id, page = blocks.parse_positions_page_value(ctx.value)
        except ValueError:
            raise StaleButton("/autoshares positions") from None
        found = await accounts.positions(ctx.team_id, ctx.user_id, account_id, page)
        await ctx.replace(blocks.positions_message(found))

    async def add_account(ctx: CommandContext, account_id: int) -> None:
        access = await accounts.add(ctx.team_id, ctx.user_id, account_id)
        await ctx.reply(blocks.account_added_message(account_id, access))

    async def signup(ctx: CommandContext, _args: object) -> None:
        await ctx.reply(blocks.signup_message(accounts.signup_url()))

    surface.router.add("account", show_accounts)
    surface.router.add("positions", show_positions)
    surface.router.add("accounts_add", add_account)
    surface.router.add("signup", signup)
    on_button(app, blocks.ACCOUNT_MAKE_DEFAULT, make_default, surface=surface, working=True)
    on_button(app, blocks.POSITIONS_PREVIOUS, turn_page, surface=surface, working=True)
    on_button(app, blocks.POSITIONS_NEXT, turn_page, surface=surface, working=True)
    on_link_button(app, blocks.SIGNUP_OPEN, surface=surface)
