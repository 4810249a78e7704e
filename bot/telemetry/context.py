"""Request-scoped log context: who asked for what, on every log line written while handling it.

Each Slack request gets a :class:`RequestContext` (request id, team, user, command) held in a
``contextvars.ContextVar``. :func:`request_scope` sets it around one dispatch and restores the
previous value afterwards. Bolt lazy listeners run as tasks created *inside* the dispatch, and
asyncio copies the current context into every new task, so their log lines carry the same
fields without anything being passed along. :class:`ContextFilter` copies the fields onto each
``LogRecord`` so the JSON formatter (``bot.app.logs``) can print them.
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

FIELDS = ("request_id", "team", "user", "command")


@dataclass
class RequestContext:
    """What one Slack request is about. ``kind`` and ``name`` label metrics, not log lines."""

    request_id: str
    team: str | None = None
    user: str | None = None
    command: str | None = None
    kind: str = "other"  # command, action, view, shortcut, options, event, other
    name: str = "unknown"  # subcommand, action_id, callback_id or event type (bounded)

    def fields(self) -> dict[str, str]:
        return {k: v for k in FIELDS if (v := getattr(self, k))}


_current: ContextVar[RequestContext | None] = ContextVar("autoshares_request", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def current() -> RequestContext | None:
    """The context of the request being handled in this task (or the one that spawned it)."""
    return _current.get()


@contextlib.contextmanager
def request_scope(context: RequestContext) -> Iterator[RequestContext]:
    """Make ``context`` current for the block; tasks created inside keep it after it ends."""
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


_VARIABLE_TAIL = re.compile(r"[:#|/.-][^:#|/.-]*\d[^:#|/.-]*$")


def metric_name(raw: str | None) -> str:
    """A bounded label from an action_id or callback_id: drop a trailing id such as ``:42``."""
    if not raw:
        return "unknown"
    name = str(raw)
    for _ in range(3):
        trimmed = _VARIABLE_TAIL.sub("", name)
        if trimmed == name or not trimmed:
            break
        name = trimmed
    return name[:64]


def describe(body: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """``(kind, name, command)`` of a Slack request body, for metrics labels and log lines.

    ``command`` is what a person would recognise in a log: ``/autoshares link``, ``/quote``,
    ``action order_confirm``. Only the first word of a slash command's text is kept: the rest
    may be long and is not needed to find the request.
    """
    if body.get("command"):
        command = str(body["command"])
        first = str(body.get("text") or "").strip().split(" ", 1)[0][:32]
        shown = f"{command} {first}".strip() if command == "/autoshares" else command
        return "command", command, shown
    payload_type = body.get("type")
    if payload_type == "block_actions":
        actions = body.get("actions")
        action = actions[0] if isinstance(actions, list) and actions else None
        name = metric_name(action.get("action_id") if isinstance(action, dict) else None)
        return "action", name, f"action {name}"
    if payload_type in {"view_submission", "view_closed"}:
        view = body.get("view")
        name = metric_name(view.get("callback_id") if isinstance(view, dict) else None)
        return "view", name, f"view {name}"
    if payload_type in {"shortcut", "message_action"}:
        name = metric_name(body.get("callback_id"))
        return "shortcut", name, f"shortcut {name}"
    if payload_type in {"block_suggestion", "dialog_suggestion"}:
        name = metric_name(body.get("action_id"))
        return "options", name, f"options {name}"
    if payload_type == "event_callback":
        event = body.get("event")
        name = metric_name(event.get("type") if isinstance(event, dict) else None)
        return "event", name, f"event {name}"
    return "other", metric_name(str(payload_type or "unknown")), None


class ContextFilter(logging.Filter):
    """Adds the current request's fields to every record (a record's own ``extra`` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        if context is not None:
            for name, value in context.fields().items():
                if not getattr(record, name, None):
                    setattr(record, name, value)
        return True
