"""Output files remembered by exactly what their template saw, so that a run after a small
spec edit renders and formats only the files whose inputs changed.

A file's key is the digest of the generator's fingerprint (its code, templates, black's and
Jinja's versions), the layout option, the file's path, its template and its *context*: the
values the template was given, pickled. ``render`` gives each per-item template a narrow
context (``render.ApiFacts`` rather than the whole ``Api``, the models a page shows rather
than all of them), and a template sees nothing else: the filters and globals are pure
functions of their arguments, fixed by the fingerprint. What a context's callable reads (a
page's example code) is keyed as ``key_data``; what is worked out from the context alone (a
model module's imports) is ``derived`` after the key, only for a file that is rendered.
Equal keys therefore mean equal output; a key that differs for any reason is only a miss,
never a wrong file.

What is remembered: an index, per output folder, of key -> the sha256 of the file's final
text (laid out, examples filled in), stored in the content-addressed cache
(``generator.cache``) with the texts as blobs. A remembered file the project folder holds
(known by its stamp, ``generator.stamps``, else read and hashed) is not read into memory at
all, and the writer leaves it alone; otherwise it comes from its blob; when neither has it, it
is a miss and the file is rendered again.

A resource page is assembled from its operations' sections, each keyed the same way
(``recall_part``/``learn_part``; the index lists a page's section keys under ``parts <path>``):
an edit shown in one operation's section lays out only that section again, not the page.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, NamedTuple

from .cache import Cache, digest
from .model import ir
from .stamps import Stamps


def pickled(value: Any) -> bytes:
    """``value`` pickled. Equal bytes mean equal values: a memo reference in a pickle points
    back into the same stream. Equal values need not give equal bytes (one object met twice
    is written once, two equal ones twice), which can only make a key differ, a miss; the
    build makes its objects the same way for the same input, so keys are stable from run to
    run (``tests/test_memo.py``). Three times faster than fast mode, which writes every class
    and attribute name out again for each object."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class _Digest(NamedTuple):
    """Stands for a model, enum, union, operation or resource group in a key: its digest."""

    sha256: str


# Met in several files' contexts (a model in its module and its page, an operation in its
# resource module and page, a group in its parent's): digested once per run.
_SHARED = (ir.Model, ir.Enum, ir.Union, ir.Operation, ir.ResourceGroup)


def context_key(
    salt: str, path: str, template: str, context: dict[str, Any], digest_of: DigestOf
) -> str:
    """The key of one file: ``salt`` (fingerprint and options), where it goes, its template,
    and every value of its context, pickled; a shared value in it (``_SHARED``, at most a
    container deep) by its digest, which ``digest_of`` computes once per object and run."""
    parts = sorted((name, _shallow(value, digest_of)) for name, value in context.items())
    return digest(salt, path, template, pickled(parts))


DigestOf = Callable[[Any], str]


def _shallow(value: Any, digest_of: DigestOf) -> Any:
    if isinstance(value, dict):
        return {key: _part(item, digest_of) for key, item in value.items()}
    if isinstance(value, ir.ModelModule):
        return _by_field(value, digest_of)
    return _part(value, digest_of)


def _by_field(value: Any, digest_of: DigestOf) -> tuple[Any, ...]:
    """A dataclass as its class name and every field (a field added later is keyed too),
    the shared values in them by digest."""
    parts = ((f.name, _part(getattr(value, f.name), digest_of)) for f in fields(value))
    return (type(value).__name__, *parts)


def digest_form(value: Any, digest_of: DigestOf) -> Any:
    """What is pickled for a shared value's digest: a resource group by field, so that its
    operations and child groups count by their own digests (each pickled once per run)."""
    return _by_field(value, digest_of) if isinstance(value, ir.ResourceGroup) else value


def _part(value: Any, digest_of: DigestOf) -> Any:
    if isinstance(value, _SHARED):
        return _Digest(digest_of(value))
    if isinstance(value, tuple) and value and all(isinstance(v, _SHARED) for v in value):
        return tuple(_Digest(digest_of(v)) for v in value)
    return value


_PARTS = "parts "  # index entries "parts <path>": the keys of the file's parts, space-separated


class Recalled(NamedTuple):
    """A remembered file: the sha256 of its final text, and the text, or None when the
    project folder already holds it (then it is not read into memory, or not kept there)."""

    sha: str
    text: str | None


@dataclass
class Memo:
    """The remembered files of one project, and what this run adds to them.

    ``known``: key -> text sha256, from the previous run of the same spec; ``learned``: the
    same for every file of this run (the next run's index); ``shas``: path -> text sha256 of
    this run's files; ``stamps``: what the folder held after the last run, by file stamp."""

    cache: Cache
    folder: Path
    salt: str
    known: dict[str, str]
    stamps: Stamps
    learned: dict[str, str] = field(default_factory=dict)
    # id -> (object, digest of its pickle): the object kept, so that its id stays its own
    digests: dict[int, tuple[Any, str]] = field(default_factory=dict)
    shas: dict[str, str] = field(default_factory=dict)
    by_stamp: set[str] = field(default_factory=set)  # recalled files the stamps vouched for
    # path -> the keys of the parts its text was assembled from in this run
    parts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def fresh(self) -> bool:
        """Nothing is remembered: every file is made from scratch, as without a memo."""
        return not self.known

    def digest_of(self, value: Any) -> str:
        found = self.digests.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        sha = digest(pickled(digest_form(value, self.digest_of)))
        self.digests[id(value)] = (value, sha)
        return sha

    def recall(self, path: str, key: str) -> Recalled | None:
        """``path``'s final text if its key is known and the text can be found whole: in the
        project folder (by its stamp, else read and hashed), else in a blob."""
        sha = self.known.get(key)
        if sha is None:
            return None
        if self.stamps.holds(path, sha):
            found = Recalled(sha, None)
            self.by_stamp.add(path)
        else:
            raw, on_disk = self.cache.find(sha, os.path.join(self.folder, path))
            if raw is None:
                return None
            try:
                found = Recalled(sha, None if on_disk else raw.decode("utf-8"))
            except UnicodeDecodeError:
                return None
        self.learned[key] = sha
        self.shas[path] = sha
        self._keep_parts(path)
        return found

    def _keep_parts(self, path: str) -> None:
        """A file recalled whole: the parts it was assembled from stay indexed, for the run
        that has to assemble it again."""
        listed = self.known.get(_PARTS + path)
        if listed is None:
            return
        self.learned[_PARTS + path] = listed
        for key in listed.split():
            if key in self.known:
                self.learned[key] = self.known[key]

    def recall_part(self, path: str, key: str) -> str | None:
        """The final text of a part of the file ``path`` (an operation's section of its
        resource page), from its blob, if its key is known and the blob is whole."""
        self.parts.setdefault(path, []).append(key)
        sha = self.known.get(key)
        if sha is None:
            return None
        raw = self.cache.blob(sha)
        if raw is None:
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
        self.learned[key] = sha
        return text

    def learn_part(self, key: str, text: str) -> None:
        """A part rendered in this run (``recall_part`` missed): its final text stored as a
        blob, its key indexed."""
        self.learned[key] = self._stored(text)

    def learn(self, path: str, key: str, text: str) -> None:
        """A file rendered in this run: its text stored as a blob, its key indexed."""
        self.learned[key] = self.shas[path] = self._stored(text)

    def _stored(self, text: str) -> str:
        """``text`` as a blob (kept if there already); its sha256."""
        raw = text.encode("utf-8")
        sha = digest(raw)
        self.cache.put("blob", sha, raw, if_absent=True)
        return sha

    def outcome(self) -> Outcome:
        """What this run recalled and learned (the part a worker process sends back)."""
        self.index_parts()
        return Outcome(self.learned, self.shas, self.by_stamp)

    def index_parts(self) -> None:
        """Which parts each file assembled in this run was made of, into the index."""
        for path, keys in self.parts.items():
            self.learned[_PARTS + path] = " ".join(keys)

    def merge(self, outcome: Outcome) -> None:
        """What this memo's copy in a worker process recalled and learned."""
        self.learned.update(outcome.learned)
        self.shas.update(outcome.shas)
        self.by_stamp.update(outcome.by_stamp)


@dataclass(frozen=True)
class Outcome:
    learned: dict[str, str]
    shas: dict[str, str]
    by_stamp: set[str]


def from_scratch(memo: Memo | None) -> bool:
    """No file of the project is remembered (no memo, or an empty index): every file is laid
    out anew, as in a first run."""
    return memo is None or memo.fresh


def open_memo(
    cache: Cache | None, folder: Path, salt: str, index: str, stamps: Stamps
) -> Memo | None:
    """The memo of the project in ``folder``, its index read from the cache entry ``index``
    (a missing or corrupt index is empty); None without a cache (``--no-cache``)."""
    if cache is None:
        return None
    entry: Any = cache.get_json("memo", index)
    known = entry if isinstance(entry, dict) else {}
    known = {k: v for k, v in known.items() if isinstance(k, str) and isinstance(v, str)}
    return Memo(cache, folder, salt, known, stamps)


def save_memo(memo: Memo, index: str) -> None:
    """This run's keys become the index the next run of the spec starts from."""
    memo.index_parts()
    memo.cache.put_json("memo", index, memo.learned)
