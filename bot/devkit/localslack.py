"""A local stand-in for Slack's Web API that records every call.

The bot's Web API client is pointed here with ``SLACK_API_URL`` by the demo and the tests, so
they can see exactly what the bot asked Slack to do. It also receives ``response_url`` posts
(``POST /response/<name>``) and file uploads. Like Slack, it downloads the picture of every image
block in a ``response_url`` post (kept in ``images`` by URL) and refuses the post with
``invalid_blocks`` when it cannot. Channels named in ``archived`` or ``not_in`` fail
``chat.postMessage`` the way Slack does, to exercise the bot's fallbacks. Sign in with Slack is
served by ``identity`` (``bot.devkit.slack_identity``): ``sign_in_as`` sets who the browser is.
Socket Mode is served by ``socket_mode`` (``bot.devkit.slack_socket``): ``apps.connections.open``
answers a ``ws://`` URL on the stand-in, where tests deliver envelopes and see the acks.
Workflow steps end with ``functions.completeSuccess`` / ``functions.completeError``: each is
answered once per ``function_execution_id``, as Slack does (a second answer is refused).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import ssl
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.devkit.slack_identity import LocalSlackIdentity
from bot.devkit.slack_socket import LocalSocketMode


@dataclass
class SlackCall:
    method: str  # e.g. "chat.postMessage", or "response_url" for response_url posts
    args: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.time)
    path: str = ""
    answer: dict[str, Any] | None = None  # what the stand-in answered (a post's channel and ts)


@dataclass(frozen=True)
class ScriptedFailure:
    """How Slack refuses one call: ``status`` 429 with ``retry_after`` is a rate limit, 500 a
    server error, 200 an ``ok: false`` answer."""

    error: str
    status: int = 200
    retry_after: str | None = None


class LocalSlack:
    """Records Web API calls and answers them like Slack would."""

    def __init__(self, *, team_id: str = "T0DEMO", bot_user_id: str = "U0BOT") -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.calls: list[SlackCall] = []
        self.archived: set[str] = set()
        self.not_in: set[str] = set()
        self.uploads: dict[str, bytes] = {}
        #: Members ``users.info`` calls workspace admins, and members' time zones (else New York).
        self.workspace_admins: set[str] = set()
        self.time_zones: dict[str, str] = {}
        self.images: dict[str, bytes] = {}
        self._tls: ssl.SSLContext | None = None  # made on the first download (loading CAs takes a while)
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self.identity = LocalSlackIdentity()
        self.socket_mode = LocalSocketMode()
        self.failures: dict[str, list[ScriptedFailure]] = {}
        self.refused: list[SlackCall] = []
        self.every: dict[str, tuple[int, ScriptedFailure]] = {}
        self._seen: Counter[str] = Counter()
        #: Workflow step runs already completed (``function_execution_id``s).
        self.completed_runs: set[str] = set()
        self._base_url = ""

    @property
    def base_url(self) -> str:
        """Where the stand-in listens (ends with ``/``); its origin is Slack's OIDC issuer."""
        return self._base_url

    @base_url.setter
    def base_url(self, url: str) -> None:
        self._base_url = url
        self.identity.issuer = url.rstrip("/")
        self.socket_mode.base_url = url

    def sign_in_as(self, user_id: str, team_id: str | None = None) -> None:
        """The browser that follows a sign-in link is signed in to Slack as this user."""
        self.identity.signed_in = (team_id or self.team_id, user_id)

    def reset(self) -> None:
        """Forget every recorded call and upload and every scripted failure, and number
        timestamps and ids from the start again: as good as a new instance at the same URL."""
        self.calls.clear()
        self.archived.clear()
        self.not_in.clear()
        self.uploads.clear()
        self.workspace_admins.clear()
        self.time_zones.clear()
        self.images.clear()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self.identity.reset()
        self.socket_mode.reset()
        self.failures.clear()
        self.refused.clear()
        self.every.clear()
        self._seen.clear()
        self.completed_runs.clear()

    def fail_next(self, method: str, failure: ScriptedFailure, times: int = 1) -> None:
        """Refuse the next ``times`` calls of ``method`` the way Slack would (they are recorded
        in ``refused``, not in ``calls``)."""
        self.failures.setdefault(method, []).extend([failure] * times)

    def fail_every(self, method: str, every: int, failure: ScriptedFailure) -> None:
        """Refuse every ``every``-th call of ``method`` from now on (10: one call in ten), e.g.
        a share of posts answered 429 as a busy workspace would."""
        self.every[method] = (every, failure)
        self._seen[method] = 0

    def _scripted(self, method: str) -> ScriptedFailure | None:
        """The refusal owed to this call of ``method``, if any."""
        scripted = self.failures.get(method)
        if scripted:
            return scripted.pop(0)
        if method in self.every:
            every, failure = self.every[method]
            self._seen[method] += 1
            if self._seen[method] % every == 0:
                return failure
        return None

    # -- queries used by tests and the demo -------------------------------------------------------
    def by_method(self, method: str) -> list[SlackCall]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self, method: str, count: int = 1, timeout: float = 10.0, **match: Any
    ) -> list[SlackCall]:
        """Wait until ``count`` calls of ``method`` whose args contain ``match`` were recorded."""

        def found() -> list[SlackCall]:
            return [c for c in self.by_method(method) if all(c.args.get(k) == v for k, v in match.items())]

        await self.wait_until(lambda: len(found()) >= count, timeout)
        return found()

    async def wait_until(self, predicate: Callable[[], object], timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` is true; it is checked now and after every recorded call."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def _record(self, call: SlackCall) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    # -- the ASGI app -----------------------------------------------------------------------------
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/{method}", self._api, methods=["POST", "GET"]),
                Route("/response/{name}", self._response_url, methods=["POST"]),
                Route("/upload/{file_id}", self._upload, methods=["POST"]),
                *self.identity.routes(),
                *self.socket_mode.routes(),
            ]
        )

    async def _args(self, request: Request) -> dict[str, Any]:
        """Arguments from the query string and the body (slack_sdk uses both, per method)."""
        args: dict[str, Any] = dict(request.query_params)
        content_type = request.headers.get("content-type", "")
        if "application/json" in content_type:
            body = await request.body()
            args.update(json.loads(body or b"{}"))
        elif "form" in content_type:
            form = await request.form()
            args.update({k: v for k, v in form.items() if isinstance(v, str)})
        return args

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        args = await self._args(request)
        for key in ("blocks", "attachments", "view", "files", "outputs"):
            if isinstance(args.get(key), str):
                try:
                    args[key] = json.loads(args[key])
                except ValueError:
                    pass
        auth = request.headers.get("authorization", "")
        if method == "openid.connect.token":  # client credentials and a code: never recorded
            await self._record(
                SlackCall(method, {"redirect_uri": args.get("redirect_uri")}, None, path=request.url.path)
            )
            return JSONResponse(self.identity.token(args, auth))
        token = auth.removeprefix("Bearer ") if auth else args.get("token")
        failure = self._scripted(method)
        if failure is not None:
            self.refused.append(SlackCall(method, args, token, path=request.url.path))
            headers = {"Retry-After": failure.retry_after} if failure.retry_after is not None else None
            return JSONResponse(
                {"ok": False, "error": failure.error}, status_code=failure.status, headers=headers
            )
        answer = self._answer(method, args)
        await self._record(SlackCall(method, args, token, path=request.url.path, answer=answer))
        return JSONResponse(answer)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ts = f"{1700000000 + next(self._ts)}.000100"
        channel = str(args.get("channel", ""))
        if method in {"chat.postMessage", "chat.postEphemeral", "chat.update"}:
            if channel in self.archived:
                return {"ok": False, "error": "is_archived"}
            if channel in self.not_in:
                return {"ok": False, "error": "not_in_channel"}
            if method == "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            channel_id = "D" + channel[1:] if channel.startswith("U") else channel
            return {
                "ok": True,
                "channel": channel_id,
                "ts": args.get("ts", ts),
                "message": {"text": args.get("text"), "ts": ts},
            }
        if method == "oauth.v2.access":
            if args.get("code") != "good-code":
                return {"ok": False, "error": "invalid_code"}
            return {
                "ok": True,
                "access_token": "xoxb-installed-" + self.team_id.lower(),
                "token_type": "bot",
                "scope": "commands,chat:write",
                "bot_user_id": self.bot_user_id,
                "app_id": "A0AUTOSHARES",
                "team": {"id": self.team_id, "name": "Demo"},
                "enterprise": None,
                "is_enterprise_install": False,
                "authed_user": {"id": "U0INSTALLER"},
            }
        if method == "apps.connections.open":
            return self.socket_mode.connections_open()
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://demo.slack.com/",
                "team": "Demo",
                "user": "autoshares",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": "B0BOT",
            }
        if method == "conversations.open":
            users = str(args.get("users", "U0"))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0][1:]}}
        if method in {"views.open", "views.publish", "views.update", "views.push"}:
            return {"ok": True, "view": {"id": f"V{next(self._ids):06d}", **(args.get("view") or {})}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):06d}"
            return {"ok": True, "upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            target = str(args.get("channel_id", ""))
            if target in self.not_in:
                return {"ok": False, "error": "not_in_channel"}
            files = args.get("files") or []
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}
        if method in {"functions.completeSuccess", "functions.completeError"}:
            run = str(args.get("function_execution_id") or "")
            if not run:
                return {"ok": False, "error": "invalid_arguments"}
            if run in self.completed_runs:
                return {"ok": False, "error": "function_execution_not_found"}
            self.completed_runs.add(run)
            return {"ok": True}
        if method == "users.info":
            user = str(args.get("user", "U0"))
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "name": user.lower(),
                    "tz": self.time_zones.get(user, "America/New_York"),
                    "is_admin": user in self.workspace_admins,
                    "is_owner": False,
                    "profile": {"display_name": user.lower()},
                },
            }
        return {"ok": True}

    async def _response_url(self, request: Request) -> Response:
        args = json.loads(await request.body() or b"{}")
        failure = self._scripted("response_url")
        if (
            failure is not None
        ):  # e.g. ScriptedFailure("expired_url", 404): Slack keeps a response_url 30 minutes
            self.refused.append(SlackCall("response_url", args, None, path=request.url.path))
            return Response(failure.error, status_code=failure.status or 404)
        if not await self._download_images(args.get("blocks")):
            self.refused.append(SlackCall("response_url", args, None, path=request.url.path))
            return Response("invalid_blocks", status_code=400)
        await self._record(SlackCall("response_url", args, None, path=request.url.path))
        return Response("ok")

    async def _download_images(self, blocks: Any) -> bool:
        """Fetch the picture of every image block, as Slack does before it shows a message;
        False when one cannot be had (not 200, or not an image)."""
        urls = [
            str(b.get("image_url"))
            for b in blocks or []
            if isinstance(b, dict) and b.get("type") == "image" and b.get("image_url")
        ]
        if not urls:
            return True
        if self._tls is None:
            self._tls = ssl.create_default_context()
        async with httpx.AsyncClient(timeout=10, verify=self._tls) as client:
            for url in urls:
                try:
                    answer = await client.get(url)
                except httpx.HTTPError:
                    return False
                if answer.status_code != 200 or not answer.headers.get("content-type", "").startswith(
                    "image/"
                ):
                    return False
                self.images[url] = answer.content
        return True

    async def _upload(self, request: Request) -> Response:
        file_id = request.path_params["file_id"]
        form = await request.form()
        data = b""
        for value in form.values():
            if not isinstance(value, str):
                data = await value.read()
        if not data:
            data = await request.body()
        self.uploads[file_id] = data
        await self._record(SlackCall("upload", {"file_id": file_id, "size": len(data)}, None))
        return Response("OK")
