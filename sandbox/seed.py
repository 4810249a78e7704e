"""The demo data every sandbox starts with (unless ``seed_users=False``).

alice: UserId 1001, account 5001, password "sandbox", one unsigned Platform agreement.
bob:   UserId 1002, account 5002, password "sandbox", nothing to sign.
Both accounts are cash accounts holding ``config.starting_cash`` (default $100,000), and each
has a little history from before that balance: an AAPL dividend 20 days ago and a platform fee
10 days ago (``seed_demo_activity``), so `activity` and its report have more than fills to show.
"""

from __future__ import annotations

from datetime import timedelta

from sandbox.config import SandboxConfig
from sandbox.state import SandboxState, utc_now

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
    seed_demo_activity(state)


def seed_demo_activity(state: SandboxState) -> None:
    """A dividend and a fee in each account's history, from before its starting balance (the
    cash already holds them, so they do not move it)."""
    now = utc_now()
    apple = state.security("AAPL")
    for account_id in sorted(state.accounts):
        state.record_transaction(
            account_id,
            "Payment",
            12.5,
            "AAPL quarterly dividend",
            margin_type="Dividend",
            symbol="AAPL",
            security_id=apple.id if apple else None,
            date=now - timedelta(days=20),
        )
        state.record_transaction(
            account_id, "Clearing", -2.0, "Monthly platform fee", date=now - timedelta(days=10)
        )
