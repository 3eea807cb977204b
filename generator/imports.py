"""The import lines of each generated module, derived from the IR: nothing unused, nothing
missing, always in the same order.

Each module imports at its top only what running it needs; names that only annotations use go
under ``if TYPE_CHECKING:`` (``Imports.checking``), so importing the module does not import
them. The package's ``__init__`` and ``client`` import nothing at run time but ``os``; a resource
module imports the runtime and reaches models through the models package, one at a time; a
model module imports the modules of the models it refers to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from . import codec
from .layout import LINE_LENGTH
from .model import ir

# Runtime names a resource module always uses.
_RESOURCE_RUNTIME = {
    "ApiResponse",
    "AsyncClientCore",
    "ClientCore",
    "Operation",
    "RetryConfig",
    "Timeout",
}
_AUTH_CLASSES = {
    "api_key": "ApiKeyAuth",
    "http_basic": "HttpBasicAuth",
    "http_bearer": "HttpBearerAuth",
    "oauth2_client_credentials": "OAuth2ClientCredentials",
}
_STDLIB = {"date": "datetime", "datetime": "datetime", "time": "datetime"}
_STDLIB |= {"UUID": "uuid", "Decimal": "decimal"}


@dataclass
class Imports:
    """A module's imports: at the top (``stdlib``, then ``local``), and for type checkers only
    (``checking``), each a module -> names mapping. Lines come out sorted, as isort and black
    write them."""

    stdlib: dict[str, set[str]] = field(default_factory=dict)
    local: dict[str, set[str]] = field(default_factory=dict)
    checking: dict[str, set[str]] = field(default_factory=dict)
    modules: set[str] = field(default_factory=set)  # ``import os``

    def add(self, where: dict[str, set[str]], module: str, *names: str) -> None:
        where.setdefault(module, set()).update(names)

    def __getstate__(self) -> dict[str, Any]:
        """Sorted, so that equal imports pickle to equal bytes (a file's memo key pickles its
        template's context, ``generator.memo``; a set's order changes from run to run)."""
        state: dict[str, Any] = {
            name: sorted((m, sorted(n)) for m, n in getattr(self, name).items())
            for name in ("stdlib", "local", "checking")
        }
        state["modules"] = sorted(self.modules)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name in ("stdlib", "local", "checking"):
            setattr(self, name, {m: set(n) for m, n in state[name]})
        self.modules = set(state["modules"])

    @property
    def lines(self) -> list[str]:
        """The import statements at the top of the module."""
        first = [f"import {m}" for m in sorted(self.modules)]
        first += [from_import(m, names) for m, names in sorted(self.stdlib.items()) if names]
        second = [from_import(m, names) for m, names in sorted(self.local.items()) if names]
        return first + ([""] if first and second else []) + second

    @property
    def checking_lines(self) -> list[str]:
        """The statements under ``if TYPE_CHECKING:``, indented."""
        stdlib = {m: n for m, n in self.checking.items() if not m.startswith(".")}
        local = {m: n for m, n in self.checking.items() if m.startswith(".")}
        first = [from_import(m, names, 4) for m, names in sorted(stdlib.items()) if names]
        second = [from_import(m, names, 4) for m, names in sorted(local.items()) if names]
        lines = first + ([""] if first and second else []) + second
        return [f"    {line}" if line and not line.startswith(" ") else line for line in lines]


def walk(ref: ir.TypeRef | None) -> Iterator[ir.TypeRef]:
    if ref is None:
        return
    yield ref
    yield from walk(ref.item)
    for member in ref.members:
        yield from walk(member)


def _kinds(refs: Iterable[ir.TypeRef | None]) -> set[str]:
    return {t.kind for ref in refs for t in walk(ref)}


def from_import(module: str, names: Iterable[str], indent: int = 0) -> str:
    """``from module import a, b``, or, when longer than a line (at ``indent``), one name a line
    as black writes it."""
    ordered = sorted(names, key=_import_order)
    line = f"from {module} import {', '.join(ordered)}"
    if indent + len(line) <= LINE_LENGTH:
        return line
    pad = " " * indent
    return "\n".join(
        [f"from {module} import ("] + [f"{pad}    {n}," for n in ordered] + [f"{pad})"]
    )


def _import_order(name: str) -> tuple[bool, str]:
    """Constants (``TYPE_CHECKING``, ``UNSET``) first, then classes and functions, as isort
    orders them."""
    return (not name.isupper(), name)


def type_names(refs: Iterable[ir.TypeRef | None]) -> set[str]:
    """Model and enum class names (and union functions) a set of types is built with."""
    return {t.name for ref in refs for t in walk(ref) if t.name}


def annotated_names(refs: Iterable[ir.TypeRef | None]) -> set[str]:
    """Model and enum class names the annotations of a set of types mention."""
    return {t.name for ref in refs for t in walk(ref) if t.name and t.kind in ("model", "enum")}


def _stdlib_types(kinds: set[str], imports: Imports, where: dict[str, set[str]]) -> None:
    for kind in ("datetime", "date", "time"):
        if kind in kinds:
            imports.add(where, "datetime", kind)
    if "decimal" in kinds:
        imports.add(where, "decimal", "Decimal")
    if "uuid" in kinds:
        imports.add(where, "uuid", "UUID")


# -- the models package ----------------------------------------------------------------------


def _model_module_refs(module: ir.ModelModule) -> list[ir.TypeRef | None]:
    refs: list[ir.TypeRef | None] = []
    for model in module.models:
        refs.extend(f.type for f in model.fields)
        refs.append(model.extra)
    for union in module.unions:
        refs.extend(union.others)
    return refs


def model_module_needs(module: ir.ModelModule) -> list[str]:
    """The names defined elsewhere whose modules ``model_module_imports`` looks up."""
    used = type_names(_model_module_refs(module))
    used |= {v.model for u in module.unions for v in u.variants}
    return sorted(used - set(module.names))


def model_module_imports(
    module: ir.ModelModule,
    module_of: dict[str, str],
    keys: dict[str, str],
    models: dict[str, ir.Model],
) -> list[str]:
    """A model module: the standard library, the runtime, and the modules of the models it
    refers to (never one that refers back to it: ``parser.modules``). ``module_of``: name ->
    its module, for (at least) ``model_module_needs(module)``; ``keys``: model name -> its
    wire names constant; ``models``: by name (at least the module's unions' variants)."""
    imports = Imports()
    refs = _model_module_refs(module)
    kinds = _kinds(refs)
    runtime: set[str] = set()
    if module.models:
        imports.add(imports.stdlib, "dataclasses", "dataclass", "field as _field")
        imports.add(imports.stdlib, "typing", "Any", "Mapping")
        runtime.add("unknown_properties")
    if "any" in kinds or "object" in kinds or module.unions:
        imports.add(imports.stdlib, "typing", "Any")
    _stdlib_types(kinds, imports, imports.stdlib)
    if module.enums:
        imports.add(imports.stdlib, "enum", "Enum")
    fields = [f for m in module.models for f in m.fields]
    runtime |= codec.runtime_names(f.type for f in fields if f.required and not f.nullable)
    runtime |= codec.runtime_names(
        (f.type for f in fields if not f.required or f.nullable), optional=True
    )
    extras = [m for m in module.models if m.extra is not None and m.extra.needs_conversion]
    runtime |= codec.runtime_names(m.extra for m in extras)
    if any(m.extra_nullable for m in extras):
        runtime.add("optional")
    runtime |= codec.runtime_names(o for u in module.unions for o in u.others)
    if extras or any(f.type.needs_conversion for f in fields):
        runtime.add("to_json")
    if any(not u.discriminator or not all(v.tags for v in u.variants) for u in module.unions):
        runtime.add("best_variant")
    if any(f.uses_unset for f in fields):
        runtime |= {"UNSET", "Unset"}
    if runtime:
        imports.add(imports.local, ".._runtime", *runtime)
    own = set(module.names)
    used = type_names(refs) | {v.model for u in module.unions for v in u.variants}
    for name in sorted(used - own):
        imports.add(imports.local, "." + module_of[name], name)
    for union in module.unions:
        for variant in union.variants:
            model = models[variant.model]
            if variant.model not in own and model.fields and not _tagged_only(union, variant):
                imports.add(imports.local, "." + module_of[model.name], keys[model.name])
    return imports.lines


def _tagged_only(union: ir.Union, variant: ir.Variant) -> bool:
    """Whether the union's function never needs the variant's wire names (``best_variant``)."""
    return bool(union.discriminator and variant.tags)


def models_package_imports(api: ir.Api) -> list[str]:
    """The models package's ``__init__``: every name, from its module, for type checkers."""
    imports = Imports()
    for module in api.model_modules:
        imports.add(imports.checking, "." + module.name, *module.names)
    return imports.checking_lines


# -- the client and its resource modules -----------------------------------------------------


def _operation_refs(ops: Iterable[ir.Operation]) -> list[ir.TypeRef | None]:
    """Every type the signatures and bodies of ``ops`` mention."""
    refs: list[ir.TypeRef | None] = []
    for op in ops:
        refs.extend(p.type for p in op.parameters)
        refs.append(op.body.type if op.body else None)
        refs.append(op.returns)
        refs.extend(r.type for r in op.success)
        refs.extend(r.type for r in op.errors)
        if op.pagination:
            refs.append(op.pagination.item_type)
    return refs


def _form_fields(op: ir.Operation) -> bool:
    return op.body is not None and op.body.spread and op.body.encoding == "form"


def _writes_json(op: ir.Operation) -> bool:
    """Whether the client converts a value of ``op`` to JSON (``to_json``)."""
    body = op.body
    if body is not None and body.encoding == "json" and body.type is not None:
        if body.type.needs_conversion:
            return True
    return any(codec.writes_json(p) for p in op.parameters if p.location != "path")


def errors(ops: Iterable[ir.Operation]) -> list[ir.Response]:
    """The error responses of ``ops`` with a body type: what the module's readers build."""
    return [r for op in ops for r in op.errors if r.type is not None]


def decoded(ops: Iterable[ir.Operation]) -> list[ir.TypeRef]:
    """The types a resource module decodes from JSON: success bodies read as JSON, and error
    bodies (their readers)."""
    found: list[ir.TypeRef] = []
    for op in ops:
        found += [r.type for r in op.success if r.decode == "json" and r.type is not None]
        found += [r.type for r in op.errors if r.type is not None and r.reader != "_identity"]
    return found


def resource_imports(api: ir.Api, group: ir.ResourceGroup) -> Imports:
    """A resource module (a top-level group and the groups below it, or the client's own
    operations): the runtime at the top, models only for type checkers (calls reach them
    through the models package, so each is imported when first returned)."""
    ops = group.module_operations
    imports = Imports()
    runtime = set(_RESOURCE_RUNTIME)
    refs = _operation_refs(ops)
    kinds = _kinds(refs)
    if any(op.located("query") or _form_fields(op) for op in ops):
        runtime.add("QueryParam")
    if "file" in kinds:
        runtime.add("File")
    reads = decoded(ops)
    spelled = codec.decoded_names(reads, lazy=True)
    runtime |= codec.runtime_names(reads)
    if any(_writes_json(op) for op in ops):
        runtime.add("to_json")
    if any(op.pagination for op in ops):
        imports.add(imports.stdlib, "typing", "AsyncIterator", "Iterator")
        runtime |= {"aiterate_pages", "iterate_pages"}
    if any(op.parse_function or op.returns is None for op in ops):
        runtime.add("Response")
    annotated = Imports()
    _stdlib_types(kinds, annotated, annotated.stdlib)
    for module, names in annotated.stdlib.items():
        at_run_time = names & spelled
        imports.add(imports.stdlib, module, *at_run_time)
        imports.add(imports.checking, module, *(names - at_run_time))
    if kinds & {"any", "object", "oneof"} or any(r.reader != "_identity" for r in errors(ops)):
        imports.add(imports.stdlib, "typing", "Any")
    if codec.MODELS_ALIAS in spelled:
        imports.add(imports.local, "..", f"models as {codec.MODELS_ALIAS}")
    imports.add(imports.local, ".._runtime", *runtime)
    names = annotated_names(refs)
    if names:
        imports.add(imports.checking, "..models", *names)
    if imports.checking:
        imports.add(imports.stdlib, "typing", "TYPE_CHECKING")
    return imports


def client_imports(api: ir.Api) -> list[str]:
    """``client.py`` runs on ``os`` alone: everything else it names is for type checkers, or
    imported where it is first needed (the runtime when the core is made, a resource module
    when its group is first used)."""
    imports = Imports()
    runtime = {
        "AsyncClientCore",
        "AsyncTransport",
        "Auth",
        "ClientCore",
        "Request",
        "Response",
        "RetryConfig",
        "Timeout",
        "Transport",
    }
    imports.add(imports.checking, "typing", "Any", "Callable", "TypeVar")
    ops = api.root.operations
    if ops:
        runtime.add("ApiResponse")
        refs = _operation_refs(ops)
        kinds = _kinds(refs)
        _stdlib_types(kinds, imports, imports.checking)
        if any(op.pagination for op in ops):
            imports.add(imports.checking, "typing", "AsyncIterator", "Iterator")
        names = annotated_names(refs)
        if names:
            imports.add(imports.checking, ".models", *names)
    if uses_files(api):
        runtime.add("File as File")  # importable from here (see __getattr__ in the template)
    imports.add(imports.checking, "._runtime", *runtime)
    for group in api.resource_modules:
        module = f".resources.{group.module}"
        imports.add(imports.checking, module, group.class_name, group.async_class_name)
    return imports.checking_lines


def uses_files(api: ir.Api) -> bool:
    """Whether some operation uploads a ``File`` (whose docs import it from ``client``)."""
    return "file" in _kinds(_operation_refs(api.operations))


def auth_classes(api: ir.Api) -> list[str]:
    """The runtime's auth classes the client's credentials need."""
    return sorted({_AUTH_CLASSES[s.kind] for s in api.security})
