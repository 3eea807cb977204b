"""A content-addressed cache: results keyed by the hash of everything they depend on.

Two kinds of entry:
- a whole project (``project``): keyed by the spec's bytes, the generator's own code and
  templates (``fingerprint``), black's version and the options. A hit skips every stage; the
  entry lists the other files the spec read, each checked against its hash before use.
- a formatted chunk of Python (``black``): keyed by black's version, its mode and the text.

Entries are files named by their key under ``$CLIENTGEN_CACHE_DIR`` (default
``$XDG_CACHE_HOME/clientgen``, else ``~/.cache/clientgen``), written atomically, each ending in
the hash of its own content: a truncated, corrupt or foreign entry is ignored (a miss), never
trusted. Nothing here can make a run fail: an unwritable cache only makes it slower.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__

_CHECK = b"\nclientgen-cache-sha256:"
FORMAT_VERSION = "1"


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


@dataclass(frozen=True)
class Cache:
    root: Path

    def get(self, kind: str, key: str) -> bytes | None:
        """The value stored under ``key``, or None when missing, unreadable or corrupt."""
        try:
            raw = self._path(kind, key).read_bytes()
        except OSError:
            return None
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
        raw = self.get("blob", sha)
        return (raw if raw is not None and digest(raw) == sha else None), False

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
