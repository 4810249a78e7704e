"""Workflow Builder steps: "Get a quote" and "Portfolio summary" (``functions`` in the manifest).

Each step acts with the AutoShares login of the person who ran the workflow: its
``user_context`` input, which Slack fills and a workflow's builder cannot set (see
``handlers.kit.on_step``). Someone not linked gets the "link first" sentence as the step's error.
Quotes and holdings are what every role may see (``bot.core.team``), so being linked is enough.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.autoshares.errors import QuotesUnavailable
from bot.core import portfolio
from handlers.blocks import steps as outputs
from handlers.kit import Listener, Step, StepContext, Surface, register_table
from handlers.parsing import symbol_from_field


async def get_quote(surface: Surface, ctx: StepContext) -> dict[str, Any]:
    """ "Get a quote": the symbol's price and day figures as the step's outputs."""
    symbol = symbol_from_field(ctx.text("symbol"))  # "" → "Give one symbol such as AAPL."
    found = outputs.quote_outputs(await surface.core.market.quote(ctx.team_id, ctx.user_id, symbol))
    if "price" not in found:
        raise QuotesUnavailable(f"the quote of {symbol} has no price")
    return found


async def portfolio_summary(surface: Surface, ctx: StepContext) -> dict[str, Any]:
    """ "Portfolio summary": the runner's holdings summed up as the step's outputs."""
    core = surface.core
    summary = await portfolio.summarize(core.users, core.accounts, core.market, ctx.team_id, ctx.user_id)
    return outputs.portfolio_outputs(summary)


LISTENERS: tuple[Listener, ...] = (
    Step(outputs.GET_QUOTE, get_quote),
    Step(outputs.PORTFOLIO_SUMMARY, portfolio_summary),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the workflow steps."""
    register_table(app, surface, LISTENERS)
