"""The local AutoShares sandbox: OIDC provider, trading REST API, market simulation, quote
streamer and webhooks, on one origin, so the bot, its tests, the demo and benchmarks need no
external service.

Entry points: ``create_app(config)`` (ASGI app), ``running_sandbox(config)`` (async context
manager serving it on an ephemeral port), ``run(config, host, port)`` (blocking), and
``python -m sandbox --port N``.
"""

from __future__ import annotations

from sandbox.app import create_app
from sandbox.config import SandboxConfig
from sandbox.server import RunningSandbox, run, running_sandbox

__all__ = ["RunningSandbox", "SandboxConfig", "create_app", "run", "running_sandbox"]
