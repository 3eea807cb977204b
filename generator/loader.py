"""Stage 1, load: read a YAML or JSON spec into plain data, and locate any JSON pointer in it.

Data is loaded with the fast C parser when present. Line and column numbers are only needed
when something is wrong, so the node tree that carries them is built lazily, on the first
``locate`` call, and cached.

A document the pipeline derives from loaded ones (a Swagger 2.0 document converted to OpenAPI 3,
a spec bundled from several files) answers ``origin``: the loaded document and pointer a value
came from. ``locate`` and ``diagnostic`` go through it, so every problem is reported at a line of
the file the user wrote, with that file's pointer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, Pointer, SpecError, format_pointer

if TYPE_CHECKING:
    import yaml


def is_swagger2(data: Any) -> bool:
    """Whether ``data`` claims to be a Swagger document (any ``swagger`` value, no ``openapi``):
    ``generator.parser.swagger2`` converts it (imported only then)."""
    return isinstance(data, dict) and "swagger" in data and "openapi" not in data


@dataclass(frozen=True)
class Source:
    """A file a spec was read from: its path as reached, as shown in messages, and the sha256 of
    its bytes (what a cache of generated output must key on)."""

    path: Path
    display: str
    sha256: str


class SpecDocument:
    """A loaded spec: its data, its text, and a lazily built map from pointers to positions."""

    def __init__(
        self,
        path: Path,
        display: str,
        text: str,
        data: Any,
        sources: tuple[Source, ...] | None = None,
    ) -> None:
        self.path = path
        self.display = display
        self.text = text
        self.data = data
        # Every file the document was read from, the spec itself first.
        self.sources = sources or (
            Source(path, display, hashlib.sha256(text.encode("utf-8")).hexdigest()),
        )
        self._root: yaml.Node | None = None
        self._composed = False

    def digest(self) -> str:
        """The sha256 naming the spec's content: of its text when it is one file; of the sha256
        of every file's bytes, in the order read, when it was read from several (never of their
        names or places: moving a spec's folder must not change what is generated)."""
        if len(self.sources) == 1:
            return hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        listing = "".join(f"{source.sha256}\n" for source in self.sources)
        return hashlib.sha256(listing.encode("ascii")).hexdigest()

    def origin(self, pointer: Pointer) -> tuple[SpecDocument, Pointer]:
        """The loaded document and pointer the value at ``pointer`` comes from: a loaded
        document is its own origin; derived documents override this."""
        return self, pointer

    def locate(self, pointer: Pointer) -> tuple[int, int]:
        """Line and column (1-based) of the deepest node on ``pointer`` that exists."""
        doc, where = self.origin(pointer)
        if doc is not self:
            return doc.locate(where)
        node = self._node_tree()
        if node is None:
            return (1, 1)
        for part in where:
            child = _child(node, part)
            if child is None:
                break
            node = child
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def diagnostic(self, pointer: Pointer, message: str, severity: str = "error") -> Diagnostic:
        doc, where = self.origin(pointer)
        line, column = doc.locate(where)
        return Diagnostic(doc.display, line, column, message, format_pointer(where), severity)

    def duplicate_keys(self) -> list[Diagnostic]:
        """Every repeated key of a mapping, located at its second occurrence."""
        import yaml

        found: list[Diagnostic] = []

        def visit(node: yaml.Node, pointer: Pointer) -> None:
            if isinstance(node, yaml.MappingNode):
                seen: set[str] = set()
                for key_node, value_node in node.value:
                    key = str(key_node.value)
                    if key in seen:
                        mark = key_node.start_mark
                        found.append(
                            Diagnostic(
                                self.display,
                                mark.line + 1,
                                mark.column + 1,
                                f"duplicate key {key!r}",
                                format_pointer(pointer + (key,)),
                            )
                        )
                    seen.add(key)
                    visit(value_node, pointer + (key,))
            elif isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    visit(item, pointer + (index,))

        root = self._node_tree()
        if root is not None:
            visit(root, ())
        return found

    def _node_tree(self) -> yaml.Node | None:
        if not self._composed:
            import yaml

            from .yaml_loader import SpecLoader

            self._composed = True
            try:
                self._root = yaml.compose(self.text, Loader=SpecLoader)
            except yaml.YAMLError:
                self._root = None
        return self._root


class MappedDocument(SpecDocument):
    """A document assembled from parts of others: ``origins`` maps a pointer prefix of this
    document to the (loaded) document and pointer its value was copied from; the longest
    matching prefix wins, and a pointer no prefix covers belongs to ``base``."""

    def __init__(
        self,
        base: SpecDocument,
        data: Any,
        origins: dict[Pointer, tuple[SpecDocument, Pointer]],
        sources: tuple[Source, ...],
    ) -> None:
        super().__init__(base.path, base.display, base.text, data, sources)
        self.base = base
        self.origins = {tuple(str(p) for p in k): v for k, v in origins.items()}

    def origin(self, pointer: Pointer) -> tuple[SpecDocument, Pointer]:
        key = tuple(str(p) for p in pointer)
        for length in range(len(key), 0, -1):
            hit = self.origins.get(key[:length])
            if hit is not None:
                doc, where = hit
                return doc.origin(where + tuple(pointer[length:]))
        return self.base.origin(pointer)

    def duplicate_keys(self) -> list[Diagnostic]:
        return self.base.duplicate_keys()


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return value_node  # type: ignore[no-any-return]
    elif isinstance(node, yaml.SequenceNode):
        index = int(part) if str(part).isdigit() else -1
        if 0 <= index < len(node.value):
            return node.value[index]  # type: ignore[no-any-return]
    return None


def load(path: Path, display: str | None = None) -> SpecDocument:
    """Read and parse a spec file. Raises SpecError (never a traceback) when it cannot."""
    shown = display if display is not None else str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError([Diagnostic(shown, 1, 1, f"cannot read file: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start)
        raise SpecError([Diagnostic(shown, line, column, "file is not valid UTF-8")]) from None
    if not text.strip():
        raise SpecError([Diagnostic(shown, 1, 1, "not an OpenAPI document: the file is empty")])
    source = Source(path, shown, hashlib.sha256(raw).hexdigest())
    if path.suffix.lower() == ".json":
        return _load_json(path, shown, text, source)
    import yaml

    from .yaml_loader import SpecLoader

    loader = SpecLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise SpecError([_yaml_diagnostic(shown, exc)]) from None
    except yaml.reader.ReaderError as exc:
        line, column = _position(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = (
            f"invalid YAML: unacceptable character #x{code:04X}: control characters are not allowed"
        )
        raise SpecError([Diagnostic(shown, line, column, message)]) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise SpecError([Diagnostic(shown, 1, 1, f"invalid YAML: {first}")]) from None
    finally:
        loader.dispose()
    doc = SpecDocument(path, shown, text, data, (source,))
    if loader.duplicates:
        raise SpecError(doc.duplicate_keys())
    return doc


def _load_json(path: Path, shown: str, text: str, source: Source) -> SpecDocument:
    duplicated = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicated
        result = dict(items)  # the last of repeated keys wins, as in json.loads
        if len(result) != len(items):
            duplicated = True
        return result

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise SpecError(
            [Diagnostic(shown, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")]
        ) from None
    doc = SpecDocument(path, shown, text, data, (source,))
    if duplicated:
        raise SpecError(doc.duplicate_keys())
    return doc


def _yaml_diagnostic(shown: str, exc: yaml.MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "syntax error"
    context = exc.context_mark
    if (
        exc.context
        and context is not None
        and (context.line + 1, context.column + 1)
        != (
            line,
            column,
        )
    ):
        where = f"line {context.line + 1}, column {context.column + 1}"
        problem = f"{exc.context} (started at {where}), {problem}"
    elif exc.context:
        problem = f"{exc.context}, {problem}"
    return Diagnostic(shown, line, column, f"invalid YAML: {problem}")


def _position(text: str | bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of a character (or byte) offset."""
    before = text[:offset]
    if isinstance(before, bytes):
        line = before.count(b"\n") + 1
        start = before.rfind(b"\n") + 1
    else:
        line = before.count("\n") + 1
        start = before.rfind("\n") + 1
    return line, offset - start + 1
