"""Stage 5, format: black, in-process, on every generated Python file."""

from __future__ import annotations

import black

from .diagnostics import Diagnostic, SpecError

from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

# Copied verbatim from generator/runtime/, which `make test` keeps black-clean: formatting it
# again per project would only cost time.
PREFORMATTED = ("/_runtime.py",)

MODE = Mode(line_length=100, target_versions={TargetVersion.PY310})


def format_files(files: dict[str, str], spec_display: str) -> dict[str, str]:
    """The same files with the Python ones formatted. A file black cannot parse is a bug in a
    template; it is reported against the spec being generated, never written."""
    result: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for path, source in files.items():
        if not path.endswith(".py") or path.endswith(PREFORMATTED):
            result[path] = source
            continue
        try:
            result[path] = black.format_str(source, mode=MODE)
        except InvalidInput as exc:
            problems.append(
                Diagnostic(
                    spec_display,
                    1,
                    1,
                    f"internal error: generated {path} is not valid Python: {exc}",
                )
            )
    if problems:
        raise SpecError(problems)
    return result
