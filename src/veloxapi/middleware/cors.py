"""Cross-Origin Resource Sharing (Starlette's ``CORSMiddleware``)."""

from starlette.middleware.cors import CORSMiddleware as CORSMiddleware

__all__ = ["CORSMiddleware"]
