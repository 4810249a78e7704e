"""The demo data every sandbox starts with (unless ``seed_users=False``).

alice: UserId 1001, account 5001, password "sandbox", one unsigned Platform agreement.
bob:   UserId 1002, account 5002, password "sandbox", nothing to sign.
Both accounts are cash accounts holding ``config.starting_cash`` (default $100,000).
"""

from __future__ import annotations

from sandbox.config import SandboxConfig
from sandbox.state import SandboxState

DEMO_PASSWORD = "sandbox"


def seed_demo_users(state: SandboxState, config: SandboxConfig) -> None:
    state.add_user(
        login="alice",
        password=DEMO_PASSWORD,
        email="alice@example.com",
        first_name="Alice",
        last_name="Anderson",
        user_id=1001,
        account_id=5001,
        cash=config.starting_cash,
        agreements=1,
    )
    state.add_user(
        login="bob",
        password=DEMO_PASSWORD,
        email="bob@example.com",
        first_name="Bob",
        last_name="Brown",
        user_id=1002,
        account_id=5002,
        cash=config.starting_cash,
        agreements=0,
    )
