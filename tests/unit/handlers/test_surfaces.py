"""handlers.surfaces: every surface's table together. Each button and modal a Block Kit builder
makes is registered, by exactly one surface, and nothing is registered that no builder makes."""

from __future__ import annotations

import ast
import importlib
from collections import Counter
from pathlib import Path

from slack_bolt.async_app import AsyncApp

import handlers.blocks
from bot.app.manifest import load_manifest
from handlers.kit import table_ids
from handlers.surfaces import SURFACES, register_all
from tests.unit.handlers.conftest import unit_surface

BLOCKS = Path(handlers.blocks.__file__).parent


def builder_ids() -> tuple[set[str], set[str]]:
    """(action ids of the buttons, callback ids of the views) the builders in handlers.blocks
    make, read from their ``ButtonElement(action_id=…)`` and ``View(callback_id=…)`` calls."""
    actions: set[str] = set()
    views: set[str] = set()
    for path in sorted(BLOCKS.glob("*.py")):
        module = importlib.import_module(f"handlers.blocks.{path.stem}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            wanted = {
                "ButtonElement": ("action_id", actions),
                "View": ("callback_id", views),
                "StaticSelectElement": ("action_id", actions),  # a select menu outside a modal
            }.get(node.func.id)
            if wanted is None:
                continue
            for keyword in node.keywords:
                if keyword.arg == wanted[0]:
                    value = keyword.value
                    if node.func.id == "StaticSelectElement" and not (
                        isinstance(value, ast.Name) and value.id.isupper()
                    ):
                        continue  # a modal's input, read on submission, not an action
                    found = (
                        value.value
                        if isinstance(value, ast.Constant)
                        else getattr(module, ast.unparse(value))
                    )
                    wanted[1].add(found)
    return actions, views


def all_registered() -> tuple[set[str], set[str], set[str], set[str]]:
    """(actions, views, events, functions) Bolt answers once every surface is registered."""
    surface = unit_surface()
    register_all(AsyncApp(signing_secret="unit-test-secret", token="xoxb-unit", name="unit"), surface)
    handled = surface.handled
    return handled.actions, handled.views, handled.events, handled.functions


def test_the_builders_are_read() -> None:
    actions, views = builder_ids()
    assert {"order_confirm", "home_refresh", "link_open"} <= actions
    assert {"order_ticket", "order_large_confirm"} <= views


def test_every_button_and_modal_a_builder_makes_is_registered_and_nothing_else() -> None:
    actions, views = builder_ids()
    registered_actions, registered_views, _, _ = all_registered()
    assert registered_actions == actions
    assert registered_views == views


def test_no_id_is_in_two_tables() -> None:
    counted: Counter[tuple[str, str]] = Counter()
    for module in SURFACES:
        table = getattr(module, "LISTENERS", None)
        if table is None:
            continue  # a surface still registering by hand (its ids are checked above)
        for kind, ids in table_ids(table).items():
            counted.update((kind, name) for name in ids)
    assert [key for key, count in counted.items() if count > 1] == []


def test_the_events_and_steps_are_the_manifests() -> None:
    manifest = load_manifest()
    _, _, events, functions = all_registered()
    assert events == set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert functions == set(manifest.get("functions") or {})
