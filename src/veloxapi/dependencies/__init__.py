"""FastAPI's ``fastapi.dependencies`` package: the analysed dependency tree as libraries see it.

:mod:`veloxapi.dependencies.models` holds ``Dependant``, :mod:`veloxapi.dependencies.utils`
analyses callables into it and solves it for a request, both through veloxapi's engine.
"""
