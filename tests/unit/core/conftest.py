"""Fixtures of the use-case tests: linked users on the test database, each acting through a
scripted stand-in of their AutoShares API that answers with real typed resources, and the real
services the use cases are built on (linking with the identity provider over MockTransport,
team rules, accounts, agreements, orders and alerts on the same database)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
import pytest

from bot.autoshares.client import AutoSharesClient, UserApi
from bot.autoshares.oidc import OidcClient
from bot.autoshares.streamer import QuoteStreamer
from bot.autoshares.tokens import Refresher, TokenSet
from bot.core.accounts import AccountService
from bot.core.agreements import AgreementService
from bot.core.alerts import AlertService
from bot.core.linking import LinkService
from bot.core.orders import OrderPolicy, OrderService
from bot.core.pacing import UserPacing
from bot.core.passes import PollPolicy
from bot.core.tasks import BackgroundTasks
from bot.core.team import TeamRules, TeamService
from bot.core.users import LinkedUsers
from bot.telemetry.metrics import Metrics
from storage.alert_groups import AlertGroupRepository
from storage.alert_preferences import AlertPreferences
from storage.alerts import AlertRouteRepository
from storage.audit import AuditLog
from storage.crypto import TokenCipher
from storage.db import Database
from storage.link_states import LinkStateRepository
from storage.links import LinkRepository
from storage.orders import PendingOrderRepository
from storage.pacing import AllowanceRepository
from storage.records import Link
from storage.team import TeamRepository
from tests.unit.conftest import CLIENT_ID, ISSUER, Issuer


class StandInApi:
    """One user's AutoShares API, scripted: ``StandInApi(accounts=[...], balances=fail)``.

    Each scripted method answers its value; an exception instance is raised instead; a plain
    function is called with the method's arguments and its result (or exception) used. Every
    call is recorded in ``calls``; a method the test did not script fails the test, and so does
    scripting one ``UserApi`` does not have.
    """

    def __init__(self, **answers: Any) -> None:
        unknown = [name for name in answers if not callable(getattr(UserApi, name, None))]
        assert not unknown, f"UserApi has no {unknown}"
        self.answers: dict[str, Any] = answers
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or name not in self.__dict__.get("answers", {}):
            raise AttributeError(f"AutoShares was not expected to be asked {name!r}")

        async def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            answer = self.answers[name]
            if callable(answer) and not isinstance(answer, BaseException):
                answer = answer(*args, **kwargs)
            if isinstance(answer, BaseException):
                raise answer
            return answer

        return call

    def called(self, name: str) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        """The arguments of each call of ``name``, in order."""
        return [(args, kwargs) for method, args, kwargs in self.calls if method == name]

    @property
    def asked(self) -> list[str]:
        return [method for method, _, _ in self.calls]


class StandInClient:
    """``AutoSharesClient.for_user``: the stand-in API of the AutoShares user named."""

    def __init__(self) -> None:
        self.apis: dict[int, StandInApi] = {}

    def for_user(self, auth: object, user_id: int | None) -> StandInApi:
        return self.apis[user_id or 0]


@dataclass
class People:
    """Linked users on the test database (``LinkedUsers`` and its ``LinkRepository``)."""

    db: Database
    cipher: TokenCipher
    links: LinkRepository
    client: StandInClient
    users: LinkedUsers
    tasks: BackgroundTasks
    _next_user_id: int = field(default=7)

    async def link(
        self,
        api: StandInApi,
        *,
        team_id: str = "T1",
        slack_user_id: str = "U1",
        default_account_id: int | None = None,
        agreements_outstanding: int = 0,
    ) -> Link:
        """Link ``slack_user_id`` to a new AutoShares user answered by ``api``."""
        autoshares_user_id = self._next_user_id
        self._next_user_id += 1
        self.client.apis[autoshares_user_id] = api
        await self.links.save(
            team_id=team_id,
            slack_user_id=slack_user_id,
            autoshares_user_id=autoshares_user_id,
            autoshares_login=f"login-{autoshares_user_id}",
            email=None,
            display_name=None,
            tokens=TokenSet("access", "refresh", datetime.now(UTC) + timedelta(hours=1), "openid"),
            agreements_outstanding=agreements_outstanding,
        )
        if default_account_id is not None:
            await self.links.set_default_account(team_id, slack_user_id, default_account_id)
        link = await self.links.get(team_id, slack_user_id)
        assert link is not None
        return link

    async def stored(self, team_id: str = "T1", slack_user_id: str = "U1") -> Link:
        link = await self.links.get(team_id, slack_user_id)
        assert link is not None
        return link


@pytest.fixture
def people(db: Database, encryption_key: str) -> People:
    cipher = TokenCipher([encryption_key])
    links = LinkRepository(db.sessions, cipher)
    client, tasks = StandInClient(), BackgroundTasks()
    users = LinkedUsers(
        links,
        cast(AutoSharesClient, client),
        cast(Refresher, None),  # tokens are never refreshed here: no call reaches an issuer
        tasks=tasks,
        metrics=Metrics(),
    )
    return People(db, cipher, links, client, users, tasks)


class NoSlackSignIn:
    """The ``SlackIdentity`` port where no test signs in through Slack (a link is only issued)."""

    configured = True

    async def authorization_url(self, *, state: str, nonce: str, team_id: str) -> str:
        raise AssertionError("not used")

    async def verify(self, code: str, nonce: str) -> tuple[str, str]:
        raise AssertionError("not used")


class Directory:
    """The ``SlackDirectory`` port: the members Slack calls workspace admins."""

    def __init__(self) -> None:
        self.admins: set[tuple[str, str]] = set()

    async def is_workspace_admin(self, team_id: str, slack_user_id: str) -> bool:
        return (team_id, slack_user_id) in self.admins

    async def time_zone(self, team_id: str, slack_user_id: str) -> str | None:
        return None


@dataclass
class Core:
    """The services the use cases under test are built on, over ``people``'s database."""

    people: People
    linking: LinkService
    directory: Directory
    team: TeamService
    audit: AuditLog
    accounts: AccountService
    agreements: AgreementService
    pending: PendingOrderRepository
    orders: OrderService
    pacing: UserPacing
    alerts: AlertService


@pytest.fixture
async def core(people: People, issuer: Issuer) -> AsyncIterator[Core]:
    sessions, users = people.db.sessions, people.users
    async with httpx.AsyncClient(transport=httpx.MockTransport(issuer.handle)) as http:
        linking = LinkService(
            links=people.links,
            states=LinkStateRepository(sessions, people.cipher),
            oidc=OidcClient(
                http,
                issuer=ISSUER,
                client_id=CLIENT_ID,
                client_secret="s",
                redirect_uri="https://bot.test/cb",
            ),
            identity=NoSlackSignIn(),
            client=AutoSharesClient(http, base_url="https://api.autoshares.test/", app_key="k"),
            public_url="https://bot.test/",
        )
        directory = Directory()
        team = TeamService(TeamRepository(sessions), directory, TeamRules())
        audit, pending = AuditLog(sessions), PendingOrderRepository(sessions)
        accounts = AccountService(users, signup_url=None)
        agreements = AgreementService(users)
        orders = OrderService(
            users=users,
            accounts=accounts,
            agreements=agreements,
            repo=pending,
            audit=audit,
            metrics=Metrics(),
            policy=OrderPolicy(),
            team=team,
        )
        pacing = UserPacing(AllowanceRepository(sessions), 60, clock=lambda: 1_000_000.0)
        alerts = AlertService(
            users=users,
            routes=AlertRouteRepository(sessions),
            audit=audit,
            default_expiry=timedelta(days=30),
            pacing=pacing,
            policy=PollPolicy(),
            team=team,
            groups=AlertGroupRepository(sessions),
            preferences=AlertPreferences(sessions),
            streamer=cast(QuoteStreamer, None),  # App Home lists alerts; nothing here is quoted
        )
        yield Core(
            people, linking, directory, team, audit, accounts, agreements, pending, orders, pacing, alerts
        )
