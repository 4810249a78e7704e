"""The console script as an operator runs it: keygen, db upgrade, and serve with the embedded
sandbox, answering health checks and stopping cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from bot.serving import bind_socket

CLI = [sys.executable, "-m", "bot.cli"]


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 60, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI as a person runs it, from a folder of its own (``cwd``, else a fresh empty one)."""
    if cwd is None:
        url = env.get("DATABASE_URL", "")
        cwd = (
            Path(url.removeprefix("sqlite:///")).parent
            if url.startswith("sqlite:///")
            else Path(tempfile.mkdtemp())
        )
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd)


def base_env(tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH", "SYSTEMROOT"}}
    return {**keep, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def test_keygen_prints_a_usable_key(tmp_path: Path) -> None:
    result = run_cli("keygen", env=base_env(tmp_path))
    assert result.returncode == 0
    Fernet(result.stdout.strip().encode())  # raises when it is not a Fernet key


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    result = run_cli("db", "upgrade", env=base_env(tmp_path))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"linked_users", "link_states", "pending_orders", "alert_routes", "slack_installations"} <= tables


def test_serve_refuses_a_bad_setting_with_one_line(tmp_path: Path) -> None:
    env = {**base_env(tmp_path), "SLACK_SIGNING_SECRET": "x", "SLACK_BOT_TOKEN": "xoxb-1", "PORT": "eighty"}
    result = run_cli("serve", env=env, timeout=30)
    assert result.returncode == 2
    *problems, hint = result.stderr.strip().splitlines()
    assert any("PORT must be a whole number" in p for p in problems)
    assert all(p.startswith("autoshares-bot: configuration error: ") for p in problems)
    assert "autoshares-bot check" in hint and "Traceback" not in result.stderr


def test_serve_names_every_problem_at_once(tmp_path: Path) -> None:
    env = {
        **base_env(tmp_path),
        "SLACK_BOT_TOKEN": "not-a-bot-token",
        "AUTH0_DOMAIN": "tenant.example.com",
        "AUTOSHARES_API_URL": "https://api.example.com",
        "PORT": "eighty",
    }
    result = run_cli("serve", env=env, timeout=30)
    assert result.returncode == 2
    err = result.stderr
    for named in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "PORT", "TOKEN_ENCRYPTION_KEY"):
        assert named in err, named
    assert "AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET and AUTOSHARES_APP_KEY are missing" in err
    assert "Traceback" not in err and "autoshares-bot check" in err


def test_settings_come_from_the_env_file_where_the_command_runs(tmp_path: Path) -> None:
    """A .env in the current folder is read (not one next to the installed package), and
    --env-file names another; the environment wins over both."""
    here = tmp_path / "deploy"
    here.mkdir()
    (here / ".env").write_text("DATABASE_URL=sqlite:///from-dotenv.db\n")
    env = {k: v for k, v in base_env(tmp_path).items() if k != "DATABASE_URL"}
    assert run_cli("db", "upgrade", env=env, cwd=here).returncode == 0
    assert (here / "from-dotenv.db").exists()
    other = tmp_path / "other.env"
    other.write_text("DATABASE_URL=sqlite:///from-env-file.db\n")
    assert run_cli("--env-file", str(other), "db", "upgrade", env=env, cwd=here).returncode == 0
    assert (here / "from-env-file.db").exists()
    missing = run_cli("--env-file", str(tmp_path / "nope.env"), "db", "upgrade", env=env, cwd=here)
    assert missing.returncode == 2 and "--env-file" in missing.stderr


def test_version_and_help_for_every_command(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    version = run_cli("--version", env=env)
    assert version.returncode == 0 and version.stdout.startswith("autoshares-bot ")
    commands = (
        "serve",
        "manifest",
        "sandbox",
        "demo",
        "check",
        "keygen",
        "rotate-key",
        "db",
        "audit",
        "outbox",
    )
    for command in commands:
        shown = run_cli(command, "--help", env=env)
        assert shown.returncode == 0, command
        described = shown.stdout.split("options:", 1)[0]
        assert len(described.strip().splitlines()) > 1, f"{command} --help says nothing"
        options = shown.stdout.split("options:", 1)[-1]
        # every option but -h has its own help text
        for line in options.splitlines()[1:]:
            if line.strip().startswith("-") and not line.strip().startswith("-h"):
                assert len(line.split("  ")) > 1 or line.rstrip().endswith(("]", "PATH", "ROWS", "URL")), line


async def test_serve_with_the_embedded_sandbox_answers_health_and_stops_on_sigterm(tmp_path: Path) -> None:
    sock = bind_socket()
    port = sock.getsockname()[1]
    sock.close()
    env = {
        **base_env(tmp_path),
        "SLACK_SIGNING_SECRET": "cli-test-signing-secret",
        "SLACK_BOT_TOKEN": "xoxb-cli-test",
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": "cli-test-client-secret",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",  # never called by health checks
        "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "PORT": str(port),
        "LOG_FORMAT": "json",
    }
    process = await asyncio.create_subprocess_exec(
        *CLI, "serve", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=tmp_path
    )
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            for _ in range(100):
                try:
                    health = await http.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("serve did not start listening within 10 s")
            assert health.status_code == 200
            ready = await http.get(f"http://127.0.0.1:{port}/readyz")
            assert ready.status_code == 200, ready.text
            login = await http.get(f"http://127.0.0.1:{port}/autoshares/login?state=nope")
            assert login.status_code == 400 and "not one we issued" in login.text
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 15)
        _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert code == 0, stderr.decode()[-2000:]
    logged = stderr.decode()
    assert "embedded AutoShares sandbox" in logged
    assert env["SLACK_SIGNING_SECRET"] not in logged and env["TOKEN_ENCRYPTION_KEY"] not in logged
    lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    # a normal start warns about nothing, and every line carries an RFC 3339 UTC time in ms
    assert [line["msg"] for line in lines if line["level"] in {"warning", "error"}] == []
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["ts"]) for line in lines)


DOWN_DATABASE = "postgresql://user:secret@127.0.0.1:1/x"


@pytest.mark.parametrize("command", [["serve"], ["db", "upgrade"], ["audit"], ["rotate-key"]])
def test_a_database_that_is_down_is_one_line_naming_database_url(tmp_path: Path, command: list[str]) -> None:
    env = {
        **base_env(tmp_path),
        "DATABASE_URL": DOWN_DATABASE,
        "SLACK_SIGNING_SECRET": "cli-test-signing-secret",
        "SLACK_BOT_TOKEN": "xoxb-cli-test",
        "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    result = run_cli(*command, env=env, timeout=30)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL" in lines[0] and "postgresql://user:***@127.0.0.1:1/x" in lines[0]
    assert "secret" not in result.stderr + result.stdout
