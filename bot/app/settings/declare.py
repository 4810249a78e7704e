"""How a setting is declared, and the one reader that reads every declared setting.

A setting is declared once, as a field of the settings dataclass: ``port: int = setting("PORT",
3000, Whole(1, 65535), group=SERVING, help="...")``. The field gives the attribute, its type and
its default; the :class:`Spec` in the field's metadata gives the variable's name, its kind of
value (parsing and bounds), whether it is secret or required, its group and its help. The
reader, ``Settings.from_env``, ``autoshares-bot check``, ``.env.example`` and the README's
table are all derived from these fields.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.app.settings.values import Kind
from bot.core.errors import ConfigError

SPEC = "setting"


class Need(enum.Enum):
    """When a setting must be set; the value is what the docs say."""

    OPTIONAL = ""
    #: ``from_env`` refuses to go on without it unless ``require_slack=False`` (the commands that
    #: only touch the database).
    TO_SERVE = "required"
    #: Needed as soon as AUTH0_DOMAIN names a real AutoShares.
    WITH_AUTOSHARES = "required with AUTH0_DOMAIN"
    #: Not enforced at start-up (the bot serves without it) but nobody can link without it;
    #: ``check`` reports it.
    TO_LINK = "needed to link"


@dataclass(frozen=True)
class Spec:
    """Everything about one environment variable that is not its attribute, type or default."""

    env: str
    kind: Kind
    group: str
    help: str
    secret: bool = False
    need: Need = Need.OPTIONAL
    #: What follows "NAME is missing" when a required setting is empty: where to find it.
    missing: str = ""
    #: The default as the docs show it, when it is not the field's default (computed ones).
    shown_default: str | None = None


@dataclass(frozen=True)
class Problem:
    """One bad setting (or a rule between several): the sentence, and the variables at fault."""

    names: tuple[str, ...]
    message: str


class SettingsError(ConfigError):
    """Every problem of one reading; ``str()`` is one sentence per line."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.message for p in problems))


def setting(
    env: str,
    default: Any,
    kind: Kind,
    *,
    group: str,
    help: str,
    secret: bool = False,
    need: Need = Need.OPTIONAL,
    missing: str = "",
    shown_default: str | None = None,
) -> Any:
    """A dataclass field declaring one setting (secrets are left out of ``repr``)."""
    spec = Spec(env, kind, group, help, secret, need, missing, shown_default)
    return dataclasses.field(default=default, repr=not secret, metadata={SPEC: spec})


@dataclass(frozen=True)
class Declared:
    """A declared setting: its attribute, its default and its :class:`Spec`."""

    attr: str
    default: Any
    spec: Spec


def declared(cls: type) -> Iterator[Declared]:
    """Every setting declared on the dataclass ``cls``, in declaration order."""
    for field in dataclasses.fields(cls):
        if SPEC in field.metadata:
            yield Declared(field.name, field.default, field.metadata[SPEC])


@dataclass
class Reading:
    """What one pass over the environment found: the values of the settings that were given
    and well formed (by attribute), the names given at all, and every problem."""

    values: dict[str, Any]
    given: set[str]
    problems: list[Problem]

    def fail(self, names: tuple[str, ...] | str, message: str) -> None:
        self.problems.append(Problem((names,) if isinstance(names, str) else names, message))

    @property
    def failed(self) -> set[str]:
        return {name for problem in self.problems for name in problem.names}


def read_declared(cls: type, env: Mapping[str, str], *, require_slack: bool) -> Reading:
    """Parse every declared setting of ``cls`` from ``env``: empty means the default; each bad
    value is a problem (and leaves its default in place), never an exception."""
    reading = Reading(values={}, given=set(), problems=[])
    for item in declared(cls):
        name = item.spec.env
        raw = env.get(name, "").strip()
        if not raw:
            if item.spec.need is Need.TO_SERVE and require_slack:
                reading.fail(name, f"{name} is missing{item.spec.missing}")
            continue
        reading.given.add(name)
        try:
            reading.values[item.attr] = item.spec.kind.parse(raw, name)
        except ConfigError as exc:
            reading.fail(name, str(exc))
    return reading
