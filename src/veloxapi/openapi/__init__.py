"""OpenAPI support: document models, the generator, and the docs pages."""
