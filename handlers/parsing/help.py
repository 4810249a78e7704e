"""Every command the bot understands, with an example: what `/autoshares help` lists."""

from __future__ import annotations

from typing import NamedTuple


class CommandHelp(NamedTuple):
    """One line of `/autoshares help`."""

    command: str
    example: str
    description: str


#: Every command the bot understands, in the order `/autoshares help` lists them.
COMMAND_HELP: tuple[CommandHelp, ...] = (
    CommandHelp("/autoshares link", "/autoshares link", "Connect your AutoShares login to Slack."),
    CommandHelp("/autoshares unlink", "/autoshares unlink", "Disconnect your AutoShares login from Slack."),
    CommandHelp(
        "/autoshares status",
        "/autoshares status",
        "Show whether you are linked and to which login.",
    ),
    CommandHelp(
        "/autoshares agreements",
        "/autoshares agreements",
        "Review and sign the AutoShares agreements you need before trading.",
    ),
    CommandHelp(
        "/autoshares account",
        "/autoshares account",
        "Show your trading accounts and their balances.",
    ),
    CommandHelp(
        "/autoshares accounts add",
        "/autoshares accounts add 12",
        "Add a trading account to your AutoShares login.",
    ),
    CommandHelp(
        "/autoshares positions",
        "/autoshares positions 12",
        "Show the positions in your default account or in the account given.",
    ),
    CommandHelp(
        "/autoshares ipo",
        "/autoshares ipo 12",
        "Show the new issues (IPOs) open to your account, to subscribe or unsubscribe.",
    ),
    CommandHelp(
        "/autoshares transfers",
        "/autoshares transfers 12",
        "Show your deposits and withdrawals with their status (read only).",
    ),
    CommandHelp("/autoshares signup", "/autoshares signup", "Open a new AutoShares account."),
    CommandHelp("/autoshares quote", "/autoshares quote AAPL", "Same as /quote, from the main command."),
    CommandHelp(
        "/autoshares order",
        "/autoshares order buy 1 AAPL",
        "Same as /order, from the main command.",
    ),
    CommandHelp(
        "/autoshares alert",
        "/autoshares alert AAPL above 200",
        "Same as /alert, from the main command.",
    ),
    CommandHelp(
        "/autoshares digest",
        "/autoshares digest weekdays at close",
        "A portfolio summary daily or on weekdays, at a time (`16:15`, your time zone) or `at close`.",
    ),
    CommandHelp(
        "/autoshares digest list",
        "/autoshares digest list",
        "Show your digest schedules; `digest off` (or `digest off 2`) stops them.",
    ),
    CommandHelp(
        "/autoshares watch",
        "/autoshares watch add AAPL",
        "Same as /watch, from the main command.",
    ),
    CommandHelp(
        "/autoshares admin",
        "/autoshares admin",
        "Admins: show the team's roles, limits and trading rules (also on App Home).",
    ),
    CommandHelp(
        "/autoshares admin role",
        "/autoshares admin role @alice approver",
        "Admins: make a member a viewer, trader, approver or admin (or `default`).",
    ),
    CommandHelp(
        "/autoshares admin limit",
        "/autoshares admin limit @alice value 5000",
        "Admins: a member's largest order (`value`) or orders a day (`daily`); `none` removes it.",
    ),
    CommandHelp(
        "/autoshares admin approval",
        "/autoshares admin approval @alice on",
        "Admins: every order of this member needs a second person's approval (`on` / `off`).",
    ),
    CommandHelp(
        "/autoshares admin approvals",
        "/autoshares admin approvals over 10000",
        "Admins: orders above this need approval (`off` stops it); `approvals in #channel` sets where.",
    ),
    CommandHelp(
        "/autoshares admin orders",
        "/autoshares admin orders in #trading dm",
        "Admins: where orders may go: `anywhere`, `dm`, or `in` channels (and `dm`); `alerts` alike.",
    ),
    CommandHelp(
        "/autoshares admin pause",
        "/autoshares admin pause",
        "Admins: pause all trading in the workspace; `resume` lifts it.",
    ),
    CommandHelp("/autoshares help", "/autoshares help", "Show this list of commands."),
    CommandHelp(
        "/quote",
        "/quote AAPL MSFT chart 5d",
        "Get quotes for up to 10 symbols, with an optional 1d, 5d, 1m, 6m or 1y chart.",
    ),
    CommandHelp(
        "/order",
        "/order buy 10 AAPL limit 180",
        "Preview a buy, sell, short or cover order and place it after you confirm.",
    ),
    CommandHelp(
        "/order … pre | post | ext",
        "/order buy 5 AAPL limit 180 post",
        "A limit order that also trades pre-market (pre), after-hours (post) or whichever is next (ext).",
    ),
    CommandHelp("/order", "/order", "Open the order form."),
    CommandHelp("/order list", "/order list", "Show your open and recent orders."),
    CommandHelp("/order cancel", "/order cancel 12345", "Cancel an order by its id."),
    CommandHelp(
        "/order edit",
        "/order edit 12345 qty 5 limit 181",
        "Change a working order's quantity, limit or stop price, after a preview you confirm.",
    ),
    CommandHelp(
        "/alert",
        "/alert AAPL above 200 expires 1w",
        "Notify this channel when a price crosses a level (last, bid or ask).",
    ),
    CommandHelp(
        "/alert … moves",
        "/alert AAPL moves 5%",
        "Notify when the price moves 5% from the previous close; `up 5%` or `down 5%` for one way.",
    ),
    CommandHelp(
        "/alert … repeat",
        "/alert AAPL above 200 repeat every 1h",
        "Arm it again after each trigger and a cool-down (1 hour unless `every`); replies thread.",
    ),
    CommandHelp(
        "/alert deliver",
        "/alert deliver dm",
        "Send your alerts' triggers to a DM with me; `deliver channel` posts where each was set.",
    ),
    CommandHelp("/alert list", "/alert list", "Show your price alerts and where their triggers go."),
    CommandHelp(
        "/alert delete", "/alert delete 42", "Delete a price alert (and the rest of its group) by its id."
    ),
    CommandHelp("/watch", "/watch", "Show your watchlist: last price, day change and a sparkline."),
    CommandHelp(
        "/watch add",
        "/watch add AAPL MSFT",
        "Add up to 10 symbols to your AutoShares watchlist (shared with your other AutoShares apps).",
    ),
    CommandHelp("/watch remove", "/watch remove MSFT", "Remove symbols from your watchlist."),
)
