"""Checks that a Block Kit payload is one Slack will accept: it parses with slack_sdk's models
and keeps Slack's limits (50 blocks in a message, 100 in a view, 3000 characters in a text,
75 in a button label). Used by the tests on every payload the bot sends."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 3000
MAX_BUTTON_LABEL = 75


def problems(blocks: list[dict[str, Any]] | None, *, view: bool = False) -> list[str]:
    """Every way ``blocks`` breaks Slack's rules (empty list when fine)."""
    found: list[str] = []
    blocks = blocks or []
    limit = MAX_VIEW_BLOCKS if view else MAX_MESSAGE_BLOCKS
    if len(blocks) > limit:
        found.append(f"{len(blocks)} blocks (limit {limit})")
    for index, raw in enumerate(blocks):
        try:
            block = Block.parse(raw)
        except Exception as exc:  # slack_sdk raises several types for malformed blocks
            found.append(f"block {index} does not parse: {exc}")
            continue
        if block is None:
            found.append(f"block {index} has an unknown type {raw.get('type')!r}")
            continue
        try:
            block.validate_json()
        except Exception as exc:
            found.append(f"block {index} invalid: {exc}")
        _walk(raw, f"block {index}", found)
    return found


def _walk(node: Any, where: str, found: list[str]) -> None:
    if isinstance(node, dict):
        if node.get("type") in {"mrkdwn", "plain_text"} and isinstance(node.get("text"), str):
            if len(node["text"]) > MAX_TEXT:
                found.append(f"{where}: text of {len(node['text'])} characters")
        if node.get("type") == "button":
            label = (node.get("text") or {}).get("text", "")
            if len(label) > MAX_BUTTON_LABEL:
                found.append(f"{where}: button label of {len(label)} characters")
        for key, value in node.items():
            _walk(value, f"{where}.{key}", found)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk(value, f"{where}[{i}]", found)
