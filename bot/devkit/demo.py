"""`autoshares-bot demo`: a whole Slack session against a local AutoShares, checked step by step.

Everything runs in this process on loopback ports chosen by the OS: the embedded sandbox
(identity provider, trading API, market, webhooks signed with a shared secret and delivered to
the bot's ``/autoshares/webhooks``), a local stand-in for Slack's Web API (``bot.devkit.localslack``),
and the real bot (the same ASGI app ``serve`` runs) on a temporary SQLite database with a fresh
encryption key and signing secret. The session is played through the bot's HTTP endpoints with
correctly signed Slack requests and a scripted browser sign-in (``bot.devkit.driver``).

Each step says what it expects and checks it; the first step that does not get it prints what
was expected and what happened, and the demo exits 1. The conversation is printed as it happens
and saved (text, HTML, chart PNG) in the output folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import math
import re
import secrets
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console
from rich.table import Table

from bot.app.serving import bind_socket, serve_in_loop
from bot.app.settings import Settings, generate_encryption_key
from bot.app.web import create_web_app
from bot.app.wiring import Services
from bot.devkit.driver import SlackDriver, browser_sign_in, buttons
from bot.devkit.localslack import LocalSlack, SlackCall
from bot.devkit.transcript import Entry, Transcript, render_message
from bot.vocabulary.options import option_contract
from handlers.kit import WORKING_TEXT
from sandbox.config import SandboxConfig

USER = "U0ALICE"
LOGIN = "alice"
PASSWORD = "sandbox"
CHANNEL = "C0TRADING"
CHANNEL_NAME = "#trading"
SYMBOL = "AAPL"
WAIT_SECONDS = 20.0

#: Web API calls that are plumbing, not something a person would see in Slack.
UNSEEN = {"auth.test", "conversations.open", "files.getUploadURLExternal", "users.info", "upload"}


class StepFailed(Exception):
    """A step did not get what it expected."""

    def __init__(self, expected: str, got: str) -> None:
        super().__init__(f"expected {expected}; got {got}")
        self.expected = expected
        self.got = got


@dataclass
class DemoWorld:
    """The running pieces, and the conversation so far."""

    settings: Settings
    services: Services
    slack: LocalSlack
    sandbox_url: str
    bot_url: str
    driver: SlackDriver
    http: httpx.AsyncClient
    transcript: Transcript
    console: Console
    output_dir: Path
    seen: int = 0  # LocalSlack calls already shown in the transcript
    chart: Path | None = None
    #: the file the next chart image shown is saved as (in ``output_dir``)
    chart_name: str = f"{SYMBOL.lower()}-chart.png"
    last_upload: str | None = None
    opening: float = 0.0  # SYMBOL's price when the session starts (the seeded one)
    order_id: int = 0  # the limit order alice places, then changes
    limit: float = 0.0  # its limit price as placed

    # -- the conversation ---------------------------------------------------------------------
    def show(self, entry: Entry) -> None:
        self.transcript.add(entry, self.console)

    def where(self, channel: str) -> str:
        return CHANNEL_NAME if channel == CHANNEL else ("a DM" if channel.startswith(("D", "U")) else channel)

    def _describe(self, call: SlackCall) -> Entry | None:
        args = call.args
        if call.method == "response_url":
            if args.get("delete_original"):
                return None
            image = self._save_picture(args)
            if args.get("replace_original"):
                return self.transcript.bot("updated its message", "only alice sees it", args, image=image)
            if args.get("response_type") == "in_channel":
                return self.transcript.bot("posted", CHANNEL_NAME, args, image=image)
            return self.transcript.bot("answered", "only alice sees it", args, image=image)
        if call.method in {"chat.postMessage", "chat.update"}:
            channel = str(args.get("channel", ""))
            action = "sent a direct message" if channel.startswith(("D", "U")) else "posted"
            if args.get("thread_ts"):
                action = "replied in a thread"
            return self.transcript.bot(
                action, "" if channel.startswith(("D", "U")) else self.where(channel), args
            )
        if call.method == "chat.postEphemeral":
            return self.transcript.bot(
                "answered", f"only alice sees it in {self.where(str(args.get('channel')))}", args
            )
        if call.method == "upload":
            self.last_upload = str(args.get("file_id") or "")
            return None
        if call.method == "files.completeUploadExternal":
            files = args.get("files") if isinstance(args.get("files"), list) else []
            first = files[0] if files else {}
            title = str(first.get("title") or f"{SYMBOL} chart")
            image = self._save_upload(str(first.get("id") or self.last_upload or ""), title)
            comment = {"text": str(args.get("initial_comment") or title)}
            channel = str(args.get("channel_id") or args.get("channels") or "")
            return self.transcript.bot(
                "uploaded a chart", self.where(channel) if channel else "", comment, image=image
            )
        if call.method in {"views.open", "views.push", "views.update", "views.publish"}:
            view = args.get("view") or {}
            return Entry(
                "AutoShares", "opened a form", "", render_message(view, self.transcript.names), by_bot=True
            )
        if call.method in UNSEEN:
            return None
        return Entry("AutoShares", f"called {call.method}", "", [], by_bot=True)

    def _save_upload(self, file_id: str, title: str) -> str | None:
        return self._save_chart(self.slack.uploads.get(file_id))

    def _save_picture(self, message: dict[str, Any]) -> str | None:
        """The picture of the message's image block, as Slack downloaded it to show it."""
        urls = [b.get("image_url") for b in message.get("blocks") or [] if b.get("type") == "image"]
        return self._save_chart(self.slack.images.get(str(urls[0]))) if urls else None

    def _save_chart(self, data: bytes | None) -> str | None:
        if not data:
            return None
        path = self.output_dir / self.chart_name
        path.write_bytes(data)
        self.chart = path
        return path.name

    def catch_up(self) -> list[SlackCall]:
        """Show every Slack call made since the last look; return them."""
        new = self.slack.calls[self.seen :]
        self.seen = len(self.slack.calls)
        for call in new:
            entry = self._describe(call)
            if entry is not None:
                self.show(entry)
        return new

    async def until(
        self, found: Callable[[SlackCall], bool], expected: str, *, since: int | None = None
    ) -> SlackCall:
        """Wait for a Slack call matching ``found`` (made after ``since``), showing everything."""
        start = self.seen if since is None else since
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            match = next((c for c in self.slack.calls[start:] if found(c)), None)
            if match is not None:
                await asyncio.sleep(0.05)  # let companions of the same answer arrive
                self.catch_up()
                return match
            if time.monotonic() > deadline:
                self.catch_up()
                raise StepFailed(expected, f"nothing of the kind within {WAIT_SECONDS:.0f} s{self._last()}")
            await asyncio.sleep(0.02)

    def _last(self) -> str:
        said = [e for e in self.transcript.entries if e.by_bot]
        return f" (the bot's last words: {' / '.join(said[-1].lines)[:300]!r})" if said else ""

    # -- what alice does -------------------------------------------------------------------------
    async def slash(self, command: str, text: str = "", *, channel: str = CHANNEL) -> dict[str, Any]:
        """Type a slash command; return the bot's private answer to it."""
        typed = f"{command} {text}".strip()
        self.show(self.transcript.person(LOGIN, "typed", self.where(channel), typed))
        self.catch_up()
        mark = self.seen
        response = await self.driver.command(command, text, user=USER, channel=channel)
        expect(
            response.status_code == 200,
            f"Slack's request for {typed} to be acknowledged",
            f"HTTP {response.status_code}",
        )
        call = await self.until(is_answer, f"an answer to {typed}", since=mark)
        return call.args

    async def click(
        self, message: dict[str, Any], action_id: str, *, channel: str = CHANNEL
    ) -> dict[str, Any]:
        """Click the button ``action_id`` on ``message``; return the bot's answer to the click."""
        button = find_button(message, action_id)
        label = button.get("text", {}).get("text", action_id)
        self.show(self.transcript.person(LOGIN, "clicked", self.where(channel), f"[{label}]"))
        self.catch_up()
        mark = self.seen
        response = await self.driver.click(button, user=USER, channel=channel)
        expect(
            response.status_code == 200,
            f"the click on {label} to be acknowledged",
            f"HTTP {response.status_code}",
        )
        call = await self.until(is_answer, f"an answer to the click on {label}", since=mark)
        return call.args

    async def market(self, last: float, note: str) -> dict[str, Any]:
        """Move the sandbox price of SYMBOL (the market, not alice)."""
        spread = 0.05
        response = await self.http.post(
            self.sandbox_url + "_sandbox/prices",
            json={
                "Symbol": SYMBOL,
                "Last": last,
                "Bid": round(last - spread, 2),
                "Ask": round(last + spread, 2),
            },
        )
        expect(
            response.status_code == 200,
            f"the sandbox to set {SYMBOL} to {last}",
            f"HTTP {response.status_code}",
        )
        self.show(Entry("market", "moved", "", [f"{SYMBOL} last trade ${last:,.2f} — {note}"]))
        return response.json()

    async def webhooks(self, type_prefix: str) -> list[dict[str, Any]]:
        """The sandbox's webhook deliveries whose type starts with ``type_prefix``."""
        answer = (await self.http.get(self.sandbox_url + "_sandbox/webhooks")).json()
        return [d for d in answer.get("Deliveries") or [] if str(d.get("Type", "")).startswith(type_prefix)]


def is_answer(call: SlackCall) -> bool:
    """A response_url post that answers (not the "working on it" a busy machine may show first)."""
    return call.method == "response_url" and call.args.get("text") != WORKING_TEXT


def expect(condition: bool, expected: str, got: str) -> None:
    if not condition:
        raise StepFailed(expected, got)


def find_button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    found = [b for b in buttons(message.get("blocks") or []) if b.get("action_id") == action_id]
    if not found:
        shown = [b.get("action_id") for b in buttons(message.get("blocks") or [])]
        raise StepFailed(
            f"a button {action_id!r} in the bot's message", f"buttons {shown} in {message.get('text')!r}"
        )
    return found[0]


def said(message: dict[str, Any]) -> str:
    """Everything a message shows, as one string (for checks)."""
    return "\n".join(render_message(message)) + "\n" + str(message.get("text") or "")


def contains(message: dict[str, Any], *phrases: str, what: str) -> None:
    text = said(message)
    missing = [p for p in phrases if p.lower() not in text.lower()]
    expect(not missing, f"{what} (mentioning {', '.join(map(repr, phrases))})", repr(text[:400]))


# -- the steps ------------------------------------------------------------------------------------
async def step_help(world: DemoWorld) -> str:
    answer = await world.slash("/autoshares", "help")
    contains(answer, "/autoshares link", "/order", "/alert", what="the list of commands")
    return "every command with an example"


async def step_link(world: DemoWorld) -> str:
    answer = await world.slash("/autoshares", "link")
    url = next((b["url"] for b in buttons(answer.get("blocks") or []) if b.get("url")), None)
    expect(url is not None, "a sign-in button with a link", repr(said(answer)[:300]))
    world.slack.sign_in_as(USER)  # the browser is signed in to Slack as the requester
    world.show(
        world.transcript.person(
            f"{LOGIN}'s browser",
            "opened the sign-in link",
            "",
            "Sign in with Slack (confirms it is the person who asked), then the AutoShares sign-in page",
        )
    )
    mark = world.seen
    page = await browser_sign_in(world.http, str(url), username=LOGIN, password=PASSWORD)
    title, body = _page_text(page.text)
    world.show(
        world.transcript.person(
            f"{LOGIN}'s browser", f"signed in as {LOGIN}, and landed on", "", f"{title}: {body}"
        )
    )
    expect(
        page.status_code == 200 and "linked" in body.lower(),
        "the callback page to say the link worked",
        f"HTTP {page.status_code}: {body!r}",
    )
    await world.until(
        lambda c: c.method == "chat.postMessage" and c.args.get("channel") == USER,
        "a direct message confirming the link",
        since=mark,
    )
    link = await world.services.links.get(world.slack.team_id, USER)
    expect(link is not None and link.autoshares_login == LOGIN, f"a stored link to {LOGIN}", repr(link))
    return f"linked to AutoShares user {link.autoshares_user_id if link else '?'}; tokens stored encrypted"


async def step_status(world: DemoWorld) -> str:
    answer = await world.slash("/autoshares", "status")
    contains(answer, LOGIN, what="the link status")
    return "linked as alice"


async def step_agreements(world: DemoWorld) -> str:
    answer = await world.slash("/autoshares", "agreements")
    ids = [b.get("action_id") for b in buttons(answer.get("blocks") or [])]
    action = "agreements_sign_all" if "agreements_sign_all" in ids else "agreement_sign"
    signed = await world.click(answer, action)
    link = await world.services.links.get(world.slack.team_id, USER)
    outstanding = link.agreements_outstanding if link else None
    expect(
        outstanding == 0,
        "no agreement left to sign",
        f"{outstanding} outstanding; the bot said {said(signed)[:300]!r}",
    )
    return "every required agreement signed by button"


async def step_account(world: DemoWorld) -> str:
    answer = await world.slash("/autoshares", "account")
    contains(answer, "5001", what="alice's account and balances")
    return "account 5001 and its balances"


async def step_quote(world: DemoWorld) -> str:
    answer = await world.http.get(world.sandbox_url + f"_sandbox/prices/{SYMBOL}")
    expect(answer.status_code == 200, f"the sandbox to quote {SYMBOL}", f"HTTP {answer.status_code}")
    world.opening = round(float(answer.json()["Last"]), 2)
    world.show(Entry("market", "opened", "", [f"{SYMBOL} last trade ${world.opening:,.2f}"]))
    mark = world.seen
    reply = await world.slash("/quote", f"{SYMBOL} chart 5d")
    contains(reply, SYMBOL, what=f"a quote for {SYMBOL}")
    chart = world.chart
    expect(
        chart is not None and chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n",
        "the chart as a PNG image in the answer only alice sees",
        f"{chart!r} in {said(reply)[:300]!r}",
    )
    uploaded = [c.method for c in world.slack.calls[mark:] if c.method.startswith("files.")]
    expect(not uploaded, "nothing posted to the channel before alice shares", repr(uploaded))
    mark = world.seen
    shared = await world.click(reply, "quote_share")
    contains(shared, "Shared to the channel, with the chart", what="the private answer to say it was shared")
    await world.until(
        lambda c: c.method == "files.completeUploadExternal",
        f"the chart uploaded to {CHANNEL_NAME}",
        since=mark,
    )
    return f"quote with a private chart ({chart.name if chart else '?'}), then shared to {CHANNEL_NAME}"


async def step_order(world: DemoWorld) -> str:
    limit = math.floor(world.opening * 0.98)
    preview = await world.slash("/order", f"buy 10 {SYMBOL} limit {limit}")
    contains(preview, "Buy 10 AAPL", what="a preview of the order")
    placed = await world.click(preview, "order_confirm")
    orders = (await world.http.get(world.sandbox_url + "_sandbox/orders")).json()
    expect(len(orders) == 1, "exactly one order at AutoShares", f"{len(orders)} orders")
    order = orders[0]
    contains(placed, f"AutoShares order {order['Id']}", what="the bot to confirm the order was placed")
    world.order_id, world.limit = int(order["Id"]), limit
    return f"limit order {order['Id']} confirmed by button"


async def step_edit(world: DemoWorld) -> str:
    """Alice raises her limit by a dollar: the change is previewed beside the order as it is,
    confirmed, and AutoShares replaces the order, which keeps its id; then it fills."""
    limit = world.limit + 1
    preview = await world.slash("/order", f"edit {world.order_id} limit {limit}")
    contains(preview, "Review your change to order", "After the change", what="the change beside the order")
    changed = await world.click(preview, "order_confirm")
    contains(changed, "Order changed", f"AutoShares order {world.order_id}", what="the order changed")
    orders = (await world.http.get(world.sandbox_url + "_sandbox/orders")).json()
    expect(
        [(o["Id"], o["Price"]) for o in orders] == [(world.order_id, limit)],
        f"one order at AutoShares, {world.order_id}, now limited at {limit}",
        repr([(o["Id"], o["Price"]) for o in orders]),
    )
    order = orders[0]
    mark = world.seen
    moved = await world.market(limit - 0.5, "falls through alice's new limit")
    expect(order["Id"] in moved.get("FilledOrderIds", []), "the sandbox to fill the order", repr(moved))
    await world.until(
        lambda c: c.method in {"response_url", "chat.postMessage"} and "filled" in said(c.args).lower(),
        "the bot to tell alice the order filled",
        since=mark,
    )
    by_webhook = any(d.get("Status") == "delivered" for d in await world.webhooks("order."))
    how = " (told by webhook)" if by_webhook else ""
    return f"limit order {order['Id']} changed to {limit} in place, then filled{how}"


async def step_positions(world: DemoWorld) -> str:
    answer = await world.slash("/autoshares", "positions")
    contains(answer, SYMBOL, "10", what="a position of 10 AAPL")
    return "10 AAPL held"


async def step_performance(world: DemoWorld) -> str:
    world.chart_name = "performance-chart.png"
    try:
        reply = await world.slash("/autoshares", "performance 1m vs SPY")
    finally:
        world.chart_name = f"{SYMBOL.lower()}-chart.png"
    contains(
        reply,
        "Value now",
        "SPY over the same days",
        "Best holding",
        what="the account against SPY",
    )
    images = [b for b in reply.get("blocks") or [] if b.get("type") == "image"]
    picture = world.output_dir / "performance-chart.png"
    expect(
        bool(images) and picture.exists() and picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n",
        "the performance chart as a PNG image in the answer only alice sees",
        said(reply)[:300],
    )
    return f"performance over 1 month against SPY, charted ({picture.name}): {said(reply).split(chr(10))[0][:80]}"


async def step_news(world: DemoWorld) -> str:
    reply = await world.slash("/news", SYMBOL)
    contains(reply, f"Latest news for {SYMBOL}", what=f"the latest headlines for {SYMBOL}")
    button = find_button(reply, "news_read")
    world.show(world.transcript.person(LOGIN, "clicked", world.where(CHANNEL), "[Read]"))
    world.catch_up()
    mark = world.seen
    response = await world.driver.click(button, user=USER, channel=CHANNEL)
    expect(
        response.status_code == 200, "the click on Read to be acknowledged", f"HTTP {response.status_code}"
    )
    opened = await world.until(lambda c: c.method == "views.open", "the story opened in a modal", since=mark)
    view = opened.args.get("view") or {}
    expect(
        view.get("title", {}).get("text") == f"{SYMBOL} news",
        f"a modal titled {SYMBOL} news",
        repr(view)[:200],
    )
    return f"{SYMBOL}'s latest headlines, the first story read in a modal"


async def step_activity(world: DemoWorld) -> str:
    answer = await world.slash("/autoshares", "activity 7d trades")
    contains(answer, "Trade", SYMBOL, what="the order's fill among the week's trades")
    return "the fill listed among the last 7 days' trades"


async def step_bracket(world: DemoWorld) -> str:
    quote = (await world.http.get(world.sandbox_url + f"_sandbox/prices/{SYMBOL}")).json()
    entry = math.ceil(quote["Ask"])
    text = f"buy 5 {SYMBOL} limit {entry} take-profit {entry + 3} stop-loss {entry - 3}"
    preview = await world.slash("/order", text)
    contains(preview, "Buy 5 AAPL", "take profit", "stop loss", what="a preview of the bracket")
    before = {o["Id"] for o in (await world.http.get(world.sandbox_url + "_sandbox/orders")).json()}
    placed = await world.click(preview, "order_confirm")
    orders = (await world.http.get(world.sandbox_url + "_sandbox/orders")).json()
    parents = [o for o in orders if o["Id"] not in before and o.get("Legs")]
    expect(
        len(parents) == 1 and parents[0]["Type"] == "OneTriggerOneCancelOther",
        "exactly one bracket at AutoShares",
        repr([(o["Id"], o["Type"]) for o in orders if o["Id"] not in before]),
    )
    bracket = parents[0]
    contains(placed, f"AutoShares order {bracket['Id']}", what="the bot to confirm the bracket was placed")
    mark = world.seen
    await world.market(entry + 3.5, "rises through the take-profit: it sells, the stop-loss is cancelled")
    await world.until(  # the bracket's message follows it to the end before the next step
        lambda c: f"Order {bracket['Id']}:" in said(c.args) and "is filled" in said(c.args),
        "the bot to tell alice the bracket filled",
        since=mark,
    )
    shown = await world.slash("/order", f"show {bracket['Id']}")
    contains(shown, "filled", "Legs", "cancelled", what="the bracket filled, its stop-loss cancelled")
    return f"bracket {bracket['Id']}: bought at the entry, sold at the take-profit, stop-loss cancelled"


async def step_alert(world: DemoWorld) -> str:
    level = math.ceil(world.opening * 1.02)
    answer = await world.slash("/alert", f"{SYMBOL} above {level}")
    contains(answer, SYMBOL, f"{level:,}", what="the alert to be confirmed")
    mark = world.seen
    moved = await world.market(level + 1.25, "rises through alice's alert")
    expect(bool(moved.get("TriggeredAlertIds")), "the sandbox to trigger the alert", repr(moved))
    post = await world.until(
        lambda c: c.method == "chat.postMessage" and c.args.get("channel") == CHANNEL,
        f"an alert message in {CHANNEL_NAME}",
        since=mark,
    )
    contains(post.args, SYMBOL, what=f"the alert message in {CHANNEL_NAME}")
    deliveries = await world.webhooks("alert.triggered")
    expect(
        any(d.get("Status") == "delivered" for d in deliveries),
        "the sandbox's alert.triggered webhook to be accepted by the bot",
        repr([(d.get("Status"), d.get("StatusCodes")) for d in deliveries]),
    )
    return f"alert fired, delivered by signed webhook, posted in {CHANNEL_NAME}"


async def step_digest(world: DemoWorld) -> str:
    answer = await world.slash("/autoshares", "digest weekdays at close")
    contains(answer, "Digest", "market close", what="the digest to be scheduled")
    digests = await world.services.core.digests.listed(world.slack.team_id, USER)
    expect(len(digests) == 1, "one digest schedule", repr(digests))
    due = digests[0].next_run_at
    # Fast-forward the sandbox's clock to just past the digest's time and run one pass of the
    # digest loop on it (the loop itself runs on the real clock).
    clock = (await world.http.get(world.sandbox_url + "_sandbox/clock")).json()
    now = datetime.fromisoformat(str(clock["Now"]).replace("Z", "+00:00"))
    ahead = (due - now).total_seconds() + 60
    moved = await world.http.post(
        world.sandbox_url + "_sandbox/clock", json={"AdvanceSeconds": max(ahead, 0)}
    )
    expect(moved.status_code == 200, "the sandbox's clock to move", f"HTTP {moved.status_code}")
    now = datetime.fromisoformat(str(moved.json()["Now"]).replace("Z", "+00:00"))
    local = now.astimezone(ZoneInfo("America/New_York"))
    world.show(Entry("clock", "moved", "", [f"the sandbox's clock jumps to {local:%A %H:%M} in New York"]))
    mark = world.seen
    owed = await world.services.core.digests.run_once(now)
    again = await world.services.core.digests.run_once(now)
    expect((owed, again) == (1, 0), "one digest owed, once", f"{owed} then {again}")
    post = await world.until(
        lambda c: (
            c.method == "chat.postMessage"
            and c.args.get("channel") == CHANNEL
            and "Portfolio digest" in str(c.args.get("text"))
        ),
        f"a digest in {CHANNEL_NAME}",
        since=mark,
    )
    contains(post.args, "Total value", "Top movers", SYMBOL, what="the digest")
    return f"digest set for weekdays at close; the sandbox clock moved to it; posted once in {CHANNEL_NAME}"


async def step_repeating_alert(world: DemoWorld) -> str:
    level = math.ceil(world.opening * 1.04)
    answer = await world.slash("/alert", f"{SYMBOL} above {level} repeat every 1m")
    contains(
        answer, SYMBOL, f"{level:,}", "armed again 1 minute after each trigger", what="a repeating alert"
    )
    mark = world.seen
    moved = await world.market(level + 0.75, "rises through alice's repeating alert")
    fired = list(moved.get("TriggeredAlertIds") or [])
    expect(len(fired) == 1, "the sandbox to trigger the repeating alert", repr(moved))
    first = await world.until(
        lambda c: c.method == "chat.postMessage" and c.args.get("channel") == CHANNEL,
        f"the alert's first message in {CHANNEL_NAME}",
        since=mark,
    )
    await world.services.drain()  # delivered, and its ts kept for the thread
    await world.market(level - 1.5, "falls back under alice's level")
    alerts = world.services.core.alerts
    route = await alerts.routes.get(fired[0])
    expect(route is not None and route.fired_at is not None, "the alert's route to be fired", repr(route))
    assert route is not None and route.fired_at is not None
    # The cool-down ends a minute after the trigger: the re-arm pass runs once as at that moment
    # (the background loop would do it on its own a minute later).
    await alerts.rearm_once(now=route.fired_at + timedelta(minutes=1, seconds=1))
    armed = [
        a
        for a in (await world.http.get(world.sandbox_url + "_sandbox/alerts")).json()
        if a.get("State") == "New" and float(a.get("Argument") or 0) == level
    ]
    expect(len(armed) == 1, f"one new AutoShares alert at {level} after the cool-down", repr(armed))
    world.show(
        Entry(
            "a minute later",
            "the re-arm pass ran",
            "",
            [
                f"the cool-down is over: AutoShares alert {armed[0]['Id']} watches {SYMBOL} at ${level:,.2f} again"
            ],
        )
    )
    mark = world.seen
    moved = await world.market(level + 1.0, "rises through it again")
    expect(bool(moved.get("TriggeredAlertIds")), "the sandbox to trigger the re-armed alert", repr(moved))
    reply = await world.until(
        lambda c: c.method == "chat.postMessage" and bool(c.args.get("thread_ts")),
        "the re-trigger as a reply in the first message's thread",
        since=mark,
    )
    expect(
        first.answer is not None and reply.args.get("thread_ts") == first.answer.get("ts"),
        "the reply to be in the thread of the first alert message",
        f"thread_ts {reply.args.get('thread_ts')!r}, first message {first.answer!r}",
    )
    return (
        "repeating alert fired, re-armed after its cool-down, re-trigger replied in the first post's thread"
    )


async def step_operations(world: DemoWorld) -> str:
    ready = await world.http.get(world.bot_url + "readyz")
    expect(ready.status_code == 200, "/readyz to say ready", f"HTTP {ready.status_code} {ready.text[:200]}")
    scrape = await world.http.get(world.bot_url + "metrics")
    expect(scrape.status_code == 200, "/metrics to answer", f"HTTP {scrape.status_code}")
    commands = sum(
        sample.value
        for family in text_string_to_metric_families(scrape.text)
        for sample in family.samples
        if sample.name == "autoshares_commands_total"
    )
    expect(commands > 0, "/metrics to count the commands", f"{commands}")
    world.show(
        Entry("operator", "checked", "", [f"/readyz: ready · /metrics: {commands:.0f} commands handled"])
    )
    return f"/readyz ready, {commands:.0f} commands counted in /metrics"


Step = tuple[str, Callable[[DemoWorld], Awaitable[str]]]

async def step_option_order(world: DemoWorld) -> str:
    chain = await world.slash("/options", SYMBOL)
    contains(chain, f"{SYMBOL} options", "central strike", "Trade", what="the option chain")
    symbol, _, ask = find_button(chain, "options_trade")["value"].partition(" ")
    contract = option_contract(symbol)
    expect(contract is not None, "an option symbol on the Trade button", symbol)
    assert contract is not None
    terms = f"{contract.expiration:%Y-%m-%d} {contract.strike} {contract.right.lower()} limit {ask}"
    preview = await world.slash("/order", f"buy 1 {SYMBOL} {terms}")
    contains(preview, "Buy 1 contract", "One contract is 100 shares", what="a preview of the option order")
    placed = await world.click(preview, "order_confirm")
    order = (await world.http.get(world.sandbox_url + "_sandbox/orders")).json()[-1]
    expect(order["Symbol"] == symbol, f"an order for {symbol} at AutoShares", repr(order.get("Symbol")))
    contains(placed, f"AutoShares order {order['Id']}", what="the bot to confirm the option order was placed")
    return f"option order {order['Id']}: 1 contract of {symbol}, confirmed by button"


STEPS: Sequence[Step] = (
    ("help", step_help),
    ("link", step_link),
    ("status", step_status),
    ("agreements", step_agreements),
    ("account", step_account),
    ("quote and chart", step_quote),
    ("limit order", step_order),
    ("edit the order", step_edit),
    ("positions", step_positions),
    ("option order", step_option_order),
    ("bracket order", step_bracket),
    ("performance against SPY", step_performance),
    ("news", step_news),
    ("activity", step_activity),
    ("alert", step_alert),
    ("repeating alert", step_repeating_alert),
    ("digest", step_digest),
    ("operations", step_operations),
)


def _page_text(page: str) -> tuple[str, str]:
    title = re.search(r"<h1>(.*?)</h1>", page, re.S)
    body = re.search(r"<p>(.*?)</p>", page, re.S)
    return (
        html.unescape(title.group(1)) if title else "(no title)",
        html.unescape(body.group(1)) if body else page[:200],
    )


# -- wiring ---------------------------------------------------------------------------------------
def local_env(
    slack: LocalSlack,
    sandbox_url: str,
    config: SandboxConfig,
    *,
    signing_secret: str,
    database: Path,
    port: int,
    **extra: str,
) -> dict[str, str]:
    """The settings of a bot on loopback against the local Slack stand-in and the sandbox
    (the demo's, and the benchmarks')."""
    return {
        "SLACK_SIGNING_SECRET": signing_secret,
        "SLACK_BOT_TOKEN": "xoxb-local-" + secrets.token_hex(8),
        "SLACK_API_URL": slack.base_url + "api/",
        "SLACK_CLIENT_ID": slack.identity.client_id,
        "SLACK_CLIENT_SECRET": slack.identity.client_secret,
        "AUTH0_DOMAIN": sandbox_url,
        "AUTOSHARES_API_URL": sandbox_url,
        "AUTH0_CLIENT_ID": config.client_id,
        "AUTH0_CLIENT_SECRET": config.client_secret,
        "AUTOSHARES_APP_KEY": config.app_key,
        # The sandbox is reached by URL like a real AutoShares, which would make it live.
        "AUTOSHARES_ENVIRONMENT": "paper",
        "DATABASE_URL": f"sqlite:///{database}",
        "TOKEN_ENCRYPTION_KEY": generate_encryption_key(),
        "PUBLIC_URL": f"http://127.0.0.1:{port}/",
        "PORT": str(port),
        **extra,
    }


@dataclass
class LocalWorld:
    """The local Slack stand-in and the sandbox, served on loopback, and a bot's settings for them."""

    slack: LocalSlack
    sandbox: Any  # sandbox.server.RunningSandbox
    env: dict[str, str]


@contextlib.asynccontextmanager
async def local_world(
    config: SandboxConfig, *, signing_secret: str, port: int, prefix: str, **extra: str
) -> AsyncIterator[LocalWorld]:
    """Serve the sandbox and the local Slack on loopback for a bot on ``port`` with a fresh
    SQLite database (the demo's, and the benchmarks')."""
    from sandbox.server import running_sandbox

    slack = LocalSlack()
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        async with (
            running_sandbox(config, host="127.0.0.1", port=0) as sandbox,
            serve_in_loop(slack.app()) as slack_server,
        ):
            slack.base_url = slack_server.url
            env = local_env(
                slack,
                sandbox.url,
                config,
                signing_secret=signing_secret,
                database=Path(tmp) / "bot.db",
                port=port,
                **extra,
            )
            yield LocalWorld(slack, sandbox, env)


@contextlib.asynccontextmanager
async def demo_world(output_dir: Path, console: Console) -> AsyncIterator[DemoWorld]:
    """Start sandbox, local Slack and bot on loopback; stop them all on exit."""
    signing_secret = secrets.token_hex(16)
    webhook_secret = secrets.token_urlsafe(24)
    bot_sock = bind_socket()
    bot_port = bot_sock.getsockname()[1]
    bot_url = f"http://127.0.0.1:{bot_port}/"
    config = SandboxConfig(
        tick_seconds=0,  # prices move only when the demo moves them
        rate_limits=False,
        webhook_url=bot_url + "autoshares/webhooks",
        webhook_secret=webhook_secret,
        webhook_retry_scale=0.01,
    )
    async with local_world(
        config,
        signing_secret=signing_secret,
        port=bot_port,
        prefix="autoshares-demo-",
        AUTOSHARES_WEBHOOK_SECRET=webhook_secret,
    ) as world:
        slack, sandbox = world.slack, world.sandbox
        settings = Settings.from_env(world.env)
        services = await Services.create(settings)
        try:
            app = create_web_app(services, close_services=False)
            async with (
                httpx.AsyncClient(timeout=WAIT_SECONDS) as http,
                serve_in_loop(app, sock=bot_sock) as server,
            ):
                driver = SlackDriver(http, server.url, signing_secret, slack.base_url, team_id=slack.team_id)
                yield DemoWorld(
                    settings=settings,
                    services=services,
                    slack=slack,
                    sandbox_url=sandbox.url,
                    bot_url=server.url,
                    driver=driver,
                    http=http,
                    transcript=Transcript(names={USER: LOGIN, CHANNEL: CHANNEL_NAME}),
                    console=console,
                    output_dir=output_dir,
                )
        finally:
            await services.aclose()


@contextlib.contextmanager
def quiet_logs() -> Any:
    """Only warnings, redacted, while the demo prints its transcript; the old set-up after."""
    from bot.app.logs import configure_logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(Settings.from_env({"LOG_LEVEL": "WARNING", "LOG_FORMAT": "text"}, require_slack=False))
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


async def play(world: DemoWorld, steps: Sequence[Step] = STEPS) -> bool:
    """Run the steps in order; stop at the first failure. True when every step passed."""
    for name, step in steps:
        world.console.rule(f"[bold]{name}")
        try:
            async with asyncio.timeout(WAIT_SECONDS * 3):
                detail = await step(world)
        except StepFailed as failure:
            world.catch_up()
            world.transcript.steps.append((name, False, f"expected {failure.expected}; got {failure.got}"))
            world.console.print(f"[bold red]✘ {name} failed[/]")
            world.console.print(f"  expected: {failure.expected}", markup=False)
            world.console.print(f"  got:      {failure.got}", markup=False)
            return False
        except Exception as exc:  # a crash is a failed step too, with what it was
            world.catch_up()
            detail = f"{type(exc).__name__}: {exc}"
            world.transcript.steps.append((name, False, f"crashed: {detail}"))
            world.console.print(f"[bold red]✘ {name} crashed:[/] ", end="")
            world.console.print(detail, markup=False)
            return False
        world.catch_up()
        world.transcript.steps.append((name, True, detail))
        world.console.print(f"[green]✔ {name}[/] ", end="")
        world.console.print(detail, markup=False)
    return True


def summary(transcript: Transcript) -> Table:
    table = Table(title="Demo steps", show_lines=False)
    table.add_column("step")
    table.add_column("result")
    table.add_column("what happened", overflow="fold")
    for name, ok, detail in transcript.steps:
        table.add_row(name, "[green]pass[/]" if ok else "[red]FAIL[/]", detail)
    return table


async def run_demo(
    output_dir: str | Path = "demo-output", *, console: Console | None = None, steps: Sequence[Step] = STEPS
) -> int:
    """Play the session; save transcript.txt, transcript.html and the chart; 0 when every step passed."""
    console = console or Console()
    out = Path(output_dir)
    await asyncio.to_thread(out.mkdir, parents=True, exist_ok=True)
    started = time.perf_counter()
    console.rule("[bold]AutoShares for Slack — demo session")
    console.print(
        "A local AutoShares sandbox, a local Slack Web API and the bot, all on loopback. "
        f"alice (Slack user {USER}) works in {CHANNEL_NAME}.",
        markup=False,
    )
    with quiet_logs():
        async with demo_world(out, console) as world:
            passed = await play(world, steps)
            transcript = world.transcript
    (out / "transcript.txt").write_text(transcript.to_text(), encoding="utf-8")
    (out / "transcript.html").write_text(transcript.to_html(), encoding="utf-8")
    console.print(summary(transcript))
    elapsed = time.perf_counter() - started
    console.print(
        f"Transcript saved to {out / 'transcript.txt'} and {out / 'transcript.html'} ({elapsed:.1f} s).",
        markup=False,
    )
    if not passed:
        console.print("[bold red]The demo did not complete: see the failed step above.[/]")
        return 1
    console.print("[bold green]Every step did what it should.[/]")
    return 0
