"""Where openapi.yaml is loose, AutoShares' published pages decide: example payloads written from
those pages (``pages/*.json``, each entry naming the page it follows) go through the bot's
webhook route and its AutoShares client, and the sandbox takes the page's requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.autoshares.auth import BearerToken
from bot.autoshares.client import AutoSharesClient, UserApi
from bot.autoshares.errors import AutoSharesAppKeyRejected, OAuthError
from bot.autoshares.paging import read_page
from bot.autoshares.trading_token import TradingTokenClient
from bot.core.orders import OPEN_FILTERS, open_orders, order_body
from handlers.parsing import parse_order
from sandbox import SandboxConfig
from tests.conftest import RunningBot
from tests.scenario.test_alerts import CHANNEL, SECRET, alert_posts, settled, sign
from tests.scenario.test_orders import BOB, button, command, sandbox_orders
from tests.scenario.test_webhooks import updates_at, wait_for_update

PAGES = Path(__file__).parent / "pages"
WEBHOOKS = json.loads((PAGES / "webhooks.json").read_text())["events"]
API = json.loads((PAGES / "api.json").read_text())
PUBLISHERS = ("AutoSharesAPI/API ", "autoshares/autoshares-documentation ")


def example(event_type: str) -> dict[str, Any]:
    """A fresh copy of the webhook example of ``event_type``."""
    return json.loads(json.dumps(next(e["event"] for e in WEBHOOKS if e["event"]["type"] == event_type)))


def test_every_example_names_the_page_it_comes_from() -> None:
    entries = [*WEBHOOKS, *(v for v in API.values() if isinstance(v, dict))]
    assert entries and all(str(e["page"]).startswith(PUBLISHERS) for e in entries)
    documented = {
        "order.created", "order.filled", "order.partial_fill", "order.cancelled", "order.rejected",
        "order.replaced", "position.opened", "position.closed", "transfer.completed",
        "transfer.failed", "alert.triggered", "account.updated",
    }  # fmt: skip
    assert {e["event"]["type"] for e in WEBHOOKS} == documented
    for entry in WEBHOOKS:
        assert set(entry["event"]) == {"id", "type", "timestamp", "accountId", "data"}


# -- through the bot's webhook route --------------------------------------------------------------


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(tick_seconds=0, rate_limits=False, webhook_retry_scale=0.001)


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": SECRET, "ORDER_POLL_SECONDS": "3600"}


@pytest.fixture
async def linked(bot: RunningBot) -> RunningBot:
    """Bob linked; the sandbox sends no webhooks of its own: only the pages' examples arrive."""
    await bot.link(BOB, "bob")
    return bot


async def deliver(bot: RunningBot, event: dict[str, Any]) -> httpx.Response:
    body = json.dumps(event).encode()
    return await bot.http.post(bot.url + "autoshares/webhooks", content=body, headers=sign(body))


async def placed_order(bot: RunningBot, text: str) -> tuple[int, str]:
    """Place an order that stays open; returns its AutoShares id and its message's path."""
    preview = await command(bot, text)
    before = len(bot.slack.by_method("response_url"))
    await bot.driver.click(button(preview, "order_confirm"), user=BOB)
    placed = (await bot.slack.wait_for("response_url", count=before + 1))[-1]
    order = max(await sandbox_orders(bot), key=lambda o: o["Id"])
    return order["Id"], placed.path


def for_order(event: dict[str, Any], order_id: int) -> dict[str, Any]:
    """The page's example, pointed at an order the test placed (bob's account is 5002)."""
    event["data"]["orderId"] = order_id
    event["accountId"] = 5002
    return event


async def test_order_examples_update_the_order_message(linked: RunningBot) -> None:
    order_id, path = await placed_order(linked, "buy 3 TSLA limit 200")
    partial = await deliver(linked, for_order(example("order.partial_fill"), order_id))
    assert partial.json() == {"ok": True, "duplicate": False}
    part = await wait_for_update(linked, path, "is partly filled")
    assert "1 filled at $199.10 on average; 2 still open" in str(part["blocks"])
    filled = for_order(example("order.filled"), order_id)
    assert (await deliver(linked, filled)).json() == {"ok": True, "duplicate": False}
    done = await wait_for_update(linked, path, "is filled")
    assert "3 filled at $198.75 on average" in str(done["blocks"])
    assert (await deliver(linked, filled)).json() == {"ok": True, "duplicate": True}  # dedupe on id
    created = for_order(example("order.created"), order_id)  # late and behind: changes nothing
    assert (await deliver(linked, created)).status_code == 200
    await settled(linked)
    assert len(await updates_at(linked, path)) == 3


async def test_cancelled_example_spelled_the_pages_way_updates_the_message(linked: RunningBot) -> None:
    order_id, path = await placed_order(linked, "buy 3 TSLA limit 200")
    cancelled = for_order(example("order.cancelled"), order_id)
    assert cancelled["data"]["status"] == "Cancelled"  # the event's spelling, not the spec's Canceled
    assert (await deliver(linked, cancelled)).status_code == 200
    await wait_for_update(linked, path, "is cancelled")
    row = (await linked.services.core.orders.repo.open_for_user(linked.slack.team_id, BOB))[0]
    assert row.result is not None and row.result.description == "Cancelled by the account holder"
    assert row.order_status == "Canceled"


async def test_examples_for_orders_that_are_not_ours_are_answered(linked: RunningBot) -> None:
    for event_type in ("order.rejected", "order.replaced"):
        assert (await deliver(linked, example(event_type))).json() == {"ok": True, "duplicate": False}


async def test_alert_example_announces_the_alert_autoshares_shows_fired(linked: RunningBot) -> None:
    await command(linked, "AAPL above 240", command="/alert")
    trigger = example("alert.triggered")
    trigger["accountId"] = 5002
    # AutoShares has not fired the alert: the example names none, so nothing is announced.
    early = {**trigger, "id": "evt_alert_too_early"}
    assert (await deliver(linked, early)).status_code == 200
    await settled(linked)
    assert await alert_posts(linked) == []
    # Once AutoShares shows it fired (the sandbox sends no webhook here), the example lands.
    await linked.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 240.35})
    assert (await deliver(linked, trigger)).json() == {"ok": True, "duplicate": False}
    (posted,) = await linked.slack.wait_for("chat.postMessage", channel=CHANNEL)
    assert "*AAPL* last price at or above *$240.00*" in str(posted.args["blocks"])
    assert "$240.35" in str(posted.args["blocks"])
    assert (await deliver(linked, trigger)).json()["duplicate"] is True
    await settled(linked)
    assert len(await alert_posts(linked)) == 1


@pytest.mark.parametrize(
    "event_type",
    ["position.opened", "position.closed", "transfer.completed", "transfer.failed", "account.updated"],
)
async def test_other_examples_are_answered_200_and_counted(linked: RunningBot, event_type: str) -> None:
    event = example(event_type)
    assert (await deliver(linked, event)).json() == {"ok": True, "duplicate": False}
    assert (await deliver(linked, event)).json() == {"ok": True, "duplicate": True}
    metrics = linked.services.metrics
    assert metrics.value("autoshares_webhook_events_total", type=event_type, kind="counted") == 1


# -- through the client -----------------------------------------------------------------------------


def answering(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def user_api(handler: Callable[[httpx.Request], httpx.Response]) -> UserApi:
    client = AutoSharesClient(answering(handler), base_url="https://api.autoshares.dev/", app_key="key")
    return client.for_user(BearerToken("token"), 7125)


async def test_filtered_orders_example_is_asked_with_numeric_statuses() -> None:
    asked: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, json=API["filtered_orders_first_page"]["response"])

    found = await open_orders(user_api(handler), 7001)
    assert [o.id for o in found] == [40233]  # the New one; the Filled one is not open
    (request,) = asked
    assert request.url.path == "/v1.0/accounts/7001/orders"
    assert request.url.params["filter"] == OPEN_FILTERS[0] == "Status in (0,1,6,9,10,13,14,16)"
    assert request.url.params["pageNumber"] == "0"
    page = read_page(API["filtered_orders_first_page"]["response"], 0, 2)
    assert page.has_next and page.total == 4  # PreviousPageLink "" on the first page is no link


async def test_price_alerts_example_with_empty_links_is_one_page() -> None:
    asked: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, json=API["price_alerts_only_page"]["response"])

    alerts = await user_api(handler).alerts(page_size=2)
    assert [a.id for a in alerts] == [501, 502]
    assert len(asked) == 1  # NextPageLink "" ends the list even though the page was full


def test_pagination_example_with_null_previous_link_and_a_relative_next_link() -> None:
    page = read_page(API["pagination_first_page"]["response"], 0, 1)
    assert len(page.items) == 1 and page.has_next and page.total == 9


@pytest.mark.parametrize(
    "name", ["token_succeeded", "token_expecting", "token_failed", "token_wrong_app_key"]
)
async def test_token_examples_through_the_trading_token_client(name: str) -> None:
    asked: list[httpx.Request] = []
    fixture = API[name]

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(fixture["status"], json=fixture["response"])

    client = TradingTokenClient(answering(handler), base_url="https://api.autoshares.dev/", app_key="key")
    redirect = "https://bot.example.org/autoshares/callback"
    if name == "token_succeeded":
        assert await client.exchange_code("the-code", redirect) == fixture["response"]["Token"]
    elif name == "token_wrong_app_key":
        with pytest.raises(AutoSharesAppKeyRejected):
            await client.exchange_code("the-code", redirect)
    else:
        with pytest.raises(OAuthError) as refused:
            await client.exchange_code("the-code", redirect)
        assert refused.value.rejected
    (request,) = asked
    assert (request.method, str(request.url)) == ("POST", "https://api.autoshares.dev/token")
    assert request.headers["OAuthCode"] == "the-code" and request.headers["RedirectUri"] == redirect
    assert request.headers["Et-App-Key"] == "key" and "Username" not in request.headers


async def test_extended_hours_examples_are_taken_and_the_bot_sends_their_values(
    client: httpx.AsyncClient, root_client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    """The sandbox takes the page's bodies (TimeInForce spelled the page's way, Exchange given),
    and the bot's own bodies carry only values the page lists."""
    requests = API["extended_hours_orders"]["requests"]
    await root_client.post("_sandbox/prices", json={"Symbol": "MSFT", "Last": 415.0})
    shares = {"Symbol": "MSFT", "Side": "Buy", "Type": "Market", "Quantity": 2}  # for the Sell example
    assert (await client.post("accounts/5002/orders", json=shares, headers=bob)).json()["Status"] == "Filled"
    for body in requests:
        response = await client.post("accounts/5002/preview/orders", json=body, headers=bob)
        assert response.status_code == 200, response.text
        assert response.json()["IsSuccessful"] is True, response.json().get("ErrorDescriptionText")
    documented = {body["ExtendedHours"] for body in requests}
    for word in ("ext", "pre", "post"):
        assert order_body(parse_order(f"buy 4 MSFT limit 405.50 {word}"))["ExtendedHours"] in documented
