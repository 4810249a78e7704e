"""``bot.core.offboarding``: what a workspace or members leaving removes, and what everyone else keeps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.core.offboarding import Offboarded, Offboarding
from storage.alerts import AlertRouteRepository
from storage.digests import DigestRepository
from storage.orders import PendingOrderRepository
from storage.records import ACTIVE, EXPIRED, PENDING
from storage.transfers import TransferRepository
from tests.unit.conftest import Issuer
from tests.unit.core.conftest import Core, People, StandInApi


@dataclass
class Rig:
    people: People
    issuer: Issuer
    routes: AlertRouteRepository
    orders: PendingOrderRepository
    digests: DigestRepository
    transfers: TransferRepository
    offboarding: Offboarding

    async def member(self, team_id: str, slack_user_id: str, alert_id: int) -> str:
        """A linked member with an active alert, a confirmation waiting, a digest and a followed
        account; returns the waiting confirmation's id."""
        await self.people.link(StandInApi(), team_id=team_id, slack_user_id=slack_user_id)
        await self.routes.create(
            alert_id=alert_id,
            team_id=team_id,
            slack_user_id=slack_user_id,
            autoshares_user_id=1,
            channel_id="C1",
            symbol="AAPL",
            security_id=1,
            operator="GTEQ",
            field="Last",
            argument=Decimal("200"),
            expires_at=None,
        )
        pending_id = str(uuid.uuid4())
        await self.orders.create(
            id=pending_id,
            team_id=team_id,
            slack_user_id=slack_user_id,
            account_id=5001,
            symbol="AAPL",
            request={"Symbol": "AAPL", "Side": "Buy", "Quantity": 1, "Type": "Market"},
            preview=None,
            notional=Decimal("200"),
            ttl=timedelta(minutes=2),
            channel_id="C1",
            response_url=None,
        )
        await self.digests.create(
            team_id=team_id,
            slack_user_id=slack_user_id,
            channel_id="C1",
            every="daily",
            at_local="16:15",
            zone="America/New_York",
            label="daily at 16:15",
            next_run_at=datetime.now(UTC) + timedelta(days=1),
            most=5,
        )
        await self.transfers.watch(team_id, slack_user_id, 5001, [])
        return pending_id

    async def holds(
        self, team_id: str, slack_user_id: str, pending_id: str
    ) -> tuple[bool, bool, str, int, bool]:
        """(linked, alert route active, confirmation status, digests, follows transfers)."""
        route = [r for r in await self.routes.for_user(team_id, slack_user_id) if r.state == ACTIVE]
        pending = await self.orders.get(pending_id)
        assert pending is not None
        watchers = await self.transfers.watchers_of(5001)
        return (
            await self.people.links.get(team_id, slack_user_id) is not None,
            bool(route),
            pending.status,
            len(await self.digests.for_user(team_id, slack_user_id)),
            any((w.team_id, w.slack_user_id) == (team_id, slack_user_id) for w in watchers),
        )


@pytest.fixture
def rig(core: Core, issuer: Issuer) -> Rig:
    sessions = core.people.db.sessions
    routes, digests, transfers = core.alerts.routes, DigestRepository(sessions), TransferRepository(sessions)
    offboarding = Offboarding(
        links=core.people.links,
        linking=core.linking,
        routes=routes,
        orders=core.pending,
        digests=digests,
        transfers=transfers,
    )
    return Rig(core.people, issuer, routes, core.pending, digests, transfers, offboarding)


async def test_a_workspace_leaving_lets_go_of_everything_of_its_members_only(rig: Rig) -> None:
    alice = await rig.member("T1", "U1", alert_id=1)
    bob = await rig.member("T1", "U2", alert_id=2)
    other = await rig.member("T2", "U1", alert_id=3)
    done = await rig.offboarding.remove("T1")
    assert done == Offboarded(links=2, revoked=2, alerts=2, orders=2, digests=2)
    assert rig.issuer.paths().count("/oauth/revoke") == 2  # each refresh token revoked at the issuer
    for user, pending in (("U1", alice), ("U2", bob)):
        assert await rig.holds("T1", user, pending) == (False, False, EXPIRED, 0, False)
    assert await rig.holds("T2", "U1", other) == (True, True, PENDING, 1, True)


async def test_members_whose_tokens_were_revoked_are_let_go_of_and_their_team_mates_kept(rig: Rig) -> None:
    alice = await rig.member("T1", "U1", alert_id=1)
    bob = await rig.member("T1", "U2", alert_id=2)
    done = await rig.offboarding.remove("T1", ["U1"])
    assert done == Offboarded(links=1, revoked=1, alerts=1, orders=1, digests=1)
    assert await rig.holds("T1", "U1", alice) == (False, False, EXPIRED, 0, False)
    assert await rig.holds("T1", "U2", bob) == (True, True, PENDING, 1, True)


async def test_a_revocation_the_issuer_cannot_take_still_deletes_the_link(rig: Rig) -> None:
    await rig.member("T1", "U1", alert_id=1)
    rig.issuer.discovery.pop("revocation_endpoint")  # this issuer offers no revocation
    done = await rig.offboarding.remove("T1")
    assert (done.links, done.revoked) == (1, 0)
    assert await rig.people.links.get("T1", "U1") is None


async def test_a_workspace_with_nothing_of_the_bot_leaves_nothing_to_do(rig: Rig) -> None:
    assert await rig.offboarding.remove("T-none") == Offboarded(0, 0, 0, 0, 0)
    assert await rig.offboarding.remove("T-none", []) == Offboarded(0, 0, 0, 0, 0)
    assert "/oauth/revoke" not in rig.issuer.paths()
