"""handlers.directory: who is a workspace admin and in which time zone, read from ``users.info``,
kept for the cache's time, and failing closed (not an admin, no zone) when Slack cannot say."""

from __future__ import annotations

import logging
from typing import Any, cast

import pytest
from slack_sdk.errors import SlackApiError

from bot.core.errors import ConfigError
from handlers import directory
from handlers.directory import SlackUsersDirectory
from handlers.notify import SlackClients

MEMBERS: dict[str, dict[str, Any]] = {
    "UADMIN": {"id": "UADMIN", "is_admin": True, "tz": "Europe/Paris"},
    "UOWNER": {"id": "UOWNER", "is_owner": True},
    "UPRIMARY": {"id": "UPRIMARY", "is_primary_owner": True},
    "UMEMBER": {"id": "UMEMBER", "is_admin": False, "tz": "America/Chicago"},
    "UBOT": {"id": "UBOT", "tz": ""},
}


class Slack:
    """Stands for the Slack clients: ``users.info`` answers MEMBERS, or refuses with ``error``;
    ``unconfigured`` teams have no client at all. Records each (team, user) asked about."""

    def __init__(self, *, error: str | None = None, unconfigured: bool = False) -> None:
        self.asked: list[tuple[str, str]] = []
        self.error = error
        self.unconfigured = unconfigured

    async def for_team(self, team_id: str | None, enterprise_id: str | None = None) -> Slack.Client:
        if self.unconfigured:
            raise ConfigError(f"The app is not installed in Slack team {team_id}")
        return Slack.Client(self, str(team_id))

    class Client:
        def __init__(self, slack: Slack, team_id: str) -> None:
            self._slack, self._team = slack, team_id

        async def users_info(self, *, user: str) -> dict[str, Any]:
            self._slack.asked.append((self._team, user))
            if self._slack.error:
                raise SlackApiError("users.info", {"ok": False, "error": self._slack.error})
            return {"ok": True, "user": MEMBERS[user]}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def members(slack: Slack, clock: Clock | None = None) -> SlackUsersDirectory:
    return SlackUsersDirectory(cast(SlackClients, slack), ttl=60.0, clock=clock or Clock())


@pytest.mark.parametrize(
    ("user", "admin"), [("UADMIN", True), ("UOWNER", True), ("UPRIMARY", True), ("UMEMBER", False)]
)
async def test_slack_owners_and_admins_are_admins(user: str, admin: bool) -> None:
    assert await members(Slack()).is_workspace_admin("T1", user) is admin


async def test_the_time_zone_is_slacks_or_none() -> None:
    people = members(Slack())
    assert await people.time_zone("T1", "UADMIN") == "Europe/Paris"
    assert await people.time_zone("T1", "UOWNER") is None
    assert await people.time_zone("T1", "UBOT") is None


async def test_an_answer_is_kept_for_the_cache_time_per_team_and_member() -> None:
    slack, clock = Slack(), Clock()
    people = members(slack, clock)
    assert await people.is_workspace_admin("T1", "UADMIN")
    assert await people.time_zone("T1", "UADMIN") == "Europe/Paris"
    clock.now += 59.9
    assert await people.is_workspace_admin("T1", "UADMIN")
    await people.is_workspace_admin("T2", "UADMIN")
    assert slack.asked == [("T1", "UADMIN"), ("T2", "UADMIN")]
    clock.now += 0.1
    await people.is_workspace_admin("T1", "UADMIN")
    assert slack.asked[-1] == ("T1", "UADMIN") and len(slack.asked) == 3


async def test_when_slack_refuses_nobody_is_an_admin_and_the_scope_is_named(
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack = Slack(error="missing_scope")
    people = members(slack)
    with caplog.at_level(logging.WARNING, logger=directory.__name__):
        assert await people.is_workspace_admin("T1", "UADMIN") is False
        assert await people.time_zone("T1", "UADMIN") is None
    assert len(slack.asked) == 2  # a refusal is not kept: the next question asks again
    assert "missing_scope" in caplog.text and "users:read" in caplog.text


async def test_a_team_without_a_client_is_not_taken_for_an_admin(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=directory.__name__):
        assert await members(Slack(unconfigured=True)).is_workspace_admin("T9", "UADMIN") is False
    assert "team T9" in caplog.text and "not installed" in caplog.text


async def test_a_full_cache_drops_the_answers_past_their_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(directory, "MAX_CACHED", 2)
    slack, clock = Slack(), Clock()
    people = members(slack, clock)
    await people.time_zone("T1", "UADMIN")
    clock.now += 30
    await people.time_zone("T1", "UMEMBER")
    clock.now += 31  # UADMIN's answer is past its time, UMEMBER's is not
    await people.time_zone("T1", "UOWNER")
    assert set(people._known) == {("T1", "UMEMBER"), ("T1", "UOWNER")}
    asked = len(slack.asked)
    assert await people.time_zone("T1", "UMEMBER") == "America/Chicago"
    assert len(slack.asked) == asked  # the one still in its time is kept
