"""The dependencies as declared and as locked: every one bounded, and the lock
(requirements/constraints.txt, `make lock`) pinning each of them, every extra's included, at a
version the bounds allow. A dependency added to pyproject.toml without `make lock` fails here,
named, rather than being installed at whatever version the day brings."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "requirements" / "constraints.txt"
#: Versioned by year and release: newer time zone rules are always wanted (README, Dependencies).
UNBOUNDED = {"tzdata"}


def declared() -> dict[str, list[Requirement]]:
    """pyproject.toml's requirements: the runtime ones under "", then one list per extra."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    return {"": [Requirement(r) for r in project["dependencies"]]} | {
        name: [Requirement(r) for r in requirements] for name, requirements in extras.items()
    }


def locked() -> dict[str, Version]:
    """The lock's pins, by canonical name; every line must be a plain ``name==version``."""
    pins: dict[str, Version] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep and "[" not in name and not name.startswith("-"), f"not a plain pin: {line!r}"
        pins[canonicalize_name(name)] = Version(version)
    return pins


def test_every_dependency_has_an_upper_bound() -> None:
    unbounded = [
        f"{extra or 'runtime'}: {req}"
        for extra, requirements in declared().items()
        for req in requirements
        if req.name not in UNBOUNDED and not any(s.operator in ("<", "==", "~=") for s in req.specifier)
    ]
    assert not unbounded, "no upper bound: " + "; ".join(unbounded)


def test_the_lock_pins_every_declared_dependency_within_its_bounds() -> None:
    pins = locked()
    problems = []
    for extra, requirements in declared().items():
        for req in requirements:
            pin = pins.get(canonicalize_name(req.name))
            if pin is None:
                problems.append(f"{req.name} ({extra or 'runtime'}) is not in the lock: run `make lock`")
            elif not req.specifier.contains(pin, prereleases=True):
                problems.append(f"{req.name}=={pin} in the lock is outside {req}: run `make lock`")
    assert not problems, "\n".join(problems)


def test_the_runtime_needs_neither_matplotlib_nor_rich() -> None:
    """Charts and the demo's console are extras: a runtime install stays small."""
    runtime = {canonicalize_name(r.name) for r in declared()[""]}
    assert runtime.isdisjoint({"matplotlib", "rich"})
    assert {"matplotlib"} <= {canonicalize_name(r.name) for r in declared()["charts"]}
    assert {"rich", "matplotlib"} <= {canonicalize_name(r.name) for r in declared()["demo"]}
