"""Stage 1b, bundle: a spec spread over several files becomes one document.

Between load and validate. Every ``$ref`` to another file (``common.yaml#/components/schemas/
Error``, ``./schemas/pet.yaml``, ``../shared/x.json#/Foo``), relative to the file it is written
in, is followed: the file is loaded with ``loader.load`` (once, however it is spelled) and the
value it points at is copied into the spec's own components, the reference rewritten to a local
one. The rest of the pipeline only ever sees one document with local references.

- Where a value goes depends on where it is referenced from: a schema goes to
  ``components/schemas``, a parameter to ``components/parameters``, and so on (``definitions``,
  ``parameters``, ``responses`` in Swagger 2.0). A path item has no component of its own in
  OpenAPI 3.0: it is copied in place.
- Its name is the pointer's last segment, or the file's stem for a whole-file reference
  (``./schemas/pet.yaml`` -> ``pet``), made a valid component key, with a number on a clash.
  A root component that is itself only a reference to another file (``Pet: {$ref: pet.yaml}``)
  takes the value in place, under its own name. Names never hold more of a path than that.
- References inside a copied value are resolved against its file; references back into the
  spec become local ones; cycles across files end at the value already placed.
- Locations: the result is a ``MappedDocument`` whose pointer-prefix map sends every copied
  value back to its file and pointer, so validate and build report problems in that file.
- ``sources`` lists every file read, with the sha256 of its bytes.

A spec without references to other files is returned unchanged.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .diagnostics import Diagnostic, Pointer, SpecError, format_pointer
from .loader import MappedDocument, Source, SpecDocument, load
from .semantic import HTTP_METHODS
from .validate import walk_refs

# What each kind of OpenAPI object holds: key -> (shape, kind of the value(s)). Anything else
# in an object (extensions, examples, unknown keys) is copied as it is.
_SCHEMA = "schema"
_PATH_ITEM = "pathItem"
_CALLBACK = "callback"

_PARAMETER_CHILDREN = {
    "schema": ("one", _SCHEMA),
    "content": ("map", "mediaType"),
    "examples": ("map", "example"),
}
_CHILDREN: dict[str, dict[str, tuple[str, str]]] = {
    "root3": {
        "paths": ("map", _PATH_ITEM),
        "webhooks": ("map", _PATH_ITEM),
        "components": ("one", "components"),
    },
    "root2": {
        "paths": ("map", _PATH_ITEM),
        "definitions": ("map", _SCHEMA),
        "parameters": ("map", "parameter"),
        "responses": ("map", "response"),
    },
    "components": {
        "schemas": ("map", _SCHEMA),
        "responses": ("map", "response"),
        "parameters": ("map", "parameter"),
        "examples": ("map", "example"),
        "requestBodies": ("map", "requestBody"),
        "headers": ("map", "header"),
        "securitySchemes": ("map", "securityScheme"),
        "links": ("map", "link"),
        "callbacks": ("map", _CALLBACK),
        "pathItems": ("map", _PATH_ITEM),
    },
    _PATH_ITEM: {
        "parameters": ("list", "parameter"),
        **{method: ("one", "operation") for method in HTTP_METHODS},
    },
    "operation": {
        "parameters": ("list", "parameter"),
        "requestBody": ("one", "requestBody"),
        "responses": ("map", "response"),
        "callbacks": ("map", _CALLBACK),
    },
    "parameter": _PARAMETER_CHILDREN,
    "header": _PARAMETER_CHILDREN,
    "requestBody": {"content": ("map", "mediaType")},
    "mediaType": {
        "schema": ("one", _SCHEMA),
        "examples": ("map", "example"),
        "encoding": ("map", "encoding"),
    },
    "encoding": {"headers": ("map", "header")},
    "response": {
        "headers": ("map", "header"),
        "content": ("map", "mediaType"),
        "links": ("map", "link"),
        "schema": ("one", _SCHEMA),  # Swagger 2.0
    },
    _SCHEMA: {
        **{
            key: ("one", _SCHEMA)
            for key in (
                "items",
                "additionalProperties",
                "not",
                "contains",
                "propertyNames",
                "if",
                "then",
                "else",
                "additionalItems",
                "unevaluatedItems",
                "unevaluatedProperties",
                "contentSchema",
            )
        },
        **{
            key: ("map", _SCHEMA)
            for key in (
                "properties",
                "patternProperties",
                "definitions",
                "$defs",
                "dependentSchemas",
            )
        },
        **{key: ("list", _SCHEMA) for key in ("allOf", "oneOf", "anyOf", "prefixItems")},
    },
}
# The kinds a Reference Object may stand for, and the components they are placed in.
_SECTIONS_3 = {
    _SCHEMA: ("components", "schemas"),
    "parameter": ("components", "parameters"),
    "response": ("components", "responses"),
    "requestBody": ("components", "requestBodies"),
    "header": ("components", "headers"),
    "example": ("components", "examples"),
    "link": ("components", "links"),
    _CALLBACK: ("components", "callbacks"),
    "securityScheme": ("components", "securitySchemes"),
}
_SECTIONS_2 = {
    _SCHEMA: ("definitions",),
    "parameter": ("parameters",),
    "response": ("responses",),
}
_REFERABLE = set(_SECTIONS_3) | {_PATH_ITEM}
_FALLBACK_NAMES = {kind: section[-1] for kind, section in _SECTIONS_3.items()}

_JSON_TYPES = {str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}
_LOCAL_REF = re.compile(r"""\$ref["']?[ \t]*:[ \t]*["']?#""")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_NOT_KEY = re.compile(r"[^A-Za-z0-9._-]+")
_MISSING = object()

Target = tuple[str, SpecDocument, Pointer]  # (file identity, document, pointer)


def bundle(doc: SpecDocument, swagger2: bool = False) -> SpecDocument:
    """``doc`` with every reference to another file resolved into it (see the module doc).

    Raises SpecError, every problem located at the reference or in the file it names."""
    if not isinstance(doc.data, dict) or not _has_file_refs(doc):
        return doc
    bundler = _Bundler(doc, swagger2)
    data = bundler.run()
    if bundler.problems:
        raise SpecError(bundler.problems)
    return MappedDocument(doc, data, bundler.origins, tuple(bundler.sources))


def _has_file_refs(doc: SpecDocument) -> bool:
    """Whether ``doc`` may refer to another file. A first look at the text (fast on big specs):
    when every ``$ref`` in it is plainly followed by a local ``#...``, none does."""
    if doc.text.count("$ref") == len(_LOCAL_REF.findall(doc.text)):
        return False
    return any(
        isinstance(ref, str) and not ref.startswith("#")
        for _, ref in walk_refs(doc.data, (), lambda key, value, pointer: False)
    )


class _Bundler:
    def __init__(self, root: SpecDocument, swagger2: bool) -> None:
        self.root = root
        self.root_id = _identity(root.path)
        self.root_kind = "root2" if swagger2 else "root3"
        self.sections = _SECTIONS_2 if swagger2 else _SECTIONS_3
        self.docs: dict[str, SpecDocument | None] = {self.root_id: root}
        self.sources: list[Source] = list(root.sources)
        self.problems: list[Diagnostic] = []
        self.origins: dict[Pointer, tuple[SpecDocument, Pointer]] = {}
        # (kind, file identity, pointer) -> where the value is in the bundle
        self.placed: dict[tuple[str, str, Pointer], Pointer] = {}
        self.taken: dict[Pointer, set[str]] = {}
        self.queue: list[tuple[Pointer, str, str, SpecDocument, Pointer]] = []
        self.added: dict[Pointer, dict[str, Any]] = {}
        self.unfilled: set[Pointer] = set()  # root components to fill with another file's value

    # -- the walk ------------------------------------------------------------------------------

    def run(self) -> Any:
        data: dict[str, Any] = self.root.data
        for kind, section in self.sections.items():
            names = _get(data, section)
            holder = _get(data, section[:-1])
            if any(v is not _MISSING and not isinstance(v, dict) for v in (holder, names)):
                return data  # not a valid document: validate says so, located
            existing = names if isinstance(names, dict) else {}
            self.taken[section] = {_fold(str(name)) for name in existing}
            self._claim_root_components(kind, section, existing)
        out = self._node(data, self.root_kind, self.root, (), (), frozenset())
        while self.queue:
            slot, kind, file_id, doc, pointer = self.queue.pop(0)
            self.added.setdefault(slot[:-1], {})[str(slot[-1])] = self._fill(
                slot, kind, file_id, doc, pointer
            )
        for where, values in self.added.items():
            holder = out
            for part in where[:-1]:
                holder = holder.setdefault(str(part), {})
            holder[str(where[-1])] = {**holder.get(str(where[-1]), {}), **values}
        return out

    def _claim_root_components(self, kind: str, section: Pointer, names: dict[str, Any]) -> None:
        """``Pet: {$ref: pet.yaml}`` in the spec's components: pet.yaml goes there, as Pet."""
        for name, value in names.items():
            ref = value.get("$ref") if isinstance(value, dict) and len(value) == 1 else None
            if not isinstance(ref, str) or ref.startswith("#"):
                continue
            target = self._target(ref, self.root, section + (name, "$ref"), report=False)
            key = (kind, target[0], target[2]) if target is not None else None
            if key is not None and key[1] != self.root_id and key not in self.placed:
                self.placed[key] = section + (name,)
                self.unfilled.add(section + (name,))

    def _node(
        self,
        value: Any,
        kind: str,
        doc: SpecDocument,
        src: Pointer,
        dst: Pointer,
        inlining: frozenset[tuple[str, Pointer]],
    ) -> Any:
        """``value`` (at ``src`` in ``doc``, going to ``dst``) with its references rewritten."""
        if not isinstance(value, dict):
            return value
        ref = value.get("$ref") if kind in _REFERABLE else None
        if isinstance(ref, str):
            replaced = self._reference(ref, value, kind, doc, src, dst, inlining)
            if isinstance(replaced, _Value):
                return replaced.value
            value = {**value, "$ref": replaced}
        children = _CHILDREN.get(kind, {})
        out: dict[str, Any] = {}
        for key, child in value.items():
            shape, child_kind = children.get(key, ("", ""))
            if kind == _CALLBACK and not key.startswith("x-"):
                shape, child_kind = "one", _PATH_ITEM
            here, there = src + (key,), dst + (key,)
            if shape == "one" and isinstance(child, list) and child_kind == _SCHEMA:
                shape = "list"  # items: [schemas] (JSON Schema draft 4)
            if shape == "one":
                out[key] = self._node(child, child_kind, doc, here, there, inlining)
            elif shape == "map" and isinstance(child, dict):
                out[key] = {
                    name: (
                        item
                        if child_kind != _SCHEMA and str(name).startswith("x-")
                        else self._node(
                            item, child_kind, doc, here + (name,), there + (name,), inlining
                        )
                    )
                    for name, item in child.items()
                }
            elif shape == "list" and isinstance(child, list):
                out[key] = [
                    self._node(item, child_kind, doc, here + (i,), there + (i,), inlining)
                    for i, item in enumerate(child)
                ]
            else:
                out[key] = child
        if kind == _SCHEMA and "discriminator" in out:
            self._mapping(out, doc, src)
        return out

    def _mapping(self, schema: dict[str, Any], doc: SpecDocument, src: Pointer) -> None:
        """A discriminator mapping: its values that are references to other files (or, in
        another file, into it) resolved like ``$ref``; plain schema names are kept."""
        discriminator = schema.get("discriminator")
        mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
        if not isinstance(mapping, dict):
            return
        resolved = dict(mapping)
        for key, ref in mapping.items():
            if not isinstance(ref, str) or not _looks_like_reference(ref):
                continue
            if ref.startswith("#") and doc is self.root:
                continue
            target = self._target(ref, doc, src + ("discriminator", "mapping", key))
            if target is not None:
                resolved[key] = self._local(_SCHEMA, target)
        assert isinstance(discriminator, dict)
        schema["discriminator"] = {**discriminator, "mapping": resolved}

    def _reference(
        self,
        ref: str,
        node: dict[str, Any],
        kind: str,
        doc: SpecDocument,
        src: Pointer,
        dst: Pointer,
        inlining: frozenset[tuple[str, Pointer]],
    ) -> str | _Value:
        """The new ``$ref`` string of ``node``, or the value that replaces the whole node."""
        if ref.startswith("#") and doc is self.root:
            return ref
        target = self._target(ref, doc, src + ("$ref",))
        if target is None:
            return ref
        file_id, target_doc, pointer = target
        if file_id == self.root_id:
            return _format_ref(pointer)
        section = self.sections.get(kind)
        if section is None:  # no component for it: copied in place
            if (file_id, pointer) in inlining:
                self._problem(doc, src + ("$ref",), f"reference cycle: {ref!r} leads back here")
                return ref
            self.origins[dst] = (target_doc, pointer)
            content = self._node(
                _get(target_doc.data, pointer),
                kind,
                target_doc,
                pointer,
                dst,
                inlining | {(file_id, pointer)},
            )
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            for key in siblings:
                self.origins[dst + (key,)] = (doc, src + (key,))
            if not siblings or not isinstance(content, dict):
                return _Value(content)
            return _Value({**content, **self._node(siblings, kind, doc, src, dst, inlining)})
        if dst in self.unfilled and self.placed.get((kind, file_id, pointer)) == dst:
            # a root component that only refers to another file: filled in place
            self.unfilled.discard(dst)
            return _Value(self._fill(dst, kind, file_id, target_doc, pointer))
        return self._local(kind, target)

    def _local(self, kind: str, target: Target) -> str:
        """The local reference to ``target``, placing it in the components if it is new."""
        file_id, doc, pointer = target
        if file_id == self.root_id:
            return _format_ref(pointer)
        section = self.sections[kind]
        slot = self.placed.get((kind, file_id, pointer))
        if slot is None:
            slot = section + (self._name(kind, section, doc, pointer),)
            self.placed[(kind, file_id, pointer)] = slot
            self.queue.append((slot, kind, file_id, doc, pointer))
        return _format_ref(slot)

    def _fill(
        self, slot: Pointer, kind: str, file_id: str, doc: SpecDocument, pointer: Pointer
    ) -> Any:
        """The value placed at ``slot``: a chain of mere references to other files is followed,
        every link placed at the same slot, so the name is that of the first."""
        value = _get(doc.data, pointer)
        while isinstance(value, dict) and len(value) == 1 and isinstance(value.get("$ref"), str):
            at = pointer + ("$ref",)
            target = self._target(value["$ref"], doc, at)
            if target is None or target[0] == self.root_id:
                break
            key = (kind, target[0], target[2])
            if key in self.placed:
                if self.placed[key] == slot:
                    self._problem(
                        doc, at, f"reference cycle: {value['$ref']!r} leads back to itself"
                    )
                break
            self.placed[key] = slot
            file_id, doc, pointer = target
            value = _get(doc.data, pointer)
        self.origins[slot] = (doc, pointer)
        return self._node(value, kind, doc, pointer, slot, frozenset({(file_id, pointer)}))

    # -- targets -------------------------------------------------------------------------------

    def _target(
        self, ref: str, doc: SpecDocument, at: Pointer, report: bool = True
    ) -> Target | None:
        """The file and pointer ``ref`` (written at ``at`` in ``doc``) names, loading the file;
        None (with a located problem) when it cannot be followed."""
        problem = self._problem if report else _ignore
        file_part, _, fragment = ref.partition("#")
        if _SCHEME.match(file_part) or file_part.startswith("//"):
            scheme = file_part.split(":", 1)[0].lower()
            if scheme in ("http", "https") or file_part.startswith("//"):
                problem(
                    doc,
                    at,
                    f"remote references are not supported: {ref!r} "
                    "(save the file next to the spec and refer to it by a relative path)",
                )
            else:
                problem(doc, at, f"unsupported reference {ref!r}: only file paths are supported")
            return None
        if fragment and not fragment.startswith("/"):
            problem(
                doc,
                at,
                f"unsupported reference {ref!r}: the part after '#' must be a JSON pointer "
                "such as '#/components/schemas/Pet'",
            )
            return None
        pointer = _parse_pointer(fragment)
        if not file_part:
            file_id, target = (self.root_id if doc is self.root else _identity(doc.path)), doc
        else:
            path = Path(os.path.normpath(doc.path.parent / unquote(file_part)))
            file_id = _identity(path)
            if not report:
                return (file_id, self.root, pointer)  # identity only, nothing loaded
            loaded = self._file(path, file_id, ref, doc, at)
            if loaded is None:
                return None
            target = loaded
        if _get(target.data, pointer) is _MISSING:
            where = "" if target is doc else f" ({target.display} has no {format_pointer(pointer)})"
            problem(doc, at, f"unresolvable reference {ref!r}{where}")
            return None
        return file_id, target, pointer

    def _file(
        self, path: Path, file_id: str, ref: str, doc: SpecDocument, at: Pointer
    ) -> SpecDocument | None:
        if file_id in self.docs:
            return self.docs[file_id]  # None: it failed, and that was reported once
        shown = _display(path)
        if not path.exists():
            self._problem(doc, at, f"reference {ref!r}: no such file {shown}")
            return None
        if path.is_dir():
            self._problem(doc, at, f"reference {ref!r}: {shown} is a directory, not a file")
            return None
        loaded: SpecDocument | None = None
        try:
            if path.stat().st_size == 0:
                self.problems.append(Diagnostic(shown, 1, 1, "the referenced file is empty"))
                raise SpecError([])
            loaded = load(path, shown)
        except SpecError as exc:
            self.problems.extend(exc.diagnostics)
        else:
            self.sources.extend(loaded.sources)
            if not isinstance(loaded.data, (dict, list)):
                kind = _JSON_TYPES.get(type(loaded.data), "value")
                self._problem(
                    loaded,
                    (),
                    f"not a YAML or JSON document: the file holds a single {kind}, not a mapping",
                )
                loaded = None
        self.docs[file_id] = loaded
        return loaded

    def _name(self, kind: str, section: Pointer, doc: SpecDocument, pointer: Pointer) -> str:
        """A readable, valid, unused component key for a value from another file."""
        if pointer:
            base = str(pointer[-1])
            if base.isdigit() and len(pointer) > 1:
                base = f"{pointer[-2]}_{base}"
        else:
            base = doc.path.stem
        base = _NOT_KEY.sub("_", base).strip("_") or _FALLBACK_NAMES.get(kind, "Component")
        taken = self.taken.setdefault(section, set())
        name, number = base, 2
        while _fold(name) in taken:
            name = f"{base}{'_' if base[-1].isdigit() else ''}{number}"
            number += 1
        taken.add(_fold(name))
        return name

    def _problem(self, doc: SpecDocument, at: Pointer, message: str) -> None:
        self.problems.append(doc.diagnostic(at, message))


@dataclass(frozen=True)
class _Value:
    """What replaces a whole reference object: the value it refers to, copied in place."""

    value: Any


def _ignore(doc: SpecDocument, at: Pointer, message: str) -> None:
    pass


def _identity(path: Path) -> str:
    """One string per file, however a reference spells its path (symlinks followed)."""
    return str(path.resolve())


def _display(path: Path) -> str:
    """The path of a referenced file as messages show it: relative to the working folder when
    it is under it (lexically: a symlink stays the name it was reached by)."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(absolute)


def _fold(name: str) -> str:
    """Component keys that would make the same class name clash: compared without case or
    separators."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _parse_pointer(fragment: str) -> Pointer:
    if fragment in ("", "/"):
        return ()
    return tuple(
        part.replace("~1", "/").replace("~0", "~") for part in unquote(fragment)[1:].split("/")
    )


def _format_ref(pointer: Pointer) -> str:
    """A local reference; ``%`` escaped, as a reference is read percent-decoded."""
    return format_pointer(pointer).replace("%", "%25")


def _looks_like_reference(value: str) -> bool:
    return "#" in value or "/" in value or value.lower().endswith((".yaml", ".yml", ".json"))


def _get(data: Any, pointer: Pointer) -> Any:
    node = data
    for part in pointer:
        if isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and str(part).isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node
