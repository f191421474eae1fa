"""The package's layers (docs/architecture.md): imports point downwards only, and no cycles."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import mockserver

PACKAGE = Path(mockserver.__file__).resolve().parent
# Lower number = lower layer. A module may import its own layer's modules and lower layers'.
LAYERS = {
    "contract": 0,
    "scenarios": 1,
    "model": 2,
    "state": 3,
    "recording": 4,
    "http": 5,
    "cli": 6,
    "testing": 6,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every ``mockserver`` module this file imports (type-checking imports included)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.startswith("mockserver"):
                found.update(f"{target}.{alias.name}" for alias in node.names)
                found.add(target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("mockserver"))
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {t for t in _imports(path) if t in files and t != name}
        for name, path in files.items()
    }


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_lives_in_a_layer() -> None:
    loose = [
        p.name
        for p in PACKAGE.glob("*.py")
        if p.name not in ("__init__.py", "__main__.py", "_moved.py")
    ]
    assert loose == [], f"modules outside the layers: {loose}; move them into a subpackage"


def test_imports_point_downwards_only() -> None:
    upward = []
    for module, targets in _graph().items():
        layer = _layer(module)
        if layer is None:
            continue
        for target in targets:
            other = _layer(target)
            if other is None or (other != layer and LAYERS[other] >= LAYERS[layer]):
                upward.append(f"{module} -> {target}")
    assert upward == [], "imports against the layering:\n" + "\n".join(sorted(upward))


def test_no_import_cycles() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert cycles == [], f"import cycles: {cycles}"


def test_every_subpackage_says_what_it_may_import() -> None:
    for name in LAYERS:
        doc = importlib.import_module(f"mockserver.{name}").__doc__ or ""
        assert "import" in doc, f"mockserver/{name}/__init__.py: say what the layer may import"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("mockserver.strategies", "mockserver.testing.strategies"),
        ("mockserver.pytest_plugin", "mockserver.testing.pytest_plugin"),
        ("mockserver.hypothesis_profiles", "mockserver.testing.hypothesis_profiles"),
        ("mockserver.pacing", "mockserver.scenarios.pacing"),
        ("mockserver.conformance", "mockserver.contract.conformance"),
    ],
)
def test_import_paths_from_before_the_move_still_work(old: str, new: str) -> None:
    module = importlib.import_module(old)
    assert module is importlib.import_module(new)
    assert module.__spec__ is not None and module.__spec__.name == new  # keeps its own spec


def test_public_api_is_explicit() -> None:
    missing = [name for name in mockserver.__all__ if not hasattr(mockserver, name)]
    assert missing == []
    from mockserver import strategies  # documented: docs/structured-outputs-and-tools.md

    assert strategies.strict_schemas
