"""`/news AAPL` (and `/autoshares news AAPL`): the latest headlines, privately, and the Read
button that opens a story's text in a modal."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.commands import NewsRequest
from handlers.blocks import news as blocks
from handlers.errors import StaleButton
from handlers.kit import Button, ButtonContext, CommandContext, Listener, Subcommand, Surface, register_table
from handlers.notify import open_modal


async def show_news(surface: Surface, ctx: CommandContext, request: NewsRequest) -> None:
    found = await surface.core.news.headlines(ctx.team_id, ctx.user_id, request.symbol)
    await ctx.reply(blocks.news_message(found.symbol, found.items))


async def read(surface: Surface, ctx: ButtonContext) -> None:
    """Read: the story's text in a modal (opened with the click's trigger, so within seconds)."""
    try:
        symbol, news_id = blocks.parse_read_value(ctx.value)
    except ValueError:
        raise StaleButton("/news") from None
    item = await surface.core.news.article(ctx.team_id, ctx.user_id, symbol, news_id)
    await open_modal(ctx.client, ctx.trigger_id, blocks.article_view(symbol, item))


LISTENERS: tuple[Listener, ...] = (
    Subcommand("news", show_news),
    Button(blocks.NEWS_READ, read),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the news surface's listeners."""
    register_table(app, surface, LISTENERS)
