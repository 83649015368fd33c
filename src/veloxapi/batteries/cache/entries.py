"""A cached response as stored: status, headers, body, ETag and when it was stored."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str
    stored_at: float

    def age(self) -> int:
        return max(0, int(time.time() - self.stored_at))

    def dump(self) -> bytes:
        meta = {
            "s": self.status,
            "h": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in self.headers],
            "e": self.etag,
            "t": self.stored_at,
        }
        return json.dumps(meta, separators=(",", ":")).encode() + b"\n" + self.body

    @classmethod
    def load(cls, raw: bytes) -> CachedResponse | None:
        """Parse a stored entry; ``None`` for anything malformed (treated as a miss)."""
        head, _sep, body = raw.partition(b"\n")
        try:
            meta = json.loads(head)
            headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in meta["h"]]
            return cls(int(meta["s"]), headers, body, str(meta["e"]), float(meta["t"]))
        except (ValueError, KeyError, TypeError):
            return None


def strong_etag(body: bytes) -> str:
    """A strong validator: a quoted digest of the exact body bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def if_none_match(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` matches ``etag`` (weak comparison, RFC 9110 13.1.2)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))
