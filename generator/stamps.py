"""What the last run left in a project folder, by file: the sha256 of its text and its *stamp*
(size, modification time, inode, device), kept in the cache. A later run that expects a file
to hold a given text knows it does when the file still has that stamp, without reading it, as
git and make do: a file written by anyone since has another modification time, or another
inode when it was replaced.

A stamp is trusted only when the file's modification time lies well before the moment the
stamps were taken: a file written in the same clock tick as its stamp could be written again
without its time changing. How well before depends on the file system's clock: where the
files' times have digits below the millisecond (ext4, btrfs, xfs, tmpfs, APFS, NTFS: the
kernel's tick, at most 10 ms, is the step), ``FINE_RACY_NS``; where every time is a whole
millisecond or coarser (FAT's 2 s, ext3's and HFS+'s 1 s, exFAT's 10 ms), ``RACY_NS``. The
files a run writes in its last moments before stamping are therefore read once more by the
next run, which stamps them again. A missing, corrupt or foreign record trusts nothing.

What this cannot see: a file rewritten in place (same inode), to the same size, with its
modification time set back to the recorded nanosecond (``touch -d``, ``cp -p`` from a copy of
itself). Such a file is taken as unchanged, as git would take it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import Cache, digest

Stamp = tuple[int, int, int, int]  # size, mtime (ns), inode, device
RACY_NS = 2_000_000_000  # more than any file system's time granularity (FAT's is 2 s)
FINE_RACY_NS = 50_000_000  # five times the longest kernel tick (10 ms), for fine file times


def stamp_of(path: str) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


@dataclass(frozen=True)
class Stamps:
    """The record of one project folder: relative path -> (sha256, stamp), taken at
    ``taken_ns`` (wall clock, before the first stat); a stamp counts when its time is more
    than ``racy_ns`` before that (``margin``)."""

    folder: Path
    files: dict[str, tuple[str, Stamp]] = field(default_factory=dict)
    taken_ns: int = 0
    racy_ns: int = RACY_NS

    def holds(self, rel: str, sha: str) -> bool:
        """Whether the file ``rel`` is known to hold the text whose sha256 is ``sha``: it did
        when stamped, and it still has the stamp it had then."""
        entry = self.files.get(rel)
        if entry is None or entry[0] != sha:
            return False
        recorded = entry[1]
        if recorded[1] > self.taken_ns - self.racy_ns:
            return False
        return stamp_of(os.path.join(self.folder, rel)) == recorded


def _key(folder: Path) -> str:
    return digest("stamps", str(folder.resolve()))


def load(cache: Cache, folder: Path) -> Stamps:
    """The folder's record; an empty one (trusting nothing) when missing or malformed."""
    entry: Any = cache.get_json("stamps", _key(folder))
    try:
        taken = entry["taken_ns"]
        racy = entry.get("racy_ns", RACY_NS)
        files = {
            rel: (sha, (size, mtime, inode, device))
            for rel, (sha, size, mtime, inode, device) in entry["files"].items()
        }
    except (TypeError, KeyError, ValueError, AttributeError):
        return Stamps(folder)
    if (
        type(taken) is not int
        or racy not in (FINE_RACY_NS, RACY_NS)
        or not all(
            isinstance(sha, str) and all(type(n) is int for n in stamp)
            for sha, stamp in files.values()
        )
    ):
        return Stamps(folder)
    return Stamps(folder, files, taken, racy)


def margin(stamps: list[Stamp]) -> int:
    """How long before a record a file's time must lie for its stamp to count: the fine
    margin when the files are on one device and some time has digits below the millisecond
    (the file system keeps them, and its clock steps by a kernel tick), else the coarse one."""
    if len({stamp[3] for stamp in stamps}) != 1:
        return RACY_NS
    return FINE_RACY_NS if any(stamp[1] % 1_000_000 for stamp in stamps) else RACY_NS


def record(
    cache: Cache,
    folder: Path,
    hashes: dict[str, str],
    vouched: dict[str, tuple[str, Stamp]] | None = None,
) -> None:
    """Stamp every file of ``hashes`` (relative path -> sha256 of the text the run left
    there); a file that cannot be stat'ed is left out (the next run reads it). ``vouched``:
    entries of the previous record this run found true, kept as they are (a file changed
    since has another stamp than the one kept, as it would have than a new one)."""
    vouched = vouched or {}
    taken = time.time_ns()
    files: dict[str, list[Any]] = {}
    found: list[Stamp] = []
    for rel, sha in hashes.items():
        kept = vouched.get(rel)
        stamp = kept[1] if kept is not None and kept[0] == sha else None
        stamp = stamp or stamp_of(os.path.join(folder, rel))
        if stamp is not None:
            files[rel] = [sha, *stamp]
            found.append(stamp)
    racy = margin(found)
    cache.put_json("stamps", _key(folder), {"taken_ns": taken, "racy_ns": racy, "files": files})
