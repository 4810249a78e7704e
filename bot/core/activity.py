"""An account's activity and statements: trades, dividends and fees over a period, a page at a
time, and the period's CSV report.

The period and kind a user asks for (``ActivityRequest``) become one AutoShares ``filter``,
written once here (:func:`activity_filter`) and sent both for the page and for the report, so the
CSV holds exactly what the pages show. The spec has two forms of each read, ``activity`` and
``transactions``; the first is asked, and a deployment that answers it 404 (it lacks that form)
is asked the second. Viewing activity is not trading: the agreements gate does
not apply.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.autoshares import errors as e
from bot.core.accounts import AccountService
from bot.core.commands import ActivityKind, ActivityPeriod, ActivityRequest
from bot.core.users import LinkedUsers
from bot.core.views import ActivityExport, ActivityPage
from bot.vocabulary.spreadsheets import safe_csv

ACTIVITY_PAGE_SIZE = 10

#: The filter clause of each kind (TransactionMapModel properties): trades are order executions,
#: dividends are payments of dividend money, fees are commissions and clearing charges.
KIND_CLAUSES: dict[ActivityKind, str | None] = {
    "trades": "Type = 'OrderExecution'",
    "dividends": "MarginType = 'Dividend'",
    "fees": "Type in ('Commission', 'Clearing')",
    "all": None,
}


def period_start(period: ActivityPeriod, now: datetime) -> datetime:
    """Where ``period`` starts: midnight UTC 7 or 30 days before ``now``'s day, or 1 January."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "ytd":
        return today.replace(month=1, day=1)
    return today - timedelta(days=7 if period == "7d" else 30)


def activity_filter(request: ActivityRequest, since: datetime) -> str:
    """The ``filter`` query for the request, in the documented grammar (``Date >= #…#``)."""
    clauses = [f"Date >= #{since.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}#"]
    kind = KIND_CLAUSES[request.kind]
    if kind:
        clauses.append(kind)
    return " and ".join(clauses)


def report_filename(account_id: int, request: ActivityRequest, now: datetime) -> str:
    """``autoshares-5002-activity-30d-all-2026-12-07.csv``."""
    day = now.astimezone(UTC).date().isoformat()
    return f"autoshares-{account_id}-activity-{request.period}-{request.kind}-{day}.csv"


class ActivityService:
    def __init__(self, users: LinkedUsers, accounts: AccountService) -> None:
        self._users = users
        self._accounts = accounts

    async def page(
        self,
        team_id: str,
        slack_user_id: str,
        request: ActivityRequest,
        page: int,
        *,
        now: datetime | None = None,
    ) -> ActivityPage:
        """One page (zero-based, newest first) of the requested, default or first account's activity."""
        user = await self._users.acting(team_id, slack_user_id)
        account_id, account = await self._accounts.resolve(user, request.account_id)
        since = period_start(request.period, now or datetime.now(UTC))
        size = ACTIVITY_PAGE_SIZE
        query = activity_filter(request, since)
        try:
            found = await user.api.activity(account_id, page=page, page_size=size, filter=query)
        except e.AutoSharesNotFound:
            found = await user.api.transactions(account_id, page=page, page_size=size, filter=query)
        return ActivityPage(
            account_id, account, request, since, found.items, page, size, found.total, found.has_next
        )

    async def export(
        self, team_id: str, slack_user_id: str, request: ActivityRequest, *, now: datetime | None = None
    ) -> ActivityExport:
        """The period's activity report (CSV) of the requested, default or first account; a cell
        a spreadsheet would run as a formula is made plain text (``bot.vocabulary.spreadsheets``)."""
        moment = now or datetime.now(UTC)
        user = await self._users.acting(team_id, slack_user_id)
        account_id, _account = await self._accounts.resolve(user, request.account_id)
        since = period_start(request.period, moment)
        query = activity_filter(request, since)
        try:
            report = await user.api.activity_report(account_id, filter=query)
        except e.AutoSharesNotFound:
            report = await user.api.transaction_report(account_id, filter=query)
        return ActivityExport(
            account_id, report_filename(account_id, request, moment), safe_csv(report.csv), max(len(report.root) - 1, 0)
        )
