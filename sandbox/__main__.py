"""``python -m sandbox [--host H] [--port N]``: serve the local AutoShares sandbox.

Settings come from SANDBOX_* environment variables (see ``SandboxConfig.from_env``); the flags
below override the most common ones.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import Any

from sandbox.config import SandboxConfig
from sandbox.server import run


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--tick-seconds", type=float, help="market tick interval; 0 = frozen")
    parser.add_argument("--webhook-url", help="where to POST webhook events")
    parser.add_argument("--no-rate-limits", action="store_true", help="turn rate limits off")
    parser.add_argument("--seed", type=int, help="price simulation seed")
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {}
    if args.tick_seconds is not None:
        overrides["tick_seconds"] = args.tick_seconds
    if args.webhook_url:
        overrides["webhook_url"] = args.webhook_url
    if args.no_rate_limits:
        overrides["rate_limits"] = False
    if args.seed is not None:
        overrides["seed"] = args.seed
    run(SandboxConfig.from_env(os.environ, **overrides), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
