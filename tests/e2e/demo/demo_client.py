"""A client of the demo service under test: its base URL, and dev tokens from it."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


@dataclass
class Demo:
    base: str
    backend: str

    def token(self, user: str = "alice", password: str = "dev-password") -> dict[str, str]:
        answer = httpx.post(f"{self.base}/token", data={"username": user, "password": password})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}
