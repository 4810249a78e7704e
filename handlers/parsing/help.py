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
        "/autoshares account all",
        "/autoshares account all",
        "Show every account at once: balances summed, positions with their account, open orders.",
    ),
    CommandHelp("/account", "/account all", "Same as /autoshares account, from its own command."),
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
        "/autoshares positions top",
        "/autoshares positions top",
        "Show your largest positions and a chart of your holdings by security type.",
    ),
    CommandHelp(
        "/autoshares activity",
        "/autoshares activity 30d trades",
        "Show trades, dividends and fees over 7d, 30d or ytd, with a CSV export to your DM.",
    ),
    CommandHelp(
        "/autoshares performance",
        "/autoshares performance 3m vs SPY account 12",
        "Chart an account's value over 1w, 1m, 3m, 1y or ytd, against a benchmark if you name one.",
    ),
    CommandHelp("/news", "/news AAPL", "The latest headlines for a symbol; Read opens a story's text."),
    CommandHelp("/autoshares news", "/autoshares news AAPL", "Same as /news, from the main command."),
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
    CommandHelp("/autoshares options", "/autoshares options AAPL", "Same as /options, from the main command."),
    CommandHelp(
        "/autoshares fund",
        "/autoshares fund buy VFIAX $1000",
        "Same as /fund, from the main command.",
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
    CommandHelp(
        "/order … call | put",
        "/order buy 1 AAPL 2027-01-15 200 call limit 5.10",
        "An option: contracts of 100 shares, expiration, strike, call or put; `sell` to close.",
    ),
    CommandHelp(
        "/order spread",
        "/order spread AAPL 2027-01-15 buy 200 call sell 210 call limit 3.20",
        "A vertical spread in one order; the limit is its net debit or credit per share.",
    ),
    CommandHelp(
        "/order … trail",
        "/order sell 10 AAPL trail 2%",
        "A trailing stop by percent or dollars ($1.50); `limit-offset 0.50` makes it a stop limit.",
    ),
    CommandHelp(
        "/order … take-profit | stop-loss",
        "/order buy 10 AAPL limit 180 take-profit 200 stop-loss 170",
        "A bracket: once the entry fills, exits at either price, one cancelling the other.",
    ),
    CommandHelp("/order buy $amount", "/order buy $500 AAPL", "Buy or sell a dollar amount at the market."),
    CommandHelp(
        "/order … ioc | fok | gtd | aon",
        "/order buy 10 AAPL limit 180 gtd 2027-01-15",
        "Immediate-or-cancel, fill-or-kill, good till a date, or all-or-none.",
    ),
    CommandHelp("/order", "/order", "Open the order form."),
    CommandHelp("/order list", "/order list", "Show your open and recent orders."),
    CommandHelp("/order cancel", "/order cancel 12345", "Cancel an order by its id."),
    CommandHelp("/order show", "/order show 12345", "An order's status, executions and fees."),
    CommandHelp(
        "/order edit",
        "/order edit 12345 qty 5 limit 181",
        "Change a working order's quantity, limit or stop price, after a preview you confirm.",
    ),
    CommandHelp(
        "/fund buy",
        "/fund buy VFIAX $1000 reinvest",
        "Buy a mutual fund by dollar amount; distributions `reinvest` (the default) or `cash`.",
    ),
    CommandHelp("/fund sell", "/fund sell VFIAX 10", "Sell mutual fund shares, or a dollar amount (`$500`)."),
    CommandHelp(
        "/fund exchange",
        "/fund exchange VFIAX VTSAX",
        "Exchange your whole holding of one mutual fund for another.",
    ),
    CommandHelp("/fund liquidate", "/fund liquidate VFIAX", "Sell every share you hold of a mutual fund."),
    CommandHelp("/fund cancel", "/fund cancel 12345", "Cancel a mutual fund order that has not filled yet."),
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
        "/alert edit",
        "/alert edit 42 above 240",
        "Move a price alert to a new price (and direction, field or expiry) in place, keeping its id.",
    ),
    CommandHelp(
        "/alert delete", "/alert delete 42", "Delete a price alert (and the rest of its group) by its id."
    ),
    CommandHelp(
        "/options",
        "/options AAPL 2027-01-15",
        "An option chain around the central strike (nearest expiration unless given), with Trade buttons.",
    ),
    CommandHelp("/watch", "/watch", "Show your watchlist: last price, day change and a sparkline."),
    CommandHelp(
        "/watch add",
        "/watch add AAPL MSFT",
        "Add up to 10 symbols to your AutoShares watchlist (shared with your other AutoShares apps).",
    ),
    CommandHelp("/watch remove", "/watch remove MSFT", "Remove symbols from your watchlist."),
)
