"""Runnable usage examples for the docs, built from the spec's example values.

An example constructs the client, calls one operation with typed arguments (model
constructors, enum members, ``datetime`` values), and prints the result. The tests run every
example against a mock server of the spec, so the code here must stay valid for any spec.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .model import ir


@dataclass(frozen=True)
class Example:
    code: str


class _Builder:
    def __init__(self, api: ir.Api) -> None:
        self.api = api
        self.models = {m.name: m for m in api.models}
        self.enums = {e.name: e for e in api.enums}
        self.model_imports: set[str] = set()
        self.stdlib: dict[str, set[str]] = {}

    def value(self, ref: ir.TypeRef, value: Any, indent: int) -> str:
        """A Python expression of type ``ref`` for the JSON ``value``."""
        if value is None:
            return "None"
        kind = ref.kind
        if kind == "model" and isinstance(value, dict) and ref.name in self.models:
            return self._model(self.models[ref.name], value, indent)
        if kind == "enum" and ref.name in self.enums:
            for member in self.enums[ref.name].members:
                if member.value == value:
                    self.model_imports.add(ref.name)
                    return f"{ref.name}.{member.name}"
            return repr(value)
        if kind == "list" and isinstance(value, list) and ref.item is not None:
            items = [self.value(ref.item, v, indent + 4) for v in value]
            return "[" + ", ".join(items) + "]"
        if kind == "map" and isinstance(value, dict) and ref.item is not None:
            pairs = [
                f"{json.dumps(k)}: {self.value(ref.item, v, indent + 4)}" for k, v in value.items()
            ]
            return "{" + ", ".join(pairs) + "}"
        if kind == "datetime" and isinstance(value, str):
            self.stdlib.setdefault("datetime", set()).add("datetime")
            return f"datetime.fromisoformat({json.dumps(value.replace('Z', '+00:00'))})"
        if kind == "date" and isinstance(value, str):
            self.stdlib.setdefault("datetime", set()).add("date")
            return f"date.fromisoformat({json.dumps(value)})"
        if kind == "decimal":
            self.stdlib.setdefault("decimal", set()).add("Decimal")
            return f"Decimal({json.dumps(str(value))})"
        if kind == "uuid" and isinstance(value, str):
            self.stdlib.setdefault("uuid", set()).add("UUID")
            return f"UUID({json.dumps(value)})"
        if kind == "union":
            for option in ref.members:
                if ir.json_type(option) == _json_type_of(value):
                    return self.value(option, value, indent)
        return _literal(value)

    def _model(self, model: ir.Model, value: dict[str, Any], indent: int) -> str:
        self.model_imports.add(model.name)
        args = []
        for f in model.fields:
            if f.wire_name in value:
                args.append(f"{f.name}={self.value(f.type, value[f.wire_name], indent + 4)}")
        if not args:
            return f"{model.name}()"
        return f"{model.name}(" + ", ".join(args) + ")"


def _json_type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, list):
        return "list"
    return "str"


def _literal(value: Any) -> str:
    """A Python literal for a JSON value (json.dumps spelling is valid Python except for
    true/false/null, handled here)."""
    if value is True:
        return "True"
    if value is False:
        return "False"
    if value is None:
        return "None"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(str(k))}: {_literal(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
        return f"float({json.dumps(str(value))})"
    return json.dumps(value, ensure_ascii=False)


def _placeholder(ref: ir.TypeRef, facts: ir.Constraints) -> Any:
    """A value for a required argument the spec gives no example for."""
    if facts.enum_values:
        return json.loads(facts.enum_values[0])
    if facts.default is not None:
        return json.loads(facts.default)
    return {
        "int": 1,
        "float": 1.0,
        "bool": True,
        "uuid": "00000000-0000-0000-0000-000000000000",
        "datetime": "2024-01-01T00:00:00Z",
        "date": "2024-01-01",
        "decimal": "1.00",
        "list": [],
        "object": {},
        "map": {},
    }.get(ref.kind, "string")


def credential_value(scheme: ir.SecurityScheme, argument: str) -> str:
    return "YOUR_" + argument.upper()


def client_setup(api: ir.Api) -> str:
    args = [
        f"{arg}={json.dumps(credential_value(s, arg))}" for s in api.security for arg in s.arguments
    ]
    return f"client = Client({', '.join(args)})"


def operation_example(api: ir.Api, op: ir.Operation) -> Example:
    builder = _Builder(api)
    args: list[str] = []
    for p in op.parameters:
        example = json.loads(p.constraints.example) if p.constraints.example is not None else None
        if example is None and not p.required:
            continue
        if example is None:
            example = _placeholder(p.type, p.constraints)
        args.append(f"{p.name}={builder.value(p.type, example, 4)}")
    if op.body is not None and (op.body.example is not None or op.body.required):
        body = json.loads(op.body.example) if op.body.example is not None else {}
        args.append(f"body={builder.value(op.body.type, body, 4)}")
    call = "client." + ".".join(op.group + (op.method_name,))
    lines = []
    for module, names in sorted(builder.stdlib.items()):
        lines.append(f"from {module} import {', '.join(sorted(names))}")
    lines.append(f"from {api.package} import Client")
    if builder.model_imports:
        lines.append(f"from {api.package}.models import {', '.join(sorted(builder.model_imports))}")
    lines.append("")
    lines.append(client_setup(api))
    lines.append("")
    invocation = f"{call}(" + ", ".join(args) + ")"
    if op.returns is None:
        lines.append(invocation)
    else:
        lines.append(f"result = {invocation}")
        lines.append("print(result)")
    return Example("\n".join(lines) + "\n")
