"""The intermediate model: frozen dataclasses, the only thing templates see.

Every naming and typing decision is already made here; templates only lay the text out.
A ``TypeRef.kind`` has one spelling per direction in ``generator/codec.py`` (decode from JSON:
``decoder``; encode to JSON: ``to_json``), mirroring openapi-python-client's property kinds.
"""

from __future__ import annotations

import functools
import json

from dataclasses import dataclass, field
from typing import Iterator

from ..diagnostics import Diagnostic

# kinds of TypeRef
PRIMITIVE_KINDS = ("str", "int", "float", "bool", "any")
FORMATTED_KINDS = ("datetime", "date", "time", "decimal", "uuid", "bytes")
KINDS = (
    PRIMITIVE_KINDS
    + FORMATTED_KINDS
    + ("model", "enum", "list", "map", "object", "union", "oneof", "file")
)
# "file": a file to upload (``File | bytes``): a multipart field or a binary request body;
# never read from or written to JSON.


@dataclass(frozen=True)
class TypeRef:
    """A Python type for a JSON value, without its nullability."""

    kind: str
    annotation: str  # e.g. "list[CommerceAddress]", "Status | str"
    display: str  # for docs, e.g. "list[CommerceAddress]", "Status (enum)"
    item: TypeRef | None = None  # element of list / value of map
    name: str | None = None  # class name of a model or enum
    format: str | None = None  # OpenAPI format, for docs
    wire_type: str | None = None  # "string" / "number" for decimal
    members: tuple[TypeRef, ...] = ()  # union members
    item_nullable: bool = False  # list items / map values may be null

    @property
    def needs_conversion(self) -> bool:
        """Whether JSON data must be converted to get this type (and back)."""
        if self.kind in ("list", "map"):
            return self.item is not None and self.item.needs_conversion
        if self.kind == "union":
            return any(m.needs_conversion for m in self.members)
        return self.kind not in PRIMITIVE_KINDS + ("object",)


_JSON_TYPES = {"int": "int", "float": "float", "bool": "bool", "list": "list"}


def named_types(ref: TypeRef) -> Iterator[str]:
    """The model and enum names ``ref`` refers to: itself, list and map items, union members
    (the names its docs link to)."""
    if ref.kind in ("model", "enum") and ref.name:
        yield ref.name
    elif ref.kind in ("list", "map") and ref.item is not None:
        yield from named_types(ref.item)
    elif ref.kind in ("union", "oneof"):
        for member in ref.members:
            yield from named_types(member)


def json_type(ref: TypeRef) -> str:
    """The JSON type a value of ``ref`` has on the wire, used to tell union members apart."""
    if ref.kind in ("model", "map", "object"):
        return "dict"
    if ref.kind == "enum":
        return "int" if ref.annotation.endswith("| int") else "str"
    return _JSON_TYPES.get(ref.kind, "str")


@dataclass(frozen=True)
class Constraints:
    """Schema facts shown in docs: default, bounds, format, enum values, example."""

    default: str | None = None  # JSON text
    minimum: str | None = None
    maximum: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    format: str | None = None
    enum_values: tuple[str, ...] = ()  # JSON texts
    example: str | None = None  # JSON text
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False


@dataclass(frozen=True)
class Field:
    name: str  # Python attribute
    wire_name: str
    type: TypeRef
    required: bool
    nullable: bool
    description: str
    constraints: Constraints

    @property
    def annotation(self) -> str:
        text = self.type.annotation
        if self.nullable:
            text += " | None"
            if not self.required:
                text += " | Unset"
        elif not self.required:
            text += " | None"
        return text

    @property
    def default(self) -> str | None:
        """The dataclass default expression, or None for a required field."""
        if self.required:
            return None
        return "UNSET" if self.nullable else "None"

    @property
    def uses_unset(self) -> bool:
        return self.nullable and not self.required


@dataclass(frozen=True)
class Model:
    name: str
    wire_name: str  # the components/schemas key, or the path of a hoisted inline schema
    description: str
    fields: tuple[Field, ...]
    extra: TypeRef | None  # type of additionalProperties values; None: any JSON
    example: str | None  # JSON text
    composed_of: tuple[str, ...] = ()  # allOf members (model names), for docs
    extra_nullable: bool = False  # additionalProperties values may be null

    @property
    def extra_annotation(self) -> str:
        """The type of ``additional_properties`` values."""
        if self.extra is None:
            return "Any"
        if self.extra_nullable and self.extra.kind != "any":
            return f"{self.extra.annotation} | None"
        return self.extra.annotation

    @property
    def required_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)


@dataclass(frozen=True)
class Variant:
    """One object alternative of a tagged union."""

    model: str  # class name
    tags: tuple[str, ...]  # discriminator values that select it
    required: tuple[str, ...]  # wire names it requires (fallback matching without a tag)
    # wire name -> JSON kind ("string", "integer?"...) of each property with one: a value of
    # another kind rules the alternative out (fallback matching without a tag)
    kinds: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Union:
    """A oneOf/anyOf with several object alternatives, parsed by a generated function."""

    function: str  # e.g. "parse_pet"
    wire_name: str
    description: str
    annotation: str
    discriminator: str | None  # wire name of the tag property
    variants: tuple[Variant, ...]
    others: tuple[TypeRef, ...]  # non-object alternatives (told apart by JSON type)

    @property
    def others_annotation(self) -> str:
        return " | ".join(t.annotation for t in self.others)


@dataclass(frozen=True)
class EnumMember:
    name: str
    value: str | int | float | bool
    literal: str  # Python literal of value


@dataclass(frozen=True)
class Enum:
    name: str
    wire_name: str
    description: str
    base: str  # "str" or "int"
    members: tuple[EnumMember, ...]


@dataclass(frozen=True)
class Parameter:
    name: str  # Python keyword argument
    wire_name: str
    location: str  # path, query, header, cookie
    type: TypeRef
    annotation: str  # argument annotation, optional-ness included
    required: bool
    description: str
    style: str
    explode: bool
    constraints: Constraints
    content_type: str | None = None  # body (multipart) fields: the media type of the part


@dataclass(frozen=True)
class Body:
    """The request body. For a form or multipart object (``spread``), its properties are the
    operation's parameters with location ``body`` and there is no ``body`` argument."""

    name: str  # keyword argument ("body")
    type: TypeRef
    annotation: str
    required: bool
    content_type: str  # the media type sent
    description: str
    example: str | None
    encoding: str = "json"  # json, form, multipart, text, binary (parser.operations.BODY_KINDS)
    alternatives: tuple[str, ...] = ()  # the other media types the spec offers (not sent)
    spread: bool = False

    @property
    def argument(self) -> bool:
        """Whether the method takes the body as its ``body`` argument."""
        return not self.spread


@dataclass(frozen=True)
class Response:
    status: str  # "200", "4XX", "default"
    description: str
    type: TypeRef | None
    content_type: str | None
    exception: str | None  # error class name for non-2xx
    example: str | None
    decode: str = "json"  # how the body is read: json, text, binary, none
    # error responses with a body type: the function of the resource module that builds it
    # from the JSON body (``_read_basic_error``, ``_identity``)
    reader: str | None = None

    @property
    def read_as(self) -> tuple[str | None, str]:
        """What reading the body gives: (annotation, decoding); equal means read alike."""
        return (self.type.annotation if self.type else None, self.decode)

    @property
    def status_key(self) -> str:
        """Python literal of the key in Operation.errors."""
        return self.status if self.status.isdigit() else json.dumps(self.status)


@dataclass(frozen=True)
class Pagination:
    style: str
    items_path: str
    items_expr: str  # Python expression over "page" giving the item list
    item_type: TypeRef
    param: str | None  # Python name of the cursor/page argument
    next: str | None
    size_param: str | None
    total: str | None


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method_name: str
    constant: str  # module-level Operation constant
    http_method: str
    path: str
    summary: str
    description: str
    group: tuple[str, ...]  # python attribute path
    parameters: tuple[Parameter, ...]
    body: Body | None
    success: tuple[Response, ...]
    errors: tuple[Response, ...]
    returns: TypeRef | None  # the success data type (a union when they differ); None: no body
    pagination: Pagination | None
    idempotent: bool | None
    security: tuple[tuple[str, ...], ...]  # alternatives of scheme names; () = none
    deprecated: bool
    tags: tuple[str, ...]
    method_explicit: bool = False  # the name came from x-clientgen-method
    parse_function: str | None = None  # module function reading the body by status
    accept: str = "application/json"  # the Accept header

    @property
    def primary(self) -> Response | None:
        """The success response whose body is read for a status without its own entry."""
        typed = [r for r in self.success if r.type is not None]
        return next((r for r in typed if r.status.isdigit()), typed[0] if typed else None)

    @property
    def by_status(self) -> tuple[Response, ...]:
        """The success responses read differently from :attr:`primary`, by exact status."""
        primary = self.primary
        return tuple(
            r
            for r in self.success
            if r.status.isdigit() and (primary is None or r.read_as != primary.read_as)
        )

    @property
    def returns_annotation(self) -> str:
        return self.returns.annotation if self.returns else "None"

    @property
    def path_params(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "path")

    def located(self, location: str) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == location)


@dataclass(frozen=True)
class ResourceGroup:
    attribute: str  # attribute on its parent
    class_name: str  # the root's: the class of the client's own operations (ClientOperations)
    async_class_name: str
    title: str  # e.g. "Sales.Customers"
    path: tuple[str, ...]  # e.g. ("sales", "customers")
    doc_name: str  # docs/<doc_name>.md
    operations: tuple[Operation, ...]
    children: tuple[ResourceGroup, ...]
    module: str = ""  # <package>/resources/<module>.py, where its classes live

    def walk(self) -> Iterator[ResourceGroup]:
        """This group and every group below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def module_operations(self) -> tuple[Operation, ...]:
        """The operations its module implements: a top-level group's and those of the groups
        below it, or the root's own (its children have modules of their own)."""
        groups = tuple(self.walk()) if self.path else (self,)
        return tuple(op for group in groups for op in group.operations)


@dataclass(frozen=True)
class ModelModule:
    """One module of the generated ``models`` package: a strongly connected component of the
    "refers to" graph of models, enums and unions (most are a single class), with the inline
    types that only it uses. It imports the modules of what else it refers to at the top, which
    never makes a cycle: using a model imports just its module and what that refers to."""

    name: str  # <package>/models/<name>.py
    models: tuple[Model, ...]
    enums: tuple[Enum, ...]
    unions: tuple[Union, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """What the module defines for the package to export, in the order it defines them."""
        return (
            tuple(e.name for e in self.enums)
            + tuple(m.name for m in self.models)
            + tuple(u.function for u in self.unions)
        )


@dataclass(frozen=True)
class SecurityScheme:
    name: str  # key in components.securitySchemes
    kind: str  # api_key, http_basic, http_bearer, oauth2_client_credentials
    description: str
    arguments: tuple[str, ...]  # Client constructor arguments it takes
    env_vars: tuple[str, ...]  # environment fallbacks, same order
    location: str | None = None  # api_key: header, query, cookie
    wire_name: str | None = None  # api_key: header/query/cookie name
    token_url: str | None = None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Retries:
    attempts: int
    initial_backoff: float
    max_backoff: float
    multiplier: float
    jitter: float


@dataclass(frozen=True)
class Api:
    spec_file: str  # file name of the spec, as shown in generated headers
    spec_sha256: str
    project: str  # distribution / folder name, e.g. "codat-lending"
    package: str  # import name, e.g. "codat_lending"
    title: str
    version: str
    dist_version: str  # PEP 440 version of the generated project
    description: str
    base_url: str
    servers: tuple[tuple[str, str], ...]  # (url, description)
    env_prefix: str
    root: ResourceGroup  # the client itself; its operations are methods on Client
    models: tuple[Model, ...]
    enums: tuple[Enum, ...]
    unions: tuple[Union, ...]
    security: tuple[SecurityScheme, ...]
    retries: Retries
    operations: tuple[Operation, ...] = field(default=())  # all, in spec order
    skipped: tuple[Diagnostic, ...] = ()  # what --skip-unsupported left out, as warnings
    model_modules: tuple[ModelModule, ...] = ()  # models, enums and unions, by module

    @property
    def credentials(self) -> tuple[tuple[str, str], ...]:
        """Every credential argument of the client, with the environment variable it falls
        back to."""
        return tuple(pair for s in self.security for pair in zip(s.arguments, s.env_vars))

    @functools.cached_property
    def module_of(self) -> dict[str, str]:
        """Model, enum or union function name -> the module of ``models`` that defines it."""
        return {name: module.name for module in self.model_modules for name in module.names}

    @property
    def resource_modules(self) -> tuple[ResourceGroup, ...]:
        """The groups with a module of their own: each top-level group, and the root when the
        client has operations of its own."""
        own = (self.root,) if self.root.operations else ()
        return own + self.root.children

    @property
    def groups(self) -> tuple[ResourceGroup, ...]:
        """Every group below the root, depth first, in a stable order."""
        return tuple(group for child in self.root.children for group in child.walk())
