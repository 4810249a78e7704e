"""`autoshares-bot`: serve, sandbox, demo, check, keygen, rotate-key, db upgrade, audit.

Commands that need the database (serve, db upgrade, audit, rotate-key) first make sure it
answers, so a database that is down or a wrong DATABASE_URL is one line naming the setting
(password masked) and exit status 2, not a driver traceback. In the same way, ``serve`` stops
with one line naming SLACK_APP_TOKEN and exit status 2 when Slack refuses that token.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.app.settings import Settings, generate_encryption_key
from bot.core.errors import ConfigError

if TYPE_CHECKING:
    from bot.app.socket_mode import SocketMode
    from storage.keys import Rotation

log = logging.getLogger("bot")


class DatabaseUnavailable(Exception):
    """The database a command needs does not answer (the message names DATABASE_URL)."""


def _require_database(settings: Settings, *, existing: bool = False, migrated: bool = False) -> None:
    """Stop with :class:`DatabaseUnavailable` unless the database answers. ``existing``: a
    missing SQLite file is an error, not something to create; ``migrated``: the schema must be
    at the code's revision."""
    from bot.app.database_probe import database_problem, sqlite_file_problem
    from storage.db import create_engine

    async def probe() -> str | None:
        """The database's problem in one line, or None when it answers (and is migrated if asked)."""
        engine = create_engine(settings.async_database_url)
        try:
            return await database_problem(engine, migrations=migrated)
        finally:
            await engine.dispose()

    found = (sqlite_file_problem(settings.async_database_url) if existing else None) or asyncio.run(probe())
    if found:
        raise DatabaseUnavailable(f"DATABASE_URL: {found[:1].upper()}{found[1:]}")


def _load_env(args: argparse.Namespace) -> dict[str, str]:
    """The environment, with the ``.env`` of the folder the command runs in (or ``--env-file``)
    filling what it does not set; never a ``.env`` next to where the package is installed."""
    from dotenv import find_dotenv, load_dotenv

    path = args.env_file or find_dotenv(usecwd=True)
    if args.env_file and not os.path.isfile(args.env_file):
        raise ConfigError(f"--env-file {args.env_file} does not exist")
    if path:
        load_dotenv(path, override=False)
    return dict(os.environ)


@contextlib.asynccontextmanager
async def autoshares_for(settings: Settings) -> AsyncIterator[Settings]:
    """Yield settings pointing at real AutoShares, or at an embedded sandbox when none is set."""
    if not settings.uses_embedded_sandbox:
        yield settings
        return
    from sandbox.config import SandboxConfig
    from sandbox.server import running_sandbox

    config = SandboxConfig.from_env(os.environ)
    async with running_sandbox(config, host="127.0.0.1", port=0) as sb:
        log.info("AUTH0_DOMAIN is not set: using the embedded AutoShares sandbox at %s", sb.url)
        yield settings.with_sandbox(
            sb.url, app_key=config.app_key, client_id=config.client_id, client_secret=config.client_secret
        )


async def _serve(settings: Settings) -> None:
    from bot.app.logs import configure_logging
    from bot.app.serving import bind_socket, serve_in_loop
    from bot.app.web import create_web_app
    from bot.app.wiring import Services

    configure_logging(settings)
    rejected: str | None = None
    async with autoshares_for(settings) as effective:
        services = await Services.create(effective)
        app = create_web_app(services)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        sock = bind_socket("0.0.0.0", effective.port)
        async with serve_in_loop(app, sock=sock) as server:
            log.info(
                "serving on port %s; Slack request URL %sslack/events", server.port, effective.public_url
            )
            rejected = await _until_stopped(stop, app.state.socket_mode)
            log.info("shutting down: finishing in-flight work")
    if rejected:
        raise ConfigError(rejected)


async def _until_stopped(stop: asyncio.Event, socket_mode: SocketMode | None) -> str | None:
    """Wait for SIGINT or SIGTERM, or for Slack to refuse SLACK_APP_TOKEN (Socket Mode connects
    in the background; this returns the sentence naming the setting)."""
    waits: set[asyncio.Future[Any]] = {asyncio.ensure_future(stop.wait())}
    if socket_mode is not None:
        waits.add(asyncio.ensure_future(socket_mode.rejected()))
    done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for waiting in pending:
        waiting.cancel()
    found = [w.result() for w in done if isinstance(w.result(), str)]
    return found[0] if found else None


def _cmd_serve(args: argparse.Namespace) -> int:
    env = _load_env(args)
    try:
        settings = Settings.from_env(env)
    except ConfigError as exc:
        for message in str(exc).splitlines():  # every bad setting, one line each
            print(f"autoshares-bot: configuration error: {message}", file=sys.stderr)
        print(
            "autoshares-bot: run `autoshares-bot check` to check every setting and connection",
            file=sys.stderr,
        )
        return 2
    _require_database(settings)
    asyncio.run(_serve(settings))
    return 0


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from sandbox.config import SandboxConfig
    from sandbox.server import run

    run(SandboxConfig.from_env(_load_env(args)), args.host, args.port)
    return 0


def _cmd_keygen(_args: argparse.Namespace) -> int:
    print(generate_encryption_key())
    return 0


def _cmd_db(args: argparse.Namespace) -> int:
    from storage.db import Database

    settings = Settings.from_env(_load_env(args), require_slack=False)
    _require_database(settings)

    async def upgrade() -> None:
        """Migrate to ``args.revision``."""
        db = Database(settings.async_database_url)
        try:
            await db.upgrade(args.revision)
        finally:
            await db.dispose()

    asyncio.run(upgrade())
    print(f"database is at revision {args.revision}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from bot.app.check import main as check

    return check(_load_env(args))


def _cmd_audit(args: argparse.Namespace) -> int:
    """Export the audit trail (orders and alerts) to stdout as CSV or JSON."""
    from storage.audit import export, parse_since

    settings = Settings.from_env(_load_env(args), require_slack=False)
    try:
        since = parse_since(args.since) if args.since else None
        _require_database(settings, existing=True)
        text = asyncio.run(export(settings.async_database_url, since, args.format))
    except (ValueError, RuntimeError) as exc:
        print(f"autoshares-bot audit: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


def _cmd_outbox(args: argparse.Namespace) -> int:
    """List the messages the bot owes or owed Slack (dead ones: Slack kept refusing them)."""
    from storage.db import Database
    from storage.outbox import OutboxRepository

    settings = Settings.from_env(_load_env(args), require_slack=False)

    async def listing() -> tuple[dict[str, int], list[str]]:
        """Counts by state, then the newest rows as lines."""
        db = Database(settings.async_database_url)
        try:
            outbox = OutboxRepository(db.sessions)
            rows = await outbox.listed(args.state, args.limit)
            return await outbox.counts(), [
                f"{r.id}\t{r.state}\t{r.kind}\t{r.team_id}\t{r.channel}\t{r.attempts}\t"
                f"{r.created_at:%Y-%m-%dT%H:%M:%SZ}\t{r.last_error or ''}"
                for r in rows
            ]
        finally:
            await db.dispose()

    counts, lines = asyncio.run(listing())
    print(" ".join(f"{state}={count}" for state, count in sorted(counts.items())) or "the outbox is empty")
    if lines:
        print("id\tstate\tkind\tteam\tchannel\tattempts\tcreated\tlast error")
        print("\n".join(lines))
    return 0


def _cmd_rotate_key(args: argparse.Namespace) -> int:
    """Encrypt every stored secret again with the first TOKEN_ENCRYPTION_KEY; counts only."""
    from storage.crypto import TokenCipher
    from storage.db import Database
    from storage.keys import rotate_secrets

    settings = Settings.from_env(_load_env(args), require_slack=False)
    if not settings.token_encryption_keys:
        raise ConfigError("TOKEN_ENCRYPTION_KEY is missing; make one with `autoshares-bot keygen`")
    _require_database(settings, existing=True, migrated=True)

    async def rotate() -> Rotation:
        """Re-encrypt every stored secret with the first key."""
        database = Database(settings.async_database_url)
        try:
            return await rotate_secrets(
                database.sessions, TokenCipher(settings.token_encryption_keys), batch_size=args.batch_size
            )
        finally:
            await database.dispose()

    done = asyncio.run(rotate())
    print(f"Re-encrypted {done.rotated} rows with the first key of TOKEN_ENCRYPTION_KEY.")
    print(f"{done.unreadable} rows could not be decrypted with any key of TOKEN_ENCRYPTION_KEY.")
    if done.unreadable:
        print(
            "Those rows are left as they are: add the key they were encrypted with to TOKEN_ENCRYPTION_KEY "
            "and run rotate-key again, or their users must run /autoshares link again."
        )
    if done.changed:
        print(f"{done.changed} rows changed while rotating: run rotate-key again.")
    return 1 if done.unreadable or done.changed else 0


def _cmd_manifest(args: argparse.Namespace) -> int:
    """Print the Slack app manifest with every URL pointing at ``--public-url``, and the quote
    page domain (``--quote-domain``, else AUTOSHARES_QUOTE_DOMAIN) as its unfurl domain."""
    from bot.app.manifest import ManifestError, render_manifest
    from bot.app.settings import DEFAULT_QUOTE_DOMAIN, bare_domain

    configured = _load_env(args).get("AUTOSHARES_QUOTE_DOMAIN", "").strip()
    given = args.quote_domain or configured or DEFAULT_QUOTE_DOMAIN
    try:
        quote_domain = bare_domain(
            given, "--quote-domain" if args.quote_domain else "AUTOSHARES_QUOTE_DOMAIN"
        )
        sys.stdout.write(
            render_manifest(args.public_url, socket_mode=args.socket_mode, quote_domain=quote_domain)
        )
    except ConfigError as exc:
        print(f"autoshares-bot manifest: {exc}", file=sys.stderr)
        return 2
    except ManifestError as exc:
        print(f"autoshares-bot manifest: {exc}", file=sys.stderr)
        return 2
    return 0


#: What `autoshares-bot demo` needs beyond the bot (the ``demo`` extra): a terminal transcript,
#: and the chart it shares.
DEMO_MODULES = ("rich", "matplotlib")


def _cmd_demo(args: argparse.Namespace) -> int:
    from importlib.util import find_spec

    missing = [name for name in DEMO_MODULES if find_spec(name) is None]
    if missing:
        print(
            f"autoshares-bot demo: {' and '.join(missing)} missing; install the demo extra with "
            "pip install 'autoshares-slack[demo]' (make demo does it for you).",
            file=sys.stderr,
        )
        return 2
    from bot.devkit.demo import run_demo

    return asyncio.run(run_demo(output_dir=args.output))


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("autoshares-slack")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout without installing
        return "unknown"


@dataclass(frozen=True)
class Option:
    """One argument of a subcommand, as ``add_argument(*flags, **settings)`` takes it."""

    flags: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)


def option(*flags: str, **settings: Any) -> Option:
    """An :class:`Option`, written the way ``add_argument`` is called."""
    return Option(flags, settings)


@dataclass(frozen=True)
class Command:
    """A subcommand: its words, what it runs (or its own subcommands), and its arguments."""

    name: str
    help: str
    description: str
    run: Callable[[argparse.Namespace], int] | None = None
    options: tuple[Option, ...] = ()
    #: the namespace attribute naming the chosen nested subcommand, and those subcommands
    nested_dest: str = ""
    nested: tuple[Command, ...] = ()


#: Every subcommand, in the order ``--help`` lists them.
COMMANDS: tuple[Command, ...] = (
    Command(
        "serve",
        help="run the bot (HTTP, plus Socket Mode with SLACK_APP_TOKEN)",
        description="Serve Slack's requests, the AutoShares sign-in and webhooks, /healthz, /readyz and "
        "/metrics on PORT; with AUTH0_DOMAIN unset, against an embedded AutoShares sandbox.",
        run=_cmd_serve,
    ),
    Command(
        "manifest",
        help="print the Slack app manifest ready to paste",
        description="Print manifest.yml with every URL pointing at your bot, to paste into "
        "api.slack.com/apps → Create New App → From an app manifest.",
        run=_cmd_manifest,
        options=(
            option(
                "--public-url",
                required=True,
                metavar="URL",
                help="the https URL Slack and browsers reach the bot at",
            ),
            option(
                "--socket-mode",
                action="store_true",
                help="Slack's requests come over Socket Mode (no request URLs)",
            ),
            option(
                "--quote-domain",
                metavar="DOMAIN",
                help="the domain of AutoShares' quote pages, whose links unfurl (default: "
                "AUTOSHARES_QUOTE_DOMAIN, else autoshares.com)",
            ),
        ),
    ),
    Command(
        "sandbox",
        help="run the local AutoShares sandbox",
        description="Run the local AutoShares stand-in on its own: identity provider and trading API at "
        "http://HOST:PORT/, admin API under /_sandbox/ for loopback clients (SANDBOX_* settings).",
        run=_cmd_sandbox,
        options=(
            option("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"),
            option("--port", type=int, default=8900, help="port to listen on (default 8900)"),
        ),
    ),
    Command(
        "demo",
        help="play a whole session against the embedded sandbox",
        description="Start the sandbox, a local Slack stand-in and the bot on loopback, and play a whole "
        "session through the bot's real HTTP endpoints; exit status 1 when a step does not do what it should.",
        run=_cmd_demo,
        options=(
            option(
                "--output", default="demo-output", help="folder for the transcript, its HTML and the chart"
            ),
        ),
    ),
    Command(
        "check",
        help="check settings, database, stored tokens (TOKEN_ENCRYPTION_KEY), Slack token, identity provider "
        "and AutoShares API",
        description="Check every setting at once, the database and its migrations, stored tokens, the Slack "
        "tokens, Sign in with Slack, the identity provider and the AutoShares API; exit status 1 when "
        "anything is wrong.",
        run=_cmd_check,
    ),
    Command(
        "keygen",
        help="print a new TOKEN_ENCRYPTION_KEY",
        description="Print a new Fernet key for TOKEN_ENCRYPTION_KEY (keep it safe: it decrypts every stored token).",
        run=_cmd_keygen,
    ),
    Command(
        "rotate-key",
        help="re-encrypt every stored token with the first key of TOKEN_ENCRYPTION_KEY (reads DATABASE_URL)",
        description="Re-encrypt every stored token and sign-in verifier with the first key of "
        "TOKEN_ENCRYPTION_KEY; the other keys listed are used to decrypt. Prints how many rows were "
        "re-encrypted and how many no key could decrypt; exit status 1 when any row was left as it was.",
        run=_cmd_rotate_key,
        options=(
            option(
                "--batch-size",
                type=_positive,
                default=500,
                metavar="ROWS",
                help="rows read and rewritten per transaction (default 500)",
            ),
        ),
    ),
    Command(
        "db",
        help="database tasks (reads DATABASE_URL)",
        description="Database tasks on DATABASE_URL.",
        nested_dest="db_command",
        nested=(
            Command(
                "upgrade",
                help="apply migrations",
                description="Apply the migrations (serve also does it at start).",
                run=_cmd_db,
                options=(
                    option(
                        "revision",
                        nargs="?",
                        default="head",
                        help="migration to go to (default head, the latest)",
                    ),
                ),
            ),
        ),
    ),
    Command(
        "audit",
        help="export the audit trail of orders and alerts (reads DATABASE_URL)",
        description="Print the audit trail of orders and alerts (who did what, when, with the AutoShares ids) "
        "as CSV or JSON.",
        run=_cmd_audit,
        options=(
            option("--since", help="first day or time to include, e.g. 2026-01-01 (UTC)"),
            option("--format", choices=("csv", "json"), default="csv", help="output format (default csv)"),
        ),
    ),
    Command(
        "outbox",
        help="list the messages the bot owes Slack: counts by state, then the newest rows",
        description="List the messages the bot posts on its own (alerts, order updates, DMs): how many are "
        "pending, being sent, delivered or dead, then the newest rows with Slack's last error.",
        run=_cmd_outbox,
        options=(
            option(
                "--state",
                choices=("pending", "sending", "delivered", "dead"),
                help="only rows in this state (dead: Slack kept refusing them)",
            ),
            option("--limit", type=int, default=50, help="how many rows to list (default 50)"),
        ),
    ),
)


def add_commands(
    parser: argparse.ArgumentParser, dest: str, commands: tuple[Command, ...], metavar: str | None = None
) -> None:
    """Give ``parser`` the subcommands ``commands`` (chosen one in ``dest``), nested ones too."""
    sub = parser.add_subparsers(dest=dest, required=True, metavar=metavar)
    for command in commands:
        child = sub.add_parser(command.name, help=command.help, description=command.description)
        for opt in command.options:
            child.add_argument(*opt.flags, **opt.settings)
        if command.run is not None:
            child.set_defaults(func=command.run)
        if command.nested:
            add_commands(child, command.nested_dest, command.nested)


def build_parser() -> argparse.ArgumentParser:
    """The command line: the global options, then every subcommand of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="autoshares-bot",
        description="AutoShares for Slack: trade and watch markets from Slack. Settings come from the "
        "environment and the .env of the current folder (see README, Settings).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument(
        "--env-file",
        metavar="PATH",
        help="read settings from this file instead of ./.env (the environment wins)",
    )
    add_commands(parser, "command", COMMANDS, metavar="COMMAND")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        for message in str(exc).splitlines():  # a SettingsError names every bad setting, one a line
            print(f"autoshares-bot: configuration error: {message}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as exc:
        print(f"autoshares-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
