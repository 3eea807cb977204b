"""A content-addressed cache: results keyed by the hash of everything they depend on.

Kinds of entry:
- a whole project (``project``): keyed by the spec's bytes, the generator's own code and
  templates (``fingerprint``), black's version and the options. A hit skips every stage; the
  entry lists the other files the spec read, each checked against its hash before use.
- a formatted chunk of Python (``black``): keyed by black's version, its mode and the text;
- the memo's index and blobs, the folders' stamps (``generator.memo``, ``generator.stamps``),
  and compiled templates (``jinja``: ``generator.render.CompiledTemplates``).

Entries are files named by their key under ``$CLIENTGEN_CACHE_DIR`` (default
``$XDG_CACHE_HOME/clientgen``, else ``~/.cache/clientgen``), written atomically, each ending in
the hash of its own content: a truncated, corrupt or foreign entry is ignored (a miss), never
trusted. Nothing here can make a run fail: an unwritable cache only makes it slower.

The cache stays under ``$CLIENTGEN_CACHE_MAX_MB`` megabytes (default 1024): at most once a
day, a run that finds it larger removes the entries used longest ago (an entry read is
touched) until it is three quarters of that. Removing any entry, or the whole folder, is
always safe: a missing entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from . import __version__

_CHECK = b"\nclientgen-cache-sha256:"
FORMAT_VERSION = "1"
KINDS = ("project", "memo", "stamps", "blob", "black", "jinja")
MAX_MB_DEFAULT = 1024
PRUNE_EVERY_SECONDS = 24 * 3600
STALE_TEMP_SECONDS = 3600  # a temporary file this old was left by a run that was killed


def digest(*parts: bytes | str) -> str:
    """sha256 of the parts, each length-prefixed (so ``("ab", "c")`` and ``("a", "bc")`` differ)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def default_dir() -> Path:
    configured = os.environ.get("CLIENTGEN_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clientgen"


def max_bytes() -> int:
    """The size the cache is kept under: ``$CLIENTGEN_CACHE_MAX_MB`` megabytes, else
    ``MAX_MB_DEFAULT``. Raises ValueError when the setting is not a whole number."""
    setting = os.environ.get("CLIENTGEN_CACHE_MAX_MB", "").strip()
    if not setting:
        return MAX_MB_DEFAULT << 20
    if not setting.isdigit():
        raise ValueError(
            f"CLIENTGEN_CACHE_MAX_MB={setting!r}: not a whole number of megabytes (0 or more)"
        )
    return int(setting) << 20


@dataclass(frozen=True)
class Cache:
    root: Path

    def get(self, kind: str, key: str) -> bytes | None:
        """The value stored under ``key``, or None when missing, unreadable or corrupt. An
        entry read is touched: ``prune`` removes the entries used longest ago."""
        path = self._path(kind, key)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        try:
            os.utime(path)
        except OSError:
            pass  # a read-only cache is still read
        value, sep, check = raw.rpartition(_CHECK)
        if not sep or check.decode("ascii", "replace") != hashlib.sha256(value).hexdigest():
            try:
                self._path(kind, key).unlink(missing_ok=True)  # so that a put can replace it
            except OSError:
                pass
            return None
        return value

    def put(self, kind: str, key: str, value: bytes, if_absent: bool = False) -> None:
        """Store ``value`` atomically (a reader sees the old entry or the new one, whole).
        With ``if_absent``, an entry already there is kept: for keys that name their content
        (a corrupt one is removed when read, so it is written again)."""
        path = self._path(kind, key)
        if if_absent and path.exists():
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(value + _CHECK + hashlib.sha256(value).hexdigest().encode("ascii"))
            os.replace(temp, path)
        except OSError:
            return

    def find(self, sha: str, path: str | Path) -> tuple[bytes | None, bool]:
        """The bytes whose digest is ``sha``: the file at ``path`` when it holds them (then
        True: the file is known to be unchanged), else the blob; None when neither has them."""
        raw = read_bytes(path)
        if raw is not None and digest(raw) == sha:
            return raw, True
        return self.blob(sha), False

    def blob(self, sha: str) -> bytes | None:
        """The stored bytes whose digest is ``sha``, if whole."""
        raw = self.get("blob", sha)
        return raw if raw is not None and digest(raw) == sha else None

    def get_json(self, kind: str, key: str) -> Any:
        raw = self.get(kind, key)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def put_json(self, kind: str, key: str, value: Any) -> None:
        self.put(kind, key, json.dumps(value, sort_keys=True).encode("utf-8"))

    def _path(self, kind: str, key: str) -> Path:
        return self.root / FORMAT_VERSION / kind / key[:2] / key[2:]

    def prune(self, limit: int, now: float | None = None) -> int:
        """Keep the cache under ``limit`` bytes; the bytes removed. At most once every
        ``PRUNE_EVERY_SECONDS`` (the time of ``pruned``, a marker file); when the entries take
        more than ``limit``, those used longest ago go until they take three quarters of it.
        Temporary files of killed runs go too. Only files named as this cache names them are
        ever removed (a cache folder set by mistake to another folder loses nothing else)."""
        now = time.time() if now is None else now
        marker = self.root / FORMAT_VERSION / "pruned"
        try:
            if now - marker.stat().st_mtime < PRUNE_EVERY_SECONDS:
                return 0
        except OSError:
            pass
        entries: list[tuple[float, int, str]] = []
        removed = 0
        for path, stat in self._entries():
            if os.path.basename(path).startswith(".tmp-"):
                if now - stat.st_mtime > STALE_TEMP_SECONDS:
                    removed += _remove(path, stat.st_size)
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        if total > limit:
            for _, size, path in sorted(entries):
                if total <= limit * 3 // 4:
                    break
                freed = _remove(path, size)
                total -= freed
                removed += freed
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
            os.utime(marker, (now, now))
        except OSError:
            pass
        return removed

    def _entries(self) -> Iterator[tuple[str, os.stat_result]]:
        """Every entry file (and temporary file) of this cache, with its stat."""
        for kind in KINDS:
            folder = os.path.join(self.root, FORMAT_VERSION, kind)
            for sub in _scan(folder):
                if not (sub.is_dir(follow_symlinks=False) and _is_hex(sub.name, 2)):
                    continue
                for entry in _scan(sub.path):
                    name = entry.name
                    if entry.is_file(follow_symlinks=False) and (
                        _is_hex(name, 62) or name.startswith(".tmp-")
                    ):
                        try:
                            yield entry.path, entry.stat(follow_symlinks=False)
                        except OSError:
                            continue


def _scan(folder: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:
        return []


def _is_hex(name: str, length: int) -> bool:
    return len(name) == length and all(c in "0123456789abcdef" for c in name)


def _remove(path: str, size: int) -> int:
    try:
        os.unlink(path)
    except OSError:
        return 0
    return size


def read_bytes(path: str | Path) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


@lru_cache(maxsize=None)
def dist_version(name: str) -> str:
    """An installed distribution's version, read off its ``.dist-info`` folder name (without
    importing the package or ``importlib.metadata``, which would cost more than a cache hit)."""
    from importlib.util import find_spec

    spec = find_spec(name)
    if spec is None or spec.origin is None:
        return "missing"
    site = Path(spec.origin).parent.parent
    found = sorted(site.glob(f"{name}-*.dist-info"))
    return found[-1].name if found else "unknown"


def fingerprint(templates: Path | None) -> str:
    """What generated output depends on besides the spec: clientgen's own code, its templates,
    black's and Jinja's versions, and the user's override folder, read again on every call (a
    long-lived process may see it change). Any change is a different key."""
    if templates is None:
        return _builtin_fingerprint()
    return digest(_builtin_fingerprint(), *_folder_parts(templates))


@lru_cache(maxsize=None)
def _builtin_fingerprint() -> str:
    here = Path(__file__).parent
    parts: list[bytes | str] = [__version__, dist_version("black"), dist_version("jinja2")]
    for folder in (here, here.parent / "templates"):
        parts += _folder_parts(folder)
    return digest(*parts)


def _folder_parts(folder: Path) -> list[bytes | str]:
    parts: list[bytes | str] = []
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".py", ".jinja", ".md") and "__pycache__" not in path.parts:
            parts.append(str(path.relative_to(folder)))
            parts.append(path.read_bytes())
    return parts
