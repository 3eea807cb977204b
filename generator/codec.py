"""How a JSON value becomes its Python type and back, as the generated code spells it.

Each conversion is a call of a runtime function whose first argument is the value: a *decoder*
is that function and its other arguments (``parse_enum, Status``), so decoders compose (a list
of enums is ``decode_list, parse_enum, Status``) and every conversion is one call, which the
layout stage can split over lines like any other call. Writing back is ``to_json(value)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .model import ir

# What a resource module calls the models package: its classes are attributes of it, so each is
# imported on first use (``_models.Pet.from_dict``); the leading underscore keeps an argument
# (never spelt with one) from hiding it.
MODELS_ALIAS = "_models"

_SCALAR_DECODERS = {
    "datetime": "parse_datetime",
    "date": "date.fromisoformat",
    "time": "parse_time",
    "uuid": "UUID",
    "decimal": "parse_decimal",
}
_JSON_CHECKS = {
    "dict": "dict",
    "list": "list",
    "str": "str",
    "int": "int",
    "float": "(int, float)",
    "bool": "bool",
}


def decoder(ref: ir.TypeRef, lazy: bool = False) -> list[str]:
    """The runtime function and trailing arguments that turn a JSON value into ``ref``; with
    ``lazy``, models, enums and unions are reached through the models package (a resource
    module's way), else by their bare names (a model module's, which imports them)."""
    kind = ref.kind
    models = MODELS_ALIAS + "." if lazy else ""
    if kind in _SCALAR_DECODERS:
        return [_SCALAR_DECODERS[kind]]
    if kind == "enum":
        return ["parse_enum", f"{models}{ref.name}"]
    if kind == "model":
        return [f"{models}{ref.name}.from_dict"]
    if kind == "oneof":
        return [f"{models}{ref.name}"]
    if kind in ("list", "map") and ref.item is not None:
        item = decoder(ref.item, lazy)
        if ref.item_nullable:
            item = ["optional", *item]
        return ["decode_list" if kind == "list" else "decode_map", *item]
    if kind == "union":
        choices = [
            "(" + ", ".join([json_check(member), *decoder(member, lazy)]) + ")"
            for member in ref.members
            if member.needs_conversion
        ]
        return ["decode_union", *choices]
    raise ValueError(f"no decoder for a {kind}")  # the IR never asks: needs_conversion is False


def decode(ref: ir.TypeRef, value: str, lazy: bool = False) -> str:
    """An expression turning the JSON ``value`` (never None) into ``ref`` (``lazy``: see
    :func:`decoder`)."""
    if not ref.needs_conversion:
        if ref.kind == "list":
            return f"list({value})"
        if ref.kind == "map":
            return f"dict({value})"
        return value
    fn, *args = decoder(ref, lazy)
    return f"{fn}({', '.join([value, *args])})"


def decoded_names(refs: Iterable[ir.TypeRef | None], lazy: bool = False) -> set[str]:
    """Every name the decoders of ``refs`` spell (functions, classes, ``date``, ``UUID``,
    the models alias): what a module must import to run them."""
    text = " ".join(
        " ".join(decoder(r, lazy)) for r in refs if r is not None and r.needs_conversion
    )
    return set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*", text))


def decode_optional(ref: ir.TypeRef, value: str) -> str:
    """Like ``decode``, but None and UNSET (absent) pass through unconverted."""
    if not ref.needs_conversion:
        return value
    return f"optional({', '.join([value, *decoder(ref)])})"


def extra_decoder(model: ir.Model) -> list[str]:
    """The decoder of a model's ``additional_properties`` values, empty when kept as they are."""
    if model.extra is None or not model.extra.needs_conversion:
        return []
    found = decoder(model.extra)
    return ["optional", *found] if model.extra_nullable else found


def writes_json(param: ir.Parameter) -> bool:
    """Whether the client passes ``param`` through ``to_json``: a model in the query, a header or
    a cookie (other values are spelled by the runtime), a converted form or multipart field
    (files are sent as they are)."""
    ref = param.type
    if param.location != "body":
        return ref.kind == "model"
    is_file = ref.kind == "file" or (
        ref.kind == "list" and ref.item is not None and ref.item.kind == "file"
    )
    return ref.needs_conversion and not is_file


def parameter_value(param: ir.Parameter) -> str:
    """The expression the client sends for ``param``."""
    return f"to_json({param.name})" if writes_json(param) else param.name


def json_check(ref: ir.TypeRef) -> str:
    """The ``isinstance`` check for the JSON value of a union member."""
    return _JSON_CHECKS[ir.json_type(ref)]


def runtime_names(refs: Iterable[ir.TypeRef | None], optional: bool = False) -> set[str]:
    """The runtime functions the decoders of ``refs`` call (``optional`` when fields that may be
    None or absent are decoded)."""
    names: set[str] = set()
    for ref in refs:
        if ref is None or not ref.needs_conversion:
            continue
        if optional:
            names.add("optional")
        names.update(re.findall(r"\b[a-z_]+\b", " ".join(decoder(ref))))
    return names & _RUNTIME


_RUNTIME = frozenset(
    {
        "parse_datetime",
        "parse_time",
        "parse_decimal",
        "parse_enum",
        "decode_list",
        "decode_map",
        "decode_union",
        "optional",
    }
)
