"""Errors as values: a located problem in a spec, and the exception that carries a batch of them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote
from typing import Iterable, Sequence

Pointer = tuple[str | int, ...]


def format_pointer(pointer: Pointer) -> str:
    """Render a pointer as a JSON pointer fragment such as ``#/paths/~1customers/get``."""
    parts = (str(p).replace("~", "~0").replace("/", "~1") for p in pointer)
    return "#/" + "/".join(parts) if pointer else "#"


def parse_pointer(ref: str) -> tuple[str, ...]:
    """The pointer of a local reference (``#/paths/~1pets`` -> ``("paths", "/pets")``); a URI
    fragment, so percent-decoded first (RFC 6901). ``()`` for anything not local."""
    if not ref.startswith("#/"):
        return ()
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in unquote(ref[2:]).split("/"))


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, located by file, line, column (1-based) and JSON pointer."""

    file: str
    line: int
    column: int
    message: str
    pointer: str = "#"
    severity: str = "error"

    def render(self) -> str:
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity}: "
            f"{self.message} (at {self.pointer})"
        )


class SpecError(Exception):
    """Raised by a stage that found problems; carries every diagnostic, sorted."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: Sequence[Diagnostic] = tuple(sorted(set(diagnostics)))
        super().__init__("\n".join(d.render() for d in self.diagnostics))

    def __reduce__(self) -> tuple[type[SpecError], tuple[Sequence[Diagnostic]]]:
        return (SpecError, (self.diagnostics,))  # to cross from a worker process intact
