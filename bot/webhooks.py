"""``POST /autoshares/webhooks``: AutoShares' signed events (alert.triggered, order.*).

The raw body must carry ``X-AutoShares-Signature: sha256=<hex HMAC-SHA256 of the body keyed
with AUTOSHARES_WEBHOOK_SECRET>``; anything else (no secret configured, header missing, wrong
digest) is 401 and changes nothing. A valid event is deduplicated on its ``id`` in the same
transaction as its effect's claim, so a repeated delivery answers 200 and does nothing. Slack
messages are owed to the outbox in the same transaction and go out after the answer
(AutoShares wants a 2xx within 5 seconds).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.core.usecases import UseCases
from bot.ops.metrics import Metrics
from storage.alerts import FireOutcome

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-AutoShares-Signature"
MAX_BODY_BYTES = 1_000_000
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
    """Constant-time check of the signature header; always False without a secret."""
    if not secret or not header:
        return False
    return hmac.compare_digest(signature(secret, body), header.strip())


def _unauthorized() -> Response:
    return JSONResponse({"error": "invalid_signature"}, status_code=401)


def webhook_route(core: UseCases, metrics: Metrics, secret: str | None) -> Route:
    """The Starlette route, bound to this process's use cases."""

    async def receive(request: Request) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return JSONResponse({"error": "too_large"}, status_code=413)
        body = await request.body()
        if not signature_is_valid(secret, body, request.headers.get(SIGNATURE_HEADER)):
            if not secret:
                log.warning("a webhook arrived but AUTOSHARES_WEBHOOK_SECRET is not set; refused")
            else:
                log.warning("a webhook with a missing or wrong signature was refused")
            metrics.webhook_rejected("signature")
            return _unauthorized()
        try:
            event = json.loads(body)
        except ValueError:
            metrics.webhook_rejected("malformed")
            return JSONResponse({"error": "invalid_json"}, status_code=400)
        if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
            metrics.webhook_rejected("malformed")
            return JSONResponse({"error": "invalid_event"}, status_code=400)
        event_id, event_type = str(event["id"]), str(event["type"])
        raw_data = event.get("data")
        data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
        duplicate = False
        if event_type == "alert.triggered":
            result = await core.alerts.on_triggered(event_id, data)
            duplicate = result.outcome is FireOutcome.DUPLICATE
        elif event_type in ORDER_EVENTS:
            update = await core.orders.apply_order_event(data, event_id=event_id, event_type=event_type)
            duplicate = update.duplicate
        else:
            duplicate = not await core.alerts.routes.remember(event_id, event_type)
        log.info("webhook %s (%s)%s", event_type, event_id, " repeated; ignored" if duplicate else "")
        if duplicate:
            metrics.webhook_duplicate()
        else:
            metrics.webhook_accepted()
        return JSONResponse({"ok": True, "duplicate": duplicate})

    return Route("/autoshares/webhooks", receive, methods=["POST"])
