"""Drive the bot the way Slack and a browser do: signed requests and a scripted sign-in.

``SlackDriver`` sends slash commands, button clicks and view submissions to ``/slack/events``
signed with the app's signing secret (slack_sdk's ``SignatureVerifier``), with response URLs that
point at the local Slack Web API stand-in. ``browser_sign_in`` follows the link button through
the identity provider's login form. The demo and the test suite both use these.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin

import httpx
from slack_sdk.signature import SignatureVerifier


def sign(signing_secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack would send with ``body``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body) or ""
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


@dataclass
class SlackDriver:
    """Sends Slack's HTTP requests to the bot, as one workspace."""

    http: httpx.AsyncClient
    bot_url: str
    signing_secret: str
    slack_url: str  # base URL of the local Slack stand-in (for response_url)
    team_id: str = "T0DEMO"
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    #: Slack's trigger and event ids never repeat; the bot remembers bodies across restarts.
    _run: str = field(default_factory=lambda: secrets.token_hex(4).upper())

    @property
    def events_url(self) -> str:
        return urljoin(self.bot_url, "slack/events")

    def response_url(self) -> str:
        return urljoin(self.slack_url, f"response/{next(self._ids)}")

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST ``body`` signed now (or at ``timestamp``); ``headers`` adds e.g. X-Slack-Retry-Num."""
        sent = {"Content-Type": content_type, **sign(self.signing_secret, body, timestamp), **(headers or {})}
        return await self.http.post(self.events_url, content=body, headers=sent)

    def command_fields(
        self, command: str, text: str = "", *, user: str, channel: str = "C0GENERAL"
    ) -> dict[str, str]:
        """What Slack sends for a slash command: a form over HTTP, a JSON payload in Socket Mode."""
        return {
            "token": "legacy-verification-token-unused",
            "team_id": self.team_id,
            "team_domain": "demo",
            "channel_id": channel,
            "channel_name": "general" if channel.startswith("C") else "directmessage",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0AUTOSHARES",
            "response_url": self.response_url(),
            "trigger_id": f"{next(self._ids)}.{int(time.time())}.{self._run}",
        }

    def command_body(self, command: str, text: str = "", *, user: str, channel: str = "C0GENERAL") -> str:
        return urlencode(self.command_fields(command, text, user=user, channel=channel))

    async def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str,
        channel: str = "C0GENERAL",
        timestamp: int | None = None,
    ) -> httpx.Response:
        body = self.command_body(command, text, user=user, channel=channel)
        return await self.post(body, "application/x-www-form-urlencoded", timestamp=timestamp)

    def interactive_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``payload`` with what Slack adds to every interactive one (team, app, token)."""
        payload.setdefault("team", {"id": self.team_id, "domain": "demo"})
        payload.setdefault("api_app_id", "A0AUTOSHARES")
        payload.setdefault("token", "legacy-verification-token-unused")
        return payload

    async def interactive(self, payload: dict[str, Any]) -> httpx.Response:
        body = urlencode({"payload": json.dumps(self.interactive_payload(payload))})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def click(
        self,
        action: dict[str, Any],
        *,
        user: str,
        channel: str = "C0GENERAL",
        message: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Click a button from a message; ``action`` is the button element as the bot sent it."""
        clicked = {
            "type": action.get("type", "button"),
            "action_id": action["action_id"],
            "block_id": action.get("block_id", "b"),
            "value": action.get("value"),
            "action_ts": f"{time.time():.6f}",
        }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "channel": {"id": channel, "name": "general"},
            "trigger_id": f"{next(self._ids)}.{int(time.time())}.{self._run}",
            "response_url": self.response_url(),
            "actions": [clicked],
            "container": container or {"type": "message", "channel_id": channel, "is_ephemeral": True},
        }
        if message is not None:
            payload["message"] = message
        return await self.interactive(payload)

    def view_submission(self, view: dict[str, Any], values: dict[str, Any], *, user: str) -> dict[str, Any]:
        """The payload of submitting a modal the bot opened; ``values`` is Slack's ``state.values``."""
        submitted = {**view, "state": {"values": values}, "id": view.get("id", "V0")}
        return self.interactive_payload(
            {
                "type": "view_submission",
                "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
                "view": submitted,
                "trigger_id": f"{next(self._ids)}.{int(time.time())}.{self._run}",
            }
        )

    async def submit_view(self, view: dict[str, Any], values: dict[str, Any], *, user: str) -> httpx.Response:
        """Submit a modal the bot opened; ``values`` is Slack's ``state.values`` shape."""
        return await self.interactive(self.view_submission(view, values, user=user))

    def event_callback(self, event: dict[str, Any]) -> dict[str, Any]:
        """What the Events API sends for ``event`` (over HTTP, or as a Socket Mode payload)."""
        return {
            "token": "legacy-verification-token-unused",
            "team_id": self.team_id,
            "api_app_id": "A0AUTOSHARES",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{self._run}{next(self._ids):06d}",
            "event_time": int(time.time()),
        }

    async def event(self, event: dict[str, Any]) -> httpx.Response:
        return await self.post(json.dumps(self.event_callback(event)), "application/json")

    def function_executed(
        self, callback_id: str, inputs: dict[str, Any], *, run: str | None = None
    ) -> dict[str, Any]:
        """The ``function_executed`` event of a workflow running the app's step ``callback_id``
        (``run`` is its ``function_execution_id``; Slack hands each run its own bot token)."""
        run = run or f"Fx{self._run}{next(self._ids):06d}"
        return {
            "type": "function_executed",
            "function": {
                "id": f"Fn{self._run}",
                "callback_id": callback_id,
                "title": callback_id.replace("_", " ").capitalize(),
                "type": "app",
                "app_id": "A0AUTOSHARES",
            },
            "inputs": inputs,
            "function_execution_id": run,
            "workflow_execution_id": f"Wx{self._run}{next(self._ids):06d}",
            "event_ts": f"{time.time():.6f}",
            "bot_access_token": f"xwfp-run-{run.lower()}",
        }

    async def run_step(
        self, callback_id: str, inputs: dict[str, Any], *, user: str, run: str | None = None
    ) -> httpx.Response:
        """Run the step in a workflow started by ``user`` (Slack's ``user_context`` input)."""
        person = {"id": user, "secret": secrets.token_hex(8)}
        event = self.function_executed(callback_id, {**inputs, "user_context": person}, run=run)
        return await self.event(event)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "post"
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
            self.method = values.get("method", "post").lower()
        elif tag == "input" and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every button in a message's blocks, with its block_id attached (for ``click``)."""
    found = []
    for block in blocks or []:
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        if block.get("accessory"):
            elements = [*elements, block["accessory"]]
        for element in elements:
            if element.get("type") == "button":
                found.append({**element, "block_id": block.get("block_id", "")})
    return found


async def browser_sign_in(
    http: httpx.AsyncClient, start_url: str, *, username: str, password: str, max_hops: int = 10
) -> httpx.Response:
    """Follow the link button to the login form, submit it, and follow redirects to the end.

    Returns the final response (the bot's callback page, or wherever the flow stopped).
    """
    response = await http.get(start_url)
    for _ in range(max_hops):
        if response.is_redirect:
            response = await http.get(urljoin(str(response.url), response.headers["location"]))
            continue
        if "<form" in response.text and 'name="password"' in response.text:
            form = _FormParser()
            form.feed(response.text)
            data = {**form.fields, "username": username, "password": password}
            target = urljoin(str(response.url), form.action or str(response.url))
            response = await http.post(target, data=data)
            continue
        return response
    return response
