"""``velox db`` through click's CliRunner, on an SQLite file in a temporary project."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from veloxapi.cli.db import db

MODELS = """
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from veloxapi.batteries.db import IntegerPK, Timestamps


class Base(DeclarativeBase):
    pass


class Note(IntegerPK, Timestamps, Base):
    __tablename__ = "cli_notes"
    title: Mapped[str] = mapped_column(String(100))
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    module = f"cli_models_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(MODELS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VELOX_DB_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("VELOX_DB_METADATA", f"{module}:Base.metadata")
    monkeypatch.setattr(sys, "path", list(sys.path))
    return tmp_path


def test_revision_upgrade_current_downgrade(project: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(db, ["current"]).output == "base (no migration applied)\n"

    created = runner.invoke(db, ["revision", "-m", "add notes"])
    assert created.exit_code == 0, created.output
    (script,) = (project / "migrations" / "versions").glob("*_add_notes.py")
    revision_id = script.name.split("_")[0]
    assert "op.create_table('cli_notes'" in script.read_text()

    upgraded = runner.invoke(db, ["upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.output == f"Database at {revision_id}\n"
    assert runner.invoke(db, ["current"]).output == f"{revision_id}\n"

    reverted = runner.invoke(db, ["downgrade", "base"])
    assert reverted.exit_code == 0, reverted.output
    assert runner.invoke(db, ["current"]).output == "base (no migration applied)\n"


def test_directory_option_and_empty_revision(project: Path) -> None:
    result = CliRunner().invoke(db, ["--directory", "schema", "revision", "--empty", "-m", "x"])
    assert result.exit_code == 0, result.output
    assert len(list((project / "schema" / "versions").glob("*_x.py"))) == 1


def test_metadata_that_cannot_be_imported_is_a_clear_error(project: Path) -> None:
    result = CliRunner().invoke(
        db, ["--metadata", "missing_module:metadata", "revision", "-m", "x"]
    )
    assert result.exit_code == 1
    assert "missing_module:metadata" in result.output
    assert "package.module:metadata" in result.output
    assert not (project / "migrations").exists()


def test_upgrade_before_any_revision_says_what_to_do(project: Path) -> None:
    result = CliRunner().invoke(db, ["upgrade"])
    assert result.exit_code == 1
    assert "velox db revision" in result.output
