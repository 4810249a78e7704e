"""The command grammar: what parses to which request, and what fails with which sentence."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import get_args

import pytest

from bot.core.commands import AlertDeliverCommand, AlertMoveRequest, ExtendedSession
from handlers.kit import SHORTCUTS
from handlers.parsing import (
    COMMAND_HELP,
    MAX_QUANTITY,
    AlertDeleteCommand,
    AlertListCommand,
    AlertRequest,
    AutosharesCommand,
    AutosharesName,
    OrderCancelCommand,
    OrderEditCommand,
    OrderListCommand,
    OrderRequest,
    OrderTicketCommand,
    ParseError,
    QuoteRequest,
    edit_from_fields,
    edit_text,
    order_from_fields,
    order_text,
    parse_alert,
    parse_autoshares,
    parse_fund,
    parse_news,
    parse_options,
    parse_order,
    parse_quote,
    parse_watch,
)

PARSERS: dict[str, Callable[[str], object]] = {
    "/order": parse_order,
    "/fund": parse_fund,
    "/alert": parse_alert,
    "/quote": parse_quote,
    "/watch": parse_watch,
    "/autoshares": parse_autoshares,
    "/options": parse_options,
    "/news": parse_news,
    "/account": lambda text: parse_autoshares(f"account {text}"),
}


def error_of(parse: Callable[[str], object], text: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse(text)
    return caught.value


def assert_safe_sentence(message: str) -> None:
    """A message a Slack user sees: one line, ends in a full stop, nothing Slack would parse."""
    assert message.endswith(".")
    assert "\n" not in message
    assert "<" not in message and ">" not in message
    assert re.search(r"&(?!amp;|lt;|gt;)", message) is None, message
    assert re.search(r"@(channel|here|everyone)", message, re.IGNORECASE) is None, message


# --------------------------------------------------------------------------- /order


def order(
    side: str,
    quantity: int,
    symbol: str,
    order_type: str,
    limit: str | None = None,
    stop: str | None = None,
    tif: str = "Day",
    account: int | None = None,
    ext: ExtendedSession | None = None,
) -> OrderRequest:
    return OrderRequest(
        side=side,  # type: ignore[arg-type]
        quantity=quantity,
        symbol=symbol,
        order_type=order_type,  # type: ignore[arg-type]
        limit_price=Decimal(limit) if limit is not None else None,
        stop_price=Decimal(stop) if stop is not None else None,
        time_in_force=tif,  # type: ignore[arg-type]
        account_id=account,
        extended_hours=ext,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("buy 10 AAPL", order("Buy", 10, "AAPL", "Market")),
        (
            "sell 5 MSFT limit 410.50 gtc",
            order("Sell", 5, "MSFT", "Limit", "410.50", tif="GoodTillCancel"),
        ),
        ("buy 3 TSLA stop 180", order("Buy", 3, "TSLA", "Stop", stop="180")),
        ("buy 3 TSLA stop 180 limit 181", order("Buy", 3, "TSLA", "StopLimit", "181", "180")),
        (
            "buy 1 aapl limit 180 account 12 ext",
            order("Buy", 1, "AAPL", "Limit", "180", account=12, ext="ext"),
        ),
        ("short 7 GME limit 20", order("SellShort", 7, "GME", "Limit", "20")),
        ("cover 7 GME", order("BuyToCover", 7, "GME", "Market")),
        (
            "BUY 10 aapl LIMIT 180 GTC",
            order("Buy", 10, "AAPL", "Limit", "180", tif="GoodTillCancel"),
        ),
        ("  buy   10\tAAPL  ", order("Buy", 10, "AAPL", "Market")),
        ("buy\u00a010\u00a0AAPL", order("Buy", 10, "AAPL", "Market")),
        ("buy 10 AA\u200bPL", order("Buy", 10, "AAPL", "Market")),
        ("buy 10 AAPL day", order("Buy", 10, "AAPL", "Market")),
        ("buy 10 $AAPL limit $180.25", order("Buy", 10, "AAPL", "Limit", "180.25")),
        ("buy 10 BRK.B limit .5", order("Buy", 10, "BRK.B", "Limit", "0.5")),
        ("buy 10 BF-B", order("Buy", 10, "BF-B", "Market")),
        ("buy 1 AAPL ext limit 180", order("Buy", 1, "AAPL", "Limit", "180", ext="ext")),
        ("buy 1 AAPL limit 180 pre", order("Buy", 1, "AAPL", "Limit", "180", ext="pre")),
        (
            "sell 1 AAPL POST limit 180 gtc",
            order("Sell", 1, "AAPL", "Limit", "180", tif="GoodTillCancel", ext="post"),
        ),
        (
            "buy 1 AAPL gtc account 3 limit 1.2345",
            order("Buy", 1, "AAPL", "Limit", "1.2345", tif="GoodTillCancel", account=3),
        ),
        ("buy 1000000 AAPL", order("Buy", MAX_QUANTITY, "AAPL", "Market")),
        ("buy 007 AAPL", order("Buy", 7, "AAPL", "Market")),
        ("buy 1 AAPL limit 1000000", order("Buy", 1, "AAPL", "Limit", "1000000")),
        ("buy 1 AAPL stop 0.0001", order("Buy", 1, "AAPL", "Stop", stop="0.0001")),
    ],
)
def test_order_parses(text: str, expected: OrderRequest) -> None:
    assert parse_order(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", OrderTicketCommand()),
        ("   ", OrderTicketCommand()),
        ("list", OrderListCommand()),
        ("LIST account 12", OrderListCommand(12)),
        ("cancel 12345", OrderCancelCommand(12345)),
        ("cancel 12345 account 9", OrderCancelCommand(12345, 9)),
    ],
)
def test_order_other_commands(text: str, expected: object) -> None:
    assert parse_order(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment", "field"),
    [
        (
            "buy -5 AAPL",
            "Quantity must be a whole number of shares above zero, not `-5`",
            "quantity",
        ),
        ("buy 0 AAPL", "Quantity must be a whole number of shares above zero, not `0`", "quantity"),
        ("buy 000 AAPL", "whole number of shares above zero", "quantity"),
        ("buy 10.5 AAPL", "whole number of shares above zero, not `10.5`", "quantity"),
        ("buy 1e9 AAPL", "whole number of shares above zero, not `1e9`", "quantity"),
        ("buy ten AAPL", "whole number of shares above zero, not `ten`", "quantity"),
        ("buy AAPL 10", "not `AAPL`", "quantity"),
        ("buy ١٢ AAPL", "whole number of shares", "quantity"),
        ("buy 1000001 AAPL", "at most 1,000,000 shares", "quantity"),
        ("buy 99999999999999999999999 AAPL", "at most 1,000,000 shares", "quantity"),
        ("buy 10", "Add the symbol after the quantity", None),
        ("buy", "how many shares of which symbol", None),
        (
            "buy 10 AAPL limit abc",
            "limit price must be a number above zero such as 180.50, not `abc`",
            "limit_price",
        ),
        ("buy 10 AAPL limit", "`limit` needs a price after it", None),
        ("buy 10 AAPL stop", "`stop` needs a price after it", None),
        ("buy 10 AAPL limit nan", "not `nan`", "limit_price"),
        ("buy 10 AAPL limit inf", "not `inf`", "limit_price"),
        ("buy 10 AAPL limit Infinity", "not `Infinity`", "limit_price"),
        ("buy 10 AAPL limit 1e3", "not `1e3`", "limit_price"),
        ("buy 10 AAPL limit -1", "not `-1`", "limit_price"),
        ("buy 10 AAPL limit 0", "limit price must be above zero", "limit_price"),
        ("buy 10 AAPL limit 0.00", "limit price must be above zero", "limit_price"),
        ("buy 10 AAPL limit 1000000.01", "at most 1,000,000", "limit_price"),
        ("buy 10 AAPL limit 180.12345", "at most 4 decimal places", "limit_price"),
        ("buy 10 AAPL stop 1,5", "stop price must be a number", "stop_price"),
        ("buy 10 AAPL limit 1 limit 2", "`limit` appears twice", None),
        ("buy 10 AAPL stop 1 stop 2", "`stop` appears twice", None),
        ("buy 10 AAPL limit 1 ext ext", "`ext` appears twice", None),
        ("buy 10 AAPL limit 1 day gtc", "Choose one of day, gtc, ioc, fok or gtd", None),
        (
            "purchase 10 AAPL",
            "`purchase` is not an order action; start with buy, sell, short or cover",
            None,
        ),
        ("buy 10 TOOLONGSYMBOL", "`TOOLONGSYMBOL` is not a valid symbol", "symbol"),
        ("buy 10 1AAPL", "`1AAPL` is not a valid symbol", "symbol"),
        ("buy 10 ſpy", "is not a valid symbol", "symbol"),
        ("buy 10 “AAPL”", "`“AAPL”` is not a valid symbol", "symbol"),
        ("buy 10 AAPL 180", "Write limit or stop before the price `180`", None),
        ("buy 10 AAPL now", "`now` is not an order option", None),
        ("buy 10 AAPL gtc", "Market orders cannot be good-till-cancel", "time_in_force"),
        (
            "buy 10 AAPL ext",
            "Extended-hours trading (ext) works only with a limit order",
            "extended_hours",
        ),
        ("buy 10 AAPL stop 5 ext", "works only with a limit order", "extended_hours"),
        ("buy 10 AAPL stop 5 limit 6 ext", "works only with a limit order", "extended_hours"),
        ("buy 10 AAPL post", "Extended-hours trading (post) works only with a limit", "extended_hours"),
        ("buy 10 AAPL limit 5 pre post", "Choose one of ext, pre or post", None),
        ("buy 10 AAPL limit 5 post ext", "Choose one of ext, pre or post", None),
        (
            "buy 10 AAPL account x",
            "account id must be a whole number such as 12, not `x`",
            "account",
        ),
        ("buy 10 AAPL account 0", "account id must be a whole number", "account"),
        ("buy 10 AAPL account 2147483648", "account id must be a whole number", "account"),
        ("buy 10 AAPL account", "`account` needs an account id after it", None),
        ("cancel", "Say which order to cancel", None),
        ("cancel abc", "order id must be a whole number such as 12, not `abc`", None),
        ("cancel 5 now", "`now` is not understood after the order id", None),
        ("list 12", "`12` is not understood after list", None),
        ("list account 12 more", "`more` is not understood after the account id", None),
    ],
)
def test_order_errors(text: str, fragment: str, field: str | None) -> None:
    error = error_of(parse_order, text)
    assert fragment in str(error)
    assert error.field == field
    assert str(error).count("Try `/order ") == 1
    assert_safe_sentence(str(error))


def test_order_error_shows_the_expected_form() -> None:
    assert str(error_of(parse_order, "buy 0 AAPL")) == (
        "Quantity must be a whole number of shares above zero, not `0`. Try `/order buy 10 AAPL limit 180`."
    )
    assert str(error_of(parse_order, "buy 10 AAPL gtc")).endswith(
        "Try `/order sell 5 MSFT limit 410.50 gtc`."
    )


def test_parse_error_is_a_value_error() -> None:
    error = error_of(parse_order, "buy 0 AAPL")
    assert isinstance(error, ValueError)
    assert error.message == str(error)


@pytest.mark.parametrize(
    "text",
    [
        "buy 10 AAPL",
        "sell 5 MSFT limit 410.50 gtc",
        "buy 3 TSLA stop 180 limit 181",
        "buy 1 aapl limit 180 account 12 ext",
        "sell 1 aapl limit 180 post",
        "short 1 X limit .25",
        "cover 2 BRK.B stop 0.0001 account 2147483647",
    ],
)
def test_command_text_round_trips(text: str) -> None:
    request = parse_order(text)
    assert isinstance(request, OrderRequest)
    assert parse_order(order_text(request)) == request


def test_order_request_is_frozen() -> None:
    request = parse_order("buy 1 AAPL")
    assert isinstance(request, OrderRequest)
    with pytest.raises(AttributeError):
        request.quantity = 2  # type: ignore[misc]


# --------------------------------------------------------------------------- order modal


def fields(**overrides: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "symbol": "aapl",
        "side": "Buy",
        "type": "",
        "quantity": "10",
        "limit_price": "",
        "stop_price": "",
        "time_in_force": "",
        "account": "",
        "extended_hours": "",
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    ("form", "text"),
    [
        (fields(), "buy 10 AAPL"),
        (
            fields(
                symbol="MSFT",
                side="sell",
                type="Limit",
                limit_price="410.50",
                time_in_force="GoodTillCancel",
            ),
            "sell 10 MSFT limit 410.50 gtc",
        ),
        (fields(side="SellShort", type="Stop", stop_price="180"), "short 10 AAPL stop 180"),
        (
            fields(side="BuyToCover", type="StopLimit", stop_price="180", limit_price="181"),
            "cover 10 AAPL stop 180 limit 181",
        ),
        (
            fields(type="stop_limit", stop_price="180", limit_price="181"),
            "buy 10 AAPL stop 180 limit 181",
        ),
        (
            fields(limit_price="180", account="12", extended_hours="true"),
            "buy 10 AAPL limit 180 account 12 ext",
        ),
        (fields(time_in_force="day", extended_hours="false"), "buy 10 AAPL day"),
        (fields(limit_price="180", extended_hours="ext"), "buy 10 AAPL limit 180 ext"),
        (fields(limit_price="180", extended_hours="pre"), "buy 10 AAPL limit 180 pre"),
        (fields(limit_price="180", extended_hours="post"), "buy 10 AAPL limit 180 post"),
        (fields(type=None, time_in_force=None, account=None, extended_hours=None), "buy 10 AAPL"),
        ({"symbol": "AAPL", "side": "buy", "quantity": " 10 "}, "buy 10 AAPL"),
    ],
)
def test_order_from_fields_matches_text_command(form: dict[str, str | None], text: str) -> None:
    assert order_from_fields(form) == parse_order(text)


@pytest.mark.parametrize(
    ("form", "field", "fragment"),
    [
        (fields(symbol=""), "symbol", "Enter a symbol"),
        (fields(symbol="<!channel>"), "symbol", "`&lt;!channel&gt;` is not a valid symbol"),
        (fields(side=""), "side", "Choose buy, sell, short or cover"),
        (fields(side="purchase"), "side", "Choose buy, sell, short or cover"),
        (fields(quantity=""), "quantity", "Enter a quantity"),
        (fields(quantity="10.5"), "quantity", "whole number of shares above zero"),
        (fields(quantity="2000000"), "quantity", "at most 1,000,000 shares"),
        (fields(type="Limit"), "limit_price", "A limit order needs a limit price"),
        (fields(type="Stop"), "stop_price", "A stop order needs a stop price"),
        (fields(type="StopLimit", stop_price="1"), "limit_price", "needs a limit price"),
        (
            fields(type="Market", limit_price="1"),
            "limit_price",
            "A market order takes no limit price",
        ),
        (
            fields(type="Limit", limit_price="1", stop_price="2"),
            "stop_price",
            "takes no stop price",
        ),
        (fields(type="TrailingStop"), "type", "Choose market, limit, stop or stop limit"),
        (fields(limit_price="abc"), "limit_price", "must be a number above zero"),
        (fields(stop_price="1e5"), "stop_price", "must be a number above zero"),
        (fields(time_in_force="gtc"), "time_in_force", "Market orders cannot be good-till-cancel"),
        (fields(time_in_force="forever"), "time_in_force", "Choose day or good-till-cancel"),
        (fields(account="twelve"), "account", "account id must be a whole number"),
        (fields(extended_hours="maybe"), "extended_hours", "must be off, ext, pre or post"),
        (fields(extended_hours="true"), "extended_hours", "works only with a limit order"),
    ],
)
def test_order_from_fields_errors(form: dict[str, str | None], field: str, fragment: str) -> None:
    with pytest.raises(ParseError) as caught:
        order_from_fields(form)
    assert caught.value.field == field
    assert fragment in str(caught.value)
    assert "Try `" not in str(caught.value)  # a form shows the error beside the field
    assert_safe_sentence(str(caught.value))


# --------------------------------------------------------------------------- /alert


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AAPL above 200", AlertRequest("AAPL", "GTEQ", Decimal("200"))),
        ("aapl below 150.25", AlertRequest("AAPL", "LTEQ", Decimal("150.25"))),
        ("AAPL >= 200", AlertRequest("AAPL", "GTEQ", Decimal("200"))),
        ("AAPL &gt;= 200", AlertRequest("AAPL", "GTEQ", Decimal("200"))),
        ("AAPL &lt;=200", AlertRequest("AAPL", "LTEQ", Decimal("200"))),
        ("AAPL<=200", AlertRequest("AAPL", "LTEQ", Decimal("200"))),
        ("AAPL ≥ 200", AlertRequest("AAPL", "GTEQ", Decimal("200"))),
        ("AAPL above 200 bid", AlertRequest("AAPL", "GTEQ", Decimal("200"), "Bid")),
        ("AAPL above 200 ASK", AlertRequest("AAPL", "GTEQ", Decimal("200"), "Ask")),
        (
            "AAPL above 200 last expires 2d",
            AlertRequest("AAPL", "GTEQ", Decimal("200"), "Last", timedelta(days=2)),
        ),
        (
            "AAPL below 1 expires 90m bid",
            AlertRequest("AAPL", "LTEQ", Decimal("1"), "Bid", timedelta(minutes=90)),
        ),
        (
            "AAPL below 1 expires 1m",
            AlertRequest("AAPL", "LTEQ", Decimal("1"), "Last", timedelta(minutes=1)),
        ),
        (
            "AAPL below 1 expires 12H",
            AlertRequest("AAPL", "LTEQ", Decimal("1"), "Last", timedelta(hours=12)),
        ),
        (
            "AAPL below 1 expires 52w",
            AlertRequest("AAPL", "LTEQ", Decimal("1"), "Last", timedelta(weeks=52)),
        ),
        (
            "AAPL below 1 expires 365d",
            AlertRequest("AAPL", "LTEQ", Decimal("1"), "Last", timedelta(days=365)),
        ),
        ("list", AlertListCommand()),
        ("delete 42", AlertDeleteCommand(42)),
        # percent moves from the previous close
        ("AAPL moves 5%", AlertMoveRequest("AAPL", "moves", Decimal("5"))),
        ("aapl MOVE 2.5%", AlertMoveRequest("AAPL", "moves", Decimal("2.5"))),
        ("AAPL up 5", AlertMoveRequest("AAPL", "up", Decimal("5"))),
        ("AAPL down 5 % bid", AlertMoveRequest("AAPL", "down", Decimal("5"), "Bid")),
        (
            "AAPL moves 50% expires 2d",
            AlertMoveRequest("AAPL", "moves", Decimal("50"), "Last", timedelta(days=2)),
        ),
        # repeating alerts and their cool-down
        (
            "AAPL above 200 repeat",
            AlertRequest("AAPL", "GTEQ", Decimal("200"), "Last", None, timedelta(hours=1)),
        ),
        (
            "AAPL above 200 repeat every 1m",
            AlertRequest("AAPL", "GTEQ", Decimal("200"), "Last", None, timedelta(minutes=1)),
        ),
        (
            "AAPL below 150 every 2h expires 3d",
            AlertRequest("AAPL", "LTEQ", Decimal("150"), "Last", timedelta(days=3), timedelta(hours=2)),
        ),
        (
            "AAPL moves 5% repeat every 1w",
            AlertMoveRequest("AAPL", "moves", Decimal("5"), "Last", None, timedelta(weeks=1)),
        ),
        # where triggers go
        ("deliver dm", AlertDeliverCommand("dm")),
        ("deliver CHANNEL", AlertDeliverCommand("channel")),
    ],
)
def test_alert_parses(text: str, expected: object) -> None:
    assert parse_alert(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "",
            "Say which symbol to watch, above or below, and a price. Try `/alert AAPL above 200`.",
        ),
        ("AAPL", "Say above or below and a price"),
        ("AAPL above", "Add the price after `above`"),
        ("AAPL over 200", "`over` is not a direction; use above, below, moves, up or down"),
        ("AAPL > 200", "`&gt;` is not a direction"),
        ("AAPL above abc", "alert price must be a number above zero"),
        ("AAPL above 0", "alert price must be above zero"),
        ("AAPL above 1e3", "not `1e3`"),
        ("AAPL above 2000000", "at most 1,000,000"),
        ("AAPL above 1.123456", "at most 4 decimal places"),
        ("AAPL above 1 close", "`close` is not an alert option"),
        ("AAPL above 1 bid ask", "Choose last, bid or ask once"),
        ("AAPL above 1 expires", "`expires` needs a time such as 2d after it"),
        ("AAPL above 1 expires 2", "number followed by m, h, d or w"),
        ("AAPL above 1 expires 2y", "number followed by m, h, d or w"),
        ("AAPL above 1 expires -2d", "number followed by m, h, d or w"),
        ("AAPL above 1 expires 0m", "1 minute at the soonest and 365 days at the latest"),
        ("AAPL above 1 expires 366d", "365 days at the latest"),
        ("AAPL above 1 expires 53w", "365 days at the latest"),
        ("AAPL above 1 expires 9999999w", "365 days at the latest"),
        ("AAPL above 1 expires 1d expires 2d", "`expires` appears twice"),
        ("list all", "`all` is not understood after list"),
        ("delete", "Say which alert to delete"),
        ("delete x", "alert id must be a whole number"),
        ("delete 4 5", "`5` is not understood after the id"),
        ("<@U123> above 1", "`&lt;@\u200bU123&gt;` is not a valid symbol"),
        ("AAPL moves", "Add the percent after `moves`"),
        ("AAPL moves five", "The move must be a percent such as 5%, not `five`"),
        ("AAPL up 0%", "above 0% and at most 50%"),
        ("AAPL down 51%", "above 0% and at most 50%"),
        ("AAPL moves 1.255%", "at most 2 decimal places"),
        ("AAPL moves -5%", "percent such as 5%"),
        ("AAPL moves 5% sideways", "after the percent use last, bid, ask, expires, repeat or every"),
        ("AAPL above 1 repeat repeat", "`repeat` appears twice"),
        ("AAPL above 1 every", "`every` needs a cool-down such as 1h after it"),
        ("AAPL above 1 every 30s", "number followed by m, h, d or w such as 1h"),
        ("AAPL above 1 every 0m", "1 minute at the least and 7 days at the most"),
        ("AAPL above 1 every 8d", "1 minute at the least and 7 days at the most"),
        ("deliver", "Say where your alerts' triggers go: dm or channel"),
        ("deliver slack", "dm or channel"),
        ("deliver dm now", "dm or channel"),
    ],
)
def test_alert_errors(text: str, fragment: str) -> None:
    message = str(error_of(parse_alert, text))
    assert fragment in message
    assert "Try `/alert " in message
    assert_safe_sentence(message)


# --------------------------------------------------------------------------- /quote


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AAPL", QuoteRequest(("AAPL",))),
        ("aapl msft", QuoteRequest(("AAPL", "MSFT"))),
        ("AAPL,MSFT, tsla", QuoteRequest(("AAPL", "MSFT", "TSLA"))),
        ("msft AAPL MSFT aapl", QuoteRequest(("MSFT", "AAPL"))),
        ("AAPL chart", QuoteRequest(("AAPL",), "1d")),
        ("AAPL chart 5d", QuoteRequest(("AAPL",), "5d")),
        ("AAPL chart 1M", QuoteRequest(("AAPL",), "1m")),
        ("chart 1y AAPL", QuoteRequest(("AAPL",), "1y")),
        ("AAPL chart 6m MSFT", QuoteRequest(("AAPL", "MSFT"), "6m")),
        (" ".join(f"S{i}" for i in range(10)), QuoteRequest(tuple(f"S{i}" for i in range(10)))),
        (" ".join(["AAPL"] * 20), QuoteRequest(("AAPL",))),
    ],
)
def test_quote_parses(text: str, expected: QuoteRequest) -> None:
    assert parse_quote(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Name at least one symbol to quote. Try `/quote AAPL MSFT`."),
        ("chart", "Name at least one symbol"),
        (" ".join(f"S{i}" for i in range(11)), "at most 10 symbols at once, not 11"),
        ("AAPL chart chart", "Ask for one chart"),
        ("AAPL 5d", "Put the range `5d` right after chart"),
        ("AAPL chart 2y", "Chart ranges are 1d, 5d, 1m, 6m or 1y, not `2y`"),
        ("AAPL chart 1D 5d", "Put the range `5d` right after chart"),
        ("AAPL & MSFT", "`&amp;` is not a valid symbol"),
    ],
)
def test_quote_errors(text: str, fragment: str) -> None:
    message = str(error_of(parse_quote, text))
    assert fragment in message
    assert_safe_sentence(message)


# --------------------------------------------------------------------------- /autoshares


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", AutosharesCommand("help")),
        ("help", AutosharesCommand("help")),
        ("help order", AutosharesCommand("help")),
        ("link", AutosharesCommand("link")),
        ("UNLINK", AutosharesCommand("unlink")),
        ("status", AutosharesCommand("status")),
        ("agreements", AutosharesCommand("agreements")),
        ("account", AutosharesCommand("account")),
        ("accounts", AutosharesCommand("account")),
        ("accounts add 12", AutosharesCommand("accounts_add", 12)),
        ("account add 12", AutosharesCommand("accounts_add", 12)),
        ("positions", AutosharesCommand("positions")),
        ("positions 12", AutosharesCommand("positions", 12)),
        ("positions account 12", AutosharesCommand("positions", 12)),
        ("signup", AutosharesCommand("signup")),
        ("quote aapl MSFT chart", AutosharesCommand("quote", QuoteRequest(("AAPL", "MSFT"), "1d"))),
        ("order buy 1 AAPL", AutosharesCommand("order", parse_order("buy 1 AAPL"))),
        ("order", AutosharesCommand("order", OrderTicketCommand())),
        ("order list", AutosharesCommand("order", OrderListCommand())),
        ("alert AAPL &gt;= 200", AutosharesCommand("alert", parse_alert("AAPL above 200"))),
        ("alert delete 3", AutosharesCommand("alert", AlertDeleteCommand(3))),
    ],
)
def test_autoshares_parses(text: str, expected: AutosharesCommand) -> None:
    assert parse_autoshares(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("foo", "`foo` is not an /autoshares command; use link, unlink, status"),
        ("@channel", "`@\u200bchannel` is not an /autoshares command"),
        ("link now", "/autoshares link takes nothing after it, not `now`"),
        ("accounts remove 12", "`remove` is not understood after accounts"),
        ("accounts add", "Say which account to add"),
        ("accounts add x", "account id must be a whole number"),
        ("accounts add 1 2", "`2` is not understood after the id"),
        ("positions x", "account id must be a whole number"),
        ("quote", "Name at least one symbol to quote. Try `/autoshares quote AAPL MSFT`."),
        ("order buy 0 AAPL", "Try `/autoshares order buy 10 AAPL limit 180`."),
        ("alert", "Try `/autoshares alert AAPL above 200`."),
    ],
)
def test_autoshares_errors(text: str, fragment: str) -> None:
    message = str(error_of(parse_autoshares, text))
    assert fragment in message
    assert_safe_sentence(message)


def test_unknown_subcommand_lists_every_subcommand() -> None:
    message = str(error_of(parse_autoshares, "frobnicate"))
    for name in ("link", "unlink", "status", "agreements", "account", "positions", "signup"):
        assert name in message
    for name in ("quote", "order", "alert", "help"):
        assert name in message
    assert message.endswith("Try `/autoshares help`.")


# --------------------------------------------------------------------------- help


def as_slack_sends(text: str) -> str:
    """An example as Slack sends it from an escaped command: @member and #channel picked from
    Slack's menus arrive as ``<@U…|name>`` and ``<#C…|name>``."""
    text = re.sub(r"@([a-z]+)", lambda m: f"<@U0{m.group(1).upper()}|{m.group(1)}>", text)
    return re.sub(r"#([a-z]+)", lambda m: f"<#C0{m.group(1).upper()}|{m.group(1)}>", text)


def test_command_help_examples_all_parse() -> None:
    for entry in COMMAND_HELP:
        command, _, text = entry.example.partition(" ")
        assert entry.example.startswith(entry.command.split(" ")[0])
        PARSERS[command](as_slack_sends(text))  # must not raise


def test_command_help_covers_every_command() -> None:
    commands = {entry.command for entry in COMMAND_HELP}
    for name in get_args(AutosharesName):  # every /autoshares subcommand the grammar knows
        assert f"/autoshares {name.replace('_', ' ')}" in commands, name
    assert set(SHORTCUTS) <= {command.split(" ")[0] for command in commands}  # every slash command
    assert {"/order list", "/order cancel", "/order show", "/order edit", "/order spread"} <= commands
    assert {"/fund buy", "/fund sell", "/fund exchange", "/fund liquidate", "/fund cancel"} <= commands
    assert {
        "/alert list",
        "/alert edit",
        "/alert delete",
        "/alert deliver",
        "/watch add",
        "/watch remove",
    } <= commands


def test_command_help_entries_are_short_plain_lines() -> None:
    for command, example, description in COMMAND_HELP:
        assert command.startswith("/") and example.startswith("/")
        assert description.endswith(".") and len(description) <= 100
        assert_safe_sentence(description)
        assert_safe_sentence(example + ".")


# --------------------------------------------------------------------------- properties

HOSTILE_TOKENS = [
    "<!channel>", "&lt;!channel&gt;", "<!here>", "@channel", "@here", "@everyone", "<@U024BE7LH>",
    "<https://evil.example|click>", "&amp;", "a&b", "`rm`", "*bold*", "“AAPL”", "‘x’", "\u202e",
    "\x00", "x" * 200, "1e9", "NaN", "-0", "0x10", "½", "١٢", "10²", ">=", "<=", "≥", ">", "<",
]  # fmt: skip
GRAMMAR_TOKENS = [
    "buy", "sell", "short", "cover", "list", "cancel", "delete", "limit", "stop", "day", "gtc",
    "account", "ext", "above", "below", "last", "bid", "ask", "expires", "2d", "chart", "5d",
    "AAPL", "brk.b", "10", "0", "180.50", "1000001", "quote", "order", "alert", "positions", "add",
    "remove", "watch",
]  # fmt: skip


def hostile_texts(count: int) -> list[str]:
    """Deterministic random commands mixing grammar words with text Slack users can send."""
    rng = random.Random(20240611)
    pool = HOSTILE_TOKENS + GRAMMAR_TOKENS
    texts = [f"{prefix} {token}" for token in HOSTILE_TOKENS for prefix in ("", "buy 1", "AAPL above")]
    for _ in range(count):
        words = [rng.choice(pool) for _ in range(rng.randint(1, 8))]
        texts.append(rng.choice([" ", "  ", "\t", "\u00a0"]).join(words))
    return texts


@pytest.mark.parametrize("command", sorted(PARSERS))
def test_any_text_parses_or_fails_with_a_safe_sentence(command: str) -> None:
    parse = PARSERS[command]
    failures = 0
    for text in hostile_texts(1500):
        try:
            parse(text)
        except ParseError as error:
            failures += 1
            assert_safe_sentence(str(error))
            assert "Try `/" in str(error)
            assert len(str(error)) < 400
    assert failures > 0


def test_every_hostile_token_is_escaped_when_echoed() -> None:
    for token in HOSTILE_TOKENS:
        for parse, text in (
            (parse_order, f"buy 1 {token}"),
            (parse_order, f"buy 1 AAPL limit {token}"),
            (parse_alert, f"AAPL above 1 {token}"),
            (parse_quote, f"AAPL {token}"),
            (parse_autoshares, token),
        ):
            try:
                parse(text)
            except ParseError as error:
                assert_safe_sentence(str(error))


def test_form_values_are_escaped_when_echoed() -> None:
    for token in HOSTILE_TOKENS:
        for name in ("symbol", "quantity", "limit_price", "stop_price", "account"):
            try:
                order_from_fields(fields(**{name: token}))
            except ParseError as error:
                assert_safe_sentence(str(error))


# --------------------------------------------------------------------------- order edit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("edit 12345 limit 181", OrderEditCommand(12345, limit_price=Decimal("181"))),
        ("EDIT 7 qty 5 limit $181.25", OrderEditCommand(7, quantity=5, limit_price=Decimal("181.25"))),
        ("edit 7 stop 170 quantity 2 account 9", OrderEditCommand(7, 2, None, Decimal("170"), 9)),
    ],
)
def test_order_edit_parses_and_round_trips(text: str, expected: OrderEditCommand) -> None:
    assert parse_order(text) == expected
    assert parse_order(edit_text(expected)) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("edit", "Say which order to change by its id"),
        ("edit 12", "Say what to change: a new qty, limit or stop"),
        ("edit 12 account 3", "Say what to change"),
        ("edit abc limit 1", "order id must be a whole number such as 12, not `abc`"),
        ("edit 12 181", "Write qty, limit or stop before `181`"),
        ("edit 12 limit", "`limit` needs a value after it"),
        ("edit 12 qty 5 quantity 6", "`qty` appears twice"),
        ("edit 12 gtc", "`gtc` is not an edit option"),
        ("edit 12 qty 0", "Quantity must be a whole number of shares above zero"),
        ("edit 12 limit -3", "limit price must be a number above zero"),
    ],
)
def test_order_edit_errors_end_with_the_edit_form(text: str, fragment: str) -> None:
    message = str(error_of(parse_order, text))
    assert fragment in message
    assert message.endswith("`.") and "Try `/order edit " in message
    assert_safe_sentence(message)


def test_edit_from_fields_keeps_what_is_left_empty_and_names_the_field() -> None:
    assert edit_from_fields(7, 9, {"quantity": "3", "limit_price": " ", "stop_price": None}) == (
        OrderEditCommand(7, quantity=3, account_id=9)
    )
    with pytest.raises(ParseError) as nothing:
        edit_from_fields(7, None, {"quantity": "", "limit_price": ""})
    assert nothing.value.field == "quantity"
    with pytest.raises(ParseError) as bad_price:
        edit_from_fields(7, None, {"limit_price": "abc"})
    assert bad_price.value.field == "limit_price" and "abc" in bad_price.value.message
