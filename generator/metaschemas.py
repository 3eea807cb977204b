"""The meta-schemas documents and schemas are validated against, read as JSON from the data files
of the packages that ship them, without importing those packages.

Importing openapi-spec-validator costs about 0.25 s (pydantic, pydantic-settings,
jsonschema-path, ...) and jsonschema 0.1 s, while the meta-schema verdicts on a valid document
need only jsonschema-rs and the JSON: the Python libraries are imported to explain a rejected
document (and openapi-schema-validator to check a schema's ``default``: ``semantic``).
``tests/test_metaschemas.py`` holds each meta-schema equal to the library's own object.
"""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

# name -> (package, file inside it); the object each equals is named in the comment
_FILES = {
    # openapi_spec_validator.schemas.schema_v2, schema_v30, schema_v31
    "swagger-2.0": ("openapi_spec_validator", "resources/schemas/v2.0/schema.json"),
    "openapi-3.0": ("openapi_spec_validator", "resources/schemas/v3.0/schema.json"),
    "openapi-3.1": ("openapi_spec_validator", "resources/schemas/v3.1/schema.json"),
    # jsonschema.Draft4Validator.META_SCHEMA, Draft202012Validator.META_SCHEMA
    "draft4": ("jsonschema_specifications", "schemas/draft4/metaschema.json"),
    "draft2020-12": ("jsonschema_specifications", "schemas/draft202012/metaschema.json"),
}
NAMES = tuple(_FILES)


@lru_cache(maxsize=None)
def meta_schema(name: str) -> Any:
    """The meta-schema called ``name`` (one of ``NAMES``), parsed once: shared, never modify it."""
    package, relative = _FILES[name]
    return json.loads((_package_folder(package) / relative).read_text(encoding="utf-8"))


def _package_folder(package: str) -> Path:
    """Where an installed package's files are: found, not imported (``find_spec`` of a
    top-level package runs none of its code)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"No module named {package!r}", name=package)
    return Path(list(spec.submodule_search_locations)[0])
