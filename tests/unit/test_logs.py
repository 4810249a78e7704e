from __future__ import annotations

import io
import json
import logging

from cryptography.fernet import Fernet

from bot.ops.logs import configure_logging, redact
from bot.settings import Settings


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
