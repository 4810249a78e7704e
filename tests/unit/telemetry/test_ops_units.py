"""Pure pieces of the operational layer: request description, log context across tasks,
metrics labels, and the transcript renderer (which must never let message text become HTML)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.devkit.transcript import Entry, Transcript, mrkdwn_to_text, render_blocks
from bot.telemetry.context import ContextFilter, RequestContext, current, describe, metric_name, request_scope
from bot.telemetry.metrics import Metrics


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"command": "/autoshares", "text": "link now"}, ("command", "/autoshares", "/autoshares link")),
        ({"command": "/order", "text": "buy 10 AAPL"}, ("command", "/order", "/order")),
        (
            {"type": "block_actions", "actions": [{"action_id": "order_confirm"}]},
            ("action", "order_confirm", "action order_confirm"),
        ),
        (
            {"type": "block_actions", "actions": [{"action_id": "alert_delete:42"}]},
            ("action", "alert_delete", "action alert_delete"),
        ),
        (
            {"type": "view_submission", "view": {"callback_id": "order_ticket"}},
            ("view", "order_ticket", "view order_ticket"),
        ),
        (
            {"type": "event_callback", "event": {"type": "app_home_opened"}},
            ("event", "app_home_opened", "event app_home_opened"),
        ),
        ({}, ("other", "unknown", None)),
    ],
)
def test_describe_names_requests_with_bounded_labels(body: dict, expected: tuple) -> None:
    assert describe(body) == expected


def test_metric_name_drops_variable_tails_only() -> None:
    assert metric_name("positions_next") == "positions_next"
    assert metric_name("order_cancel_open:12345") == "order_cancel_open"
    assert metric_name("share|AAPL|MSFT-2") == "share|AAPL|MSFT"
    assert metric_name(None) == "unknown"
    assert len(metric_name("x" * 500)) == 64


async def test_context_follows_tasks_created_inside_the_scope() -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("test.context")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    release = asyncio.Event()

    async def lazy_work() -> None:
        await release.wait()  # runs after the scope has ended, like a lazy listener
        logger.info("lazy line")

    try:
        with request_scope(RequestContext("r1", team="T1", user="U1", command="/quote")):
            task = asyncio.ensure_future(lazy_work())
            logger.info("ack line")
        assert current() is None
        logger.info("outside")
        release.set()
        await task
    finally:
        logger.removeHandler(handler)
    by_message = {r.getMessage(): r for r in records}
    assert by_message["ack line"].request_id == "r1"  # type: ignore[attr-defined]
    assert by_message["lazy line"].request_id == "r1"  # type: ignore[attr-defined]
    assert by_message["lazy line"].command == "/quote"  # type: ignore[attr-defined]
    assert not hasattr(by_message["outside"], "request_id")


def test_metrics_are_per_instance_and_count_errors_by_endpoint() -> None:
    one, two = Metrics(), Metrics()
    one.observe_autoshares("GET", "GET /equities/{symbol}", 200, 0.05)
    one.observe_autoshares("GET", "GET /equities/{symbol}", 503, 0.2)
    one.observe_autoshares("POST", "POST /accounts/{accountId}/orders", None, 10.0)
    one.webhook_rejected("forged-by-someone")
    one.orders_placed.inc()
    assert one.value("autoshares_api_call_seconds_count", endpoint="GET /equities/{symbol}") == 2
    assert one.value("autoshares_api_errors_total", endpoint="GET /equities/{symbol}", status="503") == 1
    assert (
        one.value(
            "autoshares_api_errors_total", endpoint="POST /accounts/{accountId}/orders", status="network"
        )
        == 1
    )
    assert one.value("autoshares_webhook_deliveries_total", outcome="rejected", reason="unknown") == 1
    assert one.value("autoshares_orders_placed_total") == 1
    assert two.value("autoshares_orders_placed_total") == 0  # no shared global registry
    assert b"autoshares_orders_placed_total 1.0" in one.render()


def test_mrkdwn_is_shown_as_a_reader_sees_it() -> None:
    names = {"U0ALICE": "alice", "C0TRADING": "#trading"}
    text = "*Bold* <@U0ALICE> in <#C0TRADING|trading> :bell: see <https://x.example/a|the page> &lt;3 _note_"
    assert mrkdwn_to_text(text, names) == "Bold @alice in #trading 🔔 see the page <3 note"
    assert mrkdwn_to_text("<!channel> hi") == "@channel hi"
    assert mrkdwn_to_text("2 * 3 * 4") == "2 * 3 * 4"


def test_blocks_render_buttons_fields_and_context() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Order"}},
        {
            "type": "section",
            "fields": [{"type": "mrkdwn", "text": "*Cost* $10"}, {"type": "mrkdwn", "text": "*Fee* $0"}],
        },
        {
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Confirm"}}],
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "expires in 2 minutes"}]},
    ]
    assert render_blocks(blocks) == ["ORDER", "  Cost $10    Fee $0", "  [Confirm]", "  expires in 2 minutes"]


def test_html_transcript_escapes_message_text() -> None:
    transcript = Transcript()
    transcript.add(Entry("mallory", "typed", "#general", ["<script>alert(1)</script>"]))
    transcript.add(transcript.bot("answered", "", {"text": "&lt;img src=x onerror=alert(1)&gt;"}))
    page = transcript.to_html()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
