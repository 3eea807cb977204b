"""Stage 6, write: compare rendered projects with what is on disk, then write only changes.

Each project folder holds a manifest, ``clientgen.json``, listing the files clientgen wrote
there. A file that is listed in the old manifest and no longer produced is removed; a file
that is not listed was never ours and is left alone.
"""

from __future__ import annotations

import difflib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "clientgen.json"
MAX_DIFF_LINES = 60


@dataclass(frozen=True)
class Change:
    root: Path  # the project folder
    path: Path
    old: str | None  # None: the file does not exist yet
    new: str | None  # None: the file is to be removed


def plan(project_dir: Path, files: dict[str, str]) -> list[Change]:
    """Every file of ``project_dir`` that differs from ``files``, plus stale files we own."""
    changes: list[Change] = []
    for rel in sorted(files):
        target = project_dir / rel
        old = _read(target)
        if old != files[rel]:
            changes.append(Change(project_dir, target, old, files[rel]))
    for rel in sorted(set(owned_files(project_dir)) - set(files)):
        target = project_dir / rel
        old = _read(target)
        if old is not None:
            changes.append(Change(project_dir, target, old, None))
    return changes


def owned_files(project_dir: Path) -> list[str]:
    """Files the previous run recorded in its manifest (none if missing or unreadable)."""
    try:
        data = json.loads((project_dir / MANIFEST).read_text(encoding="utf-8"))
        files = data.get("files", [])
    except (OSError, ValueError, AttributeError):
        return []
    root = project_dir.resolve()
    safe = []
    for rel in files if isinstance(files, list) else []:
        if isinstance(rel, str) and (project_dir / rel).resolve().is_relative_to(root):
            safe.append(rel)
    return safe


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def apply(changes: list[Change]) -> None:
    """Write each changed file atomically (temporary file, then rename); remove stale ones."""
    for change in changes:
        if change.new is None:
            change.path.unlink(missing_ok=True)
            _prune(change.path.parent, change.root)
            continue
        change.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=change.path.parent, prefix=".clientgen-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(change.new)
            os.replace(tmp, change.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _prune(folder: Path, root: Path) -> None:
    """Remove folders left empty by removing stale files, up to (not including) ``root``."""
    root = root.resolve()
    folder = folder.resolve()
    while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def diff(change: Change, base: Path) -> str:
    """A unified diff of one change, shortened when long."""
    rel = change.path.relative_to(base) if change.path.is_relative_to(base) else change.path
    old = (change.old or "").splitlines(keepends=True)
    new = (change.new or "").splitlines(keepends=True)
    lines = list(
        difflib.unified_diff(
            old,
            new,
            fromfile=f"a/{rel}" if change.old is not None else "/dev/null",
            tofile=f"b/{rel}" if change.new is not None else "/dev/null",
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        hidden = len(lines) - MAX_DIFF_LINES
        lines = lines[:MAX_DIFF_LINES] + [f"... ({hidden} more diff lines)\n"]
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
