"""``.env.example`` and the README's settings table, written from the declarations.

Neither file is edited by hand: change a setting's declaration in ``bot/app/settings/model.py`` and
run ``python -m bot.app.settings --write`` from the checkout (a test fails while they disagree).
"""

from __future__ import annotations

import enum
import textwrap
from collections.abc import Iterator
from pathlib import Path

from bot.app.settings.declare import Declared, Need, declared
from bot.app.settings.model import Settings
from bot.app.settings.values import Text

README_BEGIN = "<!-- settings table: written by `python -m bot.app.settings --write` from bot/app/settings/model.py -->"
README_END = "<!-- end of the settings table -->"
ENV_HEADER = """\
# AutoShares for Slack: every setting. Copy to .env (never commit .env).
# Written by `python -m bot.app.settings --write` from the declarations in bot/app/settings/model.py:
# change those, not this file. An empty value means the default.
# Leave AUTH0_DOMAIN and AUTOSHARES_API_URL empty to run against the embedded local sandbox,
# which reads its own SANDBOX_* settings (sandbox/config.py).
"""
WIDTH = 100


def settings() -> list[Declared]:
    """Every declared setting, in the order the docs list them."""
    return list(declared(Settings))


def default_text(item: Declared) -> str:
    """The default as a value in ``.env`` would spell it ("" when there is none to write)."""
    value = item.default
    if item.spec.secret or item.spec.shown_default is not None or value in (None, ()):
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _groups() -> Iterator[tuple[str, list[Declared]]]:
    """The settings by group, groups in the order they first appear."""
    groups: dict[str, list[Declared]] = {}
    for item in settings():
        groups.setdefault(item.spec.group, []).append(item)
    yield from groups.items()


def _comment(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH - 2, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False)


def env_example() -> str:
    """The text of ``.env.example``: each setting under its group, after its help."""
    lines = [ENV_HEADER.rstrip("\n")]
    for group, items in _groups():
        lines += ["", f"# --- {group} ".ljust(WIDTH - 4, "-")]
        for item in items:
            spec = item.spec
            need = f" {spec.need.value[:1].upper()}{spec.need.value[1:]}." if spec.need is not Need.OPTIONAL else ""
            accepts = f" Accepts {spec.kind.accepts}." if spec.kind.accepts != Text.ACCEPTS else ""
            empty = f" Empty: {spec.shown_default}." if spec.shown_default else ""
            help_text = f"{spec.help[:1].upper()}{spec.help[1:]}.{accepts}{empty}{need}"
            lines += _comment(help_text.replace("`", ""))
            lines.append(f"{spec.env}={default_text(item)}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default_cell(item: Declared) -> str:
    spec = item.spec
    if spec.shown_default is not None:
        shown = spec.shown_default
    else:
        shown = f"`{default_text(item)}`" if default_text(item) else "—"
    return f"{shown} ({spec.need.value})" if spec.need is not Need.OPTIONAL else shown


def markdown_table() -> str:
    """The README's settings table, one table per group."""
    lines: list[str] = []
    for group, items in _groups():
        lines += [f"**{group}**", "", "| setting | default | accepted | meaning |", "| --- | --- | --- | --- |"]
        for item in items:
            spec = item.spec
            lines.append(
                f"| `{spec.env}` | {_cell(_default_cell(item))} | {_cell(spec.kind.accepts)} | {_cell(spec.help)} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def readme_with_table(readme: str) -> str:
    """``readme`` with the text between the table's markers replaced by :func:`markdown_table`."""
    head, begin, rest = readme.partition(README_BEGIN)
    _old, end, tail = rest.partition(README_END)
    if not begin or not end:
        raise ValueError(f"README.md has no settings table markers ({README_BEGIN} ... {README_END})")
    return f"{head}{README_BEGIN}\n{markdown_table()}{README_END}{tail}"


def write(root: Path) -> list[Path]:
    """Rewrite ``.env.example`` and the README's table in the checkout at ``root``; return the
    files that changed."""
    changed = []
    readme = root / "README.md"
    for path, text in (
        (root / ".env.example", env_example()),
        (readme, readme_with_table(readme.read_text(encoding="utf-8"))),
    ):
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
