"""clientgen: OpenAPI specs in, typed dependency-free Python clients and markdown docs out."""

__version__ = "0.1.0"
