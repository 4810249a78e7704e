"""Fixtures of the use-case tests: linked users on the test database, each acting through a
scripted stand-in of their AutoShares API that answers with real typed resources."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from bot.autoshares.client import AutoSharesClient, UserApi
from bot.autoshares.tokens import Refresher, TokenSet
from bot.core.tasks import BackgroundTasks
from bot.core.users import LinkedUsers
from bot.telemetry.metrics import Metrics
from storage.crypto import TokenCipher
from storage.db import Database
from storage.links import LinkRepository
from storage.records import Link


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
