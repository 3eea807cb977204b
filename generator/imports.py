"""The import lines of each generated module, derived from the IR: nothing unused, nothing
missing, always in the same order."""

from __future__ import annotations

from typing import Iterable, Iterator

from . import codec
from .layout import LINE_LENGTH
from .model import ir


def walk(ref: ir.TypeRef | None) -> Iterator[ir.TypeRef]:
    if ref is None:
        return
    yield ref
    yield from walk(ref.item)
    for member in ref.members:
        yield from walk(member)


def _kinds(refs: Iterable[ir.TypeRef | None]) -> set[str]:
    return {t.kind for ref in refs for t in walk(ref)}


def from_import(module: str, names: Iterable[str]) -> str:
    """``from module import a, b``, or, when longer than a line, one name a line as black
    writes it."""
    ordered = sorted(names)
    line = f"from {module} import {', '.join(ordered)}"
    if len(line) <= LINE_LENGTH:
        return line
    return "\n".join([f"from {module} import ("] + [f"    {n}," for n in ordered] + [")"])


def _lines(stdlib: dict[str, set[str]], local: dict[str, set[str]]) -> list[str]:
    lines = [from_import(module, names) for module, names in sorted(stdlib.items()) if names]
    if lines and any(local.values()):
        lines.append("")
    lines += [from_import(module, names) for module, names in sorted(local.items()) if names]
    return lines


def models_imports(api: ir.Api) -> list[str]:
    refs: list[ir.TypeRef | None] = []
    for model in api.models:
        refs.extend(f.type for f in model.fields)
        refs.append(model.extra)
    kinds = _kinds(refs)
    stdlib: dict[str, set[str]] = {"typing": set(), "datetime": set()}
    runtime: set[str] = set()
    if api.models:
        stdlib["dataclasses"] = {"dataclass", "field as _field"}
        stdlib["typing"] |= {"Any", "Mapping"}
        runtime.add("unknown_properties")
    if "any" in kinds or "object" in kinds:
        stdlib["typing"].add("Any")
    for kind in ("datetime", "date", "time"):
        if kind in kinds:
            stdlib["datetime"].add(kind)
    if "decimal" in kinds:
        stdlib["decimal"] = {"Decimal"}
    if "uuid" in kinds:
        stdlib["uuid"] = {"UUID"}
    if api.enums:
        stdlib["enum"] = {"Enum"}
    fields = [f for m in api.models for f in m.fields]
    runtime |= codec.runtime_names(f.type for f in fields if f.required and not f.nullable)
    runtime |= codec.runtime_names(
        (f.type for f in fields if not f.required or f.nullable), optional=True
    )
    extras = [m for m in api.models if m.extra is not None and m.extra.needs_conversion]
    runtime |= codec.runtime_names(m.extra for m in extras)
    if any(m.extra_nullable for m in extras):
        runtime.add("optional")
    runtime |= codec.runtime_names(o for u in api.unions for o in u.others)
    if extras or any(f.type.needs_conversion for f in fields):
        runtime.add("to_json")
    if any(not u.discriminator or not all(v.tags for v in u.variants) for u in api.unions):
        runtime.add("best_variant")
    if any(f.uses_unset for f in fields):
        runtime |= {"UNSET", "Unset"}
    return _lines(stdlib, {"._runtime": runtime})


def parameter_kinds(api: ir.Api) -> set[str]:
    refs: list[ir.TypeRef | None] = []
    for op in api.operations:
        refs.extend(p.type for p in op.parameters)
        refs.append(op.body.type if op.body else None)
        refs.append(op.returns)
        if op.pagination:
            refs.append(op.pagination.item_type)
    return _kinds(refs)


def type_names(refs: Iterable[ir.TypeRef | None]) -> set[str]:
    """Model and enum class names a set of annotations mentions."""
    return {t.name for ref in refs for t in walk(ref) if t.name}


def _writes_json(op: ir.Operation) -> bool:
    """Whether the client converts a value of ``op`` to JSON (``to_json``)."""
    body = op.body
    if body is not None and body.encoding == "json" and body.type is not None:
        if body.type.needs_conversion:
            return True
    return any(codec.writes_json(p) for p in op.parameters if p.location != "path")


def client_imports(api: ir.Api) -> list[str]:
    kinds = parameter_kinds(api)
    stdlib: dict[str, set[str]] = {"typing": set(), "datetime": set()}
    runtime = {
        "ApiResponse",
        "AsyncClientCore",
        "AsyncTransport",
        "Auth",
        "ClientCore",
        "Operation",
        "Request",
        "Response",
        "RetryConfig",
        "Timeout",
        "Transport",
    }
    stdlib["typing"].add("Callable")
    stdlib["os"] = set()
    if api.security:
        kinds_of_auth = {s.kind for s in api.security}
        runtime |= {
            {
                "api_key": "ApiKeyAuth",
                "http_basic": "HttpBasicAuth",
                "http_bearer": "HttpBearerAuth",
                "oauth2_client_credentials": "OAuth2ClientCredentials",
            }[k]
            for k in kinds_of_auth
        }
    if any(
        op.located("query") or (op.body and op.body.spread and op.body.encoding == "form")
        for op in api.operations
    ):
        runtime.add("QueryParam")
    if "file" in kinds:
        runtime.add("File")
    # what reading the success bodies needs (``decode`` in macros.jinja)
    runtime |= codec.runtime_names(
        r.type for op in api.operations for r in op.success if r.decode == "json"
    )
    if any(_writes_json(op) for op in api.operations):
        runtime.add("to_json")
    if any(op.pagination for op in api.operations):
        stdlib["typing"] |= {"AsyncIterator", "Iterator"}
        runtime |= {"aiterate_pages", "iterate_pages"}
    if "uuid" in kinds:
        stdlib["uuid"] = {"UUID"}
    for kind in ("datetime", "date", "time"):
        if kind in kinds:
            stdlib["datetime"].add(kind)
    if "decimal" in kinds:
        stdlib["decimal"] = {"Decimal"}
    if kinds & {"any", "object", "oneof"}:
        stdlib["typing"].add("Any")
    refs: list[ir.TypeRef | None] = []
    for op in api.operations:
        refs.extend(p.type for p in op.parameters)
        refs.append(op.body.type if op.body else None)
        refs.append(op.returns)
        refs.extend(r.type for r in op.success)
        refs.extend(r.type for r in op.errors)
        if op.pagination:
            refs.append(op.pagination.item_type)
    names = type_names(refs)
    lines = _lines(stdlib, {"._runtime": runtime, ".models": names})
    if "os" in stdlib:
        lines.insert(0, "import os")
    return lines
