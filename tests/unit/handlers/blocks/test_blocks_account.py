"""The pure builders of agreements, accounts and positions messages, and number formatting."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares.errors import AutoSharesMalformed
from bot.autoshares.resources import Account, Agreement, Balance, Position, parse_list
from bot.core.views import AccountView, PositionsPage
from bot.devkit import blockkit
from bot.devkit.driver import buttons
from handlers.blocks import numbers
from handlers.blocks.account import (
    account_added_message,
    accounts_message,
    balance,
    no_accounts_message,
    parse_positions_page_value,
    positions_message,
    positions_page_value,
    signup_message,
)
from handlers.blocks.agreements import agreements_message, linked_dm
from handlers.blocks.common import linked_message
from storage.links import Link


def valid(message: dict[str, Any]) -> dict[str, Any]:
    assert blockkit.problems(message["blocks"]) == []
    return message


# -- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234.5, "$1,234.50"),
        (-12, "-$12.00"),
        (-0.001, "$0.00"),
        (Decimal("99.999"), "$100.00"),
        (None, "—"),
        (Decimal("-0.001"), "$0.00"),
        (float("nan"), "—"),
        (Decimal("1E+3"), "$1,000.00"),
    ],
)
def test_money(value: Any, expected: str) -> None:
    assert numbers.money(value) == expected


def test_other_currencies_and_signed_values() -> None:
    assert numbers.money(10, "CHF") == "10.00 CHF"
    assert numbers.money(10, "EUR") == "€10.00"
    assert numbers.signed_money(1.5) == "+$1.50"
    assert numbers.signed_money(-1.5) == "-$1.50"
    assert numbers.signed_money(0) == "$0.00"
    assert numbers.percent(1.234) == "+1.23%"
    assert numbers.percent(-0.5) == "-0.50%"
    assert numbers.percent(0.0001) == "0.00%"
    assert numbers.price(0.1234) == "$0.1234"
    assert numbers.price(229.5) == "$229.50"
    assert numbers.shares(1500) == "1,500"
    assert numbers.shares(0.5) == "0.5"
    assert numbers.volume(52_100_000) == "52.1M"
    assert numbers.volume(950) == "950"
    assert numbers.trend(2) == ":small_red_triangle:"
    assert numbers.trend(-2) == ":small_red_triangle_down:"
    assert numbers.trend(0) == ""


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (1234, "JPY", "¥1,234"),
        (1234.56, "jpy", "¥1,235"),
        (-0.4, "JPY", "¥0"),
        (1234.6, "KRW", "1,235 KRW"),
        (1.2345, "BHD", "1.234 BHD"),
        (10, "KWD", "10.000 KWD"),
        (1234.5, "USD", "$1,234.50"),
        (10, "CHF", "10.00 CHF"),
        (10, None, "$10.00"),
    ],
)
def test_money_shows_each_currencys_own_minor_units(value: Any, currency: str | None, expected: str) -> None:
    assert numbers.money(value, currency) == expected


def test_prices_and_changes_follow_the_currencys_minor_units() -> None:
    assert numbers.price(1234, "JPY") == "¥1,234"
    assert numbers.price(1234.5, "JPY") == "¥1,234.50"  # a fraction of a yen: two more places
    assert numbers.signed_money(0.4, "JPY") == "¥0"
    assert numbers.signed_money(1, "JPY") == "+¥1"
    assert numbers.money(1234.5, "JPY", places=2) == "¥1,234.50"  # an explicit precision wins


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (999.4, "999"),
        (999.6, "1.0K"),
        (999_949, "999.9K"),
        (999_950, "1.0M"),
        (999_999, "1.0M"),
        (999_949_999, "999.9M"),
        (999_950_000, "1.0B"),
        (-999_950, "-1.0M"),
        (5e12, "5000.0B"),
    ],
)
def test_volume_carries_into_the_next_unit_when_rounding_reaches_1000(value: float, expected: str) -> None:
    assert numbers.volume(value) == expected


# -- agreements ---------------------------------------------------------------------------------

AGREEMENT_BODY = {"Id": 7, "Type": "Platform", "Title": "Terms <!channel>", "Version": "2024.1", "CanSkip": False}
AGREEMENT = Agreement.model_validate(AGREEMENT_BODY)


def agreement(**changes: Any) -> Agreement:
    return Agreement.model_validate({**AGREEMENT_BODY, **changes})


def test_agreements_list_escapes_titles_and_offers_buttons() -> None:
    optional = agreement(Id=8, Title="Market data", CanSkip=True)
    message = valid(agreements_message([AGREEMENT, optional]))
    text = str(message["blocks"])
    assert "<!channel>" not in text and "Terms &lt;!channel&gt;" in text
    assert "optional, can be skipped" in text and "version 2024.1" in text
    found = buttons(message["blocks"])
    assert [(b["action_id"], b.get("value")) for b in found] == [
        ("agreement_sign", "7"),
        ("agreement_sign", "8"),
        ("agreements_sign_all", "required"),
    ]
    assert found[0]["style"] == "primary" and "style" not in found[1]
    assert message["text"] == "2 AutoShares agreements to sign before you can trade."


def test_agreements_without_required_ones_have_no_sign_all() -> None:
    message = valid(agreements_message([agreement(CanSkip=True)]))
    assert [b["action_id"] for b in buttons(message["blocks"])] == ["agreement_sign"]


def test_an_agreement_without_id_is_refused_by_the_client_and_a_title_falls_back_to_its_type() -> None:
    """An agreement cannot be signed without its Id: the client refuses such a list, naming the
    endpoint and the property, rather than show an agreement nobody can sign."""
    with pytest.raises(AutoSharesMalformed) as raised:
        parse_list(Agreement, [{"Type": "Quodd", "CanSkip": False}], "GET /users/{userId}/agreements")
    assert raised.value.field == "0/Id" and "GET /users/{userId}/agreements" in str(raised.value)
    message = valid(agreements_message([Agreement.model_validate({"Id": 3, "Type": "Quodd"})]))
    assert "*Quodd*" in str(message["blocks"])


def test_many_agreements_stay_within_slack_limits() -> None:
    many = [agreement(Id=i, Title="x" * 4000) for i in range(80)]
    message = valid(agreements_message(many))
    assert "and 60 more" in str(message["blocks"])


def test_all_signed_and_just_signed() -> None:
    message = valid(agreements_message([], signed=["Terms <b>"]))
    assert "Signed *Terms &lt;b&gt;*" in str(message["blocks"])
    assert buttons(message["blocks"]) == []


def test_linked_dm_lists_agreements_with_buttons_once() -> None:
    now = datetime.now(UTC)
    link = Link("T", "U", 1001, "alice", None, None, "a", "r", now, "", now, False, None, 1)
    message = valid(linked_dm(link, [AGREEMENT]))
    assert str(message["blocks"]).count("Terms &lt;!channel&gt;") == 1
    assert [b["action_id"] for b in buttons(message["blocks"])] == ["agreement_sign", "agreements_sign_all"]
    assert linked_dm(link, [])["blocks"] == linked_message(link, [])["blocks"]


# -- accounts -----------------------------------------------------------------------------------

ACCOUNT_BODY = {
    "Id": 5001,
    "ClearingAccount": "SBX0005001",
    "AccessType": "Owner",
    "MarginType": "Cash",
    "Alias": "Alice's <@U123> account",
    "Currency": "USD",
}
ACCOUNT = Account.model_validate(ACCOUNT_BODY)


def balances(figures: dict[str, Any]) -> Balance:
    return Balance.model_validate(figures)


def test_balance_names_are_found_whatever_the_case() -> None:
    assert balance(balances({"stockBuyingPower": 5}), "Buying power") == 5
    assert balance(balances({"BuyingPower": 4, "StockBuyingPower": 5}), "Buying power") == 4
    assert balance(balances({"equityTotal": "12.5"}), "Equity") == Decimal("12.5")
    assert balance(balances({"Equity": 1}), "Cash") is None
    assert balance(None, "Cash") is None


def test_accounts_message_shows_balances_default_and_buttons() -> None:
    other = Account.model_validate({**ACCOUNT_BODY, "Id": 5003, "Alias": "", "AccessType": "ReadOnly"})
    views = [
        AccountView(
            ACCOUNT, balances({"BuyingPower": 1000, "Cash": 900.5, "Equity": 1200, "DayPL": -3.25}), True
        ),
        AccountView(other, None),
    ]
    message = valid(accounts_message(views, agreements_outstanding=1))
    text = str(message["blocks"])
    assert "<@U123>" not in text and "Alice's &lt;@U123&gt; account (5001)" in text
    assert ":star: default" in text
    assert "*Buying power*\\n$1,000.00" in text and "*Cash*\\n$900.50" in text
    assert "*Day P&L*\\n-$3.25 :small_red_triangle_down:" in text
    assert "Account 5003" in text and "Balances are unavailable right now" in text
    assert "Sign your agreements" in text
    assert [(b["action_id"], b["value"]) for b in buttons(message["blocks"])] == [
        ("account_make_default", "5003")
    ]


def test_accounts_message_without_accounts_points_to_signup() -> None:
    message = valid(accounts_message([]))
    assert "/autoshares signup" in message["text"]


def test_accounts_message_caps_the_list() -> None:
    views = [AccountView(Account.model_validate({**ACCOUNT_BODY, "Id": i}), balances({})) for i in range(1, 40)]
    message = valid(accounts_message(views))
    assert "19 more accounts not shown" in str(message["blocks"])


# -- positions ----------------------------------------------------------------------------------

POSITION_BODY = {
    "SecurityId": 1,
    "Symbol": "AAPL",
    "CompanyName": "Apple Inc.",
    "Quantity": 10,
    "AverageOpenPrice": 180,
    "CostBasis": 1800,
    "MarketValueEOD": 2000,
    "UnrealizedProfitLoss": 200,
}
POSITION = Position.model_validate(POSITION_BODY)


def test_positions_page_with_next_only_on_first_page() -> None:
    rows = [Position.model_validate({**POSITION_BODY, "Symbol": f"S{i}"}) for i in range(20)]
    message = valid(positions_message(PositionsPage(5001, ACCOUNT, rows, 0, 20, 45, True)))
    text = str(message["blocks"])
    assert "45 holdings, page 1 of 3" in text
    assert "10 sh @ $180.00 avg · value $2,000.00 · P&L :small_red_triangle: +$200.00 (+11.11%)" in text
    assert [(b["action_id"], b["value"]) for b in buttons(message["blocks"])] == [
        ("positions_next", "5001:1")
    ]


def test_positions_middle_page_has_both_buttons() -> None:
    message = valid(positions_message(PositionsPage(5001, ACCOUNT, [POSITION], 1, 20, 45, True)))
    assert [(b["action_id"], b["value"]) for b in buttons(message["blocks"])] == [
        ("positions_previous", "5001:0"),
        ("positions_next", "5001:2"),
    ]


def test_position_figures_are_derived_when_missing() -> None:
    row = Position.model_validate(
        {"SecurityId": 2, "Symbol": "MSFT", "Quantity": -5, "AverageOpenPrice": 400, "CostBasis": -2000, "EODPrice": 410}
    )
    message = valid(positions_message(PositionsPage(1, ACCOUNT, [row], 0, 20, 1, False)))
    text = str(message["blocks"])
    assert "-5 sh short @ $400.00 avg · value -$2,050.00" in text
    assert "-$50.00 (-2.50%)" in text


def test_empty_positions() -> None:
    message = valid(positions_message(PositionsPage(5001, ACCOUNT, [], 0, 20, 0, False)))
    assert message["text"].startswith("No positions in Alice's")


@pytest.mark.parametrize(
    "value", ["", "5001", "x:1", "5001:-1", "0:1", "5001:1:2", "\u0663:1", "5001:\u0663", f"{2**31}:1", " 5001:1"]
)
def test_page_values_are_checked(value: str) -> None:
    with pytest.raises(ValueError):
        parse_positions_page_value(value)


def test_page_value_round_trip() -> None:
    assert parse_positions_page_value(positions_page_value(5001, 3)) == (5001, 3)


def test_signup_and_added_messages() -> None:
    signup = valid(signup_message("https://example.com/open"))
    assert buttons(signup["blocks"])[0]["url"] == "https://example.com/open"
    added = valid(account_added_message(12, "Full"))
    assert "Account 12 is now on your AutoShares login with Full access" in str(added["blocks"])


def test_no_stray_angle_brackets_in_mrkdwn() -> None:
    """Slack reads ``<...>`` as a link or mention even inside code spans: only our own dates,
    mentions and links may use it."""
    import re

    messages = [
        accounts_message([AccountView(ACCOUNT, balances({"Cash": 1}))]),
        no_accounts_message(),
        agreements_message([AGREEMENT]),
        positions_message(PositionsPage(5001, ACCOUNT, [POSITION], 0, 20, 1, False)),
        signup_message("https://example.com"),
    ]
    for built in messages:
        text = str(built)
        assert not re.search(r"<(?!!date\^|@[UW]|https?://)", text), text
