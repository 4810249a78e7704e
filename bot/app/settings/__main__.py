"""``python -m bot.app.settings``: print or write ``.env.example`` and the README's settings table
from the declarations (run from the checkout after changing a setting)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.app.settings.docs import env_example, markdown_table, write


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.app.settings",
        description="Print or write .env.example and the README's settings table from the setting "
        "declarations in bot/app/settings/model.py.",
    )
    shown = parser.add_mutually_exclusive_group(required=True)
    shown.add_argument("--env-example", action="store_true", help="print .env.example")
    shown.add_argument("--markdown", action="store_true", help="print the README's settings table")
    shown.add_argument(
        "--write",
        metavar="CHECKOUT",
        nargs="?",
        const=".",
        help="rewrite .env.example and the table in README.md of the checkout (default: this folder)",
    )
    args = parser.parse_args(argv)
    if args.env_example:
        sys.stdout.write(env_example())
    elif args.markdown:
        sys.stdout.write(markdown_table())
    else:
        root = Path(args.write)
        if not (root / "README.md").is_file():
            print(f"python -m bot.app.settings: {root} has no README.md; run it from the checkout", file=sys.stderr)
            return 2
        try:
            changed = write(root)
        except ValueError as exc:
            print(f"python -m bot.app.settings: {exc}", file=sys.stderr)
            return 2
        print("\n".join(f"wrote {path}" for path in changed) or "already up to date")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
