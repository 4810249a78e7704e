"""The console script as an operator runs it: keygen, db upgrade, and serve with the embedded
sandbox, answering health checks and stopping cleanly on SIGTERM; with Socket Mode, serve exits 2
with one line when Slack refuses the app token, and otherwise serves, says whether it is ready,
and stops on SIGTERM or SIGINT whatever the socket is doing (connecting, waiting to retry,
connected)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from bot.app.serving import bind_socket
from bot.cli import main as cli_main
from bot.devkit.localslack import LocalSlack, ScriptedFailure
from tests.conftest import CLIENT_TLS

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


def test_check_names_every_bad_setting_in_one_run(tmp_path: Path) -> None:
    """`autoshares-bot check` reads every setting in one pass: six bad ones, six lines, each
    naming its setting, and the probes that do not depend on them still run."""
    bad = {
        "DEFAULT_ROLE": "wizard",
        "CHART_URL_SECONDS": "-1",
        "APPROVAL_SECONDS": "abc",
        "OUTBOX_LEASE_SECONDS": "0",
        "CHANNEL_PACE_SECONDS": "x",
        "ORDER_SETTLE_SECONDS": "-5",
    }
    env = {
        **base_env(tmp_path),
        "SLACK_SIGNING_SECRET": "x",
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        **bad,
    }
    result = run_cli("check", env=env, timeout=60)
    assert result.returncode == 1
    out = result.stdout.splitlines()
    settings_lines = [line for line in out if line.startswith("problem  settings: ")]
    assert len(settings_lines) == len(bad)
    for name, value in bad.items():
        assert any(line.startswith(f"problem  settings: {name} must be ") for line in settings_lines), name
        assert any(name in line and value in line for line in settings_lines), name
    assert any(line.startswith("problem  database: ") for line in out)  # no SQLite file yet: still probed
    assert "Traceback" not in result.stderr


def test_database_commands_name_every_bad_setting_one_a_line(tmp_path: Path) -> None:
    env = {**base_env(tmp_path), "PORT": "eighty", "DATABASE_URL": "mysql://db/bot"}
    result = run_cli("db", "upgrade", env=env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "autoshares-bot: configuration error: PORT must be a whole number from 1 to 65535, got 'eighty'",
        "autoshares-bot: configuration error: DATABASE_URL must use sqlite or postgresql, got scheme 'mysql'",
    ]


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


def test_version_and_help_for_every_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The installed command answers --version; each command's --help (argparse's own output,
    read in-process: the same parser the command runs) describes it and every option."""
    version = run_cli("--version", env=base_env(tmp_path))
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
        with pytest.raises(SystemExit) as exited:
            cli_main([command, "--help"])
        assert exited.value.code == 0, command
        stdout = capsys.readouterr().out
        described = stdout.split("options:", 1)[0]
        assert len(described.strip().splitlines()) > 1, f"{command} --help says nothing"
        options = stdout.split("options:", 1)[-1]
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
    async with serving(env, port, tmp_path) as served:
        health = await served.get("healthz")
        assert health.status_code == 200
        ready = await served.get("readyz")
        assert ready.status_code == 200, ready.text
        login = await served.get("autoshares/login?state=nope")
        assert login.status_code == 400 and "not one we issued" in login.text
        code = await served.stop(signal.SIGTERM)
        logged = served.stderr
    assert code == 0, logged[-2000:]
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


# -- serve with Socket Mode -------------------------------------------------------------------------
APP_TOKEN = "xapp-1-A0AUTOSHARES-1-cli-test"
#: SIGTERM or SIGINT stops serve within 5 s, whatever Socket Mode is doing.
STOPS_WITHIN_SECONDS = 5


class Serving:
    """``autoshares-bot serve`` in a subprocess: its port, and its stderr lines as they come."""

    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}/"
        self.lines: list[str] = []
        self._more = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            async with self._more:
                self.lines.append(raw.decode().rstrip("\n"))
                self._more.notify_all()

    @property
    def stderr(self) -> str:
        return "\n".join(self.lines)

    async def wait_for_lines(self, pattern: str, count: int = 1, timeout: float = 15) -> list[str]:
        """Wait until ``count`` stderr lines contain ``pattern``; returns them."""

        def found() -> list[str]:
            return [line for line in self.lines if pattern in line]

        async with self._more:
            await asyncio.wait_for(self._more.wait_for(lambda: len(found()) >= count), timeout)
        return found()

    async def get(self, path: str, until_status: int | None = None, timeout: float = 15) -> httpx.Response:
        """GET ``path`` once it listens (and, with ``until_status``, once it answers that)."""
        async with httpx.AsyncClient(timeout=5, verify=CLIENT_TLS) as http, asyncio.timeout(timeout):
            while True:
                try:
                    response = await http.get(self.url + path)
                except httpx.TransportError:
                    response = None
                if response is not None and until_status in {None, response.status_code}:
                    return response
                await asyncio.sleep(0.05)

    async def stop(self, sig: signal.Signals) -> int:
        """Send ``sig``; the exit status, which must come within STOPS_WITHIN_SECONDS."""
        self.process.send_signal(sig)
        return await self.exited(STOPS_WITHIN_SECONDS)

    async def exited(self, timeout: float) -> int:
        """The exit status, once the process has exited and all its stderr is read."""
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await self._reader
        return code


@contextlib.asynccontextmanager
async def serving(env: dict[str, str], port: int, cwd: Path | None = None) -> AsyncIterator[Serving]:
    """``autoshares-bot serve`` with exactly ``env`` (run in ``cwd``: no stray .env), killed at the end."""
    process = await asyncio.create_subprocess_exec(
        *CLI, "serve", env=env, cwd=cwd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    served = Serving(process, port)
    try:
        yield served
    finally:
        if process.returncode is None:
            process.kill()
        await served.exited(STOPS_WITHIN_SECONDS)


def socket_mode_env(tmp_path: Path, slack_api_url: str) -> tuple[dict[str, str], int]:
    sock = bind_socket()
    port = sock.getsockname()[1]
    sock.close()
    env = {
        **base_env(tmp_path),
        "SLACK_SIGNING_SECRET": "cli-test-signing-secret",
        "SLACK_BOT_TOKEN": "xoxb-cli-test",
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": slack_api_url,
        "SOCKET_MODE_RETRY_SECONDS": "0.2",
        "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "PORT": str(port),
        "LOG_FORMAT": "json",
    }
    return env, port


async def test_serve_exits_2_with_one_line_when_slack_rejects_the_app_token(
    tmp_path: Path, local_slack: LocalSlack
) -> None:
    local_slack.fail_next("apps.connections.open", ScriptedFailure("invalid_auth"))
    env, port = socket_mode_env(tmp_path, local_slack.base_url + "api/")
    async with serving(env, port) as served:
        code = await served.exited(30)
    assert code == 2, served.stderr
    naming = [line for line in served.lines if "SLACK_APP_TOKEN" in line]
    assert naming == [
        "autoshares-bot: configuration error: Slack rejected SLACK_APP_TOKEN (invalid_auth): create an "
        "app-level token with connections:write under Basic Information > App-Level Tokens"
    ]
    assert "Traceback" not in served.stderr and APP_TOKEN not in served.stderr
    assert [call.method for call in local_slack.refused] == ["apps.connections.open"]


@contextlib.contextmanager
def never_answering() -> Iterator[str]:
    """A Web API URL whose server accepts connections and never answers: a connect that hangs."""
    sock = bind_socket()
    sock.listen()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/api/"
    finally:
        sock.close()


async def test_serve_keeps_serving_while_slack_is_unreachable_and_stops_on_sigterm(tmp_path: Path) -> None:
    env, port = socket_mode_env(tmp_path, "http://127.0.0.1:9/api/")  # nothing listens there
    async with serving(env, port) as served:
        assert (await served.get("healthz")).status_code == 200
        warnings = await served.wait_for_lines("Socket Mode cannot connect to Slack", count=2)
        down = await served.get("readyz")
        assert down.status_code == 503
        assert "cannot connect to Slack" in down.json()["down"]["socket_mode"]
        code = await served.stop(signal.SIGTERM)
    assert code == 0, served.stderr[-2000:]
    entries = [json.loads(line) for line in warnings]
    assert all(entry["level"] == "warning" and "exc" not in entry for entry in entries)
    waits = [float(entry["msg"].rsplit("retrying in ", 1)[1].removesuffix(" s")) for entry in entries]
    assert waits[0] < waits[1], waits  # the wait grows
    about_slack = [json.loads(line) for line in served.lines if "127.0.0.1:9" in line]
    assert {(entry["logger"], entry["level"]) for entry in about_slack} == {("bot.app.socket_mode", "warning")}
    assert "Traceback" not in served.stderr


async def test_serve_stops_on_sigint_while_slack_does_not_answer(tmp_path: Path) -> None:
    with never_answering() as api_url:
        env, port = socket_mode_env(tmp_path, api_url)
        async with serving(env, port) as served:
            down = await served.get("readyz")
            assert down.json()["down"]["socket_mode"] == "connecting to Slack"
            code = await served.stop(signal.SIGINT)
    assert code == 0, served.stderr[-2000:]
    assert "Traceback" not in served.stderr


async def test_serve_is_ready_once_connected_and_stops_on_sigint(
    tmp_path: Path, local_slack: LocalSlack
) -> None:
    socket_server = local_slack.socket_mode
    socket_server.unreachable = True  # the handshake is turned away until the bot was seen unready
    env, port = socket_mode_env(tmp_path, local_slack.base_url + "api/")
    async with serving(env, port) as served:
        await socket_server.wait_until(lambda: socket_server.turned_away >= 1, timeout=15)
        down = await served.get("readyz")
        assert down.status_code == 503 and "socket_mode" in down.json()["down"]
        socket_server.unreachable = False
        await socket_server.wait_connected(timeout=15)
        ready = await served.get("readyz", until_status=200)
        assert ready.json() == {"status": "ready"}
        code = await served.stop(signal.SIGINT)
        await socket_server.wait_until(lambda: not socket_server.connected)
    assert code == 0, served.stderr[-2000:]
    assert "Traceback" not in served.stderr
