"""Logging: JSON lines (plain text on a terminal), and a filter that redacts secrets.

The redaction filter masks anything shaped like a Slack token, a bearer token, an OAuth
``code=``/``state=``/``token=``/``secret=`` parameter, a Socket Mode ``ticket=`` or a chart
URL's ``sig=`` (also percent-encoded, as in a logged form body), a Fernet ciphertext, or a Slack ``response_url``
(``https://hooks.slack.com/…``, the local stand-in's ``/response/…``, any ``response_url=``
value), whatever logger it came from. A sign-in state or code lets whoever holds it finish
someone's sign-in, a response_url lets whoever holds it post into their conversation for 30
minutes, a ticket opens a Socket Mode connection for the app, and a signed chart URL shows a
user's private chart, so none may reach a log line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from bot.app.settings import Settings
from bot.telemetry.context import ContextFilter

#: A path separator as it appears in a plain, JSON-escaped or percent-encoded URL.
_SLASH = r"(?:/|\\/|%2[Ff])"
#: A quote, plain or percent-encoded (a JSON payload inside a logged form body).
_QUOTE = r"(?:['\"]|%22)"
#: Where a parameter name starts: not inside a longer word, or right after an encoded ", & or ?.
_KEY_START = r"(?:(?<![A-Za-z0-9_])|(?<=%22)|(?<=%26)|(?<=%3[Ff]))"

REDACTIONS = [
    (re.compile(r"xox[abpre]-[A-Za-z0-9-]+"), "xox?-[redacted]"),
    (re.compile(r"xapp-[A-Za-z0-9-]+"), "xapp-[redacted]"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    # Slack response URLs: real ones, and the local stand-in's (tests and the demo).
    (re.compile(rf"(?i)(hooks\.slack(?:-gov)?\.com)(?:{_SLASH}[A-Za-z0-9_.~-]*)+"), r"\1/[redacted]"),
    (re.compile(rf"({_SLASH})response({_SLASH})[A-Za-z0-9_.~-]+"), r"\1response\2[redacted]"),
    (
        re.compile(
            rf"(?i){_KEY_START}(code|state|access_token|refresh_token|id_token|token|client_secret|secret|password"
            r"|code_verifier|response_url|ticket|sig)"
            rf"({_QUOTE}?\s*(?:[=:]|%3[Dd]|%3[Aa])\s*{_QUOTE}?)((?:(?!%22|%26)[^&\s\"',}}])+)"
        ),
        r"\1\2[redacted]",
    ),
    (re.compile(r"gAAAAA[A-Za-z0-9_-]{20,}={0,2}"), "[redacted-ciphertext]"),
]


def redact(text: str) -> str:
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with secrets masked (args are folded in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not drop the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


CONTEXT_FIELDS = ("request_id", "team", "user", "command")


def rfc3339(record: logging.LogRecord) -> str:
    """``2026-11-30T12:00:00.123Z``: RFC 3339, UTC, milliseconds."""
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": rfc3339(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value:
                entry[name] = value
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """Plain lines for a terminal, with the request's context fields appended when present."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        return rfc3339(record)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = " ".join(f"{n}={v}" for n in CONTEXT_FIELDS if (v := getattr(record, n, None)))
        return f"{line} [{fields}]" if fields else line


def configure_logging(settings: Settings, stream: Any = None) -> None:
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    use_json = settings.log_format == "json" or (settings.log_format == "auto" and not stream.isatty())
    handler.setFormatter(JsonFormatter() if use_json else TextFormatter())
    handler.addFilter(ContextFilter())  # request id, team, user, command (bot.telemetry.context)
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for noisy in ("httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
