"""The skip gate (tests/skipgate.py), run on sample tests in a pytest of their own: under
``--no-unexpected-skips`` a skip fails the run and is named, except a PostgreSQL-only test's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SAMPLE = """
import pytest


def test_runs():
    assert True


def test_skips():
    pytest.skip("no spec here")


@pytest.fixture
def missing():
    pytest.skip("a fixture gave up")


def test_skips_in_a_fixture(missing):
    assert True


@pytest.mark.postgres_only(reason="needs a server")
def test_needs_postgres():
    assert False, "ran without TEST_DATABASE_URL"
"""


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest with the gate as its only project plugin, in ``folder``, on SQLite (no
    TEST_DATABASE_URL) and without CI's PYTEST_ADDOPTS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "TEST_DATABASE_URL"))}
    env["PYTHONPATH"] = str(REPO)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "tests.skipgate",
        "-p",
        "no:cacheprovider",
        "-q",
        "-n",
        "0",
    ]
    return subprocess.run(
        [*command, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_without_the_option_skips_are_reported_as_skips(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE, encoding="utf-8")
    result = run_pytest(tmp_path, "-rs")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 3 skipped" in result.stdout
    assert "PostgreSQL only (set TEST_DATABASE_URL): needs a server" in result.stdout


def test_with_the_option_an_unexpected_skip_fails_and_is_named(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE, encoding="utf-8")
    result = run_pytest(tmp_path, "--no-unexpected-skips")
    assert result.returncode == 1, result.stdout + result.stderr
    # a skip in a fixture fails the test's set-up: pytest counts it as an error
    assert "1 failed, 1 passed, 1 skipped, 1 error" in result.stdout
    assert "test_sample.py::test_skips was skipped (Skipped: no spec here)" in result.stdout
    assert "test_sample.py::test_skips_in_a_fixture was skipped (Skipped: a fixture gave up)" in result.stdout


def test_with_the_option_a_module_skipped_whole_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "test_optional.py").write_text(
        'import pytest\n\npytest.importorskip("no_such_module_anywhere")\n\n\ndef test_x():\n    pass\n',
        encoding="utf-8",
    )
    result = run_pytest(tmp_path, "--no-unexpected-skips")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "test_optional.py was skipped whole" in result.stdout
    assert "no_such_module_anywhere" in result.stdout
