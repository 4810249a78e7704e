"""The settings are declared once: the reader, `autoshares-bot check`, `.env.example` and the
README's table all come from the declarations and cannot drift apart."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app.check import main as check_main
from bot.app.settings import Need, Settings, declared
from bot.app.settings.__main__ import main as settings_main
from bot.app.settings.docs import README_BEGIN, README_END, env_example, markdown_table, readme_with_table
from bot.app.settings.values import (
    Choice,
    DatabaseUrl,
    Domain,
    FernetKeys,
    Issuer,
    Kind,
    Number,
    Prefixed,
    Text,
    Url,
    Whole,
)

CHECKOUT = Path(__file__).resolve().parents[3]
NAMES = [item.spec.env for item in declared(Settings)]
#: A value each kind refuses (Text refuses nothing: its required ones are checked by leaving them out).
BAD: dict[type[Kind], str | None] = {
    Text: None,
    Prefixed: "wrong-prefix",
    Whole: "x",
    Number: "x",
    Choice: "wizard",
    Url: "ftp://example.com",
    Issuer: "a/b",
    Domain: "a/b",
    DatabaseUrl: "mysql://db/bot",
    FernetKeys: "short",
}


def table_names(markdown: str) -> list[str]:
    return re.findall(r"^\| `([A-Z0-9_]+)` \|", markdown, flags=re.MULTILINE)


def env_names(text: str) -> list[str]:
    return re.findall(r"^([A-Z0-9_]+)=", text, flags=re.MULTILINE)


def test_env_example_is_written_from_the_declarations() -> None:
    committed = (CHECKOUT / ".env.example").read_text(encoding="utf-8")
    assert committed == env_example(), "run `python -m bot.app.settings --write` and commit the result"
    assert env_names(committed) == NAMES


def test_readme_table_is_written_from_the_declarations() -> None:
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    assert readme_with_table(readme) == readme, "run `python -m bot.app.settings --write` and commit the result"
    table = readme.split(README_BEGIN, 1)[1].split(README_END, 1)[0]
    assert table_names(table) == NAMES
    assert table_names(markdown_table()) == NAMES


class Recording(dict[str, str]):
    """An environment that remembers which names were asked for."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)

    def keys(self) -> Any:  # reading every name would hide an undeclared one
        raise AssertionError("the reader lists the environment")

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("the reader lists the environment")


def test_the_reader_reads_exactly_the_declared_settings() -> None:
    env = Recording({"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1"})
    Settings.from_env(env, require_slack=False)
    assert env.asked == set(NAMES)


def test_every_kind_of_setting_has_a_value_check_refuses() -> None:
    kinds = {type(item.spec.kind) for item in declared(Settings)}
    assert kinds <= set(BAD), f"add a refused value for {kinds - set(BAD)} to BAD"


def bad_everything() -> dict[str, str]:
    """A value refused for every setting that can refuse one; the required text ones left out."""
    return {
        item.spec.env: bad
        for item in declared(Settings)
        if (bad := BAD[type(item.spec.kind)]) is not None
    }


def test_check_names_every_declared_setting_in_one_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_main(bad_everything()) == 1
    out = capsys.readouterr().out.splitlines()
    settings_lines = [line for line in out if line.startswith("problem  settings: ")]
    for item in declared(Settings):
        spec = item.spec
        if BAD[type(spec.kind)] is None and spec.need in (Need.OPTIONAL, Need.TO_LINK):
            continue  # any text is accepted, and start-up does not require it
        assert any(spec.env in line for line in settings_lines), spec.env
    # every probe depends on a bad setting, so none ran: only settings were reported
    assert {line.split(":", 1)[0] for line in out[:-1]} == {"problem  settings"}
    assert out[-1] == f"{len(settings_lines)} problems found."


def test_the_module_writes_both_files_into_a_checkout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(CHECKOUT / "README.md", tmp_path / "README.md")
    stale = (CHECKOUT / "README.md").read_text(encoding="utf-8").replace("| `PORT` |", "| `PORT_NUMBER` |")
    (tmp_path / "README.md").write_text(stale, encoding="utf-8")
    assert settings_main(["--write", str(tmp_path)]) == 0
    assert (tmp_path / ".env.example").read_text(encoding="utf-8") == env_example()
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == (CHECKOUT / "README.md").read_text(
        encoding="utf-8"
    )
    assert settings_main(["--write", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "already up to date"
    assert settings_main(["--env-example"]) == 0
    assert capsys.readouterr().out == env_example()
    assert settings_main(["--write", str(tmp_path / "nowhere")]) == 2
