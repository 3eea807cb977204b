"""Stage 6, write: compare rendered projects with what is on disk, then write only changes.

Each project folder holds a manifest, ``clientgen.json``, listing the files clientgen wrote
there. A file that is listed in the old manifest and no longer produced is removed; a file
that is not listed was never ours and is left alone.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
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


def plan(
    project_dir: Path, files: dict[str, str], unchanged: frozenset[str] = frozenset()
) -> list[Change]:
    """Every file of ``project_dir`` that differs from ``files``, plus stale files we own.
    ``unchanged``: files of the project known to be in the folder as they should be (not in
    ``files``: this run did not keep their text)."""
    changes: list[Change] = []
    for rel in sorted(files):
        target = project_dir / rel
        old = _read(target)
        if old != files[rel]:
            changes.append(Change(project_dir, target, old, files[rel]))
    stale = sorted(set(owned_files(project_dir)) - set(files) - unchanged)
    root = project_dir.resolve() if stale else project_dir
    for rel in stale:
        target = project_dir / rel
        if not target.resolve().is_relative_to(root):
            continue  # a manifest edited to point outside the project: never removed
        old = _read(target)
        if old is not None:
            changes.append(Change(project_dir, target, old, None))
    return changes


def owned_files(project_dir: Path) -> list[str]:
    """Files the previous run recorded in its manifest (none if missing or unreadable), as
    relative paths that stay inside the folder as written (no absolute path, no ``..``);
    ``plan`` also resolves symbolic links before removing one."""
    try:
        data = json.loads((project_dir / MANIFEST).read_text(encoding="utf-8"))
        files = data.get("files", [])
    except (OSError, ValueError, AttributeError):
        return []
    safe = []
    for rel in files if isinstance(files, list) else []:
        if isinstance(rel, str) and rel and not os.path.isabs(rel):
            if ".." not in Path(rel).parts and "\0" not in rel:
                safe.append(rel)
    return safe


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def apply(changes: list[Change]) -> None:
    """Bring every project folder in line with its changes, each folder all at once.

    A project's new state is assembled in a sibling temporary folder (unchanged files are hard
    links, so they keep their bytes and times; files clientgen does not own come along), then
    swapped in with one atomic exchange of the two folders. A run killed at any moment leaves
    each project folder entirely old or entirely new.
    """
    by_root: dict[Path, list[Change]] = {}
    for change in changes:
        by_root.setdefault(change.root, []).append(change)
    for root, group in by_root.items():
        _replace_folder(root, group)


def _replace_folder(root: Path, changes: list[Change]) -> None:
    root.parent.mkdir(parents=True, exist_ok=True)
    recover(root)
    staging = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}.clientgen-new-"))
    try:
        if root.exists():
            staging.rmdir()
            _link_tree(str(root), str(staging))
        folders: set[Path] = set()
        for change in changes:
            target = staging / change.path.relative_to(root)
            if change.new is None:
                target.unlink(missing_ok=True)
                _prune(target.parent, staging)
                continue
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            _write_file(target, change.new)
        if root.exists():
            _exchange(staging, root)  # staging now holds the old state
        else:
            os.rename(staging, root)
            return
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)


def _write_file(target: Path, text: str) -> None:
    """A new file in the staging folder, never writing into an existing inode (it may be a hard
    link to the file being replaced). No temporary name is needed: nothing sees the staging
    folder before it is swapped in whole."""
    target.unlink(missing_ok=True)
    with open(target, "x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _link_tree(src: str, dst: str) -> None:
    """``shutil.copytree(src, dst, symlinks=True)`` with files hard-linked where possible
    (copied where not): the same tree, in half the time (one system call a file)."""
    os.mkdir(dst)
    with os.scandir(src) as entries:
        for entry in entries:
            target = os.path.join(dst, entry.name)
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), target)
            elif entry.is_dir():
                _link_tree(entry.path, target)
            else:
                try:
                    os.link(entry.path, target)
                except OSError:
                    shutil.copy2(entry.path, target)
    shutil.copystat(src, dst)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> None:
    """Swap two folders atomically (Linux renameat2); elsewhere, two renames that
    ``recover`` completes if the run dies between them."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            renameat2 = libc.renameat2
        except (OSError, AttributeError):
            renameat2 = None
        if renameat2 is not None:
            result = renameat2(
                _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE
            )
            if result == 0:
                return
    aside = b.with_name(f".{b.name}.clientgen-old")
    os.rename(b, aside)
    os.rename(a, b)
    os.rename(aside, a)


def recover(root: Path) -> None:
    """Finish a two-rename swap that a killed run left half done."""
    aside = root.with_name(f".{root.name}.clientgen-old")
    if aside.exists():
        if root.exists():
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.rename(aside, root)
    for stale in root.parent.glob(f".{root.name}.clientgen-new-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _prune(folder: Path, root: Path) -> None:
    """Remove folders left empty by removing stale files, up to (not including) ``root``."""
    root = root.resolve()
    folder = folder.resolve()
    while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def diff(change: Change, base: Path) -> str:
    """A unified diff of one change, shortened when long."""
    import difflib  # only --check needs it

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
