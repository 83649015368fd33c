"""The ``velox`` group: lists the command table, imports a command only when used."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from veloxapi.cli import main
from veloxapi.cli._commands import COMMANDS
from veloxapi.cli._group import LazyGroup, build_cli


def test_help_lists_every_command_of_the_table():
    result = CliRunner().invoke(build_cli(), ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_help_imports_no_command_module():
    code = (
        "import sys\n"
        "from veloxapi.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in sys.modules if m.startswith('veloxapi.cli.') and "
        "not m.split('.')[-1].startswith('_')]\n"
        "print('LOADED', loaded, 'uvicorn' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "LOADED [] False" in out.stdout


def test_each_command_loads_and_has_help():
    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(build_cli(), [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert f"velox {name}" in result.output


def test_a_command_whose_module_fails_to_import_reports_it_and_others_still_work():
    group = LazyGroup(
        name="velox",
        lazy_commands={
            "broken": "veloxapi_tests_no_such_module:command",
            "new": COMMANDS["new"],
        },
    )
    broken = CliRunner().invoke(group, ["broken"])
    assert broken.exit_code != 0
    assert "'velox broken' is unavailable" in broken.output
    assert "veloxapi_tests_no_such_module" in broken.output
    assert CliRunner().invoke(group, ["new", "--help"]).exit_code == 0


def test_an_entry_that_is_not_a_command_is_reported():
    group = LazyGroup(name="velox", lazy_commands={"odd": "veloxapi.cli._commands:COMMANDS"})
    result = CliRunner().invoke(group, ["odd"])
    assert result.exit_code != 0
    assert "not a click command" in result.output


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(build_cli(), ["nope"])
    assert result.exit_code == 2
    assert "No such command 'nope'" in result.output


def test_python_dash_m_veloxapi_runs_the_cli():
    out = subprocess.run(
        [sys.executable, "-m", "veloxapi", "--help"], capture_output=True, text=True, check=True
    )
    assert "Usage: velox" in out.stdout


def test_main_reports_a_missing_click_with_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "veloxapi.cli._group", None)  # import fails like a missing dep
    with pytest.raises(SystemExit) as exc_info:
        main(["--help"])
    assert exc_info.value.code == 1
    assert 'pip install "veloxapi[cli]"' in capsys.readouterr().err


def test_lazy_group_is_a_click_group():
    assert isinstance(build_cli(), click.Group)
