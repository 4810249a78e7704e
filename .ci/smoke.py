"""The wheel as a new user runs it: from an empty folder holding only a `.env`.

Run with the Python of a fresh virtualenv that has the built wheel installed (`.ci/run` does),
from outside the checkout, so nothing of the repository is importable. It starts the local Slack
stand-in that ships in the wheel, writes a `.env`, then runs `autoshares-bot check`,
`autoshares-bot db upgrade` and `autoshares-bot serve` (with the embedded AutoShares sandbox),
asks `/healthz`, and sends one signed `/autoshares help` that must be answered at its
response_url. The wheel is installed without extras: neither matplotlib nor rich is there, and
`autoshares-bot demo` says how to install its extra. Exits non-zero on the first step that does
not do what it should.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import parse_qs

import httpx
from cryptography.fernet import Fernet

from bot.app.serving import bind_socket, serve_in_loop
from bot.devkit.driver import SlackDriver
from bot.devkit.localslack import LocalSlack

CLI = [str(Path(sys.executable).parent / "autoshares-bot")]


def step(name: str, ok: bool, detail: str = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ""), flush=True)
    if not ok:
        raise SystemExit(1)


async def main() -> None:
    step(
        "installed without the charts and demo extras",
        find_spec("matplotlib") is None and find_spec("rich") is None,
        "matplotlib or rich is installed: install the wheel without extras",
    )
    folder = Path(tempfile.mkdtemp(prefix="autoshares-smoke-"))
    os.chdir(folder)
    slack = LocalSlack()
    async with serve_in_loop(slack.app()) as slack_server:
        slack.base_url = slack_server.url
        sock = bind_socket()
        port = sock.getsockname()[1]
        sock.close()
        signing_secret = secrets.token_hex(16)
        (folder / ".env").write_text(
            "\n".join(
                [
                    f"SLACK_SIGNING_SECRET={signing_secret}",
                    "SLACK_BOT_TOKEN=xoxb-smoke",
                    f"SLACK_CLIENT_ID={slack.identity.client_id}",
                    f"SLACK_CLIENT_SECRET={slack.identity.client_secret}",
                    f"SLACK_API_URL={slack_server.url}api/",
                    f"TOKEN_ENCRYPTION_KEY={Fernet.generate_key().decode()}",
                    "DATABASE_URL=sqlite:///smoke.db",
                    f"PORT={port}",
                    f"PUBLIC_URL=http://127.0.0.1:{port}",
                ]
            )
            + "\n"
        )
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "AUTH0_", "AUTOSHARES_", "DATABASE_URL"))
        }

        upgrade = await asyncio.to_thread(
            subprocess.run, [*CLI, "db", "upgrade"], env=clean, capture_output=True, text=True, timeout=120
        )
        step("db upgrade from the .env of this folder", upgrade.returncode == 0, upgrade.stderr)
        step("the database is where the .env says", (folder / "smoke.db").exists())
        check = await asyncio.to_thread(
            subprocess.run, [*CLI, "check"], env=clean, capture_output=True, text=True, timeout=120
        )
        settings_ok = "problem  settings" not in check.stdout and "problem  database" not in check.stdout
        step("check reads the settings and the database", settings_ok, check.stdout + check.stderr)
        demo = await asyncio.to_thread(
            subprocess.run, [*CLI, "demo"], env=clean, capture_output=True, text=True, timeout=120
        )
        step(
            "demo without its extra says how to install it",
            demo.returncode == 2 and "pip install 'autoshares-slack[demo]'" in demo.stderr,
            demo.stdout + demo.stderr,
        )

        server = await asyncio.create_subprocess_exec(
            *CLI, "serve", env=clean, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                for _ in range(300):
                    try:
                        health = await http.get(f"http://127.0.0.1:{port}/healthz")
                        break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
                else:
                    step("serve starts listening", False, "nothing listens after 30 s")
                step("/healthz", health.status_code == 200, health.text)
                driver = SlackDriver(
                    http, f"http://127.0.0.1:{port}/", signing_secret, slack.base_url, team_id=slack.team_id
                )
                body = driver.command_body("/autoshares", "help", user="U0SMOKE")
                acked = await driver.post(body, "application/x-www-form-urlencoded")
                step("a signed /autoshares help is acknowledged", acked.status_code == 200, acked.text)
                path = "/" + parse_qs(body)["response_url"][0].split("/", 3)[3]
                await slack.wait_until(
                    lambda: any(c.path == path for c in slack.by_method("response_url")), 30
                )
                answer = next(c for c in slack.by_method("response_url") if c.path == path)
                step(
                    "it is answered at its response_url", "/autoshares link" in str(answer.args.get("blocks"))
                )
        finally:
            server.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(server.wait(), 30)
            stderr = (await server.stderr.read()).decode() if server.stderr else ""
        step("serve stops on SIGTERM", code == 0, stderr[-2000:])
    print("the wheel serves from an empty folder holding a .env")


if __name__ == "__main__":
    asyncio.run(main())
