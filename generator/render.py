"""Stage 4, render: the IR through the Jinja templates into file texts (not yet formatted).

Templates see the IR and a few text filters (quoting, docstrings, escaping); every decision
about names and types was made before this stage.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import jinja2

from . import __version__
from . import codec, examples, imports, text
from .format import format_sources
from .cache import Cache, digest
from .memo import Memo, context_key, from_scratch
from .model import ir
from .naming import NameSpace, constant

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
RUNTIME_SOURCE = Path(__file__).resolve().parent / "runtime" / "_runtime.py"
# What the package exports (its __all__): the clients, the models package and, from the runtime,
# errors, transports and settings.
PACKAGE_EXPORTS = (
    "ApiError",
    "ApiResponse",
    "ApiTimeoutError",
    "AsyncHttpTransport",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ClientError",
    "ConflictError",
    "HttpTransport",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "Request",
    "Response",
    "ResponseDecodeError",
    "RetryConfig",
    "ServerError",
    "Timeout",
    "TransportError",
    "UnprocessableEntityError",
    "async_httpx_transport",
    "httpx_transport",
    "models",
)


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled by an earlier run, from the cache (kind ``jinja``): compiling them
    takes 0.1 s, a sixth of a run after a small edit, which renders a few files. Keyed by the
    generator's fingerprint (its code sets the environment's options; it covers the templates
    too), Jinja's key of the template and the checksum of its source; Jinja checks the
    checksum and its own and Python's versions again, and the cache its entry's digest."""

    def __init__(self, cache: Cache, version: str) -> None:
        self.cache = cache
        self.version = version

    def _key(self, bucket: jinja2.bccache.Bucket) -> str:
        return digest("jinja", self.version, bucket.key, bucket.checksum)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        raw = self.cache.get("jinja", self._key(bucket))
        if raw is not None:
            bucket.bytecode_from_string(raw)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.cache.put("jinja", self._key(bucket), bucket.bytecode_to_string())


@functools.lru_cache(maxsize=8)
def environment(
    override: Path | None = None, version: str = "", cache: Cache | None = None
) -> jinja2.Environment:
    """Templates by file name: an override folder first (flat, or with python/ and markdown/
    sub-folders), then the built-in ones. Cached per folder and ``version`` (the generator's
    fingerprint, which covers the override folder's files: ``cache.fingerprint``), so a run
    that generates several projects compiles each template once, and a changed template is
    a new environment, never a stale compiled one (Jinja does not re-check files on use).
    With a ``cache``, compiled templates are kept there for the next run."""
    search: list[Path] = []
    if override is not None:
        search += [override / "python", override / "markdown", override]
    search += [BUILTIN_TEMPLATES / "python", BUILTIN_TEMPLATES / "markdown"]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search]),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # no stat of the template's file per use: see the docstring
        bytecode_cache=CompiledTemplates(cache, version) if cache is not None else None,
    )
    env.filters.update(
        pystr=text.py_string,
        constant=lambda name: constant(name),
        docstring=text.docstring,
        model_doc=text.model_docstring,
        model_module_doc=text.model_module_docstring,
        from_import=lambda names, module, indent=0: imports.from_import(module, names, indent),
        enum_doc=text.enum_docstring,
        union_doc=text.union_docstring,
        md=text.md_inline,
        md_cell=text.md_cell,
        md_block=text.md_block,
        operation_doc=text.operation_docstring,
        client_doc=text.client_docstring,
        md_code=text.md_code,
        type_md=text.type_md,
        param_md=text.param_md,
        field_md=text.field_md,
        scheme_md=text.scheme_md,
        security_md=text.security_md,
        json_pretty=text.json_pretty,
        py_tuple=text.py_tuple,
        py_tuples=text.py_tuples,
        decode=codec.decode,
        decode_optional=codec.decode_optional,
        extra_decoder=codec.extra_decoder,
        json_check=codec.json_check,
        parameter_value=codec.parameter_value,
    )
    env.globals.update(
        generator_version=__version__,
        operation_anchors=text.operation_anchors,
    )
    return env


def keys_names(api: ir.Api) -> dict[str, str]:
    """Model name -> the module constant holding its wire names (``_PET_KEYS``), distinct even
    for models whose names differ only in case (``AB`` and ``Ab``)."""
    names = NameSpace()
    return {m.name: names.claim(f"_{constant(m.name)}_KEYS") for m in api.models}


UsedBy = dict[str, list[tuple[str, str]]]


def used_by(api: ir.Api) -> UsedBy:
    """Model or enum name -> the (model, field) pairs whose type refers to it, for the docs'
    "Used by" lines (one pass over the fields, however many pages)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for model in api.models:
        for each in model.fields:
            for name in dict.fromkeys(ir.named_types(each.type)):
                found.setdefault(name, []).append((model.name, each.name))
    return found


@dataclass(frozen=True)
class ApiFacts:
    """What a per-item file (a model or resource module, a model, enum or resource page) reads
    of the Api: given instead of the whole Api, so that the file's memo key (its context,
    ``generator.memo``) covers everything it depends on and no more."""

    spec_file: str
    package: str
    title: str
    security: tuple[ir.SecurityScheme, ...]


def api_facts(api: ir.Api) -> ApiFacts:
    return ApiFacts(api.spec_file, api.package, api.title, api.security)


@dataclass(frozen=True)
class Output:
    """A part of the project, final: the texts in memory, and the files the project folder
    already holds as this run makes them (path -> sha256), whose text was not kept."""

    texts: dict[str, str]
    unchanged: dict[str, str] = field(default_factory=dict)


@dataclass
class Rendered:
    """A part of the package: files as rendered (their Python not yet formatted), and those
    the memo already had (final): ``recalled`` texts, and ``unchanged`` files the folder holds
    (path -> sha256). ``keys``: a rendered file's memo key, for ``remember`` to store its
    final text under."""

    texts: dict[str, str] = field(default_factory=dict)
    recalled: dict[str, str] = field(default_factory=dict)
    unchanged: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)

    def add(self, other: Rendered) -> None:
        """``other``'s files too (another part of the same share)."""
        self.texts.update(other.texts)
        self.recalled.update(other.recalled)
        self.unchanged.update(other.unchanged)
        self.keys.update(other.keys)

    def remember(self, final: dict[str, str], memo: Memo | None) -> Output:
        """The part, final: ``final`` (the rendered files formatted) and the recalled ones;
        the rendered ones are remembered for the next run."""
        if memo is not None:
            for path, key in self.keys.items():
                memo.learn(path, key, final[path])
        return Output({**final, **self.recalled}, self.unchanged)


class _Putter:
    """Renders files into a ``Rendered``; with a memo, a file whose context is remembered is
    recalled instead of rendered. ``memo=False`` for a file whose template reads the whole
    Api (there are a few, each small or needed anyway): always rendered."""

    def __init__(self, env: jinja2.Environment, memo: Memo | None) -> None:
        self.env = env
        self.memo = memo
        self.out = Rendered()

    def __call__(
        self,
        path: str,
        template: str,
        key_data: Any = None,
        memo: bool = True,
        derived: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        **context: Any,
    ) -> None:
        """``key_data``: what the context's callables (an ``example`` function) read, which
        pickling the context would not show. ``derived``: more of the context, worked out
        from the rest of it alone (so the key need not cover it), only when rendering."""
        if memo and self.memo is not None:
            plain = {k: v for k, v in context.items() if not callable(v)}
            context_data = {**plain, "": key_data}
            key = context_key(self.memo.salt, path, template, context_data, self.memo.digest_of)
            found = self.memo.recall(path, key)
            if found is not None:
                if found.text is None:
                    self.out.unchanged[path] = found.sha
                else:
                    self.out.recalled[path] = found.text
                return
            self.out.keys[path] = key
        if derived is not None:
            context.update(derived(context))
        self.out.texts[path] = self.env.get_template(template).render(**context)


@dataclass(frozen=True)
class Share:
    """The files one process renders when ``count`` render side by side: of each kind of item
    (a model module with its models' pages, a resource module with its groups' pages, an
    enum's page), those ``owners`` gives this share (``split``), else every ``count``-th from
    the ``index``-th; and the single files spread over the shares (``SINGLE``). ``Share()``:
    every file."""

    index: int = 0
    count: int = 1
    # (kind, number) -> the share the kind's item of that number falls to
    owners: Mapping[tuple[str, int], int] = field(default_factory=dict)

    def takes(self, kind: str, number: int) -> bool:
        return self.owners.get((kind, number), number % self.count) == self.index


# The single files, by share: the package's modules but its models and resources (and the
# models package's own module) in one, README.md in another.
SINGLE = {"package": 0, "readme": 1}


def split(api: ir.Api, count: int) -> list[Share]:
    """``count`` shares of the project's files, each kind of item dealt out by its weight,
    heaviest first, each to the share with the least of that kind so far (by fields, members
    and operations: what the lines it makes grow with). Every ``count``-th item would give
    one share all the heavy items of a repeating pattern: a synthetic spec's model modules
    alternate heavy and light, and one share took 0.4 s longer than the other of 3.5 s."""
    owners: dict[tuple[str, int], int] = {}
    for kind, items in weights(api).items():
        loads = [0] * count
        for number in sorted(range(len(items)), key=lambda n: (-items[n], n)):
            owner = min(range(count), key=lambda share: (loads[share], share))
            owners[(kind, number)] = owner
            loads[owner] += items[number]
    return [Share(index, count, owners) for index in range(count)]


def weights(api: ir.Api) -> dict[str, list[int]]:
    """Each kind's items (by number), weighed by what the lines they make grow with."""
    return {
        "models": [
            sum(2 + len(m.fields) for m in module.models)
            + sum(2 + len(e.members) for e in module.enums)
            + sum(2 + len(u.variants) for u in module.unions)
            for module in api.model_modules
        ],
        "resources": [
            sum(4 + len(op.parameters) for op in module.module_operations)
            for module in api.resource_modules
        ],
        "enums": [2 + len(enum.members) for enum in api.enums],
    }


EVERY_FILE = Share()


def render(api: ir.Api, env: jinja2.Environment, cache: Cache | None = None) -> dict[str, str]:
    """Relative path -> text of every file of the project, except the manifest (no memo; the
    Python not yet formatted)."""
    return {
        **render_models(api, env).texts,
        **render_package(api, env).texts,
        **render_docs(api, env, cache).texts,
    }


def render_models(
    api: ir.Api,
    env: jinja2.Environment,
    memo: Memo | None = None,
    share: Share = EVERY_FILE,
    users: UsedBy | None = None,
) -> Rendered:
    """The ``models`` package and the models' docs pages (those of ``share``): a model's module
    and its page render in the same process, so that their memo keys share the model's digest
    (``Memo.digest_of``). ``users``: ``used_by(api)``, when worked out already."""
    pkg = api.package
    facts = api_facts(api)
    put = _Putter(env, memo)
    by_name = {m.name: m for m in api.models}
    keys_name = keys_names(api)
    if share.takes("single", SINGLE["package"]):
        put(
            f"{pkg}/models/__init__.py",
            "models_init.py.jinja",
            api=facts,
            exports=sorted(api.module_of),
            module_of=api.module_of,
            imports=imports.models_package_imports(api),
        )
    users = used_by(api) if users is None else users
    for number, module in enumerate(api.model_modules):
        if not share.takes("models", number):
            continue
        variants = sorted({v.model for u in module.unions for v in u.variants})
        names = [m.name for m in module.models] + variants
        put(
            f"{pkg}/models/{module.name}.py",
            "model.py.jinja",
            derived=_model_module_imports,
            api=facts,
            module=module,
            module_of={name: api.module_of[name] for name in imports.model_module_needs(module)},
            keys_name={name: keys_name[name] for name in names if name in keys_name},
            models={name: by_name[name] for name in variants if name in by_name},
        )
        for model in module.models:
            used = {model.name: users[model.name]} if model.name in users else {}
            put(
                f"docs/models/{model.name}.md",
                "model.md.jinja",
                api=facts,
                model=model,
                used_by=used,
            )
    return put.out


def _model_module_imports(context: dict[str, Any]) -> dict[str, Any]:
    """A model module's imports: a function of its context alone (a ``derived`` part)."""
    return {
        "imports": imports.model_module_imports(
            context["module"], context["module_of"], context["keys_name"], context["models"]
        )
    }


def render_package(
    api: ir.Api, env: jinja2.Environment, memo: Memo | None = None, share: Share = EVERY_FILE
) -> Rendered:
    """The package's files but its models (those of ``share``): Python modules (not yet
    formatted), ``py.typed``, ``pyproject.toml``."""
    pkg = api.package
    facts = api_facts(api)
    put = _Putter(env, memo)
    for number, group in enumerate(api.resource_modules):
        if not share.takes("resources", number):
            continue
        ops = group.module_operations
        readers = {r.reader: r.type for r in imports.errors(ops) if r.reader != "_identity"}
        put(
            f"{pkg}/resources/{group.module}.py",
            "resource.py.jinja",
            api=facts,
            group=group,
            operations=ops,
            imports=imports.resource_imports(api, group),
            readers=sorted(readers.items()),
            needs_identity=any(r.reader == "_identity" for r in imports.errors(ops)),
            needs_no_content=any(op.returns is None for op in ops),
        )
    if not share.takes("single", SINGLE["package"]):  # with the models package's module
        return put.out
    files = put.out.texts
    put(
        f"{pkg}/__init__.py",
        "__init__.py.jinja",
        memo=False,
        api=api,
        exports=PACKAGE_EXPORTS,
        runtime_exports=sorted(set(PACKAGE_EXPORTS) - {"AsyncClient", "Client", "models"}),
    )
    put(
        f"{pkg}/client.py",
        "client.py.jinja",
        memo=False,
        api=api,
        imports=imports.client_imports(api),
        auth_classes=imports.auth_classes(api),
        files=imports.uses_files(api),
    )
    files[f"{pkg}/resources/__init__.py"] = (
        f"# Generated by clientgen from {api.spec_file}. Do not edit.\n"
        f'"""The resource groups of ``{pkg}.client``, a module each, imported on first use."""\n'
    )
    files[f"{pkg}/_runtime.py"] = runtime_source(api)
    files[f"{pkg}/py.typed"] = (
        f"# Generated by clientgen from {api.spec_file}. Marks {pkg} as typed (PEP 561).\n"
    )
    put("pyproject.toml", "pyproject.toml.jinja", memo=False, api=api)
    return put.out


def render_docs(
    api: ir.Api,
    env: jinja2.Environment,
    cache: Cache | None = None,
    memo: Memo | None = None,
    share: Share = EVERY_FILE,
    users: UsedBy | None = None,
) -> Output:
    """README.md, the resource pages of docs/ (their code examples laid out as black would)
    and the enums' pages, those of ``share``: a resource module's groups' pages with it.
    ``users``: ``used_by(api)``, when worked out already."""
    examples_wanted: dict[str, str] = {}  # unformatted example code -> its placeholder
    lookup = examples.index(api)
    nonce = secrets.token_hex(8)  # spec text cannot spell a placeholder it cannot know
    facts = api_facts(api)
    by_name = {m.name: m for m in api.models}
    put = _Putter(env, memo)

    def placeholder(code: str) -> str:
        """A placeholder for an example's formatted code: every example of the project is
        formatted at the end, in one batch (cached, in parallel when there are many)."""
        return examples_wanted.setdefault(code, f"\x00{nonce}-{len(examples_wanted)}\x00")

    def example(op: Any) -> str:
        return placeholder(examples.operation_example(api, op, lookup).code)

    if share.takes("single", SINGLE["readme"]):
        put("README.md", "README.md.jinja", memo=False, api=api, example=example)
    pages = [
        group
        for number, module in enumerate(api.resource_modules)
        if share.takes("resources", number)
        for group in (module.walk() if module.path else (module,))
        if group.operations
    ]
    sections = _Sections(env, memo, facts, by_name, placeholder)
    for group in pages:
        codes = {
            op.operation_id: examples.operation_example(api, op, lookup).code
            for op in group.operations
        }
        path = f"docs/{group.doc_name}.md"
        put(
            path,
            "resource.md.jinja",
            key_data=codes,
            api=facts,
            group=group,
            models={name: by_name[name] for name in _page_models(group) if name in by_name},
            example=lambda op, codes=codes: placeholder(codes[op.operation_id]),
            section=sections.of_page(path, group, codes),
        )
    users = used_by(api) if users is None else users
    for number, enum in enumerate(api.enums):
        if not share.takes("enums", number):
            continue
        used = {enum.name: users[enum.name]} if enum.name in users else {}
        put(f"docs/models/{enum.name}.md", "enum.md.jinja", api=facts, enum=enum, used_by=used)
    out = put.out
    fresh = from_scratch(memo)
    parts = {f"\x00part {key}": text for key, text in sections.rendered.items()}
    final = _fill_examples({**out.texts, **parts}, examples_wanted, nonce, cache, fresh)
    if memo is not None:
        for key in sections.rendered:
            memo.learn_part(key, final.pop(f"\x00part {key}"))
    return out.remember(final, memo)


class _Sections:
    """Renders the operations' sections of resource pages (``operation.md.jinja``), each
    keyed by exactly what it sees (``generator.memo``), as files are: a page whose key changed
    is assembled again from the sections it had, laying out only those whose operation,
    anchors, models shown or example changed (on GitHub's spec, one edited schema shown on
    ``repos.md`` would otherwise lay out its 800 KB again). ``rendered``: key -> the text of
    each section rendered (its example placeholders not yet filled), to be remembered."""

    def __init__(
        self,
        env: jinja2.Environment,
        memo: Memo | None,
        facts: ApiFacts,
        by_name: dict[str, ir.Model],
        placeholder: Callable[[str], str],
    ) -> None:
        self.env = env
        self.memo = memo
        self.facts = facts
        self.by_name = by_name
        self.placeholder = placeholder
        self.rendered: dict[str, str] = {}

    def of_page(
        self, path: str, group: ir.ResourceGroup, codes: dict[str, str]
    ) -> Callable[[ir.Operation], str]:
        """``section(op)`` for the page at ``path``: each operation's section. Only a page
        rendered calls it: the page's anchors are worked out on the first call."""
        page_anchors: list[dict[str, str]] = []

        def section(op: ir.Operation) -> str:
            if not page_anchors:
                page_anchors.append(text.operation_anchors(group))
            anchors = page_anchors[0]
            body = op.operation_id + " body"
            context: dict[str, Any] = {
                "api": self.facts,
                "op": op,
                "anchors": {body: anchors[body]} if body in anchors else {},
                "models": {n: self.by_name[n] for n in _op_models(op) if n in self.by_name},
            }
            code = codes[op.operation_id]
            key = ""
            if self.memo is not None:
                data = {**context, "": code}
                key = context_key(
                    self.memo.salt,
                    f"{path}#{op.operation_id}",
                    "operation.md.jinja",
                    data,
                    self.memo.digest_of,
                )
                known = self.memo.recall_part(path, key)
                if known is not None:
                    return known
            template = self.env.get_template("operation.md.jinja")
            rendered = template.render(**context, example=lambda _op: self.placeholder(code))
            if key:
                self.rendered[key] = rendered
            return rendered

        return section


def _page_models(group: ir.ResourceGroup) -> list[str]:
    """The models a resource page shows the fields of: those its operations' request bodies
    and results name (a superset is harmless, a model left out would be missing)."""
    names: dict[str, None] = {}
    for op in group.operations:
        names.update(dict.fromkeys(_op_models(op)))
    return list(names)


def _op_models(op: ir.Operation) -> list[str]:
    """The models an operation's section shows the fields of (see ``_page_models``)."""
    types = ([op.body.type] if op.body else []) + ([op.returns] if op.returns else [])
    return list(dict.fromkeys(name for type_ in types for name in ir.named_types(type_)))


def _fill_examples(
    files: dict[str, str],
    wanted: dict[str, str],
    nonce: str,
    cache: Cache | None,
    at_least_one: bool = True,
) -> dict[str, str]:
    if not wanted:
        return files
    formatted = format_sources(list(wanted), cache, at_least_one=at_least_one)
    code_of = dict(zip(wanted.values(), formatted))
    placeholder = re.compile(f"\x00{nonce}-[0-9]+\x00")
    return {
        path: placeholder.sub(lambda m: code_of[m.group(0)], text) if nonce in text else text
        for path, text in files.items()
    }


def runtime_source(api: ir.Api) -> str:
    source = RUNTIME_SOURCE.read_text(encoding="utf-8")
    first, _, rest = source.partition("\n")
    return f"# Generated by clientgen from {api.spec_file}: shared runtime. Do not edit.\n{rest}"


def manifest(api: ir.Api, files: list[str]) -> str:
    """``clientgen.json``: what was generated from what, so a later run knows what it owns."""
    operations = {
        op.operation_id: ".".join(group.path + (op.method_name,))
        for group in (api.root,) + api.groups
        for op in group.operations
    }
    data = {
        "generated_by": f"clientgen {__version__} from {api.spec_file}. Do not edit.",
        "generator_version": __version__,
        "spec": api.spec_file,
        "spec_sha256": api.spec_sha256,
        "files": sorted(files + ["clientgen.json"]),
        "operations": dict(sorted(operations.items())),
        "skipped": [{"at": d.pointer, "reason": d.message} for d in api.skipped],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
