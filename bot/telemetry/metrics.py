"""Prometheus metrics for one process, in its own ``CollectorRegistry`` (no module globals).

``Services`` holds one :class:`Metrics`; ``GET /metrics`` renders it. Feature code counts what
it does through the attributes and methods below, for example::

    services.metrics.orders_placed.inc()
    services.metrics.alerts_fired.inc()
    services.metrics.webhook_accepted()          # or webhook_rejected("signature")
    services.metrics.slack_request("duplicate")  # a Slack retry acknowledged, not handled

Label values are kept to small, fixed sets (subcommand names, action ids without their
variable tail, AutoShares endpoint templates such as ``GET /accounts/{accountId}/orders``),
never user ids, symbols or free text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 3.0, 5.0)
CALL_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
PASS_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

WEBHOOK_REJECT_REASONS = frozenset({"signature", "stale", "malformed", "not_yet", "unknown"})
#: ``slack_requests_total`` outcomes and the reasons of the ``rejected`` and ``unavailable`` ones.
SLACK_REQUEST_OUTCOMES = frozenset({"accepted", "duplicate", "rejected", "unavailable"})
SLACK_REQUEST_REASONS = frozenset({"", "signature", "malformed", "storage", "storage_timeout", "busy"})


class PollPassFigures(Protocol):
    """What a background pass reports (``bot.core.passes.PassReport`` has these)."""

    @property
    def kind(self) -> str: ...
    @property
    def seconds(self) -> float: ...
    @property
    def rows(self) -> int: ...
    @property
    def paced(self) -> int: ...
    @property
    def backed_off(self) -> int: ...
    @property
    def failed(self) -> int: ...


@dataclass(frozen=True)
class MetricSpec:
    """One metric: the ``Metrics`` attribute that holds it, its type, name, help and labels."""

    attribute: str
    kind: type[Counter] | type[Histogram] | type[Gauge]
    name: str
    documentation: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] | None = None

    def build(self, registry: CollectorRegistry) -> Counter | Histogram | Gauge:
        """The metric, registered in ``registry``."""
        if self.buckets is not None:
            return Histogram(
                self.name, self.documentation, self.labels, buckets=self.buckets, registry=registry
            )
        return self.kind(self.name, self.documentation, self.labels, registry=registry)


#: Every metric the bot exports, in the order ``/metrics`` lists them.
METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "commands",
        Counter,
        "autoshares_commands",
        "Slash subcommands handled, by subcommand and outcome (ok, invalid, unknown, an error code)",
        ("command", "outcome"),
    ),
    MetricSpec(
        "actions",
        Counter,
        "autoshares_actions",
        "Buttons, modals, shortcuts and option loads acknowledged, by kind, name and outcome",
        ("kind", "action", "outcome"),
    ),
    MetricSpec(
        "ack_seconds",
        Histogram,
        "autoshares_slack_ack_seconds",
        "Time from Bolt dispatch to the response Slack waits for (must stay well under 3 s)",
        ("kind",),
        buckets=ACK_BUCKETS,
    ),
    MetricSpec(
        "autoshares_call_seconds",
        Histogram,
        "autoshares_api_call_seconds",
        "AutoShares API call latency by endpoint (each attempt, retries included)",
        ("endpoint",),
        buckets=CALL_BUCKETS,
    ),
    MetricSpec(
        "autoshares_errors",
        Counter,
        "autoshares_api_errors",
        "AutoShares API calls that failed, by endpoint and HTTP status (network = no answer)",
        ("endpoint", "status"),
    ),
    MetricSpec(
        "token_refreshes",
        Counter,
        "autoshares_token_refreshes",
        "AutoShares access tokens refreshed",
    ),
    MetricSpec(
        "orders_placed",
        Counter,
        "autoshares_orders_placed",
        "Orders placed at AutoShares after a confirmation",
    ),
    MetricSpec(
        "alerts_fired",
        Counter,
        "autoshares_alerts_fired",
        "Price alert notifications posted to Slack",
    ),
    MetricSpec(
        "outbox_messages",
        Counter,
        "autoshares_outbox_messages",
        "Messages the bot owed Slack, by outcome: delivered, retried (Slack did not take it yet), "
        "dead (gave up; listed by `autoshares-bot outbox --state dead`)",
        ("outcome",),
    ),
    MetricSpec(
        "webhook_deliveries",
        Counter,
        "autoshares_webhook_deliveries",
        "AutoShares webhook deliveries, by outcome (accepted, duplicate, rejected) and reason",
        ("outcome", "reason"),
    ),
    MetricSpec(
        "webhook_events",
        Counter,
        "autoshares_webhook_events",
        "New (not repeated) AutoShares webhook events by type (a documented type, or other) and "
        "what the bot does with them: order and alert (acted on), counted (documented, no use "
        "here), other",
        ("type", "kind"),
    ),
    MetricSpec(
        "poll_pass_seconds",
        Histogram,
        "autoshares_poll_pass_seconds",
        "Time one background pass took, by kind (alerts, orders): keep it under its interval",
        ("kind",),
        buckets=PASS_BUCKETS,
    ),
    MetricSpec(
        "poll_rows",
        Counter,
        "autoshares_poll_rows",
        "Alert routes and orders background passes checked, by kind",
        ("kind",),
    ),
    MetricSpec(
        "poll_skipped",
        Counter,
        "autoshares_poll_skipped",
        "Checks a background pass left for a later one, by kind and reason (paced: the user's "
        "allowance was spent; backed_off: AutoShares answered 429; failed)",
        ("kind", "reason"),
    ),
    MetricSpec(
        "unreadable_secrets",
        Gauge,
        "autoshares_unreadable_secrets",
        "Stored rows no TOKEN_ENCRYPTION_KEY decrypts, as last counted, by kind (linked_user, sign_in)",
        ("kind",),
    ),
    MetricSpec(
        "slack_requests",
        Counter,
        "autoshares_slack_requests",
        "Slack HTTP requests by outcome (accepted, duplicate = a retry or replay acknowledged "
        "without handling, rejected, unavailable) and reason (signature, malformed, storage)",
        ("outcome", "reason"),
    ),
    MetricSpec(
        "request_bodies_too_large",
        Counter,
        "autoshares_request_bodies_too_large",
        "HTTP requests refused with 413 because the body passed MAX_BODY_BYTES",
    ),
)


class Metrics:
    """Every metric the bot exports (one attribute per entry of :data:`METRICS`). ``render()``
    gives the text exposition format."""

    content_type = CONTENT_TYPE_LATEST

    commands: Counter
    actions: Counter
    ack_seconds: Histogram
    autoshares_call_seconds: Histogram
    autoshares_errors: Counter
    token_refreshes: Counter
    orders_placed: Counter
    alerts_fired: Counter
    outbox_messages: Counter
    webhook_deliveries: Counter
    webhook_events: Counter
    poll_pass_seconds: Histogram
    poll_rows: Counter
    poll_skipped: Counter
    unreadable_secrets: Gauge
    slack_requests: Counter
    request_bodies_too_large: Counter

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        for spec in METRICS:
            setattr(self, spec.attribute, spec.build(self.registry))

    # -- helpers feature code calls -------------------------------------------------------------
    def command(self, name: str, outcome: str) -> None:
        """One slash subcommand handled, and how it ended."""
        self.commands.labels(command=name, outcome=outcome).inc()

    def action(self, kind: str, name: str, outcome: str) -> None:
        """One button, modal, shortcut or option load acknowledged, and how."""
        self.actions.labels(kind=kind, action=name, outcome=outcome).inc()

    def outbox(self, outcome: str) -> None:
        """One message owed to Slack: delivered, retried or dead."""
        self.outbox_messages.labels(outcome=outcome).inc()

    def webhook_accepted(self) -> None:
        """One new AutoShares webhook delivery taken."""
        self.webhook_deliveries.labels(outcome="accepted", reason="").inc()

    def webhook_duplicate(self) -> None:
        """One AutoShares webhook delivery already handled (acknowledged, not acted on)."""
        self.webhook_deliveries.labels(outcome="duplicate", reason="").inc()

    def webhook_ignored(self, reason: str = "type") -> None:
        """A valid delivery the bot has no use for (an event type it does not follow)."""
        self.webhook_deliveries.labels(outcome="ignored", reason=reason).inc()

    def slack_request(self, outcome: str, reason: str = "") -> None:
        """One Slack HTTP request's fate at the door (``bot.app.slack_gate``)."""
        outcome = outcome if outcome in SLACK_REQUEST_OUTCOMES else "rejected"
        reason = reason if reason in SLACK_REQUEST_REASONS else "malformed"
        self.slack_requests.labels(outcome=outcome, reason=reason).inc()

    def webhook_event(self, event_type: str, kind: str) -> None:
        """One new event of ``event_type`` (a documented type or ``other``), handled as ``kind``."""
        self.webhook_events.labels(type=event_type, kind=kind).inc()

    def webhook_rejected(self, reason: str = "signature") -> None:
        """``reason``: signature, stale, malformed, not_yet (answered 503 so that AutoShares
        sends it again) or unknown (anything else counts as unknown)."""
        reason = reason if reason in WEBHOOK_REJECT_REASONS else "unknown"
        self.webhook_deliveries.labels(outcome="rejected", reason=reason).inc()

    def unreadable_counted(self, linked_users: int, sign_ins: int) -> None:
        """The last count of rows the configured keys cannot decrypt (``bot.app.stored_keys``)."""
        self.unreadable_secrets.labels(kind="linked_user").set(linked_users)
        self.unreadable_secrets.labels(kind="sign_in").set(sign_ins)

    def poll_pass(self, report: PollPassFigures) -> None:
        """One background pass ended (``bot.core.passes.PassReport``)."""
        self.poll_pass_seconds.labels(kind=report.kind).observe(report.seconds)
        self.poll_rows.labels(kind=report.kind).inc(report.rows)
        for reason in ("paced", "backed_off", "failed"):
            count = getattr(report, reason)
            if count:
                self.poll_skipped.labels(kind=report.kind, reason=reason).inc(count)

    def observe_autoshares(self, method: str, endpoint: str, status: int | None, seconds: float) -> None:
        """The ``AutoSharesClient.observe`` hook: one call to ``endpoint`` took ``seconds``."""
        del method  # the endpoint template already starts with the method
        self.autoshares_call_seconds.labels(endpoint=endpoint).observe(seconds)
        if status is None or status >= 400:
            self.autoshares_errors.labels(endpoint=endpoint, status=str(status or "network")).inc()

    # -- reading ----------------------------------------------------------------------------------
    def value(self, name: str, **labels: str) -> float:
        """Current value of a sample (``autoshares_orders_placed_total``...); 0 when never set."""
        return self.registry.get_sample_value(name, labels) or 0.0

    def render(self) -> bytes:
        """Every metric in the text exposition format, for ``GET /metrics``."""
        return generate_latest(self.registry)
