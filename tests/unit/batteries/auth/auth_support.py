"""Real keys, real tokens and a real JWKS server on loopback, for the auth tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

AUDIENCE = "orders-api"
HMAC_SECRET = "a-shared-secret-that-is-long-enough-for-hs256!"


@dataclass
class KeyPair:
    """A private key to sign with and its public side as PEM and JWK."""

    private_key: Any
    algorithm: str
    kid: str

    @property
    def public_pem(self) -> str:
        return (
            self.private_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    @property
    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def jwk(self) -> dict[str, Any]:
        algo = jwt.get_algorithm_by_name(self.algorithm)
        data: dict[str, Any] = algo.to_jwk(self.private_key.public_key(), as_dict=True)
        data.update({"kid": self.kid, "use": "sig", "alg": self.algorithm})
        return data

    def sign(self, claims: Mapping[str, Any], **headers: Any) -> str:
        return jwt.encode(
            dict(claims),
            self.private_key,
            algorithm=self.algorithm,
            headers={"kid": self.kid, **headers},
        )


def rsa_pair(kid: str = "rsa-1", algorithm: str = "RS256") -> KeyPair:
    return KeyPair(rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm, kid)


def ec_pair(kid: str = "ec-1") -> KeyPair:
    return KeyPair(ec.generate_private_key(ec.SECP256R1()), "ES256", kid)


def claims(issuer: str, **overrides: Any) -> dict[str, Any]:
    """Claims of a token valid for five minutes; ``None`` overrides drop a claim."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": "user-42",
        "iat": now,
        "exp": now + 300,
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def hmac_token(payload: Mapping[str, Any], secret: str | bytes = HMAC_SECRET) -> str:
    return jwt.encode(dict(payload), secret, algorithm="HS256")


@dataclass
class JWKSServer:
    """An HTTP server on 127.0.0.1 serving a JWKS and an OpenID discovery document.

    ``keys`` can be replaced (rotation), ``extra_jwks`` adds raw JWKs, ``delay``
    slows every answer down, ``status`` replaces the answer with an error and
    ``requests`` counts fetches.
    """

    keys: list[KeyPair] = field(default_factory=list)
    extra_jwks: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0
    status: int = 200
    requests: int = 0
    discovery_issuer: str | None = None
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def jwks_url(self) -> str:
        return self.base_url + "/jwks.json"

    @property
    def issuer(self) -> str:
        """The issuer name whose discovery document this server publishes."""
        return self.discovery_issuer or self.base_url

    def document(self, path: str) -> dict[str, Any] | None:
        if path == "/jwks.json":
            return {"keys": [key.jwk() for key in self.keys] + self.extra_jwks}
        if path == "/.well-known/openid-configuration":
            return {"issuer": self.issuer, "jwks_uri": self.jwks_url}
        return None

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests += 1
                time.sleep(owner.delay)
                document = owner.document(self.path)
                status = owner.status if document is not None else 404
                body = json.dumps(document if status == 200 else {"error": "nope"}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up waiting (slow-server tests)
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@contextmanager
def running_jwks_server(*keys: KeyPair) -> Iterator[JWKSServer]:
    server = JWKSServer(keys=list(keys))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def free_port_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/jwks.json"
