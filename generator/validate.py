"""Stage 2, validate: openapi-spec-validator's verdict plus clientgen's own rules, all located.

Order matters: structure first (a document the meta-schema rejects cannot be walked safely),
then references (openapi-spec-validator raises instead of reporting on a dangling one), then the
semantic checks and clientgen's rules. Every problem found at a level is reported at once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator

from . import extensions, semantic
from .semantic import HTTP_METHODS
from .diagnostics import Diagnostic, Pointer, parse_pointer
from .schema_errors import most_specific
from .loader import SpecDocument
from .metaschemas import meta_schema

# jsonschema and openapi-spec-validator (0.25 s of imports) are imported where they are used:
# the meta-schema verdict on a valid document needs neither (``generator.metaschemas``).
if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


def validate(doc: SpecDocument) -> list[Diagnostic]:
    """Every problem in ``doc``, located; an empty list means the spec can be generated."""
    data = doc.data
    if not isinstance(data, dict):
        return [doc.diagnostic((), "not an OpenAPI document: the top level must be a mapping")]
    version = data.get("openapi")
    if isinstance(version, (int, float)) and not isinstance(version, bool):
        return [
            doc.diagnostic(
                ("openapi",),
                f"'openapi' must be a version string such as '3.0.3', got the number {version!r}",
            )
        ]
    if not isinstance(version, str):
        hint = (
            " (Swagger 2.0 is converted first: generator.parser.swagger2)"
            if "swagger" in data
            else ""
        )
        return [doc.diagnostic((), f"not an OpenAPI document: no 'openapi' version field{hint}")]
    if not re.match(r"^3\.[01]\.\d+$", version):
        return [
            doc.diagnostic(
                ("openapi",), f"unsupported OpenAPI version {version!r}: use 3.0.x or 3.1.x"
            )
        ]
    problems = list(_structure(doc, version))
    if problems:
        return problems
    problems = list(_references(doc))
    if problems:
        return problems
    problems = list(_semantics(doc, version))
    problems.extend(_own_rules(doc))
    return problems


def _structure(doc: SpecDocument, version: str) -> Iterator[Diagnostic]:
    """The document against the OpenAPI meta-schema, with absolute locations.

    jsonschema-rs gives the verdict (GitHub's 13 MB description in under 0.1 s); only a document
    it rejects goes through Python jsonschema, whose error tree says what to fix and where."""
    if _fast_meta_validator(version[:3]).is_valid(doc.data):
        return
    from jsonschema import Draft4Validator, Draft202012Validator

    if version.startswith("3.0"):
        validator: Any = Draft4Validator(meta_schema("openapi-3.0"))
    else:
        validator = Draft202012Validator(meta_schema("openapi-3.1"))
    for error in validator.iter_errors(doc.data):
        leaf = _deepest(error, version)
        where = leaf.path
        if where == ("paths",) and leaf.validator in (
            "additionalProperties",
            "unevaluatedProperties",
        ):
            for key in leaf.instance:
                if not str(key).startswith(("/", "x-")):
                    yield doc.diagnostic(where, f"path {key!r} must start with '/'")
            continue
        yield doc.diagnostic(where, leaf.message)


@lru_cache(maxsize=None)
def _fast_meta_validator(dialect: str) -> Any:
    """The OpenAPI 3.0 or 3.1 document meta-schema (openapi-spec-validator's) in jsonschema-rs."""
    import jsonschema_rs

    if dialect == "3.0":
        return jsonschema_rs.Draft4Validator(meta_schema("openapi-3.0"), validate_formats=False)
    return jsonschema_rs.Draft202012Validator(meta_schema("openapi-3.1"), validate_formats=False)


@dataclass(frozen=True)
class _Leaf:
    path: Pointer
    message: str
    validator: str
    instance: Any


_REFERENCE = {"3.0": {"$ref": "#/definitions/Reference"}, "3.1": {"$ref": "#/$defs/reference"}}


def _deepest(error: ValidationError, version: str) -> _Leaf:
    """The error of a oneOf/anyOf cascade the user must fix (see ``schema_errors``)."""
    leaf = most_specific(error, _REFERENCE[version[:3]])
    if isinstance(leaf, tuple):
        return _Leaf(leaf[0], leaf[1], "enum", None)
    return _Leaf(tuple(leaf.absolute_path), _message(leaf), str(leaf.validator), leaf.instance)


def _message(error: ValidationError) -> str:
    message = str(error.message)
    if len(message) > 200:
        message = message[:197] + "..."
    return message


def _references(doc: SpecDocument) -> Iterator[Diagnostic]:
    """Every local ``$ref`` must point at something. References to other files were bundled
    into the document (``generator.bundle``) wherever OpenAPI allows a Reference Object; one
    left (in an extension, say) is reported as unsupported there."""
    for pointer, ref in walk_refs(doc.data, ()):
        where = pointer + ("$ref",)
        if not isinstance(ref, str):
            yield doc.diagnostic(where, "$ref must be a string")
        elif not ref.startswith("#"):
            yield doc.diagnostic(
                where, f"reference to another file is not supported in this place: {ref!r}"
            )
        elif resolve_pointer(doc.data, ref) is _MISSING:
            yield doc.diagnostic(where, f"unresolvable reference {ref!r}")


def _is_data_v3(key: str, value: Any, pointer: Pointer) -> bool:
    """Keys holding example data in OpenAPI 3.x (a media type's ``examples`` map and
    ``components/examples`` hold Example objects, which may be references)."""
    if key == "example":
        return True
    return key == "examples" and pointer[-1:] != ("components",) and not isinstance(value, dict)


def walk_refs(
    node: Any, pointer: Pointer, is_data: Callable[[str, Any, Pointer], bool] = _is_data_v3
) -> Iterator[tuple[Pointer, Any]]:
    """Every ``$ref`` in a document with its location, not looking inside data values."""
    if isinstance(node, dict):
        # Under "properties" the keys are property names: one may well be called "$ref".
        if "$ref" in node and pointer[-1:] != ("properties",):
            yield pointer, node["$ref"]
        for key, value in node.items():
            if not is_data(key, value, pointer):
                yield from walk_refs(value, pointer + (key,), is_data)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk_refs(value, pointer + (index,), is_data)


_MISSING = object()


def resolve_pointer(data: Any, ref: str) -> Any:
    """The value a local ``#/a/b`` reference points at, or ``_MISSING``."""
    if ref in ("#", "#/"):
        return data
    if not ref.startswith("#/"):
        return _MISSING
    node = data
    for part in parse_pointer(ref):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _semantics(doc: SpecDocument, version: str) -> Iterator[Diagnostic]:
    """openapi-spec-validator's checks beyond the meta-schema (defaults, duplicate parameters,
    schemas against their dialect, ...), done natively and located: see ``semantic``. Path
    templating and duplicate operationIds are clientgen's own rules below."""

    def resolve(ref: str) -> Any:
        target = resolve_pointer(doc.data, ref)
        return semantic.UNRESOLVED if target is _MISSING else target

    yield from semantic.check(doc, version, resolve)


def reference_verdict(doc: SpecDocument) -> list[str]:
    """openapi-spec-validator's own messages for an OpenAPI 3.x document (slow; for the
    differential test that shows ``validate`` reaches the same verdicts)."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    version = str(doc.data.get("openapi"))
    cls: Any = OpenAPIV30SpecValidator if version.startswith("3.0") else OpenAPIV31SpecValidator
    return [str(getattr(error, "message", error)) for error in cls(doc.data).iter_errors()]


def _own_rules(doc: SpecDocument) -> Iterator[Diagnostic]:
    data: dict[str, Any] = doc.data
    seen: dict[str, Pointer] = {}
    schemes = ((data.get("components") or {}).get("securitySchemes")) or {}
    yield from _security_names(doc, ("security",), data.get("security"), schemes)
    for path, item in sorted_paths(data):
        if not isinstance(item, dict):
            continue
        shared = _parameter_names(data, item.get("parameters", []))
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            where: Pointer = ("paths", path, method)
            op_id = operation.get("operationId")
            if isinstance(op_id, str):
                if op_id in seen:
                    yield doc.diagnostic(
                        where + ("operationId",),
                        f"duplicate operationId {op_id!r} (first used at "
                        f"{'/'.join(str(p) for p in seen[op_id][1:3])})",
                    )
                else:
                    seen[op_id] = where
            declared = shared | _parameter_names(data, operation.get("parameters", []))
            in_template = re.findall(r"{([^}]*)}", path)
            for name in in_template:
                if ("path", name) not in declared:
                    yield doc.diagnostic(
                        where, f"path parameter {name!r} of {path!r} is not declared"
                    )
            for index, parameter in enumerate(operation.get("parameters") or []):
                if isinstance(parameter, dict) and "$ref" in parameter:
                    parameter = resolve_pointer(data, parameter["$ref"])
                if (
                    isinstance(parameter, dict)
                    and parameter.get("in") == "path"
                    and parameter.get("name") not in in_template
                ):
                    yield doc.diagnostic(
                        where + ("parameters", index),
                        f"path parameter {parameter.get('name')!r} does not appear in the path {path!r}",
                    )
            yield from _security_names(
                doc, where + ("security",), operation.get("security"), schemes
            )
            yield from extensions.check_operation(doc, where, operation)
    yield from extensions.check_document(doc)


def _security_names(
    doc: SpecDocument, where: Pointer, requirements: Any, schemes: Any
) -> Iterator[Diagnostic]:
    if not isinstance(requirements, list):
        return
    for index, requirement in enumerate(requirements):
        for name in requirement if isinstance(requirement, dict) else ():
            if not isinstance(schemes, dict) or name not in schemes:
                yield doc.diagnostic(
                    where + (index,),
                    f"security scheme {name!r} is not defined in components/securitySchemes",
                )


def sorted_paths(data: dict[str, Any]) -> list[tuple[str, Any]]:
    paths = data.get("paths") or {}
    return list(paths.items()) if isinstance(paths, dict) else []


def _parameter_names(data: Any, parameters: Any) -> set[tuple[str, str]]:
    names: set[tuple[str, str]] = set()
    if not isinstance(parameters, list):
        return names
    for parameter in parameters:
        if isinstance(parameter, dict) and "$ref" in parameter:
            parameter = resolve_pointer(data, parameter["$ref"])
        if isinstance(parameter, dict):
            names.add((str(parameter.get("in")), str(parameter.get("name"))))
    return names
