"""``POST /slack/events``: what a Slack request must pass before Bolt sees it.

Three cheap checks, in this order, each answered at once:

1. **Signature** (401). ``X-Slack-Signature`` must be Slack's v0 HMAC-SHA256 of the raw body,
   and ``X-Slack-Request-Timestamp`` ASCII digits within five minutes of now. It is checked on
   the bytes, before anything is parsed, so no header or body shape can raise, and nothing from
   an unverified body (team, user, command) reaches a log line: the request's log context is
   built by ``bot.app.slack_app`` only for what passed here.
2. **Shape** (400). The body must be UTF-8 and read, the way Bolt reads it, as a JSON object
   (JSON for events, a form for commands, a form ``payload=`` for interactivity), with the
   fields Bolt's listener matching indexes present and of the right type. Signed garbage gets
   a 400 and a warning, never a traceback.
3. **Replay** (200, empty body). The SHA-256 of the body is inserted-or-ignored in
   ``slack_requests`` (``storage.replays``, one indexed write, grouped with the other requests
   arriving meanwhile into one transaction; each request waits for its own row's commit). Slack's retries
   (``X-Slack-Retry-Num``) and a replay of captured bytes inside the signature window carry the
   same body, so they are acknowledged and not handled again. Options requests
   (``block_suggestion``) are read-only and legitimately repeat byte for byte, so they are not
   remembered. The write has its own short limit (``ACK_DATABASE_SECONDS``, enforced by the
   database too: see ``storage.replays``), so a locked or slow database cannot hold the ack
   past Slack's 3 seconds; nor can a burst of requests queued for its connection. If the hash
   cannot be stored in time, work that cannot be deduplicated is not started, and the person is
   told so in one sentence (the database, or the bot busy): a slash command in
   its 200 answer, a click at its ``response_url`` (Slack ignores a click's 200 body). A request
   nobody is waiting on (an event, a modal submission) gets 503 at once, which Slack retries.
   Nothing was recorded, so the retry, Slack's or the person's, is handled normally.

That is all that runs before the ack: the checks, the replay row (with a durable click's
intent), then Bolt's ack listener, which does no I/O. Everything else (the link read,
AutoShares, the answer at the ``response_url``) runs after it, in Bolt's lazy listener.

Bolt then checks the signature once more (microseconds), which keeps Socket Mode and HTTP on
the same Bolt path. Headers starting ``X-Slack-Bolt-`` are dropped: Bolt reads them as
instructions (run only a lazy listener), and they are not covered by the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.core.tasks import BackgroundTasks
from bot.telemetry.metrics import Metrics
from handlers.clicks import intent_of
from handlers.errors import ACK_BUSY, DATABASE_UNREACHABLE
from handlers.notify import SlackSession, answer_in_place
from storage.replays import SlackRequestLog

log = logging.getLogger(__name__)

#: Slack asks apps to refuse a request whose timestamp is further than this from now (a replay
#: inside the window is caught by the body hash).
SIGNATURE_WINDOW_SECONDS = 5 * 60
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
#: Headers Bolt treats as instructions; nothing from outside may set them.
BOLT_CONTROL_HEADER_PREFIX = "x-slack-bolt-"
#: Payload types that only read (they answer with options) and repeat byte for byte.
UNREMEMBERED_TYPES = frozenset({"block_suggestion", "dialog_suggestion"})


def slack_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature over the raw bytes (what slack_sdk's SignatureVerifier
    computes for a UTF-8 body; bytes here so that a body that is not UTF-8 cannot raise)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def signature_is_valid(
    signing_secret: str, body: bytes, timestamp: str | None, signature: str | None, *, now: float
) -> bool:
    """True only for a fresh timestamp of digits and the right signature; never raises."""
    if not timestamp or not signature or not _TIMESTAMP.fullmatch(timestamp):
        return False
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        return False
    expected = slack_signature(signing_secret, timestamp, body)
    return hmac.compare_digest(expected.encode(), signature.encode())


def _kind_of(body: Mapping[str, Any], field: str, wanted: type | tuple[type, ...]) -> bool:
    return isinstance(body.get(field), wanted)


def shape_problem(body: object) -> str | None:
    """What makes a parsed body unreadable for Bolt and the handlers, or None when it is fine."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    for field in ("user", "team", "channel", "enterprise"):
        if body.get(field) is not None and not _kind_of(body, field, (str, dict)):
            return f"{field} is neither an id nor an object"
    if "authorizations" in body and not (
        isinstance(body["authorizations"], list) and all(isinstance(a, dict) for a in body["authorizations"])
    ):
        return "authorizations is not a list of objects"
    if "command" in body:
        if not _kind_of(body, "command", str) or not body["command"].startswith("/"):
            return "command is not a slash command"
        if body.get("text") is not None and not _kind_of(body, "text", str):
            return "text is not text"
        return None
    kind = body.get("type")
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return "block_actions without actions"
        if not all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions):
            return "an action without an action_id"
    elif kind in {"view_submission", "view_closed"}:
        view = body.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("callback_id"), str):
            return f"{kind} without a view callback_id"
    elif kind in {"shortcut", "message_action"}:
        if not _kind_of(body, "callback_id", str):
            return f"{kind} without a callback_id"
    elif kind in UNREMEMBERED_TYPES:
        if not _kind_of(body, "action_id", str) and not _kind_of(body, "callback_id", str):
            return f"{kind} without an action_id"
    elif kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event_callback without an event type"
        if event["type"] == "function_executed":
            return _step_problem(event)
    return None


def _step_problem(event: Mapping[str, Any]) -> str | None:
    """A workflow step's run: Bolt matches ``function.callback_id`` and hands ``inputs`` over."""
    function = event.get("function")
    if not isinstance(function, dict) or not isinstance(function.get("callback_id"), str):
        return "function_executed without a function callback_id"
    if not _kind_of(event, "function_execution_id", str):
        return "function_executed without a function_execution_id"
    if event.get("inputs") is not None and not _kind_of(event, "inputs", dict):
        return "function_executed inputs are not an object"
    return None


def bolt_request(request: Request, text: str) -> AsyncBoltRequest | str:
    """The request as Bolt will see it, or why Bolt could not read it.

    Bolt's constructor parses the body and reads its ids with plain indexing; whatever a signed
    body makes it trip on is malformed input, answered 400, not a server error.
    """
    headers: dict[str, str | Sequence[str]] = {
        k: v for k, v in request.headers.items() if not k.startswith(BOLT_CONTROL_HEADER_PREFIX)
    }
    try:
        parsed = AsyncBoltRequest(body=text, query=str(request.url.query), headers=headers)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError):
        # json.JSONDecodeError is a ValueError; no detail is kept, it may quote the body.
        return "the body is not what Slack sends"
    return shape_problem(parsed.body) or parsed


class SlackGate:
    """Verifies, reads and deduplicates Slack's HTTP requests, then dispatches them to Bolt."""

    def __init__(
        self,
        bolt: AsyncApp,
        signing_secret: str,
        replays: SlackRequestLog,
        metrics: Metrics,
        *,
        tasks: BackgroundTasks | None = None,
        session: SlackSession | None = None,
    ) -> None:
        self.bolt = bolt
        self.signing_secret = signing_secret
        self.replays = replays
        self.metrics = metrics
        self.tasks = tasks or BackgroundTasks()
        self.session = session

    async def handle(self, request: Request) -> Response:
        body = await request.body()  # capped by bot.app.edge
        headers = request.headers
        if not signature_is_valid(
            self.signing_secret,
            body,
            headers.get("x-slack-request-timestamp"),
            headers.get("x-slack-signature"),
            now=time.time(),
        ):
            log.warning("a Slack request with a missing, stale or wrong signature was refused")
            self.metrics.slack_request("rejected", "signature")
            return JSONResponse({"error": "invalid_signature"}, status_code=401)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self._malformed("the body is not UTF-8")
        read = bolt_request(request, text)
        if isinstance(read, str):
            return self._malformed(read)
        if read.body.get("type") not in UNREMEMBERED_TYPES:
            try:
                first = await self.replays.first_time(body, intent_of(read.body))
            except (SQLAlchemyError, OSError, TimeoutError) as error:
                return self._unremembered(read.body, error)
            if not first:
                log.info("a repeated Slack request was acknowledged and not handled again")
                self.metrics.slack_request("duplicate")
                return Response(status_code=200)
        self.metrics.slack_request("accepted")
        return to_starlette_response(await self.bolt.async_dispatch(read))

    def _unremembered(self, body: Mapping[str, Any], error: BaseException) -> Response:
        """The answer to a request whose hash could not be stored in time: it is not handled,
        and whoever is waiting on it is told why plainly (the bot busy with other requests, or
        its database not answering)."""
        busy = isinstance(error, TimeoutError)  # queued for a connection, never written
        reason = "busy" if busy else "storage_timeout" if _is_lock_wait(error) else "storage"
        log.warning(
            "a Slack request was not handled: it could not be remembered within ACK_DATABASE_SECONDS (%s)",
            "waited for a connection" if busy else type(error).__name__,
        )
        self.metrics.slack_request("unavailable", reason)
        words = ACK_BUSY if busy else DATABASE_UNREACHABLE
        if "command" in body:
            return JSONResponse({"response_type": "ephemeral", "text": words})
        response_url = body.get("response_url")
        if body.get("type") == "block_actions" and isinstance(response_url, str):
            self.tasks.spawn(
                answer_in_place(response_url, {"text": words}, replace=False, session=self.session)
            )
            return Response(status_code=200)
        return JSONResponse({"error": "unavailable"}, status_code=503)

    def _malformed(self, problem: str) -> Response:
        log.warning("a signed Slack request that could not be read was refused: %s", problem)
        self.metrics.slack_request("rejected", "malformed")
        return JSONResponse({"error": "invalid_request"}, status_code=400)


def _is_lock_wait(error: BaseException) -> bool:
    """SQLite's "database is locked" and PostgreSQL's lock or statement timeout, as SQLAlchemy
    wraps them."""
    words = str(getattr(error, "orig", error)).lower()
    return "locked" in words or "lock timeout" in words or "statement timeout" in words
