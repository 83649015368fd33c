"""The framework's logger."""

import logging

logger = logging.getLogger("veloxapi")

__all__ = ["logger"]
