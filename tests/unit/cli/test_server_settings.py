"""The settings ``velox run`` hands the server: log configuration and the header deadline."""

from __future__ import annotations

import json
import logging
import logging.config
import sys

import pytest

from veloxapi.cli._logconfig import log_config
from veloxapi.cli._protocols import DEFAULT_HEADER_TIMEOUT, HEADER_TIMEOUT_ENV, header_timeout


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", DEFAULT_HEADER_TIMEOUT), ("2.5", 2.5), ("0", None), ("0.0", None), ("x", 10.0)],
)
def test_header_timeout_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv(HEADER_TIMEOUT_ENV, raw)
    assert header_timeout() == expected


def test_json_log_config_writes_json_lines_with_redaction(capsys):
    config = log_config("json", "info", access_log=True)
    config["handlers"]["default"]["stream"] = "ext://sys.stdout"
    logging.config.dictConfig(config)
    try:
        logging.getLogger("uvicorn.error").info("token=abc123 started")
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["logger"] == "uvicorn.error" and line["level"] == "INFO"
    assert "abc123" not in line["message"]


def test_access_log_can_be_turned_off():
    config = log_config("text", "info", access_log=False)
    assert config["loggers"]["uvicorn.access"]["handlers"] == []
    assert config["loggers"]["uvicorn.error"]["handlers"] == ["default"]


def test_serving_without_uvicorn_names_the_extra(monkeypatch, app_file):
    from click.testing import CliRunner

    from veloxapi.cli._loader import TARGET_ENV
    from veloxapi.cli.serve import run

    monkeypatch.setenv(TARGET_ENV, "")  # restored afterwards; the command sets it
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if uvicorn were not installed
    path = app_file("from veloxapi import VeloxAPI\napp = VeloxAPI()\n")
    result = CliRunner().invoke(run, [str(path), "--log-format", "text"])
    assert result.exit_code == 1
    assert 'Serving needs uvicorn: pip install "veloxapi[cli]"' in result.output
