"""The Slack app manifest: schema-valid, complete, and the single source of the bot scopes."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.app.manifest import (
    MANIFEST_PATH,
    ManifestError,
    bot_scopes,
    load_manifest,
    render_manifest,
    slash_commands,
    unfurl_domains,
)
from bot.core.commands import (
    AlertDeleteCommand,
    AlertDeliverCommand,
    AlertEditCommand,
    AlertListCommand,
    AlertMoveRequest,
    AlertRequest,
    FundCancelCommand,
    FundRequest,
    OptionOrderRequest,
    OrderCancelCommand,
    OrderEditCommand,
    OrderListCommand,
    OrderRequest,
    OrderShowCommand,
)
from handlers.parsing import AutosharesCommand, parse_alert, parse_autoshares, parse_fund, parse_order

#: Slack's manifest schema, vendored (spec/README.md): a missing file fails, never skips.
SCHEMA_PATH = Path(__file__).resolve().parents[3] / "spec" / "slack" / "manifest.schema.json"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return load_manifest()


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_the_manifest_ships_in_the_package_and_is_the_one_at_the_root() -> None:
    assert MANIFEST_PATH.name == "manifest.yml" and MANIFEST_PATH.parent.name == "bot"
    root = MANIFEST_PATH.parent.parent / "manifest.yml"
    assert MANIFEST_PATH.read_bytes() == root.read_bytes()


def test_manifest_validates_against_slack_schema(
    manifest: dict[str, Any], validator: jsonschema.Draft7Validator
) -> None:
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_metadata_is_schema_v1(manifest: dict[str, Any]) -> None:
    assert manifest["_metadata"] == {"major_version": 1, "minor_version": 1}


def test_display_and_bot_user(manifest: dict[str, Any]) -> None:
    assert manifest["display_information"]["name"] == "AutoShares"
    assert manifest["display_information"]["description"]
    assert manifest["features"]["bot_user"] == {"display_name": "autoshares", "always_online": True}
    assert manifest["features"]["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": True,
    }


def test_has_the_nine_commands(manifest: dict[str, Any]) -> None:
    assert slash_commands(manifest) == [
        "/autoshares",
        "/quote",
        "/order",
        "/fund",
        "/alert",
        "/account",
        "/options",
        "/watch",
        "/news",
    ]


def test_every_command_posts_to_events_and_is_described(manifest: dict[str, Any]) -> None:
    for entry in manifest["features"]["slash_commands"]:
        assert entry["url"].endswith("/slack/events"), entry["command"]
        assert entry["description"], entry["command"]
        assert entry.get("usage_hint") or entry["command"] == "/account", entry["command"]
        # /autoshares admin names members and channels: escaped, Slack sends their ids.
        assert entry["should_escape"] is (entry["command"] == "/autoshares"), entry["command"]


def forms(hint: str) -> list[str]:
    """Every command a usage hint stands for: each ``a|b`` choice, each ``[…]`` left out or in."""
    found = []
    for form in hint.split(" | "):
        parts = []
        for token in re.findall(r"\[[^]]+\]|\S+", form):
            optional = token.startswith("[")
            parts.append(([""] if optional else []) + token.strip("[]").split("|"))
        found += [" ".join(p for p in choice if p) for choice in itertools.product(*parts)]
    return found


def hint(manifest: dict[str, Any], command: str) -> str:
    [entry] = [e for e in manifest["features"]["slash_commands"] if e["command"] == command]
    return str(entry["usage_hint"])


@pytest.mark.parametrize(
    ("command", "parse", "shown"),
    [
        (
            "/autoshares",
            parse_autoshares,
            {"link", "status", "account", "account_all", "accounts_add", "positions", "positions_top", "performance",
             "activity", "ipo", "transfers", "news", "quote", "digest", "agreements", "admin", "help"},
        ),
        ("/fund", parse_fund, {FundRequest, FundCancelCommand}),
        (
            "/order",
            parse_order,
            {OrderRequest, OptionOrderRequest, OrderListCommand, OrderShowCommand, OrderEditCommand,
             OrderCancelCommand},
        ),
    ],
)  # fmt: skip
def test_a_usage_hint_shows_every_subcommand_and_each_form_parses(
    manifest: dict[str, Any], command: str, parse: Any, shown: set[Any]
) -> None:
    parsed = [parse(text) for text in forms(hint(manifest, command))]
    kinds = {p.name if isinstance(p, AutosharesCommand) else type(p) for p in parsed}
    assert kinds == shown


def test_the_order_hint_shows_every_order_type_and_form(manifest: dict[str, Any]) -> None:
    words = set(re.split(r"[\s|\[\]]+", hint(manifest, "/order")))
    assert {"limit", "stop", "trail", "take-profit", "stop-loss", "$500", "ioc", "fok", "aon", "gtd", "pre",
            "post", "ext", "call", "spread", "list", "show", "edit", "cancel"} <= words  # fmt: skip


def expand(form: str) -> list[str]:
    """Every command a usage-hint form stands for: one per choice of each ``a|b`` word."""
    words = [word.strip("[]").split("|") for word in form.split()]
    return [" ".join(choice) for choice in itertools.product(*words)]


def test_the_alert_hint_shows_every_form_and_option_and_each_parses(manifest: dict[str, Any]) -> None:
    [entry] = [e for e in manifest["features"]["slash_commands"] if e["command"] == "/alert"]
    hint = entry["usage_hint"]
    for word in ("above", "below", "moves", "up", "down", "last", "bid", "ask", "expires", "repeat", "every",
                 "list", "delete", "deliver", "dm", "channel"):  # fmt: skip
        assert re.search(rf"\b{word}\b", hint), word
    alerts, _, rest = hint.partition(", then ")
    options, *others = rest.split(" | ")
    assert re.fullmatch(r"(\[[^]]+\] ?)+", options), options  # the options apply to both alert forms
    parsed = [parse_alert(f"{alert} {option}") for form in alerts.split(" | ") for alert in expand(form)
              for option in expand(options)]  # fmt: skip
    assert {type(p) for p in parsed} == {AlertRequest, AlertMoveRequest}
    assert all(p.repeat_every is not None and p.expires_in is not None for p in parsed)
    assert {p.field for p in parsed} == {"Last", "Bid", "Ask"}
    commands = [parse_alert(command) for form in others for command in expand(form)]
    assert [type(c) for c in commands] == [
        AlertListCommand,
        AlertEditCommand,
        AlertDeleteCommand,
        AlertDeliverCommand,
        AlertDeliverCommand,
    ]


def test_events_and_interactivity_urls(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert settings["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
        "link_shared",
        "app_mention",
        "function_executed",
    ]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    assert "message_menu_options_url" not in settings["interactivity"]  # no menus load options
    assert settings["socket_mode_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_workflow_steps_run_on_the_bot_of_an_org_ready_app(manifest: dict[str, Any]) -> None:
    """Slack lists an app's custom steps in Workflow Builder only when the app is org-ready and
    its functions run remotely (on the bot, which hears ``function_executed``)."""
    settings = manifest["settings"]
    assert settings["org_deploy_enabled"] is True
    assert settings["function_runtime"] == "remote"
    assert "function_executed" in settings["event_subscriptions"]["bot_events"]
    assert sorted(manifest["functions"]) == ["get_quote", "portfolio_summary"]


def _types(parameters: dict[str, Any]) -> dict[str, str]:
    return {name: spec["type"] for name, spec in parameters.items()}


def _required(parameters: dict[str, Any]) -> set[str]:
    return {name for name, spec in parameters.items() if spec.get("is_required")}


def test_every_step_acts_for_the_person_running_the_workflow(manifest: dict[str, Any]) -> None:
    """Whose AutoShares login a step uses is a ``user_context`` input (Slack fills it with the
    person running the workflow; a builder cannot), never a user id a builder could pick."""
    for name, step in manifest["functions"].items():
        inputs = step["input_parameters"]
        assert inputs["user_context"]["type"] == "slack#/types/user_context", name
        assert inputs["user_context"]["is_required"] is True, name
        assert "slack#/types/user_id" not in _types(inputs).values(), name
        assert step["title"] and step["description"], name
        for parameter in [*inputs.values(), *step["output_parameters"].values()]:
            assert parameter.get("title") and parameter.get("description"), (name, parameter)


def test_the_steps_inputs_and_outputs(manifest: dict[str, Any]) -> None:
    quote, summary = manifest["functions"]["get_quote"], manifest["functions"]["portfolio_summary"]
    assert _types(quote["input_parameters"]) == {
        "symbol": "string",
        "user_context": "slack#/types/user_context",
    }
    assert _types(quote["output_parameters"]) == {
        "symbol": "string",
        "price": "number",
        "change": "number",
        "change_percent": "number",
        "summary": "string",
    }
    assert _required(quote["output_parameters"]) == {"symbol", "price", "summary"}
    assert _types(summary["input_parameters"]) == {"user_context": "slack#/types/user_context"}
    assert _types(summary["output_parameters"]) == {
        "account": "string",
        "total_value": "number",
        "cash": "number",
        "day_change": "number",
        "positions_count": "integer",
        "summary": "string",
    }
    assert _required(summary["output_parameters"]) == {"account", "positions_count", "summary"}


def test_oauth_redirect_url(manifest: dict[str, Any]) -> None:
    assert manifest["oauth_config"]["redirect_urls"] == [
        "https://example.com/slack/oauth_redirect",
        "https://example.com/slack/identity",
    ]
    # Sign in with Slack needs the openid user scope enabled on the app.
    assert manifest["oauth_config"]["scopes"]["user"] == ["openid"]


def test_bot_scopes(manifest: dict[str, Any]) -> None:
    scopes = bot_scopes(manifest)
    assert scopes == [
        "commands",
        "chat:write",
        "chat:write.public",
        "files:write",
        "im:write",
        "users:read",
        "links:read",
        "links:write",
        "app_mentions:read",
    ]


def test_bot_scopes_returns_a_copy(manifest: dict[str, Any]) -> None:
    bot_scopes(manifest).append("admin")
    assert "admin" not in bot_scopes(manifest)


@pytest.mark.parametrize(
    "broken",
    [{}, {"oauth_config": {}}, {"oauth_config": {"scopes": {"bot": "commands"}}}],
)
def test_bot_scopes_rejects_a_manifest_without_them(broken: dict[str, Any]) -> None:
    with pytest.raises(ManifestError):
        bot_scopes(broken)


def test_load_manifest_rejects_non_mapping(tmp_path: Path) -> None:
    path = tmp_path / "manifest.yml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ManifestError):
        load_manifest(path)


@pytest.mark.parametrize(
    ("public_url", "origin"),
    [
        ("https://bot.acme.io", "https://bot.acme.io"),
        ("https://bot.acme.io/", "https://bot.acme.io"),
        ("https://acme.io/autoshares", "https://acme.io/autoshares"),
    ],
)
def test_render_manifest_replaces_every_example_host(
    public_url: str, origin: str, validator: jsonschema.Draft7Validator
) -> None:
    text = render_manifest(public_url)
    assert "example.com" not in text
    rendered = yaml.safe_load(text)
    assert not list(validator.iter_errors(rendered))
    assert rendered["settings"]["event_subscriptions"]["request_url"] == f"{origin}/slack/events"
    assert rendered["settings"]["interactivity"]["request_url"] == f"{origin}/slack/events"
    assert rendered["oauth_config"]["redirect_urls"] == [
        f"{origin}/slack/oauth_redirect",
        f"{origin}/slack/identity",
    ]
    assert {c["url"] for c in rendered["features"]["slash_commands"]} == {f"{origin}/slack/events"}
    # Everything except the URLs is unchanged.
    assert bot_scopes(rendered) == bot_scopes(load_manifest())
    assert unfurl_domains(rendered) == ["autoshares.com"]


def test_render_manifest_puts_the_quote_domain_under_unfurl_domains(
    validator: jsonschema.Draft7Validator,
) -> None:
    text = render_manifest("https://bot.acme.io", quote_domain="quotes.acme.io")
    rendered = yaml.safe_load(text)
    assert not list(validator.iter_errors(rendered))
    assert unfurl_domains(rendered) == ["quotes.acme.io"]
    assert (
        rendered["features"]["slash_commands"]
        == yaml.safe_load(render_manifest("https://bot.acme.io"))["features"]["slash_commands"]
    )
    with pytest.raises(ManifestError):
        render_manifest("https://bot.acme.io", quote_domain="https://quotes.acme.io")


@pytest.mark.parametrize(
    "public_url",
    [
        "",
        "bot.acme.io",
        "ftp://bot.acme.io",
        "https://",
        "https://bot.acme.io/?x=1",
        "https://a b.io",
    ],
)
def test_render_manifest_rejects_unusable_urls(public_url: str) -> None:
    with pytest.raises(ManifestError):
        render_manifest(public_url)


def test_a_socket_mode_manifest_has_no_request_urls(validator: jsonschema.Draft7Validator) -> None:
    rendered = yaml.safe_load(render_manifest("https://bot.acme.io", socket_mode=True))
    assert not list(validator.iter_errors(rendered))
    assert rendered["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in rendered["settings"]["event_subscriptions"]
    assert "request_url" not in rendered["settings"]["interactivity"]
    assert all("url" not in c for c in rendered["features"]["slash_commands"])
    # the browser still comes back to the bot when linking or installing
    assert rendered["oauth_config"]["redirect_urls"] == [
        "https://bot.acme.io/slack/oauth_redirect",
        "https://bot.acme.io/slack/identity",
    ]


def test_the_manifest_command_prints_it_ready_to_paste(
    capsys: pytest.CaptureFixture[str], validator: jsonschema.Draft7Validator
) -> None:
    from bot.cli import main

    assert main(["manifest", "--public-url", "https://bot.acme.io/"]) == 0
    printed = capsys.readouterr().out
    assert "example.com" not in printed
    assert not list(validator.iter_errors(yaml.safe_load(printed)))
    assert main(["manifest", "--public-url", "bot.acme.io"]) == 2
    assert "public URL must look like" in capsys.readouterr().err


def test_the_manifest_command_lists_the_configured_quote_domain(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main

    monkeypatch.setenv("AUTOSHARES_QUOTE_DOMAIN", "Quotes.Acme.io")
    assert main(["manifest", "--public-url", "https://bot.acme.io"]) == 0
    assert unfurl_domains(yaml.safe_load(capsys.readouterr().out)) == ["quotes.acme.io"]
    assert main(["manifest", "--public-url", "https://bot.acme.io", "--quote-domain", "acme.example"]) == 0
    assert unfurl_domains(yaml.safe_load(capsys.readouterr().out)) == ["acme.example"]
    assert (
        main(["manifest", "--public-url", "https://bot.acme.io", "--quote-domain", "acme.example/quote"]) == 2
    )
    assert "--quote-domain must be a bare domain" in capsys.readouterr().err
