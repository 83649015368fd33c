"""The FastAPI release whose public API and behaviour veloxapi mirrors.

One constant, read by ``veloxapi.compat`` (the version an unchanged app sees as
``fastapi.__version__``) and by the conformance harness (the release whose test
suite it runs). Moving to the next release starts by changing this line.
"""

FASTAPI_VERSION = "0.165.0"
