"""``POST /autoshares/webhooks``: AutoShares' signed events (alert.triggered, order.*).

The raw body must carry ``X-AutoShares-Signature: sha256=<hex HMAC-SHA256 of the body keyed
with AUTOSHARES_WEBHOOK_SECRET>``; anything else (no secret configured, header missing, wrong
digest) is 401 and changes nothing. The body's size is capped by ``bot.edge`` before this route
reads it. A signed event the bot cannot use (not a JSON object, an id that is not an AutoShares
id, no data) is 400 and changes nothing; an event type the bot does not follow is 200 and
counted as ignored. A valid event is deduplicated on its ``id`` in the same transaction as its
effect's claim, so a repeated delivery answers 200 and does nothing. Slack messages are owed to
the outbox in the same transaction and go out after the answer (AutoShares wants a 2xx within 5
seconds).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.core.usecases import UseCases
from bot.ops.metrics import Metrics
from storage.alerts import FireOutcome
from storage.records import autoshares_id

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-AutoShares-Signature"
ALERT_EVENT = "alert.triggered"
ORDER_EVENTS = frozenset(
    {
        "order.created",
        "order.filled",
        "order.partial_fill",
        "order.cancelled",
        "order.rejected",
        "order.expired",
    }
)


def signature(secret: str, body: bytes) -> str:
    """The header value AutoShares sends for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_is_valid(secret: str | None, body: bytes, header: str | None) -> bool:
    """Constant-time check of the signature header; always False without a secret.

    Compared as bytes: ``compare_digest`` refuses a str with non-ASCII characters, and a header
    may carry any.
    """
    if not secret or not header:
        return False
    return hmac.compare_digest(signature(secret, body).encode(), header.strip().encode())


#: Column sizes of ``processed_webhooks`` (an id is never truncated: two ids must never collide).
MAX_EVENT_ID_CHARS = 128
MAX_EVENT_TYPE_CHARS = 64


@dataclass(frozen=True)
class WebhookEvent:
    """A signed delivery the bot can act on."""

    id: str
    type: str
    data: dict[str, Any]


def read_event(event: object) -> WebhookEvent | str:
    """The event in a parsed body, or what makes it unusable (a short phrase for the log).

    The envelope needs an ``id`` (a string, or an AutoShares id) and a ``type``; the events the
    bot follows need a ``data`` object whose ``Id`` is an AutoShares id (required for an alert,
    optional for an order, which may be found by its ``ClientId`` instead).
    """
    if not isinstance(event, dict):
        return "the body is not a JSON object"
    raw_id, event_type, data = event.get("id"), event.get("type"), event.get("data")
    event_id = raw_id if isinstance(raw_id, str) else str(autoshares_id(raw_id) or "")
    if not event_id or len(event_id) > MAX_EVENT_ID_CHARS:
        return "the event id is missing or unusable"
    if not isinstance(event_type, str) or not event_type or len(event_type) > MAX_EVENT_TYPE_CHARS:
        return "the event type is missing or unusable"
    if event_type != ALERT_EVENT and event_type not in ORDER_EVENTS:
        return WebhookEvent(event_id, event_type, data if isinstance(data, dict) else {})
    if not isinstance(data, dict):
        return "the event carries no data object"
    data_id = data.get("Id")
    if event_type == ALERT_EVENT and autoshares_id(data_id) is None:
        return "the alert id is missing or not an AutoShares id"
    if data_id is not None and autoshares_id(data_id) is None:
        return "the order id is not an AutoShares id"
    return WebhookEvent(event_id, event_type, data)


def _unauthorized() -> Response:
    return JSONResponse({"error": "invalid_signature"}, status_code=401)


def webhook_route(core: UseCases, metrics: Metrics, secret: str | None) -> Route:
    """The Starlette route, bound to this process's use cases."""

    async def receive(request: Request) -> Response:
        body = await request.body()
        if not signature_is_valid(secret, body, request.headers.get(SIGNATURE_HEADER)):
            if not secret:
                log.warning("a webhook arrived but AUTOSHARES_WEBHOOK_SECRET is not set; refused")
            else:
                log.warning("a webhook with a missing or wrong signature was refused")
            metrics.webhook_rejected("signature")
            return _unauthorized()
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            log.warning("a signed webhook that is not JSON was refused")
            metrics.webhook_rejected("malformed")
            return JSONResponse({"error": "invalid_json"}, status_code=400)
        event = read_event(parsed)
        if isinstance(event, str):
            log.warning("a signed webhook the bot cannot use was refused: %s", event)
            metrics.webhook_rejected("malformed")
            return JSONResponse({"error": "invalid_event"}, status_code=400)
        event_id, event_type, data = event.id, event.type, event.data
        duplicate = ignored = False
        if event_type == ALERT_EVENT:
            result = await core.alerts.on_triggered(event_id, data)
            duplicate = result.outcome is FireOutcome.DUPLICATE
        elif event_type in ORDER_EVENTS:
            update = await core.orders.apply_order_event(data, event_id=event_id, event_type=event_type)
            duplicate = update.duplicate
        else:
            duplicate = not await core.alerts.routes.remember(event_id, event_type)
            ignored = True
        log.info("webhook %s (%s)%s", event_type, event_id, " repeated; ignored" if duplicate else "")
        if duplicate:
            metrics.webhook_duplicate()
        elif ignored:
            metrics.webhook_ignored("type")
        else:
            metrics.webhook_accepted()
        return JSONResponse({"ok": True, "duplicate": duplicate})

    return Route("/autoshares/webhooks", receive, methods=["POST"])
