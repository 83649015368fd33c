"""``tests/unit`` mirrors ``src/veloxapi``: a test lives where the code it exercises lives.

The rules (a test name drops the leading underscore of the package or module it is
named after: ``_engine`` -> ``engine``, ``_hardening.py`` -> ``test_hardening.py``):

* every directory under ``tests/unit`` is a package of ``src/veloxapi``, nested the
  same way (``tests/unit/engine/run`` tests ``src/veloxapi/_engine/run``), or a module
  whose tests fill several files (``tests/unit/routing`` for ``routing.py``,
  ``tests/unit/batteries/offload`` for ``batteries/offload.py``);
* a test file directly in ``tests/unit`` is ``test_<module>.py``, named after a
  top-level module (``test_sse.py`` for ``sse.py``).

The one exception is ``tests/unit/project``: the project-wide checks that no package
owns (import layering, the public namespace ``veloxapi.__all__``, the guides' example
apps, the thin re-export modules taken together, what the core install pulls in, and
this check). A directory holding nothing but ``__pycache__`` (left behind where tests
moved away) is ignored.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SRC = REPO / "src" / "veloxapi"
UNIT = REPO / "tests" / "unit"

PROJECT_WIDE = "project"
"""The directory of ``tests/unit`` for project-wide checks, the documented exception."""

SRC_LABEL = "src/veloxapi"
UNIT_LABEL = "tests/unit"


def _public(name: str) -> str:
    return name.removeprefix("_")


def _children(packages: list[Path]) -> dict[str, list[Path]]:
    """The packages and modules inside ``packages``, by the name their tests use."""
    found: dict[str, list[Path]] = {}
    for package in packages:
        for entry in sorted(package.iterdir()):
            if entry.is_dir() and (entry / "__init__.py").is_file():
                found.setdefault(_public(entry.name), []).append(entry)
            elif entry.suffix == ".py" and not entry.name.startswith("__"):
                found.setdefault(_public(entry.stem), []).append(entry)
    return found


def _mirrors(src: Path) -> dict[str, Path]:
    """Every package and module of ``src``, keyed by the tests/unit path that mirrors it."""
    found: dict[str, Path] = {}
    pending: list[tuple[str, list[Path]]] = [("", [src])]
    while pending:
        prefix, packages = pending.pop()
        for name, entries in _children(packages).items():
            mirror = f"{prefix}/{name}"
            found[mirror] = next((entry for entry in entries if entry.is_dir()), entries[0])
            subpackages = [entry for entry in entries if entry.is_dir()]
            if subpackages:
                pending.append((mirror, subpackages))
    return found


def _holds_files(directory: Path) -> bool:
    return any(path.is_file() for path in directory.rglob("*") if "__pycache__" not in path.parts)


def _label(path: Path, src: Path) -> str:
    return f"{SRC_LABEL}/{path.relative_to(src)}".removesuffix("/.")


def _rename_directory(directory: Path, owners: list[Path], src: Path, unit: Path) -> str:
    """The problem with ``directory``, whose parent mirrors ``owners``, and its new name."""
    relative = directory.relative_to(unit)
    name = directory.name
    parent = f"{UNIT_LABEL}/{relative.parent}".removesuffix("/.")
    children = _children([owner for owner in owners if owner.is_dir()])
    if name.startswith("_") and _public(name) in children:
        return (
            f"{UNIT_LABEL}/{relative}: a test directory drops its package's leading underscore;"
            f" rename it to {parent}/{_public(name)}"
        )
    problem = f"{UNIT_LABEL}/{relative}: {_label(owners[0], src)} has no package or module {name!r}"
    if not name.startswith("_"):
        problem += f" (nor {'_' + name!r})"
    mirrors = _mirrors(src)
    same_name = sorted(
        mirror
        for mirror, entry in mirrors.items()
        if entry.is_dir() and mirror.rsplit("/", 1)[1] == _public(name)
    )
    if same_name:
        return f"{problem}; rename it to " + " or ".join(
            f"{UNIT_LABEL}{mirror} (for {_label(mirrors[mirror], src)})" for mirror in same_name
        )
    prefixes = [child for child in children if name.startswith(f"{child}_")]
    close = prefixes or difflib.get_close_matches(name, list(children), n=3, cutoff=0.8)
    if close:
        return f"{problem}; rename it to " + " or ".join(f"{parent}/{match}" for match in close)
    packages = sorted(key for key, found in children.items() if any(e.is_dir() for e in found))
    if not packages:
        return f"{problem}; move its tests into {parent}"
    if relative.parent == Path("."):
        elsewhere = (
            f"{UNIT_LABEL}/test_<module>.py for a top-level module,"
            f" {UNIT_LABEL}/{PROJECT_WIDE} for a project-wide check"
        )
    else:
        elsewhere = f"{parent} itself for a module of {_label(owners[0], src)}"
    return (
        f"{problem}; rename it after the package or module its tests exercise"
        f" ({parent}/<name>; packages here: {', '.join(packages)}),"
        f" or move each test to where what it exercises is mirrored ({elsewhere})"
    )


def _directory_problems(
    owners: list[Path], directory: Path, src: Path, unit: Path
) -> Iterator[str]:
    """Problems under ``directory``, which mirrors the packages or modules ``owners``."""
    children = _children([owner for owner in owners if owner.is_dir()])
    for sub in sorted(path for path in directory.iterdir() if path.is_dir()):
        if sub.name == "__pycache__" or sub.name.startswith(".") or not _holds_files(sub):
            continue
        if directory == unit and sub.name == PROJECT_WIDE:
            continue
        matches = [] if sub.name.startswith("_") else children.get(sub.name, [])
        if matches:
            yield from _directory_problems(matches, sub, src, unit)
        else:
            yield _rename_directory(sub, owners, src, unit)


def _test_file_problem(test_file: Path, src: Path) -> str | None:
    """The problem with ``tests/unit/test_<name>.py`` and its new name, if it has one."""
    name = test_file.stem.removeprefix("test_")
    top = _children([src])
    entries = top.get(_public(name), [])
    problem = f"{UNIT_LABEL}/{test_file.name}: {SRC_LABEL} has no module {name}.py"
    if any(entry.is_file() for entry in entries):
        if not name.startswith("_"):
            return None
        return (
            f"{UNIT_LABEL}/{test_file.name}: a test file drops its module's leading underscore;"
            f" rename it to {UNIT_LABEL}/test_{_public(name)}.py"
        )
    if entries:
        return (
            f"{UNIT_LABEL}/{test_file.name}: {_label(entries[0], src)} is a package; "
            f"move it into {UNIT_LABEL}/{_public(name)}/"
        )
    modules = sorted(key for key, found in top.items() if any(e.is_file() for e in found))
    prefixes = [module for module in modules if name.startswith(f"{module}_")]
    close = [max(prefixes, key=len)] if prefixes else difflib.get_close_matches(name, modules)
    if close:
        return f"{problem}; rename it to " + " or ".join(
            f"{UNIT_LABEL}/test_{module}.py" for module in close
        )
    return (
        f"{problem}; rename it to {UNIT_LABEL}/test_<module>.py after the module it exercises,"
        " or move it into the directory of the package it exercises"
    )


def layout_problems(src: Path, unit: Path) -> list[str]:
    """What in ``unit`` does not mirror ``src``, each with the name to give it instead."""
    problems = list(_directory_problems([src], unit, src, unit))
    for test_file in sorted(unit.glob("test_*.py")):
        problem = _test_file_problem(test_file, src)
        if problem is not None:
            problems.append(problem)
    return problems


def test_tests_unit_mirrors_src_veloxapi() -> None:
    problems = layout_problems(SRC, UNIT)
    assert not problems, "tests/unit does not mirror src/veloxapi:\n" + "\n".join(problems)


# -- the check itself, on a small tree ------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "src" / "veloxapi"
    for package in ("", "_engine", "_engine/run", "security"):
        (src / package).mkdir(parents=True, exist_ok=True)
        (src / package / "__init__.py").write_text("")
    for module in ("routing.py", "sse.py", "_hardening.py", "_engine/run/solve.py"):
        (src / module).write_text("")
    unit = tmp_path / "tests" / "unit"
    for test in (
        "engine/run/test_solve.py",
        "engine/test_engine.py",
        "routing/test_routes.py",
        "security/test_schemes.py",
        "project/any/test_project.py",
        "test_sse.py",
        "test_hardening.py",
        "conftest.py",
    ):
        (unit / test).parent.mkdir(parents=True, exist_ok=True)
        (unit / test).write_text("")
    return src, unit


def _add(unit: Path, test: str) -> None:
    (unit / test).parent.mkdir(parents=True, exist_ok=True)
    (unit / test).write_text("")


def test_a_mirroring_tree_has_no_problem(tree: tuple[Path, Path]) -> None:
    src, unit = tree
    (unit / "core" / "__pycache__").mkdir(parents=True)  # left behind by a move
    (unit / "core" / "__pycache__" / "test_x.cpython-311.pyc").write_bytes(b"")
    assert layout_problems(src, unit) == []


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        (
            "_engine/test_x.py",
            "tests/unit/_engine: a test directory drops its package's leading underscore; "
            "rename it to tests/unit/engine",
        ),
        (
            "run/test_x.py",
            "tests/unit/run: src/veloxapi has no package or module 'run' (nor '_run'); "
            "rename it to tests/unit/engine/run (for src/veloxapi/_engine/run)",
        ),
        (
            "engine/runs/test_x.py",
            "tests/unit/engine/runs: src/veloxapi/_engine has no package or module 'runs' "
            "(nor '_runs'); rename it to tests/unit/engine/run",
        ),
        (
            "engine_docs/test_x.py",
            "tests/unit/engine_docs: src/veloxapi has no package or module 'engine_docs' "
            "(nor '_engine_docs'); rename it to tests/unit/engine",
        ),
        (
            "engine/run/views/test_x.py",
            "tests/unit/engine/run/views: src/veloxapi/_engine/run has no package or module "
            "'views' (nor '_views'); move its tests into tests/unit/engine/run",
        ),
        (
            "routing/views/test_x.py",
            "tests/unit/routing/views: src/veloxapi/routing.py has no package or module 'views' "
            "(nor '_views'); move its tests into tests/unit/routing",
        ),
        (
            "core/test_x.py",
            "tests/unit/core: src/veloxapi has no package or module 'core' (nor '_core'); "
            "rename it after the package or module its tests exercise (tests/unit/<name>; "
            "packages here: engine, security), or move each test to where what it exercises "
            "is mirrored (tests/unit/test_<module>.py for a top-level module, "
            "tests/unit/project for a project-wide check)",
        ),
        (
            "test_sse_format.py",
            "tests/unit/test_sse_format.py: src/veloxapi has no module sse_format.py; "
            "rename it to tests/unit/test_sse.py",
        ),
        (
            "test__hardening.py",
            "tests/unit/test__hardening.py: a test file drops its module's leading underscore; "
            "rename it to tests/unit/test_hardening.py",
        ),
        (
            "test_security.py",
            "tests/unit/test_security.py: src/veloxapi/security is a package; "
            "move it into tests/unit/security/",
        ),
        (
            "test_everything.py",
            "tests/unit/test_everything.py: src/veloxapi has no module everything.py; "
            "rename it to tests/unit/test_<module>.py after the module it exercises, "
            "or move it into the directory of the package it exercises",
        ),
    ],
)
def test_a_misplaced_test_is_named_with_where_it_belongs(
    tree: tuple[Path, Path], test: str, expected: str
) -> None:
    src, unit = tree
    _add(unit, test)
    problems = layout_problems(src, unit)
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems[0]
