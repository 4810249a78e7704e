"""No function in the packages is longer than ``MOST_LINES``: a long function is a set of steps
that each deserve a name (and a docstring). Declarative tables are data, not functions, and are
written as module-level constants, so they are not counted."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage", "sandbox")
MOST_LINES = 80

#: Functions allowed to be longer, by "path:qualified name", each with its reason.
ALLOWED = {
    # Declarative, and frozen once released: the first schema, one create_table per table.
    "storage/migrations/versions/0001_initial_schema.py:upgrade",
}


def functions(
    tree: ast.AST, prefix: str = ""
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method in ``tree``, nested ones too, with its qualified name."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield f"{prefix}{node.name}", node
            yield from functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from functions(node, f"{prefix}{node.name}.")
        elif not isinstance(node, ast.expr):  # no function is defined inside an expression
            yield from functions(node, prefix)


@functools.cache
def lengths() -> dict[str, int]:
    """Lines per function (from ``def`` to its last line), by "path:qualified name" (read once
    for the tests that use it)."""
    found: dict[str, int] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for name, node in functions(ast.parse(path.read_text(encoding="utf-8"))):
                assert node.end_lineno is not None
                found[f"{relative}:{name}"] = node.end_lineno - node.lineno + 1
    return found


def test_no_function_is_longer_than_eighty_lines() -> None:
    too_long = {
        name: count for name, count in lengths().items() if count > MOST_LINES and name not in ALLOWED
    }
    assert not too_long, f"split these functions (lines): {too_long}"


def test_the_allow_list_names_functions_that_exist_and_are_long() -> None:
    found = lengths()
    stale = {name for name in ALLOWED if found.get(name, 0) <= MOST_LINES}
    assert not stale, f"no longer needed in ALLOWED: {stale}"


def test_the_walk_sees_nested_functions_and_methods() -> None:
    tree = ast.parse("class A:\n    def m(self):\n        def inner():\n            pass\n")
    assert [name for name, _ in functions(tree)] == ["A.m", "A.m.inner"]
