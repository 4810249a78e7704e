"""``POST /autoshares/webhooks``: AutoShares' signed events (alert.triggered, order.*).

The raw body must carry ``X-AutoShares-Signature: sha256=<hex HMAC-SHA256 of the body keyed
with AUTOSHARES_WEBHOOK_SECRET>``; anything else (no secret configured, header missing, wrong
digest) is 401 and changes nothing. The body's size is capped by ``bot.app.edge`` before this route
reads it. A signed event the bot cannot use (not a JSON object, an id that is not usable, no
data object for an order or alert event, an order, alert or account id that is not an
AutoShares id) is 400 and changes nothing. A valid event is deduplicated on its ``id`` in the
same transaction as its effect's claim, so a repeated delivery answers 200 and does nothing.
Slack messages are owed to the outbox in the same transaction and go out after the answer
(AutoShares wants a 2xx within 5 seconds).

``data`` is read in the documented camelCase shape or the older PascalCase one
(``bot.autoshares.resources.events``). Order events and alert.triggered are acted on; the other documented
types (position.*, transfer.*, account.updated) are answered 200 and counted, by type (a
transfer event also has that account's followed transfers read at once), and a
type no page lists is answered 200 and counted as ignored. An event that cannot be settled yet
(an order still being placed here, AutoShares unable to confirm an alert) is answered 503 with
nothing recorded: AutoShares delivers it again (1 min, 5 min, 30 min, 2 h, 12 h).
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

from bot.autoshares.resources.events import data_problem
from bot.core.events import DOCUMENTED_EVENTS, TRANSFER_EVENTS, EventOutcome, event_kind
from bot.core.usecases import UseCases
from bot.telemetry.metrics import Metrics
from storage.records import autoshares_id

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-AutoShares-Signature"


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
    account_id: int | None = None


def read_event(event: object) -> WebhookEvent | str:
    """The event in a parsed body, or what makes it unusable (a short phrase for the log).

    The envelope needs an ``id`` (a string, or an AutoShares id) and a ``type``; an ``accountId``
    must be an AutoShares id. The events the bot acts on (order.*, alert.triggered) need a
    ``data`` object, and any order or alert id in it must be an AutoShares id (an order may
    be found by its ``ClientId`` instead); an alert event names its alert or, as documented,
    its symbol.
    """
    if not isinstance(event, dict):
        return "the body is not a JSON object"
    raw_id, event_type, data = event.get("id"), event.get("type"), event.get("data")
    event_id = raw_id if isinstance(raw_id, str) else str(autoshares_id(raw_id) or "")
    if not event_id or len(event_id) > MAX_EVENT_ID_CHARS:
        return "the event id is missing or unusable"
    if not isinstance(event_type, str) or not event_type or len(event_type) > MAX_EVENT_TYPE_CHARS:
        return "the event type is missing or unusable"
    raw_account = event.get("accountId")
    account_id = autoshares_id(raw_account)
    if raw_account is not None and account_id is None:
        return "the account id is not an AutoShares id"
    if event_kind(event_type) not in {"order", "alert"}:
        return WebhookEvent(event_id, event_type, data if isinstance(data, dict) else {}, account_id)
    if not isinstance(data, dict):
        return "the event carries no data object"
    problem = data_problem(event_kind(event_type), data, lambda value: autoshares_id(value) is not None)
    if problem is not None:
        return problem
    return WebhookEvent(event_id, event_type, data, account_id)


def _unauthorized() -> Response:
    return JSONResponse({"error": "invalid_signature"}, status_code=401)


async def handle_event(core: UseCases, event: WebhookEvent) -> EventOutcome:
    """Act on one signed event by its type; ``data`` is read by ``bot.core.events``."""
    kind = event_kind(event.type)
    if kind == "alert":
        return await core.alerts.on_triggered(event.id, event.data)
    if kind == "order":
        update = await core.orders.apply_order_event(
            event.data, event_id=event.id, event_type=event.type, account_id=event.account_id
        )
        if update.deferred:
            return EventOutcome.RETRY
        return EventOutcome.DUPLICATE if update.duplicate else EventOutcome.DONE
    if event.type in TRANSFER_EVENTS and event.account_id is not None:
        # Told once whatever the order: the transfer pass would find it too, later.
        await core.transfers.check_account(event.account_id)
    remembered = await core.alerts.routes.remember(event.id, event.type)
    return EventOutcome.DONE if remembered else EventOutcome.DUPLICATE


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
        outcome = await handle_event(core, event)
        event_id, event_type = event.id, event.type
        if outcome is EventOutcome.RETRY:
            log.info(
                "webhook %s (%s) cannot be settled yet; AutoShares will send it again", event_type, event_id
            )
            metrics.webhook_rejected("not_yet")
            return JSONResponse({"ok": False, "retry": True}, status_code=503)
        duplicate = outcome is EventOutcome.DUPLICATE
        log.info("webhook %s (%s)%s", event_type, event_id, " repeated; ignored" if duplicate else "")
        kind = event_kind(event_type)
        if duplicate:
            metrics.webhook_duplicate()
        elif kind == "other":
            metrics.webhook_ignored("type")
        else:
            metrics.webhook_accepted()
        if not duplicate:
            metrics.webhook_event(event_type if event_type in DOCUMENTED_EVENTS else "other", kind)
        return JSONResponse({"ok": True, "duplicate": duplicate})

    return Route("/autoshares/webhooks", receive, methods=["POST"])
