"""The sandbox's modules import each other without cycles (imports under TYPE_CHECKING count:
they are cycles a reader and mypy see). That it imports no bot code is an import-linter
contract in `make lint`."""

from __future__ import annotations

import ast
from pathlib import Path

import sandbox

ROOT = Path(sandbox.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = ["sandbox", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Module -> the modules it imports, for every module of the sandbox package."""
    files = {module_name(path): path for path in ROOT.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for name, path in files.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    targets.add(submodule if submodule in files else node.module)
        # Importing a.b.c runs a/__init__ and a/b/__init__ too (the top package aside).
        for target in list(targets):
            parts = target.split(".")
            targets.update(".".join(parts[:end]) for end in range(2, len(parts)))
        found[name] = {t for t in targets if t != name and not name.startswith(t + ".")}
    return found


def test_sandbox_modules_import_each_other_without_cycles() -> None:
    graph = {
        module: {t for t in targets if t.startswith("sandbox.")} for module, targets in imports().items()
    }
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str], done: set[str]) -> None:
        for target in sorted(graph.get(module, ())):
            if target in path:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in done:
                visit(target, [*path, target], done)
        done.add(module)

    finished: set[str] = set()
    for module in sorted(graph):
        if module not in finished:
            visit(module, [module], finished)
    assert cycles == []
