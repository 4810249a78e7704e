"""manifest.yml and the code agree, both ways: every declared command, event, workflow step and
URL is handled, every handler is declared, and the bot asks Slack for exactly the scopes its code
uses."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet
from slack_bolt.context.complete.async_complete import AsyncComplete
from slack_bolt.context.fail.async_fail import AsyncFail
from starlette.applications import Starlette

import bot
import handlers
from bot.app.manifest import bot_scopes, load_manifest, slash_commands, unfurl_domains
from bot.app.settings import DEFAULT_QUOTE_DOMAIN, Settings
from bot.app.web import create_web_app
from bot.app.wiring import Services

#: Every Slack Web API method the bot's code calls, and the bot scopes it needs.
METHOD_SCOPES: dict[str, set[str]] = {
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "users_info": {"users:read"},
    "chat_postEphemeral": {"chat:write"},
    "chat_unfurl": {"links:write"},
    "files_upload_v2": {"files:write"},
    "conversations_open": {"im:write"},
    "views_open": set(),
    "views_publish": set(),
    "views_update": set(),
    "auth_test": set(),
    "apps_connections_open": set(),  # an app-level token, not a bot scope
    "openid_connect_token": set(),  # Sign in with Slack: the openid user scope
    # Workflow steps finish through Bolt's complete()/fail() with the token Slack hands each run
    # (``bot_access_token``), which needs no bot scope.
    "functions_completeSuccess": set(),
    "functions_completeError": set(),
}
#: Every event the bot subscribes to, and the bot scopes Slack needs to send it.
EVENT_SCOPES: dict[str, set[str]] = {
    "app_home_opened": set(),
    "app_uninstalled": set(),
    "tokens_revoked": set(),
    "link_shared": {"links:read"},
    "app_mention": {"app_mentions:read"},
    # a workflow ran one of the app's own steps: no scope beyond declaring the functions
    "function_executed": set(),
}
#: Scopes no single method call or event shows: slash commands, and posting alerts in public
#: channels the bot has not joined.
POLICY_SCOPES = {"commands", "chat:write.public"}


def web_api_methods() -> set[str]:
    """Names of ``client.<method>(...)`` calls in the bot's packages that are Web API methods."""
    found: set[str] = set()
    for package in (bot, handlers):
        root = Path(package.__file__).resolve().parent
        for path in root.rglob("*.py"):
            if "devkit" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    name = node.func.attr
                    if "_" in name and name.split("_")[0] in {
                        "chat",
                        "files",
                        "views",
                        "auth",
                        "apps",
                        "openid",
                        "conversations",
                        "users",
                        "im",
                        "functions",
                    }:
                        found.add(name)
    return found


async def web_app(database_url: str, **env: str) -> AsyncIterator[Starlette]:
    settings = Settings.from_env(
        {
            "SLACK_SIGNING_SECRET": "manifest-test",
            "SLACK_CLIENT_ID": "1.2",
            "SLACK_CLIENT_SECRET": "secret",
            "AUTH0_DOMAIN": "tenant.example.com",
            "AUTOSHARES_API_URL": "https://api.example.com",
            "AUTH0_CLIENT_ID": "client",
            "AUTH0_CLIENT_SECRET": "secret",
            "AUTOSHARES_APP_KEY": "key",
            "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "DATABASE_URL": database_url,
            **env,
        }
    )
    services = await Services.create(settings, migrate=False)
    try:
        yield create_web_app(services, close_services=False)
    finally:
        await services.aclose()


@pytest.fixture
def manifest() -> dict[str, Any]:
    return load_manifest()


async def test_commands_and_events_are_handled_and_declared(
    manifest: dict[str, Any], database_url: str
) -> None:
    async for app in web_app(database_url, SLACK_BOT_TOKEN="xoxb-manifest"):
        handled = app.state.bolt.handled
        assert set(slash_commands(manifest)) == handled.commands
        assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == handled.events


@pytest.mark.parametrize("mode", ["one workspace", "many workspaces"])
async def test_every_url_in_the_manifest_is_served(
    manifest: dict[str, Any], mode: str, database_url: str
) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-manifest"} if mode == "one workspace" else {}
    urls = [c["url"] for c in manifest["features"]["slash_commands"]]
    urls += [
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
    ]
    urls += manifest["oauth_config"]["redirect_urls"]
    if mode == "one workspace":  # installs happen only without a bot token
        urls = [u for u in urls if not u.endswith("/slack/oauth_redirect")]
    async for app in web_app(database_url, **env):
        served = {getattr(route, "path", "") for route in app.routes}
        assert {urlsplit(u).path for u in urls} <= served
    assert "message_menu_options_url" not in manifest["settings"]["interactivity"]


async def test_workflow_steps_are_handled_and_declared(manifest: dict[str, Any], database_url: str) -> None:
    async for app in web_app(database_url, SLACK_BOT_TOKEN="xoxb-manifest"):
        handled = app.state.bolt.handled
        assert set(manifest.get("functions", {})) == handled.functions
        # Bolt hears a step run as the function_executed event: subscribed exactly when steps exist
        assert ("function_executed" in handled.events) == bool(handled.functions)


def test_the_scopes_cover_how_steps_report_back() -> None:
    """A step ends through Bolt's complete() or fail(): the Web API methods they call are in the
    scope table (they need no bot scope: they carry the token Slack hands each run)."""
    for utility in (AsyncComplete, AsyncFail):
        called = {
            node.func.attr
            for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(utility.__call__))))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }
        methods = {name for name in called if name.startswith("functions_")}
        assert len(methods) == 1 and methods <= set(METHOD_SCOPES), utility
        assert all(not METHOD_SCOPES[name] for name in methods)


def test_the_bot_asks_for_exactly_the_scopes_its_code_uses(manifest: dict[str, Any]) -> None:
    used = web_api_methods()
    unknown = used - set(METHOD_SCOPES)
    assert not unknown, f"Web API methods without a scope entry here: {sorted(unknown)}"
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert not events - set(EVENT_SCOPES), (
        f"events without a scope entry here: {sorted(events - set(EVENT_SCOPES))}"
    )
    needed = (
        set().union(*(METHOD_SCOPES[m] for m in used), *(EVENT_SCOPES[e] for e in events)) | POLICY_SCOPES
    )
    assert set(bot_scopes(manifest)) == needed


def test_the_unfurl_domain_is_the_default_quote_domain(manifest: dict[str, Any]) -> None:
    """Slack sends link_shared only for the manifest's unfurl domains: the packaged manifest
    lists the quote pages' default domain (`autoshares-bot manifest` writes another one)."""
    assert unfurl_domains(manifest) == [DEFAULT_QUOTE_DOMAIN]
    assert Settings.from_env({}, require_slack=False).autoshares_quote_domain == DEFAULT_QUOTE_DOMAIN


def test_the_messages_tab_is_read_only(manifest: dict[str, Any]) -> None:
    home = manifest["features"]["app_home"]
    assert home["messages_tab_enabled"] is True and home["messages_tab_read_only_enabled"] is True
