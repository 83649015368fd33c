"""``velox new NAME``: a new project from the template shipped in this package.

The template (``templates/project``) holds every file with a ``.tmpl`` suffix,
so that no tool mistakes it for this package's own code. Rendering replaces
``{{project_name}}`` and ``{{package}}``, names the package directory, and
turns ``gitignore`` / ``dockerignore`` / ``env.example`` into dotfiles.
"""

from __future__ import annotations

import keyword
import re
import sys
from collections.abc import Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

import click

TEMPLATE = "templates/project"
SUFFIX = ".tmpl"
_DOTFILES = {"gitignore", "dockerignore", "env.example"}
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
_TAKEN = {"veloxapi", "fastapi", "starlette", "pydantic", "tests", "test", "app"}


def package_name(project: str) -> str:
    """The import name for ``project``; ClickException saying why if it can't be one."""
    if not _NAME.fullmatch(project):
        raise click.ClickException(
            f"{project!r} is not a usable project name: use lower-case letters, digits and "
            "single '-' or '_' between them, starting with a letter (e.g. 'orders-api')"
        )
    package = project.replace("-", "_")
    if keyword.iskeyword(package) or package in sys.stdlib_module_names or package in _TAKEN:
        raise click.ClickException(
            f"{project!r} would shadow the module {package!r}; choose another name"
        )
    return package


def _template_files(
    root: Traversable, prefix: PurePosixPath
) -> Iterator[tuple[PurePosixPath, str]]:
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            yield from _template_files(entry, prefix / entry.name)
        elif entry.name.endswith(SUFFIX):
            yield prefix / entry.name, entry.read_text(encoding="utf-8")


def _target_path(relative: PurePosixPath, package: str) -> PurePosixPath:
    parts = [package if part == "__package__" else part for part in relative.parts]
    name = parts[-1].removesuffix(SUFFIX)
    parts[-1] = f".{name}" if name in _DOTFILES else name
    return PurePosixPath(*parts)


def render(project: str, destination: Path) -> list[Path]:
    """Write the project into ``destination`` (which must not exist or be empty)."""
    package = package_name(project)
    if destination.exists() and any(destination.iterdir()):
        raise click.ClickException(f"{destination} exists and is not empty; choose another")
    written = []
    for relative, text in _template_files(
        files("veloxapi.cli").joinpath(TEMPLATE), PurePosixPath()
    ):
        target = destination / _target_path(relative, package)
        target.parent.mkdir(parents=True, exist_ok=True)
        content = text.replace("{{project_name}}", project).replace("{{package}}", package)
        target.write_text(content, encoding="utf-8")
        written.append(target)
    return written


@click.command()
@click.argument("name")
@click.option(
    "--directory",
    "-d",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to create the project [default: ./NAME].",
)
def new(name: str, directory: Path | None) -> None:
    """Create a new project NAME: per-domain layout, database, settings, batteries, tests,
    Dockerfile, compose file and Kubernetes manifests."""
    destination = directory or Path.cwd() / name
    written = render(name, destination)
    click.secho(f"Created {name} in {destination} ({len(written)} files).", fg="green", err=True)
    package = package_name(name)
    click.echo(
        f"Next:\n  cd {destination}\n  python -m venv .venv && .venv/bin/pip install -e '.[test]'\n"
        f"  .venv/bin/pytest\n  .venv/bin/velox dev src/{package}/main.py",
        err=True,
    )


__all__ = ["new", "package_name", "render"]
