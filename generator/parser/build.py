"""Stage 3, build: a validated spec document in, the ``ir.Api`` out (or located errors)."""

from __future__ import annotations

from dataclasses import replace
import re
from typing import Any

from .. import extensions
from ..diagnostics import Diagnostic, SpecError
from ..loader import SpecDocument
from ..model import ir
from ..naming import NameSpace, constant, module_name, pascal, snake
from .modules import model_modules
from .operations import CLIENT_MEMBERS, OperationBuilder, iter_operations
from .schemas import SHADOWING_FIELD_NAMES, Schemas, SchemaError

# The module of resources/ implementing the client's own operations (those without a group);
# a top-level group's module is named after its attribute, which never starts with "_".
ROOT_MODULE = "_client"

# Client constructor arguments that are not credentials.
CLIENT_RESERVED = {
    "self",
    "base_url",
    "timeout",
    "retries",
    "transport",
    "before_request",
    "after_response",
}


def build(doc: SpecDocument, project: str, skip_unsupported: bool = False) -> ir.Api:
    """The IR of ``doc``; ``project`` is the output folder name (the spec file's stem).

    Raises SpecError with every located problem. With ``skip_unsupported``, a construct that
    clientgen cannot generate yet skips its operation or schema instead, as a located warning
    recorded in ``Api.skipped`` (and so in the manifest).
    """
    data: dict[str, Any] = doc.data
    problems: list[Diagnostic] = []
    skipped: list[Diagnostic] = []

    def fail(diagnostic: Diagnostic, unsupported: bool, consequence: bool = False) -> None:
        if skip_unsupported and unsupported:
            skipped.append(replace(diagnostic, severity="warning"))
        elif not consequence:  # a consequence's cause is reported on its own
            problems.append(diagnostic)

    schemas = Schemas(doc)
    schemas.build_components()
    for diagnostic, unsupported in schemas.failures:
        fail(diagnostic, unsupported)
    env_prefix = constant(project, "CLIENT")
    security, bad_schemes = _security(doc, _used_schemes(data), env_prefix)
    for name, diagnostic in bad_schemes.items():
        fail(diagnostic, True)
    builder = OperationBuilder(schemas)
    operations: list[ir.Operation] = []
    for path, item, method in iter_operations(data):
        try:
            op = builder.build(path, item, method, data.get("security"))
        except SchemaError as exc:
            fail(doc.diagnostic(exc.pointer, str(exc)), exc.unsupported, exc.consequence)
            continue
        if op.security and all(any(n in bad_schemes for n in req) for req in op.security):
            names = sorted({n for req in op.security for n in req if n in bad_schemes})
            fail(
                doc.diagnostic(
                    ("paths", path, method),
                    f"needs security scheme {names[0]!r}, not supported yet",
                ),
                True,
                consequence=True,
            )
            continue
        operations.append(op)
    package = snake(project, "client")
    try:
        root = _groups(operations)
    except SchemaError as exc:
        problems.append(doc.diagnostic(exc.pointer, str(exc)))
    if problems:
        raise SpecError(problems)

    info = data.get("info") or {}
    servers = tuple(
        (str(s.get("url", "")), str(s.get("description") or "").strip())
        for s in data.get("servers") or []
        if isinstance(s, dict)
    )
    hint = extensions.retries(data)
    unions = schemas.completed_unions()
    return ir.Api(
        spec_file=re.sub(r"[\x00-\x1f\x7f]", "?", doc.path.name),
        spec_sha256=doc.digest(),
        project=project,
        package=package,
        title=str(info.get("title") or project).strip(),
        version=str(info.get("version") or "").strip(),
        dist_version=_dist_version(str(info.get("version") or "")),
        description=str(info.get("description") or "").strip(),
        base_url=servers[0][0].rstrip("/") if servers else "",
        servers=servers,
        env_prefix=env_prefix,
        root=root,
        models=tuple(schemas.models),
        enums=tuple(schemas.enums),
        unions=tuple(unions),
        security=security,
        retries=ir.Retries(
            hint.attempts, hint.initial_backoff, hint.max_backoff, hint.multiplier, hint.jitter
        ),
        operations=tuple(operations),
        skipped=tuple(sorted(skipped)),
        model_modules=model_modules(
            schemas.models, schemas.enums, unions, schemas.component_type_names()
        ),
    )


def _groups(operations: list[ir.Operation]) -> ir.ResourceGroup:
    """The tree of resource groups; the root is the client itself."""
    classes = NameSpace({"Client", "AsyncClient"})
    modules = NameSpace()  # distinct even where the file system ignores case
    pages = NameSpace({"client"})  # docs/<name>.md: the client's own page, then one a group

    def make(path: tuple[str, ...], title: str, module: str = ROOT_MODULE) -> ir.ResourceGroup:
        if len(path) == 1:
            module = modules.claim(module_name(path[0], "group"))
        here = [op for op in operations if op.group == path]
        child_names: list[str] = []
        for op in operations:
            if len(op.group) > len(path) and op.group[: len(path)] == path:
                name = op.group[len(path)]
                if name not in child_names:
                    child_names.append(name)
        children = tuple(
            make(path + (name,), _title(operations, path + (name,)), module) for name in child_names
        )
        # a method named like a type the class's signatures use would hide that type
        shadowing = SHADOWING_FIELD_NAMES & (_annotation_words(here) if path else _ALL_WORDS)
        methods = NameSpace(set(child_names) | CLIENT_MEMBERS | shadowing)
        renamed = []
        first_use: dict[str, ir.Operation] = {}
        for op in here:
            if op.method_explicit and op.method_name in first_use:
                first = first_use[op.method_name]
                raise SchemaError(
                    ("paths", op.path, op.http_method.lower(), extensions.METHOD),
                    f"duplicate {extensions.METHOD} {op.method_name!r} in the same group "
                    f"(first used at {first.path}/{first.http_method.lower()})",
                )
            first_use.setdefault(op.method_name, op)
            name = methods.claim(op.method_name)
            methods.claim(name + "_with_response")
            if op.pagination:
                methods.claim(name + "_iter")
            renamed.append(op if name == op.method_name else _rename(op, name))
        # The client's own operations are implemented by a class of their own, which the
        # client delegates to (so the client's module needs no runtime to import).
        base = pascal("_".join(path)) + "Resource" if path else "ClientOperations"
        return ir.ResourceGroup(
            attribute=path[-1] if path else "",
            class_name=classes.claim(base),
            async_class_name=classes.claim("Async" + base),
            title=title,
            path=path,
            doc_name=pages.claim("_".join(path)) if path else "client",
            operations=tuple(renamed),
            children=children,
            module=module,
        )

    return make((), "Client")


def _annotation_words(operations: list[ir.Operation]) -> set[str]:
    """Every name the generated signatures of ``operations`` use in their annotations."""
    texts = ["Timeout | float | None", "RetryConfig | None", "int | None"]  # fixed arguments
    for op in operations:
        texts.append(op.returns_annotation)
        texts.extend(p.annotation for p in op.parameters)
        if op.body:
            texts.append(op.body.annotation)
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", " ".join(texts)))


_ALL_WORDS = SHADOWING_FIELD_NAMES  # the client class's own constructor uses most of them


def _rename(op: ir.Operation, name: str) -> ir.Operation:
    from dataclasses import replace

    return replace(op, method_name=name)


def _title(operations: list[ir.Operation], path: tuple[str, ...]) -> str:
    """A group's title: the tag that named it (``Sales.Customers``), else its dotted path."""
    for op in operations:
        if op.group == path and op.tags and tuple(snake(p) for p in op.tags[0].split(".")) == path:
            return op.tags[0]
    return ".".join(pascal(p) for p in path)


def _security(
    doc: SpecDocument, used: set[str], env_prefix: str
) -> tuple[tuple[ir.SecurityScheme, ...], dict[str, Diagnostic]]:
    raw = ((doc.data.get("components") or {}).get("securitySchemes")) or {}
    arguments = NameSpace(CLIENT_RESERVED)
    schemes: list[ir.SecurityScheme] = []
    unsupported: dict[str, Diagnostic] = {}
    for name, scheme in raw.items():
        if name not in used or not isinstance(scheme, dict):
            continue
        base = snake(name, "credential")
        description = str(scheme.get("description") or "").strip()
        kind = scheme.get("type")
        where = ("components", "securitySchemes", name)
        args: tuple[str, ...]
        if kind == "apiKey":
            args = (arguments.claim(base),)
            schemes.append(
                ir.SecurityScheme(
                    name,
                    "api_key",
                    description,
                    args,
                    _env(env_prefix, args),
                    location=scheme.get("in"),
                    wire_name=scheme.get("name"),
                )
            )
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            args = (arguments.claim(base + "_username"), arguments.claim(base + "_password"))
            schemes.append(
                ir.SecurityScheme(name, "http_basic", description, args, _env(env_prefix, args))
            )
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            args = (arguments.claim(base),)
            schemes.append(
                ir.SecurityScheme(name, "http_bearer", description, args, _env(env_prefix, args))
            )
        elif kind == "oauth2" and "clientCredentials" in (scheme.get("flows") or {}):
            flow = scheme["flows"]["clientCredentials"]
            args = (arguments.claim(base + "_client_id"), arguments.claim(base + "_client_secret"))
            schemes.append(
                ir.SecurityScheme(
                    name,
                    "oauth2_client_credentials",
                    description,
                    args,
                    _env(env_prefix, args),
                    token_url=flow.get("tokenUrl"),
                    scopes=tuple(sorted(flow.get("scopes") or {})),
                )
            )
        elif kind == "oauth2" and isinstance(scheme.get("flows"), dict) and scheme["flows"]:
            # Interactive flows (authorization code, implicit, password) happen outside the
            # client: it takes the resulting access token and sends it as a bearer token.
            flows = ", ".join(sorted(scheme["flows"]))
            note = f"OAuth2 ({flows}): pass an access token obtained from the provider."
            args = (arguments.claim(base + "_access_token"),)
            schemes.append(_access_token_scheme(name, description, note, args, env_prefix))
        elif kind == "openIdConnect":
            # OpenID Connect sign-in happens outside the client too.
            url = str(scheme.get("openIdConnectUrl") or "").strip()
            note = "OpenID Connect: pass an access token obtained from the provider" + (
                f" (discovery document: `{url}`)." if url else "."
            )
            args = (arguments.claim(base + "_access_token"),)
            schemes.append(_access_token_scheme(name, description, note, args, env_prefix))
        elif kind == "http":
            unsupported[name] = doc.diagnostic(
                where, f"HTTP authentication scheme not supported yet: {scheme.get('scheme')!r}"
            )
        else:
            unsupported[name] = doc.diagnostic(
                where, f"security scheme kind not supported yet: {kind!r}"
            )
    return tuple(schemes), unsupported


def _access_token_scheme(
    name: str, description: str, note: str, args: tuple[str, ...], env_prefix: str
) -> ir.SecurityScheme:
    """A scheme whose sign-in happens outside the client (interactive OAuth2 flows, OpenID
    Connect): the client takes the resulting access token and sends it as a bearer token."""
    text = f"{description}\n\n{note}".strip()
    return ir.SecurityScheme(name, "http_bearer", text, args, _env(env_prefix, args))


def _env(prefix: str, args: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{prefix}_{arg.upper()}" for arg in args)


def _dist_version(version: str) -> str:
    """The spec's version when it is a plain release number, else 0.0.0 (PEP 440 needs one)."""
    version = version.strip().lstrip("vV")
    return version if re.fullmatch(r"\d+(\.\d+)*", version) else "0.0.0"


def _used_schemes(data: dict[str, Any]) -> set[str]:
    """Names of the security schemes some operation (or the document default) requires."""
    requirements: list[Any] = list(data.get("security") or [])
    for _, item, method in iter_operations(data):
        requirements += item[method].get("security") or []
    return {name for req in requirements if isinstance(req, dict) for name in req}
