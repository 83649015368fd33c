"""Helpers shared by test folders that sit apart: free ports, child processes, Redis keys,
and the skip-or-fail rule for missing services.

Loading ``tests/conftest.py`` puts ``tests/`` on ``sys.path`` (pytest's default
import mode, with no ``__init__.py`` in ``tests/``), so tests and conftests
import these as ``from support.processes import free_port``.
"""
