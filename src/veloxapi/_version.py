"""veloxapi's own release (``veloxapi.__version__``); the FastAPI release it mirrors is in
``_fastapi_version``."""

__version__ = "0.1.0"
