"""How an account did over a period: its value day by day (``GET /accounts/{accountId}/history``),
a benchmark's return over the same days and how each holding's price moved (one
``PUT /history/compare`` for the holdings and the benchmark together); the figures are worked
out in ``bot.core.returns``.

The account is the one every command acts on (``AccountService.resolve``). Viewing performance
is not trading: the agreements gate does not apply.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.autoshares.resources import compare_body
from bot.core.accounts import AccountService
from bot.core.charts import candles_of
from bot.core.commands import PerformancePeriod
from bot.core.returns import (
    DAY,
    PERIODS,
    Benchmark,
    Line,
    PerformanceReport,
    close_line,
    moves,
    percent_change,
    report,
    value_line,
)
from bot.core.securities import SecurityCache
from bot.core.users import ActingUser, LinkedUsers

#: The holdings compared (and ranked best to worst) for one report; more are counted, not ranked.
HOLDINGS_COMPARED = 20


class PerformanceService:
    def __init__(self, users: LinkedUsers, accounts: AccountService, securities: SecurityCache) -> None:
        self._users = users
        self._accounts = accounts
        self._securities = securities

    async def _benchmark(self, user: ActingUser, symbol: str | None) -> str | None:
        """The benchmark's symbol as AutoShares lists it; UnknownSymbolError when it lists none."""
        return (await self._securities.equity(user.api, symbol)).symbol if symbol else None

    async def performance(
        self,
        team_id: str,
        slack_user_id: str,
        period_key: PerformancePeriod,
        benchmark: str | None,
        *,
        account_id: int | None = None,
        now: datetime | None = None,
    ) -> PerformanceReport:
        """The report for ``account_id`` (one of the Slack user's accounts; their default, else
        first, when None) over ``period_key`` (a key of PERIODS), against ``benchmark`` when given."""
        period = PERIODS[period_key]
        user = await self._users.acting(team_id, slack_user_id)
        account_id, account = await self._accounts.resolve(user, account_id)
        end = now or datetime.now(UTC)
        start = period.start(end)
        points, page, benchmark = await asyncio.gather(
            user.api.account_history(account_id, start, end),
            user.api.positions(account_id, page=0, page_size=HOLDINGS_COMPARED, sort_field="Symbol"),
            self._benchmark(user, benchmark),
        )
        positions = [p for p in page.items if p.symbol]
        symbols = [p.symbol or "" for p in positions] + ([benchmark] if benchmark else [])
        lines: list[Line] = []
        if symbols:
            days = (int(end.timestamp()) - int(start.timestamp())) // DAY + 2
            body = compare_body(
                symbols,
                period="Day",
                interval=1,
                candles=min(days, 1000),
                start=int(start.timestamp()),
                end=int(end.timestamp()),
            )
            compared = await user.api.compare(body)
            series = compared.series + [[]] * (len(symbols) - len(compared.series))
            lines = [close_line(candles_of(bars), int(start.timestamp())) for bars in series[: len(symbols)]]
        mark = None
        if benchmark:
            line = lines[-1]
            change = percent_change(line.values[0], line.values[-1]) if len(line.values) > 1 else None
            mark = Benchmark(benchmark, change, line)
        holdings = page.total if page.total is not None else len(page.items)
        ranked = moves(positions, lines[: len(positions)])
        return report(
            account_id, account, period, value_line(points, int(start.timestamp())), mark, ranked, holdings
        )
