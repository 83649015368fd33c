"""The ``fastapi`` import alias, exercised in fresh interpreters so it never leaks."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def run_python(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def test_fastapi_modules_are_the_veloxapi_modules() -> None:
    result = run_python(
        """
        import sys

        import veloxapi.compat
        veloxapi.compat.install()
        veloxapi.compat.install()  # idempotent

        import fastapi
        import fastapi.encoders
        import veloxapi
        import veloxapi.encoders
        from fastapi.middleware.cors import CORSMiddleware
        from veloxapi.middleware.cors import CORSMiddleware as VeloxCORS

        assert fastapi.FastAPI is veloxapi.FastAPI
        assert fastapi.encoders is veloxapi.encoders
        assert CORSMiddleware is VeloxCORS
        assert sys.modules["fastapi.middleware.cors"] is sys.modules["veloxapi.middleware.cors"]
        assert fastapi.encoders.__name__ == "veloxapi.encoders"
        fastapi.encoders.marker = 1
        assert veloxapi.encoders.marker == 1
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_missing_counterpart_raises_module_not_found_naming_fastapi() -> None:
    result = run_python(
        """
        import veloxapi.compat
        veloxapi.compat.install()
        for name in ("fastapi.does_not_exist", "fastapi.middleware.does_not_exist"):
            try:
                __import__(name)
            except ModuleNotFoundError as exc:
                assert exc.name == name, exc.name
                assert repr(name) in str(exc), str(exc)
            else:
                raise AssertionError(name + " imported")
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_install_refuses_when_another_fastapi_is_already_imported() -> None:
    result = run_python(
        """
        import sys, types
        other = types.ModuleType("fastapi")
        other.__file__ = "/elsewhere/fastapi/__init__.py"
        sys.modules["fastapi"] = other
        import veloxapi.compat
        try:
            veloxapi.compat.install()
        except RuntimeError as exc:
            assert "/elsewhere/fastapi/__init__.py" in str(exc), str(exc)
            assert "before anything imports fastapi" in str(exc), str(exc)
            assert not veloxapi.compat.is_installed()
            print("refused")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "refused"


def test_importing_compat_alone_does_not_alias() -> None:
    result = run_python(
        """
        import sys
        import veloxapi.compat
        assert not veloxapi.compat.is_installed()
        assert "fastapi" not in sys.modules
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr


def test_pytest_plugin_installs_before_conftest_and_test_modules(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("import fastapi\nCONFTEST_FASTAPI = fastapi\n")
    (tmp_path / "test_uses_fastapi.py").write_text(
        textwrap.dedent(
            """
            import fastapi
            from fastapi.encoders import jsonable_encoder

            import veloxapi


            def test_alias():
                assert fastapi.Depends is veloxapi.Depends
                assert jsonable_encoder({"a": (1, 2)}) == {"a": [1, 2]}
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "veloxapi.compat", "-q", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_fastapi_reports_the_mirrored_release_and_veloxapi_its_own() -> None:
    result = run_python(
        """
        import veloxapi.compat
        veloxapi.compat.install()
        import fastapi, veloxapi
        from veloxapi._fastapi_version import FASTAPI_VERSION
        assert fastapi.__version__ == FASTAPI_VERSION, fastapi.__version__
        assert veloxapi.__version__ != FASTAPI_VERSION
        assert fastapi.__name__ == "fastapi"
        assert "FastAPI" in dir(fastapi)
        fastapi.marker = 1          # a write to the package writes through to veloxapi
        assert veloxapi.marker == 1
        del fastapi.marker
        assert not hasattr(veloxapi, "marker")
        print(FASTAPI_VERSION)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().count(".") == 2


def test_importlib_metadata_knows_fastapi_while_the_alias_is_installed() -> None:
    result = run_python(
        """
        from importlib import metadata
        try:
            metadata.version("fastapi")
        except metadata.PackageNotFoundError:
            pass
        else:
            raise AssertionError("fastapi is installed in this environment")
        import veloxapi.compat
        veloxapi.compat.install()
        from veloxapi._fastapi_version import FASTAPI_VERSION
        assert metadata.version("fastapi") == FASTAPI_VERSION
        assert metadata.version("FastAPI") == FASTAPI_VERSION
        assert metadata.metadata("fastapi")["Name"] == "fastapi"
        assert "veloxapi" in metadata.metadata("fastapi")["Summary"]
        assert metadata.distribution("fastapi").version == FASTAPI_VERSION
        assert "fastapi" in metadata.packages_distributions()["fastapi"]
        names = [d.metadata["Name"] for d in metadata.distributions()]
        assert names.count("fastapi") == 1 and "veloxapi" in names
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_metadata_lookups_fail_as_usual_without_the_alias() -> None:
    result = run_python(
        """
        from importlib import metadata
        import veloxapi.compat
        try:
            metadata.version("fastapi")
        except metadata.PackageNotFoundError:
            print("absent")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "absent"


def test_fastapi_logger_is_veloxapis_logger_under_the_alias() -> None:
    result = run_python(
        """
        import logging
        import unittest

        import veloxapi.compat
        veloxapi.compat.install()
        from veloxapi.logger import logger

        assert logging.getLogger("fastapi") is logger
        assert logging.getLogger("fastapi.child").parent is logger
        with unittest.TestCase().assertLogs("fastapi", level="WARNING") as seen:
            logger.warning("from veloxapi")
        assert seen.records[0].getMessage() == "from veloxapi"
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_an_existing_fastapi_logger_is_left_alone() -> None:
    result = run_python(
        """
        import logging

        own = logging.getLogger("fastapi")
        import veloxapi.compat
        veloxapi.compat.install()
        assert logging.getLogger("fastapi") is own
        assert logging.getLogger("veloxapi") is not own
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
