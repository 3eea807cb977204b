"""Helpers of ``test_clients.py``: call clientgen's generated clients with a spec's examples.

Everything here is derived from the OpenAPI documents in ``specs/`` and from the generated
packages as a user sees them (``Client``, its resource groups and methods, their signatures and
type hints, ``models``): the generator's own code is never imported, so a generator bug cannot
hide itself by being shared with the test oracle.

* :func:`discover_projects` / :func:`discover_operations` list every spec, its generated project
  (``generated/<spec stem>/``, or ``$CLIENTGEN_E2E_GENERATED/<spec stem>/``) and every operation,
  with the call path from the project's ``clientgen.json``.
* :func:`load_package` imports a generated package under a private alias (so two copies, or a
  package of the same name elsewhere in the test run, never clash).
* :class:`Recorder` is a ``before_request`` / ``after_response`` hook pair: it records every
  request as sent and every raw response, and can add headers (``Prefer: code=...``).
* :func:`call_arguments` builds a method's keyword arguments from the spec's parameter and
  request body examples, converting them to the types the signature asks for (models through
  ``Model.from_dict``).
* :func:`check_request` checks the request on the wire against the spec, independently of the
  generated code: path, every query pair, headers, JSON body.
* :func:`canonical` and :func:`dump` compare models with JSON up to the canonical spelling of
  values whose schema has a ``date-time``, ``date`` or ``decimal`` format.
* :func:`assert_fields_mapped` catches a wrong wire name in ``from_dict``: the value would land
  in ``additional_properties`` and be written back by ``to_dict``, which a round trip alone does
  not notice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import importlib
import importlib.util
import inspect
import json
import os
import re
import sys
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from uuid import UUID

import yaml

from .prism import Violation, find_violations

REPO_ROOT = Path(__file__).resolve().parents[2]
SPECS_DIR = REPO_ROOT / "specs"
SPEC_SUFFIXES = (".yaml", ".yml", ".json")
GENERATED_ENV = "CLIENTGEN_E2E_GENERATED"
"""Environment variable: another folder of generated projects to test (default ``generated/``)."""

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
CLIENT_OPTIONS = frozenset(
    {"base_url", "timeout", "retries", "transport", "before_request", "after_response"}
)
"""Keyword arguments of every generated ``Client`` that are not credentials."""
CALL_OPTIONS = frozenset({"timeout", "retries", "max_pages"})
"""Keyword arguments of every generated method that are not API parameters."""
CREDENTIAL = "e2e-credential"
MISSING: Any = object()


def generated_root() -> Path:
    return Path(os.environ.get(GENERATED_ENV) or REPO_ROOT / "generated").resolve()


def norm(name: str) -> str:
    """``pageSize``, ``page_size``, ``x-page-size``, ``include[]`` -> comparable spellings."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


# -- loading specs (YAML 1.2 core schema, as OpenAPI requires) ----------------------------------


class _CoreLoader(yaml.SafeLoader):
    """No timestamps, no yes/no booleans: scalars are read as a JSON parser would."""

    yaml_implicit_resolvers: dict[Any, Any] = {}


for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$",
        list("-+.0123456789"),
    ),
):
    _CoreLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def load_document(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=_CoreLoader)  # noqa: S506 - a SafeLoader subclass


# -- projects and operations ---------------------------------------------------------------------


@dataclass(eq=False)
class Project:
    """One spec and the project generated from it."""

    name: str
    spec_path: Path
    spec: Any
    folder: Path

    @cached_property
    def manifest(self) -> dict[str, Any]:
        path = self.folder / "clientgen.json"
        if not path.is_file():
            raise AssertionError(
                f"{self.spec_path.name}: no generated project at {self.folder} "
                "(run `make generate`)"
            )
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data

    @cached_property
    def package_dir(self) -> Path:
        found = sorted(p.parent for p in self.folder.glob("*/py.typed"))
        if len(found) != 1:
            raise AssertionError(f"{self.folder}: expected one package with py.typed, got {found}")
        return found[0]

    def resolve(self, node: Any) -> Any:
        """Follow local ``$ref``s (``#/components/...``) until a node without one."""
        seen = 0
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                raise AssertionError(f"{self.name}: only local references are supported: {ref}")
            target = self.spec
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target[int(part)] if isinstance(target, list) else target[part]
            node = target
            seen += 1
            if seen > 50:
                raise AssertionError(f"{self.name}: reference cycle at {ref}")
        return node


def discover_projects() -> list[Project]:
    root = generated_root()
    specs = sorted(p for p in SPECS_DIR.iterdir() if p.suffix in SPEC_SUFFIXES and p.is_file())
    return [Project(p.stem, p, load_document(p), root / p.stem) for p in specs]


@dataclass(eq=False)
class OperationCase:
    """One operation of one spec."""

    project: Project
    operation_id: str
    """The manifest key: the ``operationId``, else ``<method>_<path>`` like the generator."""
    method: str
    path: str
    operation: dict[str, Any]
    parameters: list[dict[str, Any]]
    """Path-level and operation-level parameters, resolved; the operation's win."""
    body: dict[str, Any] | None
    responses: dict[str, dict[str, Any]]

    @property
    def id(self) -> str:
        return f"{self.project.name}:{self.operation_id}"

    def __repr__(self) -> str:
        return f"<{self.id} {self.method.upper()} {self.path}>"

    @property
    def call_path(self) -> str | None:
        value = self.project.manifest.get("operations", {}).get(self.operation_id)
        return value if isinstance(value, str) else None

    @property
    def skipped_reason(self) -> str | None:
        for entry in self.project.manifest.get("skipped", []):
            text = json.dumps(entry)
            if self.operation_id in text:
                return text
        return None

    @property
    def pagination(self) -> dict[str, Any] | None:
        hint = self.operation.get("x-clientgen-pagination")
        return hint if isinstance(hint, dict) else None

    @property
    def success_status(self) -> str:
        """The response Prism picks without ``Prefer``: the lowest declared 2xx."""
        codes = sorted(c for c in self.responses if re.fullmatch(r"2\d\d", c))
        if codes:
            return codes[0]
        ranges = [c for c in self.responses if c.upper() == "2XX"]
        if ranges:
            return ranges[0]
        raise AssertionError(f"{self.id}: no 2xx response declared")

    def media(self, status_key: str) -> tuple[str, dict[str, Any]] | None:
        """``(media type, media object)`` of a response, the JSON one first; None if no body."""
        content = self.responses[status_key].get("content") or {}
        for media_type in sorted(content, key=lambda m: (not _is_json(m), m)):
            return media_type, self.project.resolve(content[media_type])
        return None

    def response_schema(self, status_key: str) -> Any:
        media = self.media(status_key)
        return {} if media is None else media[1].get("schema", {})

    def response_example(self, status_key: str) -> Any:
        """The example Prism serves in static mode for that response, or MISSING."""
        media = self.media(status_key)
        return MISSING if media is None else media_example(self.project, media[1])

    def body_media(self) -> tuple[str, dict[str, Any]] | None:
        if self.body is None:
            return None
        content = self.body.get("content") or {}
        for media_type in sorted(content, key=lambda m: (not _is_json(m), m)):
            return media_type, self.project.resolve(content[media_type])
        return None

    def error_statuses(self) -> list[tuple[str, int]]:
        """Every documented error response as ``(spec key, status to ask Prism for)``.

        Numeric codes as they are; ``4XX``/``5XX`` ranges: the range's most common code and
        a second, representative one; ``default``: a 4xx and a 5xx the operation does not
        declare otherwise (Prism serves ``default`` for any status asked for).
        """
        declared = {int(c) for c in self.responses if c.isdigit()}
        out: list[tuple[str, int]] = []
        for key in self.responses:
            upper = key.upper()
            if key.isdigit():
                if not 200 <= int(key) <= 399:
                    out.append((key, int(key)))
            elif re.fullmatch(r"[45]XX", upper):
                candidates = RANGE_CODES[upper[0]]
                picked = [c for c in candidates if c not in declared][:2]
                out.extend((key, code) for code in picked)
            elif key == "default":
                for candidates in (DEFAULT_4XX_CODES, DEFAULT_5XX_CODES):
                    picked = [c for c in candidates if c not in declared][:1]
                    out.extend((key, code) for code in picked)
        return out

    def error_key_for(self, status: int) -> str:
        """The response that documents ``status`` (exact code, then range, then default)."""
        for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
            if key in self.responses:
                return key
        raise AssertionError(f"{self.id}: status {status} is not documented")


RANGE_CODES = {"4": (400, 404, 409, 422, 429, 418), "5": (500, 503, 502)}
DEFAULT_4XX_CODES = (400, 404, 409, 422, 429, 418)
DEFAULT_5XX_CODES = (500, 503, 502)


def _is_json(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def media_example(project: Project, media: Mapping[str, Any]) -> Any:
    """The example of a media type object: ``example``, else the first of ``examples``."""
    if "example" in media:
        return media["example"]
    examples = media.get("examples")
    if isinstance(examples, Mapping) and examples:
        first = project.resolve(next(iter(examples.values())))
        if isinstance(first, Mapping) and "value" in first:
            return first["value"]
    return MISSING


def discover_operations(projects: Sequence[Project]) -> list[OperationCase]:
    cases: list[OperationCase] = []
    for project in projects:
        for path, raw_item in (project.spec.get("paths") or {}).items():
            item = project.resolve(raw_item)
            shared = [project.resolve(p) for p in item.get("parameters", [])]
            for method in HTTP_METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                own = [project.resolve(p) for p in operation.get("parameters", [])]
                merged = {(p["in"], p["name"]): p for p in shared}
                merged.update({(p["in"], p["name"]): p for p in own})
                body = operation.get("requestBody")
                cases.append(
                    OperationCase(
                        project=project,
                        operation_id=operation.get("operationId") or f"{method}_{path}",
                        method=method,
                        path=path,
                        operation=operation,
                        parameters=list(merged.values()),
                        body=None if body is None else project.resolve(body),
                        responses={
                            str(code): project.resolve(response)
                            for code, response in (operation.get("responses") or {}).items()
                        },
                    )
                )
    return cases


# -- the generated package -------------------------------------------------------------------------

_PACKAGES: dict[Path, types.ModuleType] = {}


def load_package(project: Project) -> types.ModuleType:
    """Import ``generated/<project>/<package>`` under a private alias, once per folder."""
    folder = project.package_dir
    if folder not in _PACKAGES:
        alias = f"_e2e_{len(_PACKAGES)}_{folder.name}"
        spec = importlib.util.spec_from_file_location(
            alias, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        assert spec is not None and spec.loader is not None
        package = importlib.util.module_from_spec(spec)
        sys.modules[alias] = package
        spec.loader.exec_module(package)
        _PACKAGES[folder] = package
    return _PACKAGES[folder]


def submodule(package: types.ModuleType, name: str) -> types.ModuleType:
    """A submodule of ``package``, imported if it was not yet (the packages import lazily)."""
    return importlib.import_module(f"{package.__name__}.{name}")


class Recorder:
    """``before_request`` / ``after_response`` hooks that record the exchanges of a client.

    ``extra_headers`` are set on every request (replacing any header of the same name).
    """

    def __init__(self, extra_headers: Mapping[str, str] | None = None) -> None:
        self.extra_headers = dict(extra_headers or {})
        self.requests: list[Any] = []
        self.responses: list[Any] = []

    def before_request(self, request: Any) -> Any:
        if self.extra_headers:
            names = {name.lower() for name in self.extra_headers}
            headers = [(k, v) for k, v in request.headers if k.lower() not in names]
            headers.extend(self.extra_headers.items())
            request = dataclasses.replace(request, headers=headers)
        self.requests.append(request)
        return request

    def after_response(self, response: Any) -> None:
        self.responses.append(response)

    def clear(self) -> None:
        self.requests.clear()
        self.responses.clear()

    def violations(self) -> list[tuple[str, Violation]]:
        found = []
        for response in self.responses:
            where = f"{response.request.method} {response.request.url} -> {response.status}"
            for violation in find_violations(response.status, response.headers, response.body):
                found.append((where, violation))
        return found

    def assert_no_violations(self) -> None:
        found = self.violations()
        if found:
            lines = [f"  - {where}: {violation}" for where, violation in found]
            bodies = [r.body[:1500].decode("utf-8", "replace") for r in self.responses]
            raise AssertionError(
                f"Prism reported {len(found)} violation(s):\n"
                + "\n".join(lines)
                + "\nresponse bodies:\n"
                + "\n".join(bodies)
            )


def make_client(
    package: types.ModuleType,
    base_url: str,
    recorder: Recorder,
    *,
    flavor: str = "sync",
    **options: Any,
) -> Any:
    """A ``Client`` (``flavor="async"``: ``AsyncClient``) against ``base_url``, with every
    credential set and the recorder's hooks.

    Retries are off unless ``retries=`` says otherwise, so that a test never sleeps.
    """
    client_cls = package.Client if flavor == "sync" else package.AsyncClient
    kwargs: dict[str, Any] = {}
    for name, parameter in inspect.signature(client_cls).parameters.items():
        if name in CLIENT_OPTIONS or parameter.kind is not parameter.KEYWORD_ONLY:
            continue
        kwargs[name] = CREDENTIAL
    kwargs.update(
        base_url=base_url,
        timeout=10.0,
        retries=package.RetryConfig(attempts=1),
        before_request=recorder.before_request,
        after_response=recorder.after_response,
    )
    kwargs.update(options)
    return client_cls(**kwargs)


def bound_method(client: Any, case: OperationCase, suffix: str = "") -> Callable[..., Any]:
    call_path = case.call_path
    if call_path is None:
        raise AssertionError(
            f"{case.id}: operation missing from {case.project.folder / 'clientgen.json'}"
        )
    target: Any = client
    parts = call_path.split(".")
    for part in parts[:-1]:
        target = getattr(target, part)
    method = getattr(target, parts[-1] + suffix, None)
    if method is None:
        raise AssertionError(f"{case.id}: client has no method {call_path}{suffix}")
    return typing.cast(Callable[..., Any], method)


def type_hints(function: Callable[..., Any]) -> dict[str, Any]:
    """The annotations of a client method, evaluated. Its module imports the models and the
    standard library types they name for type checkers only (the package imports lazily), so
    they are supplied here: every model of the package, and the types of the date, time, UUID
    and decimal formats."""
    module = sys.modules[function.__module__]
    models = importlib.import_module(module.__name__.rsplit(".", 2)[0] + ".models")
    names = {name: getattr(models, name) for name in models.__all__}
    names.update(UUID=UUID, Decimal=Decimal, date=dt.date, datetime=dt.datetime, time=dt.time)
    return typing.get_type_hints(function, localns=names)


# -- arguments from the spec's examples ------------------------------------------------------------


def parameter_example(case: OperationCase, parameter: Mapping[str, Any]) -> Any:
    """A parameter's example (``example``, first of ``examples``, then the schema's), or MISSING."""
    if "example" in parameter:
        return parameter["example"]
    examples = parameter.get("examples")
    if isinstance(examples, Mapping) and examples:
        first = case.project.resolve(next(iter(examples.values())))
        if isinstance(first, Mapping) and "value" in first:
            return first["value"]
    schema = case.project.resolve(parameter.get("schema") or {})
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    return MISSING


def body_example(case: OperationCase) -> Any:
    media = case.body_media()
    if media is None:
        return MISSING
    example = media_example(case.project, media[1])
    if example is MISSING:
        schema = case.project.resolve(media[1].get("schema") or {})
        example = schema.get("example", MISSING)
    return example


@dataclass
class CallArguments:
    kwargs: dict[str, Any]
    """Python keyword arguments for the generated method."""
    sent: dict[tuple[str, str], Any] = field(default_factory=dict)
    """``(in, wire name) -> example`` of every parameter passed."""
    body: Any = MISSING
    """The request body example (JSON), if one is sent."""


def call_arguments(
    case: OperationCase,
    method: Callable[..., Any],
    *,
    leave_out: Sequence[str] = (),
) -> CallArguments:
    """Keyword arguments for ``method`` from the spec's examples.

    Spec parameters are matched to the method's arguments by name, ignoring case and
    punctuation (``pageSize`` ~ ``page_size``, ``include[]`` ~ ``include``); the request body
    is the one remaining argument. Example values are converted to the argument's type hint.
    ``leave_out`` lists wire names of parameters not to pass.
    """
    signature = inspect.signature(method)
    hints = type_hints(method)
    by_norm: dict[str, str] = {}
    for name in signature.parameters:
        if name not in CALL_OPTIONS:
            by_norm.setdefault(norm(name), name)
    args = CallArguments(kwargs={})
    used: set[str] = set()
    for parameter in case.parameters:
        wire = parameter["name"]
        python_name = by_norm.get(norm(wire))
        if python_name is None:
            raise AssertionError(
                f"{case.id}: no argument of {method.__qualname__}{signature} for the "
                f"{parameter['in']} parameter {wire!r}"
            )
        used.add(python_name)
        if wire in leave_out:
            continue
        example = parameter_example(case, parameter)
        if example is MISSING or example is None:  # a null cannot be sent: leave it out
            if parameter.get("required"):
                raise AssertionError(f"{case.id}: required parameter {wire!r} has no example")
            continue
        args.kwargs[python_name] = convert(example, hints[python_name])
        args.sent[(parameter["in"], wire)] = example
    rest = [n for n in signature.parameters if n not in used and n not in CALL_OPTIONS]
    if case.body_media() is not None:
        if len(rest) != 1:
            raise AssertionError(
                f"{case.id}: cannot tell the request body argument among {rest} of "
                f"{method.__qualname__}{signature}"
            )
        example = body_example(case)
        if example is MISSING:
            if case.body and case.body.get("required"):
                raise AssertionError(f"{case.id}: the required request body has no example")
        else:
            args.kwargs[rest[0]] = convert(example, hints[rest[0]])
            args.body = example
    elif rest:
        raise AssertionError(
            f"{case.id}: arguments {rest} of {method.__qualname__}{signature} match no parameter"
        )
    return args


def _union_args(annotation: Any) -> tuple[Any, ...] | None:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(annotation)
    return None


def convert(value: Any, annotation: Any) -> Any:
    """Turn a JSON example into a value of the type ``annotation`` names.

    Models are built with ``from_dict``; enums, datetimes, dates, UUIDs and Decimals from their
    JSON spelling. Raises TypeError or ValueError when the value does not fit.
    """
    members = _union_args(annotation)
    if members is not None:
        if value is None and type(None) in members:
            return None
        candidates = [m for m in members if m is not type(None)]
        # The JSON value's own type first: a str stays a str when the hint allows it.
        candidates.sort(key=lambda m: m is not type(value))
        problems = []
        for member in candidates:
            if getattr(member, "__name__", "") == "Unset":
                continue
            try:
                return convert(value, member)
            except (TypeError, ValueError, KeyError, InvalidOperation) as exc:
                problems.append(f"{member}: {exc!r}")
        raise TypeError(f"{value!r} fits none of {annotation}: {problems}")
    origin = typing.get_origin(annotation)
    if annotation is Any or annotation is object:
        return value
    if origin in (list, Sequence, typing.Sequence):
        if not isinstance(value, list):
            raise TypeError(f"expected a list for {annotation}, got {value!r}")
        (inner,) = typing.get_args(annotation) or (Any,)
        return [convert(item, inner) for item in value]
    if origin in (dict, Mapping, typing.Mapping):
        if not isinstance(value, dict):
            raise TypeError(f"expected an object for {annotation}, got {value!r}")
        inner = (typing.get_args(annotation) or (str, Any))[1]
        return {key: convert(item, inner) for key, item in value.items()}
    if origin is typing.Literal:
        if value not in typing.get_args(annotation):
            raise ValueError(f"{value!r} is not one of {annotation}")
        return value
    if not isinstance(annotation, type):
        raise TypeError(f"unsupported type hint {annotation!r}")
    if hasattr(annotation, "from_dict"):
        if not isinstance(value, dict):
            raise TypeError(f"{annotation.__name__}.from_dict needs an object, got {value!r}")
        return annotation.from_dict(value)
    if issubclass(annotation, enum.Enum):
        return annotation(value)
    if annotation is bool:
        if not isinstance(value, bool):
            raise TypeError(f"expected a boolean, got {value!r}")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected an integer, got {value!r}")
        return value
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"expected a number, got {value!r}")
        return value
    if annotation is str:
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {value!r}")
        return value
    if annotation is dt.datetime:
        return parse_datetime(value)
    if annotation is dt.date:
        return dt.date.fromisoformat(value)
    if annotation is UUID:
        return UUID(value)
    if annotation is Decimal:
        return Decimal(str(value))
    if isinstance(value, annotation):
        return value
    raise TypeError(f"cannot make a {annotation.__name__} from {value!r}")


def parse_datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected a date-time string, got {value!r}")
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    match = re.match(r"^(.*?[Tt ]\d{2}:\d{2}:\d{2})(?:[.,](\d+))?(.*)$", text)
    if match:
        head, fraction, tail = match.groups()
        text = head + (f".{(fraction + '000000')[:6]}" if fraction else "") + tail
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    return dt.datetime.fromisoformat(text)


# -- values: JSON dumps and canonical forms ----------------------------------------------------


def dump(value: Any) -> Any:
    """JSON value of a model, list, enum, datetime, ... (models through ``to_dict``)."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return dump(value.value)
    if isinstance(value, list):
        return [dump(item) for item in value]
    if isinstance(value, dict):
        return {key: dump(item) for key, item in value.items()}
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    return value


def _schema_parts(project: Project, schema: Any, depth: int = 0) -> list[dict[str, Any]]:
    """The schema and, recursively, its ``allOf``/``anyOf``/``oneOf`` members, resolved."""
    schema = project.resolve(schema)
    if not isinstance(schema, dict) or depth > 20:
        return []
    parts = [schema]
    for key in ("allOf", "anyOf", "oneOf"):
        for member in schema.get(key) or []:
            parts.extend(_schema_parts(project, member, depth + 1))
    return parts


@dataclass(frozen=True)
class Canon:
    """A canonical date-time / date / decimal, shown with its original spelling."""

    kind: str
    key: Any
    spelling: str = field(compare=False)

    def __repr__(self) -> str:
        return f"{self.kind}({self.spelling!r})"


def canonical(project: Project, value: Any, schema: Any) -> Any:
    """``value`` with every date-time, date and decimal (as the schema says) made canonical.

    ``2022-03-14T09:21:07Z`` and ``2022-03-14T09:21:07+00:00`` compare equal (same wall time and
    offset; a different offset or a lost time zone does not); ``"25000.00"`` and ``"25000.0"``
    too. Strings whose schema has no such format are compared as they are.
    """
    parts = _schema_parts(project, schema)
    if isinstance(value, dict):
        properties: dict[str, Any] = {}
        extra: list[Any] = []
        for part in parts:
            properties.update(part.get("properties") or {})
            if isinstance(part.get("additionalProperties"), dict):
                extra.append(part["additionalProperties"])
        fallback = {"anyOf": extra} if extra else {}
        return {
            key: canonical(project, item, properties.get(key, fallback))
            for key, item in value.items()
        }
    if isinstance(value, list):
        items = [p["items"] for p in parts if isinstance(p.get("items"), dict)]
        return [canonical(project, item, {"anyOf": items} if items else {}) for item in value]
    formats = {p.get("format") for p in parts}
    if isinstance(value, str):
        try:
            if "date-time" in formats:
                moment = parse_datetime(value)
                return Canon("date-time", (moment.replace(tzinfo=None), moment.utcoffset()), value)
            if "date" in formats:
                return Canon("date", dt.date.fromisoformat(value), value)
            if "decimal" in formats:
                return Canon("decimal", Decimal(value).normalize(), value)
        except (ValueError, InvalidOperation):
            return value
    if "decimal" in formats and isinstance(value, (int, float)) and not isinstance(value, bool):
        return Canon("decimal", Decimal(str(value)).normalize(), str(value))
    return value


def assert_same_json(project: Project, got: Any, expected: Any, schema: Any, what: str) -> None:
    left = canonical(project, got, schema)
    right = canonical(project, expected, schema)
    if left != right:
        differences = list(_differences(left, right, "$"))
        listing = "\n".join(f"  {line}" for line in differences[:20])
        raise AssertionError(
            f"{what}: differs from the expected JSON at:\n{listing}\n"
            f"got:      {json.dumps(got, default=str)[:3000]}\n"
            f"expected: {json.dumps(expected, default=str)[:3000]}"
        )


def _differences(left: Any, right: Any, where: str) -> Iterator[str]:
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right)):
            if key not in left:
                yield f"{where}.{key}: missing (expected {right[key]!r})"
            elif key not in right:
                yield f"{where}.{key}: unexpected {left[key]!r}"
            else:
                yield from _differences(left[key], right[key], f"{where}.{key}")
    elif isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for index, (a, b) in enumerate(zip(left, right)):
            yield from _differences(a, b, f"{where}[{index}]")
    elif left != right or type(left) is not type(right):
        if left != right:
            yield f"{where}: got {left!r}, expected {right!r}"


def assert_fields_mapped(value: Any, where: str = "$") -> None:
    """Fail if a model kept, as an unknown key, a key that one of its own fields stands for.

    (``postalCode`` in ``additional_properties`` of a model with a ``postal_code`` field means
    ``from_dict`` reads the field under a wrong wire name.)
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = {f.name: f for f in dataclasses.fields(value)}
        extra = getattr(value, "additional_properties", None)
        if isinstance(extra, dict):
            typed = {norm(name) for name in names if name != "additional_properties"}
            stray = [key for key in extra if norm(key) in typed]
            if stray:
                raise AssertionError(
                    f"{where} ({type(value).__name__}): declared key(s) {stray} ended up in "
                    f"additional_properties instead of their fields: {extra!r}"
                )
        for name in names:
            if name != "additional_properties":
                assert_fields_mapped(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            assert_fields_mapped(item, f"{where}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_fields_mapped(item, f"{where}.{key}")


def model_class_for(case: OperationCase, schema: Any, package: types.ModuleType) -> type | None:
    """The model class a ``$ref``'d component schema should have become (by name), or None."""
    if not (isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str)):
        return None
    name = schema["$ref"].rsplit("/", 1)[-1]
    models = submodule(package, "models")
    for attribute in dir(models):
        candidate = getattr(models, attribute)
        if isinstance(candidate, type) and norm(attribute) == norm(name):
            return candidate
    raise AssertionError(f"{case.id}: models has no class for schema {name!r}")


# -- the request on the wire ---------------------------------------------------------------------


def wire_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def expected_query_pairs(parameter: Mapping[str, Any], value: Any) -> list[tuple[str, str]]:
    """Decoded query pairs that OpenAPI's serialisation rules give for one parameter."""
    name = parameter["name"]
    style = parameter.get("style", "form")
    explode = parameter.get("explode", style == "form")
    delimiter = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
    if style == "deepObject":
        pairs: list[tuple[str, str]] = []

        def deep(prefix: str, item: Any) -> None:
            if isinstance(item, dict):
                for key, sub in item.items():
                    deep(f"{prefix}[{key}]", sub)
            elif isinstance(item, list):
                pairs.extend((prefix, wire_scalar(element)) for element in item)
            elif item is not None:
                pairs.append((prefix, wire_scalar(item)))

        deep(name, value)
        return pairs
    if isinstance(value, list):
        if explode:
            return [(name, wire_scalar(item)) for item in value]
        return [(name, delimiter.join(wire_scalar(item) for item in value))]
    if isinstance(value, dict):
        if explode:
            return [(key, wire_scalar(item)) for key, item in value.items()]
        flat = [text for key, item in value.items() for text in (key, wire_scalar(item))]
        return [(name, delimiter.join(flat))]
    return [(name, wire_scalar(value))]


def check_request(case: OperationCase, request: Any, args: CallArguments) -> None:
    """Check the request as sent against the spec: method, path, query, headers, body."""
    problems: list[str] = []
    if request.method.upper() != case.method.upper():
        problems.append(f"method {request.method}, expected {case.method.upper()}")
    split = urlsplit(request.url)
    # Path: segment by segment, each placeholder replaced by its (decoded) example.
    template = case.path.split("/")
    sent_segments = split.path.split("/")
    if len(sent_segments) != len(template):
        problems.append(f"path {split.path!r} does not match the template {case.path!r}")
    else:
        for want, got in zip(template, sent_segments):

            def fill(match: re.Match[str]) -> str:
                value = args.sent.get(("path", match.group(1)), MISSING)
                return "{" + match.group(1) + "}" if value is MISSING else wire_scalar(value)

            expected = re.sub(r"\{([^{}]+)\}", fill, want)
            if unquote(got) != expected:
                problems.append(
                    f"path segment {got!r} (decoded {unquote(got)!r}), not {expected!r}"
                )
    # Query: the exact multiset of decoded pairs.
    expected_pairs: list[tuple[str, str]] = []
    for parameter in case.parameters:
        key = ("query", parameter["name"])
        if key in args.sent:
            expected_pairs.extend(expected_query_pairs(parameter, args.sent[key]))
    sent_pairs = parse_qsl(split.query, keep_blank_values=True)
    if sorted(sent_pairs) != sorted(expected_pairs):
        problems.append(f"query {sorted(sent_pairs)}, expected {sorted(expected_pairs)}")
    # Headers.
    for (where, wire), value in args.sent.items():
        if where != "header":
            continue
        if isinstance(value, list):
            value = ",".join(wire_scalar(item) for item in value)
        got_header = request.header(wire)
        if got_header != wire_scalar(value):
            problems.append(f"header {wire}: {got_header!r}, expected {wire_scalar(value)!r}")
    # Body.
    media = case.body_media()
    if args.body is not MISSING and media is not None:
        content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != media[0].split(";")[0].strip().lower():
            problems.append(f"Content-Type {content_type!r}, expected {media[0]!r}")
        try:
            sent_body = json.loads(request.body or b"")
        except ValueError as exc:
            problems.append(f"body is not JSON ({exc}): {request.body!r}")
        else:
            try:
                assert_same_json(
                    case.project,
                    sent_body,
                    args.body,
                    media[1].get("schema", {}),
                    "request body",
                )
            except AssertionError as exc:
                problems.append(str(exc))
    elif request.body:
        problems.append(f"unexpected request body {request.body[:200]!r}")
    if problems:
        raise AssertionError(
            f"{case.id}: the request on the wire differs from the spec:\n"
            + "\n".join(f"  - {p}" for p in problems)
            + f"\nrequest: {request!r}"
        )


# -- pagination: what the README documents -------------------------------------------------------


def dig(value: Any, dotted: str) -> Any:
    for part in dotted.split(".") if dotted else []:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.lstrip("-").isdigit():
            index = int(part)
            value = value[index] if -len(value) <= index < len(value) else None
        else:
            return None
    return value


def _absent(value: Any) -> bool:
    return value is None or value == "" or value is False


def expected_pages(hint: Mapping[str, Any], pages: Callable[[int], Any], max_pages: int) -> int:
    """How many pages the documented paging rules fetch when every page is ``pages(n)``.

    cursor / next_url: stop when the next cursor or URL is absent, null, empty or repeats the
    current one. page: stop at an empty page, once ``total`` items were seen, or when ``next``
    is given and absent. Never more than ``max_pages``.
    """
    style = hint["style"]
    token: Any = None
    seen = 0
    count = 0
    while True:
        body = pages(count)
        count += 1
        items = dig(body, hint["items"]) or []
        seen += len(items)
        if count >= max_pages:
            return count
        if style == "page":
            if not items:
                return count
            total = dig(body, hint["total"]) if hint.get("total") else None
            if isinstance(total, (int, float)) and not isinstance(total, bool) and seen >= total:
                return count
            if hint.get("next") and _absent(dig(body, hint["next"])):
                return count
            continue
        following = dig(body, hint["next"])
        if _absent(following) or following == token:
            return count
        token = following


def corrupt_formatted(project: Project, value: Any, schema: Any, fmt: str) -> tuple[Any, int]:
    """``value`` with every string whose schema has format ``fmt`` replaced by garbage.

    Returns the new value and how many strings were replaced.
    """
    parts = _schema_parts(project, schema)
    if isinstance(value, dict):
        properties: dict[str, Any] = {}
        for part in parts:
            properties.update(part.get("properties") or {})
        out: dict[str, Any] = {}
        count = 0
        for key, item in value.items():
            out[key], found = corrupt_formatted(project, item, properties.get(key, {}), fmt)
            count += found
        return out, count
    if isinstance(value, list):
        items = [p["items"] for p in parts if isinstance(p.get("items"), dict)]
        results = [corrupt_formatted(project, v, {"anyOf": items}, fmt) for v in value]
        return [v for v, _ in results], sum(n for _, n in results)
    if isinstance(value, str) and fmt in {p.get("format") for p in parts}:
        return f"not a {fmt}", 1
    return value, 0
