"""A conversation as people would read it: who typed what, what the bot answered.

``Transcript`` collects entries (a person typing a command or clicking a button, the bot
answering privately or in a channel, the browser, the market moving). Block Kit is rendered to
text (``render_blocks``) so a terminal, a text file and an HTML page all show what Slack would
show. No I/O here beyond building strings; the demo prints and saves them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")
_BARE = re.compile(r"<([^<>]+)>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])")
_EMOJI = re.compile(r":([a-z0-9_+-]+):")

#: The emoji the bot uses, as a terminal shows them; others keep their :name:.
EMOJI = {
    "white_check_mark": "✅",
    "heavy_check_mark": "✔",
    "x": "❌",
    "warning": "⚠️",
    "memo": "📝",
    "pencil2": "✏️",
    "receipt": "🧾",
    "page_facing_up": "📄",
    "bell": "🔔",
    "rotating_light": "🚨",
    "test_tube": "🧪",
    "wave": "👋",
    "hourglass": "⏳",
    "hourglass_flowing_sand": "⏳",
    "chart_with_upwards_trend": "📈",
    "chart_with_downwards_trend": "📉",
    "small_red_triangle": "🔺",
    "small_red_triangle_down": "🔻",
    "large_green_circle": "🟢",
    "red_circle": "🔴",
    "large_yellow_circle": "🟡",
    "lock": "🔒",
    "moneybag": "💰",
    "no_entry": "⛔",
    "information_source": "ℹ️",
    "link": "🔗",
}


def mrkdwn_to_text(value: str, names: Mapping[str, str] | None = None) -> str:
    """Slack mrkdwn as a reader sees it: links show their label, mentions a name (``names``
    maps user and channel ids), bold and italic markers dropped, emoji drawn, entities decoded."""
    names = names or {}

    def bare(match: re.Match[str]) -> str:
        target = match.group(1)
        if target.startswith(("@", "#")):
            ident = target[1:].split("|", 1)[0]
            return target[0] + names.get(ident, ident).lstrip("#@")
        if target.startswith("!"):
            return "@" + target[1:].split("^", 1)[0]
        return target

    def labelled(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return target[0] + names.get(target[1:], label).lstrip("#@")
        return label

    value = _LINK.sub(labelled, value)
    value = _BARE.sub(bare, value)
    value = _BOLD.sub(r"\1", value)
    value = _ITALIC.sub(r"\1", value)
    value = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), value)
    return html.unescape(value)


def _text(obj: Any, names: Mapping[str, str] | None = None) -> str:
    if isinstance(obj, dict):
        raw = str(obj.get("text") or "")
        return mrkdwn_to_text(raw, names) if obj.get("type") == "mrkdwn" else html.unescape(raw)
    return "" if obj is None else str(obj)


def _element(element: dict[str, Any], names: Mapping[str, str] | None = None) -> str:
    kind = element.get("type")
    if kind == "button":
        return f"[{_text(element.get('text'))}]"
    if kind == "image":
        return f"(image: {element.get('alt_text', '')})"
    if kind in {"mrkdwn", "plain_text"}:
        return _text(element, names)
    if kind and "select" in kind:
        return f"[{_text(element.get('placeholder')) or 'choose'} ▾]"
    if kind == "overflow":
        return "[…]"
    if kind in {"datepicker", "timepicker", "plain_text_input", "number_input"}:
        return "[____]"
    return f"({kind})"


def render_blocks(
    blocks: Sequence[dict[str, Any]] | None, names: Mapping[str, str] | None = None
) -> list[str]:
    """One or more lines of plain text per block, in order (``names``: id → name for mentions)."""
    lines: list[str] = []
    for block in blocks or []:
        kind = block.get("type")
        if kind == "header":
            lines.append(_text(block.get("text"), names).upper())
        elif kind == "section":
            if block.get("text"):
                lines.extend(_text(block["text"], names).splitlines())
            fields = [_text(f, names) for f in block.get("fields") or []]
            for left, right in zip(fields[::2], fields[1::2] + [""], strict=False):
                lines.append(f"  {left.replace(chr(10), ' ')}    {right.replace(chr(10), ' ')}".rstrip())
            if block.get("accessory"):
                lines.append("  " + _element(block["accessory"], names))
        elif kind == "context":
            lines.append("  " + " · ".join(_element(e, names) for e in block.get("elements") or []))
        elif kind == "actions":
            lines.append("  " + "  ".join(_element(e, names) for e in block.get("elements") or []))
        elif kind == "divider":
            lines.append("  " + "─" * 40)
        elif kind == "image":
            lines.append(f"  (image: {block.get('alt_text', '')})")
        elif kind == "input":
            lines.append(f"  {_text(block.get('label'))}: {_element(block.get('element') or {})}")
        elif kind == "rich_text":
            lines.append(_rich_text(block))
        else:
            lines.append(f"  ({kind} block)")
    return lines


def _rich_text(block: dict[str, Any]) -> str:
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text":
                parts.append(str(node.get("text", "")))
            for child in node.get("elements") or []:
                walk(child)

    walk(block)
    return "".join(parts)


def render_message(message: dict[str, Any], names: Mapping[str, str] | None = None) -> list[str]:
    """A message's blocks as text, or its fallback text when it has no blocks."""
    lines = render_blocks(message.get("blocks"), names)
    return lines or mrkdwn_to_text(str(message.get("text") or ""), names).splitlines()


@dataclass
class Entry:
    """One turn: ``speaker`` did ``action`` (typed, clicked, answered...) ``where``."""

    speaker: str
    action: str
    where: str
    lines: list[str]
    by_bot: bool = False
    image: str | None = None  # a file saved beside the transcript

    @property
    def title(self) -> str:
        return (
            f"{self.speaker} {self.action} · {self.where}" if self.where else f"{self.speaker} {self.action}"
        )


@dataclass
class Transcript:
    entries: list[Entry] = field(default_factory=list)
    steps: list[tuple[str, bool, str]] = field(default_factory=list)  # (name, passed, detail)
    names: dict[str, str] = field(default_factory=dict)  # Slack ids → names shown for mentions

    def add(self, entry: Entry, console: Console | None = None) -> Entry:
        self.entries.append(entry)
        if console is not None:
            console.print(panel(entry))
        return entry

    def person(self, name: str, action: str, where: str, *lines: str) -> Entry:
        return Entry(name, action, where, list(lines))

    def bot(self, action: str, where: str, message: dict[str, Any], image: str | None = None) -> Entry:
        return Entry(
            "AutoShares", action, where, render_message(message, self.names), by_bot=True, image=image
        )

    # -- output ------------------------------------------------------------------------------------
    def to_text(self) -> str:
        out: list[str] = []
        for entry in self.entries:
            out.append(f"── {entry.title}")
            out.extend(f"   {line}" for line in entry.lines)
            if entry.image:
                out.append(f"   (picture saved as {entry.image})")
            out.append("")
        if self.steps:
            out.append("Steps:")
            out.extend(
                f"  {'PASS' if ok else 'FAIL'}  {name}  {detail}".rstrip() for name, ok, detail in self.steps
            )
        return "\n".join(out) + "\n"

    def to_html(self, title: str = "AutoShares for Slack: demo session") -> str:
        rows = []
        for entry in self.entries:
            css = "bot" if entry.by_bot else "person"
            body = "<br>".join(html.escape(line) for line in entry.lines)
            image = (
                f'<img src="{html.escape(entry.image)}" alt="{html.escape(entry.image)}">'
                if entry.image
                else ""
            )
            rows.append(
                f'<div class="entry {css}"><div class="who">{html.escape(entry.title)}</div>'
                f'<div class="body">{body}</div>{image}</div>'
            )
        steps = "".join(
            f'<li class="{"pass" if ok else "fail"}">{"✔" if ok else "✘"} {html.escape(name)}'
            f"{(' — ' + html.escape(detail)) if detail else ''}</li>"
            for name, ok, detail in self.steps
        )
        return HTML_PAGE.format(title=html.escape(title), entries="\n".join(rows), steps=steps)


def panel(entry: Entry) -> Panel:
    body: list[Text] = [Text(line) for line in entry.lines] or [Text("")]
    if entry.image:
        body.append(Text(f"(picture saved as {entry.image})", style="dim"))
    return Panel(
        Group(*body),
        title=Text(entry.title, style="bold cyan" if entry.by_bot else "bold green"),
        title_align="left",
        border_style="cyan" if entry.by_bot else "green",
        expand=True,
    )


def lines_containing(entries: Iterable[Entry], needle: str) -> list[str]:
    return [line for entry in entries for line in entry.lines if needle in line]


HTML_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body{{font-family:system-ui,-apple-system,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d1c1d}}
.entry{{border-radius:8px;padding:.6rem .9rem;margin:.7rem 0;white-space:pre-wrap}}
.person{{background:#eef7ee;border-left:4px solid #2bac76}}
.bot{{background:#eef3fb;border-left:4px solid #1264a3}}
.who{{font-weight:600;font-size:.85rem;color:#555;margin-bottom:.3rem}}
.body{{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem}}
img{{max-width:100%;margin-top:.5rem;border:1px solid #ddd;border-radius:4px}}
li.pass{{color:#2bac76}} li.fail{{color:#e01e5a}}
</style></head>
<body><h1>{title}</h1>
{entries}
<h2>Steps</h2><ul>{steps}</ul>
</body></html>
"""
