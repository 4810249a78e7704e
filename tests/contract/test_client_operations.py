"""Every AutoShares operation the client names is a spec operation with a contract test: the
client's request checked against the operation and the sandbox's answer against its response.
The account, security, alert and streamer calls that no feature's contract test makes are made
here, in one pass over the sandbox."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import httpx

from bot.autoshares.resources import FundOperation
from bot.autoshares.resources.alerts import price_alert_body
from bot.autoshares.resources.market import history_body
from sandbox.server import RunningSandbox
from tests.contract.conftest import Contract, recording

ROOT = Path(__file__).resolve().parents[2]
_ENDPOINT = re.compile(r'f?"((?:GET|POST|PUT|DELETE) /[^"\s]*)"')
#: Operations whose client side is checked by hand, not by ``Contract.check_call``: the trading
#: login (test_published_pages.py sends it, test_sandbox_responses.py checks the sandbox's answer).
CHECKED_BY_HAND = {"Get_token"}


def client_endpoints() -> set[tuple[str, str]]:
    """(method, spec template) of every endpoint bot/autoshares names, a mutual fund operation's
    ``{operation}`` spelled out and ``@me`` read as ``{userId}``."""
    found: set[tuple[str, str]] = set()
    for source in (ROOT / "bot" / "autoshares").glob("*.py"):
        for named in _ENDPOINT.findall(source.read_text(encoding="utf-8")):
            method, path = (
                named.replace("{{", "{").replace("}}", "}").replace("@me", "{userId}").split(" ", 1)
            )
            operations = [op.value for op in FundOperation] if "{operation}" in path else [""]
            found |= {(method, path.replace("{operation}", op)) for op in operations}
    return found


def test_every_operation_the_client_names_has_a_contract_test(contract: Contract) -> None:
    endpoints = client_endpoints()
    assert len(endpoints) > 50 and ("GET", "/accounts/{accountId}/positions") in endpoints
    tests = "".join(path.read_text(encoding="utf-8") for path in Path(__file__).parent.glob("test_*.py"))
    untested = []
    for method, path in sorted(endpoints):
        operation_id = contract.operation(method, path)["operationId"]
        if f'"{operation_id}"' not in tests and operation_id not in CHECKED_BY_HAND:
            untested.append(f"{method} {path} ({operation_id})")
    assert not untested, untested


async def test_account_security_alert_and_streamer_calls_are_spec_operations(
    contract: Contract, sb: RunningSandbox, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    alert = price_alert_body(
        operator="GTEQ", field="Last", argument=Decimal(300), security_id=1, expiration=0
    )
    async with recording(sb, alice, 1001) as (api, sent):
        me = await api.me()
        [agreement, *_] = await api.agreements()
        await api.sign_agreement(agreement.id)  # alice's account trades once it is signed
        order = {"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 1, "TimeInForce": "Day"}
        bought = await client.post("accounts/5001/orders", json=order, headers=alice)
        resting = await client.post(
            "accounts/5001/orders", json=order | {"Type": "Limit", "Price": 150}, headers=alice
        )
        assert [bought.json()["Status"], resting.json()["Status"]] == ["Filled", "New"]
        accounts = await api.accounts()
        await api.bind_account(5001)
        await api.select_account(5001)
        balances = await api.balances(5001)
        positions = await api.positions(5001, page_size=5)
        working = await api.orders(5001, filter="Status in (0)")
        await api.cancel_order(5001, resting.json()["Id"])
        equity = await api.equity("AAPL")
        found = await api.lookup("AA", count=3)
        history = await api.history(history_body("AAPL", period="Day", interval=1, candles=5, start=0, end=0))
        streamers = await api.streamers()
        made = await api.create_alert(alert)
        read = await api.alert(made.id)
        page = await api.alerts_page(page_size=10)
        await api.delete_alert(made.id)
    assert me.user_id == 1001 and 5001 in {a.id for a in accounts} and balances.cash is not None
    assert positions.items and resting.json()["Id"] in {o.id for o in working.items}
    assert equity.symbol == "AAPL" and 0 < len(found) <= 3 and history.security_history[0] and streamers
    assert read.id == made.id and made.id in {a.id for a in page.items}
    assert [contract.check_call(request, response) for request, response in sent] == [
        "Users_GetUserInfo",
        "Agreements_GetUnsignedAgreements",
        "Agreements_SignPlatformAgreement",
        "UserAccounts_GetUserAccounts",
        "UserAccounts_AddAccountToUser",
        "UserAccounts_SetSelectedAccount",
        "UserAccounts_GetAccountBalanceInfo",
        "Positions_GetPositions",
        "Orders_GetOrders",
        "Orders_CancelOrder",
        "Securities_GetEquityBySymbol",
        "Securities_GetEquitiesByMask",
        "HistoricalTradeData_GetChartBasicData",
        "Streamer_GetStreamersData",
        "PriceAlerts_CreatePriceAlert",
        "PriceAlerts_GetPriceAlert",
        "PriceAlerts_GetPriceAlerts",
        "PriceAlerts_DeletePriceAlert",
    ]
