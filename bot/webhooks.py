"""``POST /autoshares/webhooks``: AutoShares' signed events (alert.triggered, order.*).

The raw body must carry ``X-AutoShares-Signature: sha256=<hex HMAC-SHA256 of the body keyed
with AUTOSHARES_WEBHOOK_SECRET>``; anything else (no secret configured, header missing, wrong
digest) is 401 and changes nothing. A valid event is deduplicated on its ``id`` in the same
transaction as its effect's claim, so a repeated delivery answers 200 and does nothing. Slack
messages are owed to the outbox in the same transaction and go out after the answer
(AutoShares wants a 2xx within 5 seconds).

``data`` is read in the documented camelCase shape or the older PascalCase one
(``bot.core.events``). Order events and alert.triggered are acted on; the other documented
types (position.*, transfer.*, account.updated) are answered 200 and counted, by type. An event
that cannot be settled yet (an order still being placed here, AutoShares unable to confirm an
alert) is answered 503 with nothing recorded: AutoShares delivers it again (1 min, 5 min, 30
min, 2 h, 12 h).
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

from bot.core.events import DOCUMENTED_EVENTS, EventOutcome, event_kind
from bot.core.usecases import UseCases
from bot.ops.metrics import Metrics

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-AutoShares-Signature"
MAX_BODY_BYTES = 1_000_000


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


async def handle_event(core: UseCases, event_id: str, event_type: str, event: dict[str, Any]) -> EventOutcome:
    """Act on one signed event by its type; ``data`` is read by ``bot.core.events``."""
    raw_data = event.get("data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    kind = event_kind(event_type)
    if kind == "alert":
        return await core.alerts.on_triggered(event_id, data)
    if kind == "order":
        update = await core.orders.apply_order_event(
            data, event_id=event_id, event_type=event_type, account_id=event.get("accountId")
        )
        if update.deferred:
            return EventOutcome.RETRY
        return EventOutcome.DUPLICATE if update.duplicate else EventOutcome.DONE
    remembered = await core.alerts.routes.remember(event_id, event_type)
    return EventOutcome.DONE if remembered else EventOutcome.DUPLICATE


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
        outcome = await handle_event(core, event_id, event_type, event)
        if outcome is EventOutcome.RETRY:
            log.info(
                "webhook %s (%s) cannot be settled yet; AutoShares will send it again", event_type, event_id
            )
            metrics.webhook_rejected("not_yet")
            return JSONResponse({"ok": False, "retry": True}, status_code=503)
        duplicate = outcome is EventOutcome.DUPLICATE
        log.info("webhook %s (%s)%s", event_type, event_id, " repeated; ignored" if duplicate else "")
        if duplicate:
            metrics.webhook_duplicate()
        else:
            metrics.webhook_accepted()
            metrics.webhook_event(
                event_type if event_type in DOCUMENTED_EVENTS else "other", event_kind(event_type)
            )
        return JSONResponse({"ok": True, "duplicate": duplicate})

    return Route("/autoshares/webhooks", receive, methods=["POST"])
