"""Fetch FastAPI's sdist and lay out its test-suite, minus what is out of scope.

Only ``tests/``, ``docs_src/`` and the few data files the tests read are unpacked;
the ``fastapi/`` package itself never is, so ``import fastapi`` can only resolve
through ``veloxapi.compat``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

_VERSION_FILE = Path(__file__).resolve().parents[1] / "src" / "veloxapi" / "_fastapi_version.py"


def _mirrored_version() -> str:
    found = re.search(r'^FASTAPI_VERSION = "([^"]+)"$', _VERSION_FILE.read_text(), re.MULTILINE)
    if found is None:
        raise RuntimeError(f'{_VERSION_FILE} must define FASTAPI_VERSION = "X.Y.Z"')
    return found.group(1)


FASTAPI_VERSION = _mirrored_version()
SDIST_NAME = f"fastapi-{FASTAPI_VERSION}.tar.gz"

# Top-level directories of the sdist that are unpacked whole.
_UNPACKED_TREES = ("tests", "docs_src")
# Single data files the tests read (relative to the sdist root).
_UNPACKED_FILES = ("docs/en/docs/img/favicon.png",)

# Directories dropped whole: performance benchmarks, which measure FastAPI, not behaviour.
EXCLUDED_DIRS = (
    "tests/benchmarks",
    "tests/memory_benchmarks",
)
# Files dropped whole: they test FastAPI's release/translation scripts, not the framework.
EXCLUDED_FILES = (
    "tests/test_prepare_release.py",
    "tests/test_translate.py",
)
# Modules FastAPI calls internal. A test file importing any of them is counted only in
# the whole-suite scope, not in the public-API scope.
INTERNAL_MODULES = ("_compat", "dependencies", "temp_pydantic_v1_params", "cli")

_MODULES = "|".join(re.escape(name) for name in INTERNAL_MODULES)
INTERNAL_IMPORT = re.compile(
    rf"""
    ^[ \t]*(?:
        from[ \t]+fastapi\.(?:{_MODULES})\b            # from fastapi._compat import X
      | import[ \t]+fastapi\.(?:{_MODULES})\b          # import fastapi.cli
      | from[ \t]+fastapi[ \t]+import[ \t]+(?:\([^)]*|[^\n(#]*)\b(?:{_MODULES})\b
                                                        # from fastapi import cli
    )
    """,
    re.MULTILINE | re.VERBOSE,
)


@dataclass(frozen=True)
class Suite:
    root: Path
    excluded: tuple[str, ...]
    internal: tuple[str, ...]


def fetch_sdist(pip: Path, cache_dir: Path) -> Path:
    """Return the cached sdist, downloading it with pip on first use."""
    sdist = cache_dir / SDIST_NAME
    if sdist.is_file():
        return sdist
    cache_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(pip),
        "download",
        "--no-binary",
        ":all:",
        "--no-deps",
        "--dest",
        str(cache_dir),
        f"fastapi=={FASTAPI_VERSION}",
    ]
    subprocess.run(command, check=True)
    if not sdist.is_file():
        raise RuntimeError(
            f"pip download did not produce {sdist}; got {sorted(cache_dir.iterdir())}"
        )
    return sdist


def unpack(sdist: Path, root: Path) -> Suite:
    """Unpack the in-scope parts of ``sdist`` into a fresh ``root`` and drop exclusions."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    with tarfile.open(sdist) as archive:
        members = [m for m in archive.getmembers() if _wanted(m.name)]
        for member in members:
            member.name = str(_relative(member.name))
        archive.extractall(root, members=members, filter="data")
    if (root / "fastapi").exists():
        raise RuntimeError(f"{root / 'fastapi'} must never be unpacked")
    excluded = tuple(_drop_out_of_scope(root))
    return Suite(root=root, excluded=excluded, internal=tuple(internal_files(root)))


def _relative(name: str) -> PurePosixPath:
    parts = PurePosixPath(name).parts
    return PurePosixPath(*parts[1:]) if len(parts) > 1 else PurePosixPath()


def _wanted(name: str) -> bool:
    relative = _relative(name)
    if not relative.parts:
        return False
    return relative.parts[0] in _UNPACKED_TREES or str(relative) in _UNPACKED_FILES


def _drop_out_of_scope(root: Path) -> list[str]:
    dropped: list[str] = []
    for name in (*EXCLUDED_DIRS, *EXCLUDED_FILES):
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
            dropped.append(name + "/")
        elif path.is_file():
            path.unlink()
            dropped.append(name)
    return dropped


def internal_files(root: Path) -> list[str]:
    """Test files (relative paths) that import a module FastAPI calls internal."""
    return [
        path.relative_to(root).as_posix()
        for path in sorted((root / "tests").rglob("*.py"))
        if INTERNAL_IMPORT.search(path.read_text(encoding="utf-8"))
    ]
