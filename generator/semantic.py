"""openapi-spec-validator's checks beyond the document meta-schema, done natively and located.

openapi-spec-validator walks the document through jsonschema-path, re-checks each schema with
the Python jsonschema meta-schema validator and looks every schema up in a list: about 16 s on
GitHub's REST description. This module gives the same verdicts in a fraction of that by walking
the plain data once, checking schemas against their dialect's meta-schema with jsonschema-rs and
compiling ``pattern`` regexes with Python's ``re`` (as jsonschema's format checker does). Each
check names the openapi-spec-validator keyword it mirrors; ``tests/test_semantic_differential``
compares the verdicts of both on every spec of the corpus sample and the bad specs.

Mirrored, in the same order (openapi_spec_validator.validation.keywords):
- Tags: duplicate tag names.
- Paths: each path item's ``parameters``, then each operation's responses (``content`` ->
  ``schema``), ``parameters`` (duplicates by name and location; ``schema``), and path templating
  (handled by ``validate._own_rules``, which locates it).
- Components: every ``components/schemas`` entry.
- Each schema reached from those (once, by identity, following ``$ref``): its meta-schema check
  (only where the walk enters it: a top-level schema), then ``allOf``/``anyOf``/``oneOf``/
  ``not``/``items``/``properties`` members, an ``allOf`` schema's ``required`` names that no
  member defines, and its ``default`` validated against it (unless null where nullable).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import sys
from functools import lru_cache
from types import ModuleType
from typing import Any, Callable, Iterator

from .diagnostics import Diagnostic, Pointer, parse_pointer
from .loader import SpecDocument
from .metaschemas import meta_schema

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_OAS31_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"


def check(doc: SpecDocument, version: str, resolve: Callable[[str], Any]) -> list[Diagnostic]:
    """Every problem openapi-spec-validator's keyword validators would report, located."""
    walker = _Walker(doc, version, resolve)
    return list(walker.run())


class _Walker:
    def __init__(self, doc: SpecDocument, version: str, resolve: Callable[[str], Any]) -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.v30 = version.startswith("3.0")
        self.resolve = resolve
        self.meta_checked: set[int] = set()
        self.visited: set[int] = set()
        self.dialect = self.data.get("jsonSchemaDialect", _OAS31_DIALECT)
        self.value_validator: Any = None

    # -- document ---------------------------------------------------------------------------

    def run(self) -> Iterator[Diagnostic]:
        tags = self.data.get("tags")
        if isinstance(tags, list):
            seen: set[Any] = set()
            for index, tag in enumerate(tags):
                name = tag.get("name") if isinstance(tag, dict) else None
                if name in seen:
                    yield self._at(("tags", index, "name"), f"duplicate tag name {name!r}")
                seen.add(name)
        paths = self.data.get("paths")
        if isinstance(paths, dict):
            for url, item in paths.items():
                yield from self._path_item(url, item)
        components = self.data.get("components")
        if isinstance(components, dict) and isinstance(components.get("schemas"), dict):
            for key in components["schemas"]:
                yield from self._schema(("components", "schemas", key), True, False)

    def _path_item(self, url: str, item: Any) -> Iterator[Diagnostic]:
        where: Pointer = ("paths", url)
        item, where = self._deref(item, where)
        if not isinstance(item, dict):
            return
        if "parameters" in item:
            yield from self._parameters(where + ("parameters",))
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield from self._operation(where + (method,))

    def _operation(self, where: Pointer) -> Iterator[Diagnostic]:
        operation, where = self._deref(self._get(where), where)
        if not isinstance(operation, dict):
            return
        responses, at = self._deref(operation.get("responses"), where + ("responses",))
        if isinstance(responses, dict):
            for code in responses:
                response, response_at = self._deref(responses[code], at + (code,))
                if isinstance(response, dict) and "content" in response:
                    content, content_at = self._deref(
                        response["content"], response_at + ("content",)
                    )
                    for media in content if isinstance(content, dict) else ():
                        media_obj, media_at = self._deref(content[media], content_at + (media,))
                        if isinstance(media_obj, dict) and "schema" in media_obj:
                            yield from self._schema(media_at + ("schema",), True, False)
        if "parameters" in operation:
            yield from self._parameters(where + ("parameters",))

    def _parameters(self, where: Pointer) -> Iterator[Diagnostic]:
        parameters, where = self._deref(self._get(where), where)
        seen: set[tuple[Any, Any]] = set()
        for index, _ in enumerate(parameters if isinstance(parameters, list) else ()):
            parameter, at = self._deref(parameters[index], where + (index,))
            if not isinstance(parameter, dict):
                continue
            if "schema" in parameter:
                yield from self._schema(at + ("schema",), True, False)
            key = (parameter.get("name"), parameter.get("in"))
            if key in seen:
                yield self._at(at, f"duplicate parameter {key[0]!r} in {key[1]!r}")
            seen.add(key)

    # -- schemas ----------------------------------------------------------------------------

    def _schema(
        self, where: Pointer, require_properties: bool, meta_checked: bool
    ) -> Iterator[Diagnostic]:
        schema, where = self._deref(self._get(where), where)
        if not isinstance(schema, (dict, bool)):
            yield self._at(where, f"{schema!r} is not of type 'object', 'boolean'")
            return
        key = id(schema)
        if not meta_checked and key not in self.meta_checked:
            self.meta_checked.add(key)
            problem = self._meta_problem(schema)
            if problem is not None:
                inside, message = problem
                yield self._at(where + inside, message)
                return
        if key in self.visited or not isinstance(schema, dict):
            return
        self.visited.add(key)
        nested: set[str] = set()
        for keyword in ("allOf", "anyOf", "oneOf"):
            members, members_at = self._deref(schema.get(keyword), where + (keyword,))
            if keyword in schema and isinstance(members, list):
                for index in range(len(members)):
                    yield from self._schema(members_at + (index,), False, True)
                    if keyword == "allOf":
                        nested |= self._properties_of(members_at + (index,), set())
        for keyword in ("not", "items"):
            if keyword in schema:
                yield from self._schema(where + (keyword,), False, True)
        properties, properties_at = self._deref(schema.get("properties"), where + ("properties",))
        if "properties" in schema and isinstance(properties, dict):
            for name in properties:
                yield from self._schema(properties_at + (name,), False, True)
        if "allOf" in schema and require_properties:
            declared = set(properties) if isinstance(properties, dict) else set()
            required = schema.get("required") or []
            extra = [r for r in required if r not in declared and r not in nested]
            if extra:
                yield self._at(
                    where + ("required",),
                    f"required names no allOf member defines: {', '.join(map(repr, extra))}",
                )
        if "default" in schema:
            default = schema["default"]
            if default is not None or schema.get("nullable") is not True:
                failure = self._default_problem(where, default)
                if failure is not None:
                    yield self._at(where + ("default",), f"default {failure}")

    def _properties_of(self, where: Pointer, seen: set[int]) -> set[str]:
        """Every property name reachable from a schema (openapi-spec-validator's
        ``_collect_properties``: properties, allOf/anyOf/oneOf members, items, not)."""
        schema, where = self._deref(self._get(where), where)
        if not isinstance(schema, dict) or id(schema) in seen:
            return set()
        seen.add(id(schema))
        properties, _ = self._deref(schema.get("properties"), where + ("properties",))
        names = set(properties) if isinstance(properties, dict) else set()
        for keyword in ("allOf", "anyOf", "oneOf"):
            members, members_at = self._deref(schema.get(keyword), where + (keyword,))
            for index in range(len(members) if isinstance(members, list) else 0):
                names |= self._properties_of(members_at + (index,), seen)
        for keyword in ("items", "not"):
            if keyword in schema:
                names |= self._properties_of(where + (keyword,), seen)
        return names

    def _meta_problem(self, schema: Any) -> tuple[Pointer, str] | None:
        if self.v30:
            return _meta_problem(schema, "draft4")
        dialect = schema.get("$schema", self.dialect) if isinstance(schema, dict) else self.dialect
        if not isinstance(dialect, str) or dialect not in _DIALECTS:
            return (), f"unknown JSON Schema dialect: {dialect!r}"
        return _meta_problem(schema, _DIALECTS[dialect])

    def _default_problem(self, where: Pointer, default: Any) -> str | None:
        """The default checked against the schema at ``where``, references resolved in the
        document (as openapi-spec-validator does through jsonschema-path)."""
        from urllib.parse import quote

        from jsonschema.exceptions import ValidationError

        fragment = "".join(
            "/" + quote(str(p).replace("~", "~0").replace("/", "~1"), safe="") for p in where
        )
        schema = {"$ref": f"{_DOCUMENT_URI}#{fragment}"}
        if self.value_validator is None:
            self.value_validator = _value_validator(self.v30, self.data)
        validator = self.value_validator
        try:
            error = next(iter(validator.evolve(schema=schema).iter_errors(default)), None)
        except Exception as exc:  # an unresolvable reference inside, a bad regex, ...
            return f"cannot be checked: {exc}"
        if isinstance(error, ValidationError):
            return f"does not match its schema: {error.message}"
        return None

    # -- plumbing ---------------------------------------------------------------------------

    def _get(self, where: Pointer) -> Any:
        node: Any = self.data
        for part in where:
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and str(part).isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    def _deref(self, node: Any, where: Pointer) -> tuple[Any, Pointer]:
        """Follow ``$ref`` (as jsonschema-path does on every step), keeping a location in the
        file: the target's own."""
        hops = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and hops < 50:
            ref = node["$ref"]
            target = self.resolve(ref)
            if target is UNRESOLVED:
                break
            node, where = target, parse_pointer(ref)
            hops += 1
        return node, where

    def _at(self, where: Pointer, message: str) -> Diagnostic:
        return self.doc.diagnostic(where, message)


UNRESOLVED = object()
_DOCUMENT_URI = "urn:clientgen:document"


# -- meta-schemas -------------------------------------------------------------------------------

_DIALECTS = {
    _OAS31_DIALECT: "oas31",
    "https://json-schema.org/draft/2020-12/schema": "draft2020-12",
}


@lru_cache(maxsize=None)
def _meta_validator(dialect: str) -> Any:
    """The dialect's meta-schema in jsonschema-rs. Draft 4 (every OpenAPI 3.0 schema) and
    2020-12 are read as JSON (``generator.metaschemas``); only the OpenAPI 3.1 dialect's comes
    from openapi-schema-validator, whose import costs 0.2 s."""
    import jsonschema_rs

    if dialect == "draft4":
        return jsonschema_rs.Draft4Validator(meta_schema("draft4"), validate_formats=False)
    if dialect == "draft2020-12":
        return jsonschema_rs.Draft202012Validator(
            meta_schema("draft2020-12"), validate_formats=False
        )
    OAS31Validator = _oas("validators").OAS31Validator

    return jsonschema_rs.Draft202012Validator(
        plain_json(OAS31Validator.META_SCHEMA), validate_formats=False, registry=_oas31_registry()
    )


def _oas31_registry() -> Any:
    """The OpenAPI 3.1 dialect's own vocabulary schemas, from openapi-schema-validator."""
    import jsonschema_rs

    REGISTRY = _oas("_specifications").REGISTRY
    return jsonschema_rs.Registry(
        [
            (uri, plain_json(REGISTRY.contents(uri)))
            for uri in sorted(REGISTRY)
            if "/oas/3.1/" in uri
        ]
    )


def _oas(name: str) -> ModuleType:
    """openapi-schema-validator's ``name`` module (``validators``, ``_format`` or
    ``_specifications``), as ``_oas_modules`` loads them."""
    return _oas_modules()[name]


@lru_cache(maxsize=1)
def _oas_modules() -> dict[str, ModuleType]:
    """openapi-schema-validator's modules clientgen uses, loaded without running the package's
    ``__init__``, which imports its settings and with them pydantic (0.1 s, a third of a small
    spec's validation) for a shortcut clientgen does not use. They are loaded under a stand-in
    package, then every module this loaded is taken out of ``sys.modules`` again: a later
    ``import openapi_schema_validator`` (openapi-spec-validator's, in a test) loads the
    package whole, as if this had never run."""
    if "openapi_schema_validator" in sys.modules:  # already whole: use it
        return {name: importlib.import_module(f"openapi_schema_validator.{name}") for name in _OAS}
    found = importlib.util.find_spec("openapi_schema_validator")
    if found is None or found.submodule_search_locations is None:
        raise ImportError("openapi-schema-validator is not installed")
    before = set(sys.modules)
    stand_in = ModuleType("openapi_schema_validator")
    stand_in.__path__ = list(found.submodule_search_locations)
    stand_in.__spec__ = found  # for importlib.resources: the package's schema files
    stand_in.__package__ = "openapi_schema_validator"
    sys.modules["openapi_schema_validator"] = stand_in
    try:
        return {name: importlib.import_module(f"openapi_schema_validator.{name}") for name in _OAS}
    finally:
        for loaded in set(sys.modules) - before:
            if loaded.partition(".")[0] == "openapi_schema_validator":
                del sys.modules[loaded]


_OAS = ("validators", "_format", "_specifications")


def plain_json(value: Any) -> Any:
    """A deep copy of JSON data as plain dicts and lists (what jsonschema-rs takes)."""
    return json.loads(json.dumps(value))


def _meta_problem(schema: Any, dialect: str) -> tuple[Pointer, str] | None:
    """Where inside ``schema`` its dialect's meta-schema rejects it, and why; or None."""
    validator = _meta_validator(dialect)
    if not validator.is_valid(schema):
        error = next(iter(validator.iter_errors(schema)))
        return tuple(error.instance_path), f"not a valid schema: {error.message}"
    for pattern_at, pattern in _patterns(schema, ()):
        try:
            re.compile(pattern)
        except re.error as exc:
            return pattern_at, f"pattern {pattern!r} is not a valid regular expression: {exc}"
    return None


def _patterns(node: Any, where: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every ``pattern`` string of a schema's subschemas (the one ``format: regex`` of the
    meta-schemas that jsonschema's format checker tests)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield where + (key,), value
            elif key not in ("enum", "const", "default", "example", "examples"):
                yield from _patterns(value, where + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _patterns(value, where + (index,))


def _value_validator(v30: bool, data: Any) -> Any:
    """openapi-schema-validator's validator for default values, with the document as the
    resource its references resolve in."""
    from referencing import Registry, Resource

    validators, formats = _oas("validators"), _oas("_format")
    cls: Any = validators.OAS30Validator if v30 else validators.OAS31Validator
    checker = formats.oas30_format_checker if v30 else formats.oas31_format_checker
    from referencing.jsonschema import DRAFT4, DRAFT202012

    resource = Resource.from_contents(data, default_specification=DRAFT4 if v30 else DRAFT202012)
    registry: Any = Registry().with_resource(_DOCUMENT_URI, resource)
    return cls({}, registry=registry, format_checker=checker)
