"""The package's import structure: no import circle, and the engine below everything public.

The graph is read from the source (every ``import`` a module runs, including
those inside functions; imports under ``if TYPE_CHECKING:`` are annotations
only and are left out), so a new circle fails here before it can surface as an
import-order bug.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import veloxapi

PACKAGE_DIR = Path(veloxapi.__file__).resolve().parent

# Modules the engine may never reach, directly or through another module.
ABOVE_THE_ENGINE = (
    "veloxapi.routing",
    "veloxapi.applications",
    "veloxapi.batteries",
    "veloxapi.telemetry",
    "veloxapi.openapi._gen",  # the document generator (openapi.models is plain data, below)
    "veloxapi.openapi.utils",
    "veloxapi.openapi._routes",
    "veloxapi.cli",
    "veloxapi.compat",
    "veloxapi.dependencies",
    "veloxapi._frontend",
    "veloxapi._compat",
)


def _module_names() -> dict[str, Path]:
    names: dict[str, Path] = {}
    for path in PACKAGE_DIR.rglob("*.py"):
        parts = ("veloxapi", *path.relative_to(PACKAGE_DIR).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


MODULES = _module_names()


def _owner(name: str) -> str | None:
    """The module of ours that ``import name`` loads last (a name may be an attribute)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _typing_only(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in {
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        }:
            for statement in node.body:
                skipped.update(id(inner) for inner in ast.walk(statement))
    return skipped


def _imports(name: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skipped = _typing_only(tree)
    found: set[str | None] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(_owner(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base == "veloxapi" or base.startswith("veloxapi."):
                found.update(_owner(f"{base}.{alias.name}") for alias in node.names)
    return {module for module in found if module is not None and module != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    circles.append(sorted(group))
    return circles


def _reachable(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for successor in GRAPH[todo.pop()]:
            if successor not in seen:
                seen.add(successor)
                todo.append(successor)
    return seen


def test_the_graph_sees_known_edges() -> None:
    # the reader must find plain, from-package and relative imports, or every check passes
    assert "veloxapi._engine.compile.plan" in GRAPH["veloxapi.routing"]
    assert "veloxapi.routing" in GRAPH["veloxapi.applications"]
    assert "veloxapi.applications" in GRAPH["veloxapi"]


def test_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize(
    "area",
    [
        "veloxapi.batteries",
        "veloxapi (everything else)",
    ],
)
def test_no_import_circle(area: str) -> None:
    circles = _circles(GRAPH)
    if area == "veloxapi.batteries":
        circles = [c for c in circles if all(m.startswith(area + ".") for m in c)]
    else:
        circles = [c for c in circles if not all(m.startswith("veloxapi.batteries.") for m in c)]
    assert circles == [], "modules that import each other, directly or in a ring: " + "; ".join(
        " <-> ".join(circle) for circle in circles
    )


@pytest.mark.parametrize(
    "engine_module", sorted(m for m in MODULES if m.startswith("veloxapi._engine"))
)
def test_engine_never_reaches_the_layers_above_it(engine_module: str) -> None:
    above = sorted(m for m in _reachable(engine_module) if m.startswith(ABOVE_THE_ENGINE))
    assert above == [], f"{engine_module} imports, directly or not: {above}"
