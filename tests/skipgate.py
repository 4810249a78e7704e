"""Which tests may skip: only the PostgreSQL-only ones, on SQLite. Loaded by tests/conftest.py.

``@pytest.mark.postgres_only(reason=…)`` marks a test that needs a PostgreSQL server; without
TEST_DATABASE_URL it is skipped, saying why. With ``--no-unexpected-skips`` (``.ci/run`` sets
it) every other skip, from a test, a fixture or a whole module, is turned into a failure that
names the test and the skip's reason: a test that quietly stops running is a test lost.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

OPTION = "--no-unexpected-skips"
MARKER = "postgres_only"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        OPTION,
        action="store_true",
        default=False,
        help=f"fail every skipped test except the @{MARKER} ones (CI sets it)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(reason): needs PostgreSQL (TEST_DATABASE_URL); skipped without it, "
        "the one skip that CI allows",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the PostgreSQL-only tests when the run has no PostgreSQL server."""
    if os.environ.get("TEST_DATABASE_URL"):
        return
    for item in items:
        marker = item.get_closest_marker(MARKER)
        if marker is not None:
            why = marker.kwargs.get("reason", "")
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only (set TEST_DATABASE_URL): {why}"))


def _reason(longrepr: object) -> str:
    """The reason a skip report carries: ``(path, line, "Skipped: why")`` or its text."""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A skipped test (in any phase) that is not PostgreSQL-only fails under the option."""
    report = yield
    if (
        report.skipped
        and not hasattr(report, "wasxfail")
        and item.config.getoption(OPTION)
        and item.get_closest_marker(MARKER) is None
    ):
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} was skipped ({_reason(report.longrepr)}); only @{MARKER} tests may skip "
            f"under {OPTION}: make it run, or mark it if it truly needs PostgreSQL"
        )
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """A module skipped whole (``pytest.skip(allow_module_level=True)``, ``importorskip``) is a
    collection error under the option."""
    report = yield
    if report.skipped and collector.config.getoption(OPTION):
        report.outcome = "failed"
        report.longrepr = (
            f"{collector.nodeid} was skipped whole ({_reason(report.longrepr)}); "
            f"no module may skip under {OPTION}"
        )
    return report
