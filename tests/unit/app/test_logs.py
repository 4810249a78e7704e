from __future__ import annotations

import io
import json
import logging

import pytest
from cryptography.fernet import Fernet

from bot.app.logs import JsonFormatter, TextFormatter, configure_logging, redact
from bot.app.settings import Settings


def test_redact_masks_tokens_codes_and_ciphertext() -> None:
    ciphertext = Fernet(Fernet.generate_key()).encrypt(b"x").decode()
    line = (
        "xoxb-123-456-abcdef Authorization: Bearer eyJabc.def.ghi "
        "GET /autoshares/callback?state=s1&code=c0de123 refresh_token=rt-999 "
        f'{{"client_secret": "cs-1"}} {ciphertext}'
    )
    out = redact(line)
    for secret in ("xoxb-123-456-abcdef", "eyJabc.def.ghi", "c0de123", "rt-999", "cs-1", ciphertext, "s1&"):
        assert secret not in out
    assert "/autoshares/callback" in out


def test_json_logs_are_redacted() -> None:
    settings = Settings.from_env({"LOG_FORMAT": "json"}, require_slack=False)
    stream = io.StringIO()
    configure_logging(settings, stream)
    try:
        logging.getLogger("bot.test").info("token=%s", "abc123secret", extra={"team": "T1"})
        entry = json.loads(stream.getvalue().strip())
        assert entry["team"] == "T1"
        assert "abc123secret" not in entry["msg"]
    finally:
        logging.getLogger().handlers.clear()


@pytest.mark.parametrize(
    "line",
    [
        "GET /autoshares/login?state=SeCrEt-1_x HTTP/1.1",
        "{'state': 'SeCrEt-1_x', 'code': 'SeCrEt-2'}",
        "redirect_uri=http%3A%2F%2Fbot%2Fcb%3Fstate%3DSeCrEt-1_x%26code%3DSeCrEt-2",
        "Sending a request - url: https://hooks.slack.com/commands/T1/99/SeCrEt-3, body: {}",
        '{"response_url":"https:\\/\\/hooks.slack.com\\/actions\\/T1\\/99\\/SeCrEt-3","text":"hi"}',
        "token=t&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F99%2FSeCrEt-3&user_id=U1",
        "payload=%7B%22response_url%22%3A%22https%3A%2F%2Fhooks.slack.com%2Factions%2FT1%2F9%2FSeCrEt-3%22%7D",
        "payload=%7B%22state%22%3A%22SeCrEt-1_x%22%2C%22type%22%3A%22view_submission%22%7D",
        "response_url: https://example.org/elsewhere/SeCrEt-3",
        "Sending a request - url: http://127.0.0.1:38955/response/SeCrEt-3, body: {}",
        '127.0.0.1:47208 - "POST /response/SeCrEt-3 HTTP/1.1" 200',
        "> GET /link/?ticket=SeCrEt-4&app_id=A1 HTTP/1.1",
        '{"ok": true, "url": "wss://wss-primary.slack.com/link/?ticket=SeCrEt-4&app_id=A1"}',
    ],
)
def test_redact_masks_sign_in_states_codes_response_urls_and_socket_tickets(line: str) -> None:
    out = redact(line)
    assert "SeCrEt" not in out, out
    assert "[redacted]" in out


def test_redact_keeps_what_an_operator_needs() -> None:
    line = 'POST /slack/events "HTTP/1.1" 200 command=/order error_code=not_linked hooks.slack.com'
    assert redact(line) == line


def test_timestamps_are_rfc3339_utc_with_milliseconds() -> None:
    record = logging.LogRecord("bot", logging.INFO, __file__, 1, "started", None, None)
    record.created = 1_795_000_000.123456  # 2026-11-18T11:06:40.123 UTC
    assert json.loads(JsonFormatter().format(record))["ts"] == "2026-11-18T11:06:40.123Z"
    assert TextFormatter().format(record).startswith("2026-11-18T11:06:40.123Z INFO    bot: started")
