"""The errors battery's part of the outer layer: the last-resort 500.

:func:`~veloxapi.batteries.errors.install_errors` hands a :class:`LastResort` to
the batteries' outer layer (:mod:`veloxapi.batteries.layer`), which calls it for
an exception nothing else handled, as :class:`ErrorMiddleware` does for other apps.
"""

from __future__ import annotations

from starlette.types import Receive, Scope, Send

from veloxapi.batteries.errors._render import Renderer, phrase


class LastResort:
    """An unhandled exception becomes the battery's 500; a client that left while its
    body was read is logged."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.phrase = phrase(500)

    def disconnected(self, scope: Scope) -> None:
        self.renderer.log_disconnect(scope)

    async def answer(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        self.renderer.log(scope, 500, exc)
        response = self.renderer.response(scope, 500, self.phrase)
        await response(scope, receive, send)
