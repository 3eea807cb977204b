"""Runnable usage examples for the docs, built from the spec's example values.

An example constructs the client, calls one operation with typed arguments (model
constructors, enum members, ``datetime`` values), and prints the result. The tests run every
example against a mock server of the spec, so the code here must stay valid for any spec.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .imports import from_import
from .text import py_literal, py_string
from .model import ir


@dataclass(frozen=True)
class Example:
    code: str


Index = tuple[
    dict[str, ir.Model], dict[str, ir.Enum], dict[str, ir.Union]
]  # by name: models, enums, unions


class _Builder:
    def __init__(self, api: ir.Api, index: Index) -> None:
        self.api = api
        self.models, self.enums, self.unions = index
        self.model_imports: set[str] = set()
        self.client_imports: set[str] = set()
        self.stdlib: dict[str, set[str]] = {}

    def value(self, ref: ir.TypeRef, value: Any, indent: int) -> str:
        """A Python expression of type ``ref`` for the JSON ``value``."""
        if ref.kind == "file":
            return self.file(value)
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
            return py_literal(value)
        if kind == "list" and isinstance(value, list) and ref.item is not None:
            items = [self.value(ref.item, v, indent + 4) for v in value]
            return "[" + ", ".join(items) + "]"
        if kind == "map" and isinstance(value, dict) and ref.item is not None:
            pairs = [
                f"{py_string(k)}: {self.value(ref.item, v, indent + 4)}" for k, v in value.items()
            ]
            return "{" + ", ".join(pairs) + "}"
        if kind == "datetime" and isinstance(value, str):
            self.stdlib.setdefault("datetime", set()).add("datetime")
            return f"datetime.fromisoformat({py_string(value.replace('Z', '+00:00'))})"
        if kind == "date" and isinstance(value, str):
            self.stdlib.setdefault("datetime", set()).add("date")
            return f"date.fromisoformat({py_string(value)})"
        if kind == "decimal":
            self.stdlib.setdefault("decimal", set()).add("Decimal")
            return f"Decimal({py_string(str(value))})"
        if kind == "uuid" and isinstance(value, str):
            self.stdlib.setdefault("uuid", set()).add("UUID")
            return f"UUID({py_string(value)})"
        if kind == "oneof" and isinstance(value, dict) and ref.name in self.unions:
            variant = _variant(self.unions[ref.name], value)
            if variant is not None and variant.model in self.models:
                return self._model(self.models[variant.model], value, indent)
        if kind == "union":
            for option in ref.members:
                if ir.json_type(option) == _json_type_of(value):
                    return self.value(option, value, indent)
        return _literal(value)

    def file(self, value: Any, content_type: str | None = None) -> str:
        """A ``File`` to upload: the example's text as its content."""
        self.client_imports.add("File")
        text = value if isinstance(value, str) and value != "string" else "example file content"
        kind = f", content_type={py_string(content_type)}" if content_type else ""
        return f'File({_bytes_literal(text)}, filename="example.txt"{kind})'

    def _model(self, model: ir.Model, value: dict[str, Any], indent: int) -> str:
        """The constructor call; required fields the example lacks get a placeholder (their
        own example, else a value of their type), so the code runs."""
        self.model_imports.add(model.name)
        args = []
        for f in model.fields:
            if f.wire_name in value:
                field_value = value[f.wire_name]
            elif f.required and indent < 40:  # bounded: a model may require itself
                field_value = self._filler(f)
            else:
                continue
            args.append(f"{f.name}={self.value(f.type, field_value, indent + 4)}")
        if not args:
            return f"{model.name}()"
        return f"{model.name}(" + ", ".join(args) + ")"

    def _filler(self, f: ir.Field) -> Any:
        if f.constraints.example is not None:
            return json.loads(f.constraints.example)
        if f.nullable:
            return None
        if f.type.kind == "model" and f.type.name in self.models:
            example = self.models[f.type.name].example
            if example is not None:
                return json.loads(example)
        if f.type.kind == "enum" and f.type.name in self.enums:
            members = self.enums[f.type.name].members
            if members:
                return members[0].value
        return _placeholder(f.type, f.constraints)


def _bytes_literal(text: str) -> str:
    """A bytes literal of ``text`` encoded as UTF-8 (escapes for anything not printable ASCII)."""
    raw = repr(text.encode("utf-8"))
    if raw.startswith("b'"):  # black prefers double quotes where they need no more escapes
        body = raw[2:-1]
        double = body.replace("\\'", "'").replace('"', '\\"')
        if double.count("\\") <= body.count("\\"):
            return f'b"{double}"'
    return raw


def _variant(union: ir.Union, value: dict[str, Any]) -> ir.Variant | None:
    """The alternative the generated ``parse_*`` function would choose for ``value``."""
    if union.discriminator:
        tag = value.get(union.discriminator)
        for variant in union.variants:
            if tag in variant.tags:
                return variant
    for variant in union.variants:
        if not (union.discriminator and variant.tags) and set(variant.required) <= value.keys():
            return variant
    return None


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
            "{" + ", ".join(f"{py_string(str(k))}: {_literal(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
        return f"float({py_string(str(value))})"
    if isinstance(value, str):
        return py_string(value)
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
        "model": {},
    }.get(ref.kind, "string")


def credential_value(scheme: ir.SecurityScheme, argument: str) -> str:
    return "YOUR_" + argument.upper()


VARIANTS = ("usage", "errors", "iter", "timeout", "async", "hooks")
"""What an example shows. ``usage``: the call and its result (each operation's "Example
Usage"); ``errors``: the call in try/except on the client's exceptions; ``iter``: the
auto-paging ``*_iter`` twin of a paginated operation; ``timeout``: client-wide and per-call
timeout and retry settings; ``async``: the call on ``AsyncClient``; ``hooks``: a transport
and request/response hooks. Templates ask for one with
``example((op, "errors"))``; ``example(op)`` is ``usage``."""


def _credentials(api: ir.Api, op: ir.Operation) -> list[str]:
    """Client arguments for the credentials ``op`` needs: its first alternative that names
    known schemes (none when the operation needs none)."""
    schemes = {s.name: s for s in api.security}
    for requirement in op.security:
        if requirement and all(name in schemes for name in requirement):
            return [
                f"{arg}={py_string(credential_value(schemes[name], arg))}"
                for name in requirement
                for arg in schemes[name].arguments
            ]
    return []


def client_setup(api: ir.Api, op: ir.Operation | None = None, extra: tuple[str, ...] = ()) -> str:
    """``client = Client(...)`` with the credentials ``op`` needs (every scheme's without an
    ``op``) and ``extra`` arguments."""
    if op is None:
        creds = [
            f"{arg}={py_string(credential_value(s, arg))}"
            for s in api.security
            for arg in s.arguments
        ]
    else:
        creds = _credentials(api, op)
    return f"client = Client({', '.join(creds + list(extra))})"


def index(api: ir.Api) -> Index:
    """Models, enums and unions by name: build once per API, pass to every example."""
    return (
        {m.name: m for m in api.models},
        {e.name: e for e in api.enums},
        {u.function: u for u in api.unions},
    )


def operation_example(
    api: ir.Api, op: ir.Operation | tuple[ir.Operation, str], lookup: Index | None = None
) -> Example:
    """Runnable code calling ``op`` with the spec's example values (see VARIANTS)."""
    variant = "usage"
    if isinstance(op, tuple):
        op, variant = op
    if variant not in VARIANTS:
        raise ValueError(f"unknown example variant {variant!r}; one of {VARIANTS}")
    builder = _Builder(api, lookup or index(api))
    args: list[str] = []
    pager_param = op.pagination.param if op.pagination else None
    for p in op.parameters:
        if variant == "iter" and p.name == pager_param:
            continue  # the iterator moves the cursor or page itself
        example = json.loads(p.constraints.example) if p.constraints.example is not None else None
        if example is None and not p.required:
            continue
        if example is None:
            example = _placeholder(p.type, p.constraints)
        if p.type.kind == "file":
            args.append(f"{p.name}={builder.file(example, p.content_type)}")
            continue
        if p.type.kind == "list" and p.type.item is not None and p.type.item.kind == "file":
            args.append(f"{p.name}=[{builder.file(None, p.content_type)}]")
            continue
        args.append(f"{p.name}={builder.value(p.type, example, 4)}")
    body_kind = op.body.encoding if op.body is not None else None
    if op.body is not None and op.body.argument and body_kind in ("text", "binary"):
        if op.body.example is not None or op.body.required:
            text = json.loads(op.body.example) if op.body.example is not None else None
            if not isinstance(text, str):
                text = "example" if body_kind == "text" else "example bytes"
            literal = py_string(text)
            args.append(f"body={literal if body_kind == 'text' else _bytes_literal(text)}")
    elif (
        op.body is not None
        and op.body.argument
        and (op.body.example is not None or op.body.required)
    ):
        body_model = builder.models.get(op.body.type.name or "")
        if op.body.example is not None:
            body = json.loads(op.body.example)
        elif body_model is not None and body_model.example is not None:
            body = json.loads(body_model.example)
        else:
            body = {}
        args.append(f"body={builder.value(op.body.type, body, 4)}")

    method = op.method_name + ("_iter" if variant == "iter" else "")
    call = "client." + ".".join(op.group + (method,))
    runtime = {"async": ["AsyncClient"]}.get(variant, ["Client"])
    runtime += {
        "errors": ["ApiError", "NotFoundError"],
        "timeout": ["RetryConfig", "Timeout"],
        "hooks": ["HttpTransport", "Request", "Response"],
    }.get(variant, [])
    client_extra: tuple[str, ...] = ()
    if variant == "iter":
        args.append("max_pages=3")
    if variant == "timeout":
        client_extra = ("timeout=Timeout(connect=5, read=30)", "retries=RetryConfig(attempts=5)")
        args += ["timeout=10", "retries=RetryConfig.NONE"]
    if variant == "hooks":
        client_extra = (
            "transport=HttpTransport()",
            "before_request=log_request",
            "after_response=log_response",
        )
    invocation = f"{call}(" + ", ".join(args) + ")"

    lines = []
    if variant == "async":
        lines.append("import asyncio")
    for module, names in sorted(builder.stdlib.items()):
        lines.append(from_import(module, names))
    lines.append(from_import(api.package, runtime))
    if builder.client_imports:
        lines.append(from_import(f"{api.package}.client", builder.client_imports))
    if builder.model_imports:
        lines.append(from_import(f"{api.package}.models", builder.model_imports))
    lines.append("")
    if variant == "hooks":
        lines += [
            "",
            "def log_request(request: Request) -> None:",
            '    print("->", request.method, request.redacted_url)',
            "",
            "",
            "def log_response(response: Response) -> None:",
            '    print("<-", response.status, response.headers.get("content-type"))',
            "",
            "",
        ]
    setup = client_setup(api, op, client_extra)
    returns = op.returns is not None
    if variant == "async":
        setup = setup.replace("client = Client(", "AsyncClient(", 1)
        lines += ["", "async def main() -> None:", f"    async with {setup} as client:"]
        if returns:
            lines += [f"        result = await {invocation}", "        print(result)"]
        else:
            lines.append(f"        await {invocation}")
        lines += ["", "", "asyncio.run(main())"]
        return Example("\n".join(lines) + "\n")
    lines += [setup, ""]
    if variant == "iter":
        lines += [f"for item in {invocation}:", "    print(item)"]
    elif variant == "errors":
        lines.append("try:")
        lines.append(f"    result = {invocation}" if returns else f"    {invocation}")
        lines += [
            "except NotFoundError as error:",
            "    print(error.status, error.model)  # the parsed error body, if the spec has one",
            "except ApiError as error:",
            "    print(error.status, error.body)",
        ]
        if returns:
            lines += ["else:", "    print(result)"]
    elif returns:
        lines += [f"result = {invocation}", "print(result)"]
    else:
        lines.append(invocation)
    return Example("\n".join(lines) + "\n")
