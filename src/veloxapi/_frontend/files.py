"""Finding the file a frontend request asks for, and the page to show when there is none.

A built single-page frontend is a directory of files. A request path names a
file, a directory holding ``index.html`` (served at its slash-terminated URL,
redirected to it otherwise), or nothing; for nothing, the configured fallback
decides: ``404.html`` is shown with status 404 to any client, ``index.html``
only to browser navigations (an ``Accept`` header that explicitly names an
HTML type with a non-zero quality), ``"auto"`` tries both in that order, and
``None`` answers a plain 404. Filesystem work runs in a worker thread.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Literal

import anyio.to_thread
from starlette.datastructures import URL, Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

Fallback = Literal["auto", "index.html", "404.html"] | None
FALLBACKS: tuple[Fallback, ...] = ("auto", "index.html", "404.html", None)

_HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_Found = tuple[str, os.stat_result]


def accepts_html(accept: str) -> bool:
    """Whether an ``Accept`` header explicitly asks for HTML (wildcards don't count)."""
    for item in accept.split(","):
        media_type, *parameters = item.split(";")
        if media_type.strip().lower() in _HTML_MEDIA_TYPES and _quality(parameters) > 0:
            return True
    return False


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:  # a malformed weight is ignored, as if absent
                return 1.0
    return 1.0


def missing_directory_message(directory: str, resolved: str) -> str:
    return (
        f"Frontend directory '{directory}' does not exist (resolved to '{resolved}'). "
        "Build the frontend into that directory, correct the path, or pass "
        "check_dir=False to look for it only when a request arrives."
    )


def missing_fallback_message(fallback: str, directory: str, resolved: str) -> str:
    return (
        f"Frontend fallback file '{fallback}' was not found in directory '{directory}' "
        f"(resolved to '{resolved}'). Add {fallback} to the build output, or choose "
        "another fallback: 'auto', 'index.html', '404.html' or None."
    )


def _is_file(found: os.stat_result | None) -> bool:
    return found is not None and stat.S_ISREG(found.st_mode)


class FrontendFiles(StaticFiles):
    """The files of one built frontend, looked up safely inside its directory."""

    def __init__(self, directory: str, *, shown_as: str, fallback: Fallback) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.shown_as = shown_as
        self.fallback = fallback
        self._directory_seen = False

    async def serve(self, relative: str, scope: Scope) -> Response:
        """The response to a GET or HEAD for ``relative`` (the path below the mount)."""
        await self._check_directory()
        path = _file_path(relative)
        found = await self._lookup(path)
        if found is not None and _is_file(found[1]):
            return self.file_response(found[0], found[1], scope)
        if found is not None and stat.S_ISDIR(found[1].st_mode):
            index = await self._lookup(os.path.join(path, "index.html"))
            if index is not None and _is_file(index[1]):
                if not scope["path"].endswith("/"):
                    url = URL(scope=scope)
                    return RedirectResponse(url=url.replace(path=url.path + "/"))
                return self.file_response(index[0], index[1], scope)
        return await self._fallback(scope)

    async def names_resource(self, relative: str) -> bool:
        """Whether ``relative`` is a file, or a directory with an ``index.html``."""
        await self._check_directory()
        path = _file_path(relative)
        found = await self._lookup(path)
        if found is None:
            return False
        if stat.S_ISDIR(found[1].st_mode):
            index = await self._lookup(os.path.join(path, "index.html"))
            return index is not None and _is_file(index[1])
        return _is_file(found[1])

    async def _fallback(self, scope: Scope) -> Response:
        mode = self.fallback
        if mode == "404.html" or mode == "auto":
            page = await self._fallback_page("404.html", required=mode == "404.html")
            if page is not None:
                return FileResponse(page[0], stat_result=page[1], status_code=404)
        if (mode == "index.html" or mode == "auto") and accepts_html(
            Headers(scope=scope).get("accept", "")
        ):
            page = await self._fallback_page("index.html", required=mode == "index.html")
            if page is not None:
                return self.file_response(page[0], page[1], scope)
        raise HTTPException(status_code=404)

    async def _fallback_page(self, name: str, *, required: bool) -> _Found | None:
        found = await self._lookup(name)
        if found is not None and _is_file(found[1]):
            return found
        if required:
            resolved = os.path.abspath(str(self.directory))
            raise RuntimeError(missing_fallback_message(name, self.shown_as, resolved))
        return None

    async def _lookup(self, path: str) -> _Found | None:
        try:
            full_path, found = await anyio.to_thread.run_sync(self.lookup_path, path)
        except PermissionError as exc:
            raise HTTPException(status_code=401) from exc
        except ValueError as exc:  # e.g. a NUL byte in the path
            raise HTTPException(status_code=404) from exc
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:
                raise HTTPException(status_code=404) from exc
            raise
        return None if found is None else (full_path, found)

    async def _check_directory(self) -> None:
        if self._directory_seen:
            return
        directory = str(self.directory)
        if not await anyio.to_thread.run_sync(os.path.isdir, directory):
            resolved = os.path.abspath(directory)
            raise RuntimeError(missing_directory_message(self.shown_as, resolved))
        self._directory_seen = True


def _file_path(relative: str) -> str:
    """``relative`` as an OS path with ``.`` and ``..`` resolved (``.`` for the root)."""
    return os.path.normpath(os.path.join(*relative.split("/")))
