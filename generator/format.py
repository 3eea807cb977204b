"""Stage 5, format: the generated Python exactly as black formats it, without running black on
most of it (black costs a fraction of a millisecond per line, more than every other stage
together on a large spec).

- A file is cut into top-level pieces (the imports, then each class or function with the
  statements after it); the pieces are joined again with the two blank lines black puts
  between top-level definitions, so the result is what black gives for the whole file
  (``tests/test_format.py`` checks this).
- The built-in templates write black's spacing; ``generator.layout.fit`` splits the lines that
  are too long as black keeps them. A piece it lays out is trusted; a fixed share of those
  (``verification_sample``) still goes to black, and one difference sends everything to black.
- What the layout cannot do, and every piece of user templates (``layout=False``), goes to
  black, through the content-addressed cache (``generator.cache``) and, when there is a lot of
  it, one process per core.
"""

from __future__ import annotations

import ast
import os
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, SpecError
from .layout import LINE_LENGTH, code_lines

if TYPE_CHECKING:
    from .cache import Cache

# Copied verbatim from generator/runtime/, which `make test` keeps black-clean: formatting it
# again per project would only cost time.
PREFORMATTED = ("/_runtime.py",)
PARALLEL_MIN_LINES = 20_000  # below this, starting worker processes costs more than it saves
# Of the pieces laid out without black, black checks those whose own hash puts them in a
# share of one in VERIFY_ONE_IN: the same piece is always in or always out (its check is cached
# like any black output, and an edit checks only a share of its new pieces), and the cost grows
# with the project as everything else does (a fixed budget, which a large project reaches and a
# small one does not, made the time per operation fall with size). Pieces longer than
# VERIFY_MAX_PIECE_LINES (a client class with every operation) are left out: they are made of
# what the shorter ones are made of. A project laid out from scratch has at least one piece
# checked (the lowest by hash): a small project too, and black's start-up is then a cost of
# every such run, not a step between sizes; a run after an edit checks only the share of what
# it lays out again. The tests hold every piece of the goldens to black.
VERIFY_ONE_IN = 128
VERIFY_MAX_PIECE_LINES = 400


def mode() -> Any:
    from black.mode import Mode, TargetVersion

    return Mode(line_length=LINE_LENGTH, target_versions={TargetVersion.PY310})


def format_files(
    files: dict[str, str],
    spec_display: str,
    cache: Cache | None = None,
    layout: bool = True,
    at_least_one: bool = True,
) -> dict[str, str]:
    """The same files with the Python ones formatted. A file black cannot parse is a bug in a
    template; it is reported against the spec being generated, never written. ``layout``: lay
    out what ``generator.layout`` can (the built-in templates write black's spacing); off, black
    formats every piece (templates a user overrides). ``at_least_one``: see
    ``verification_sample``."""
    paths = [p for p in files if p.endswith(".py") and not p.endswith(PREFORMATTED)]
    try:
        formatted = format_sources([files[p] for p in paths], cache, layout, at_least_one)
    except SyntaxError:
        problems = [
            Diagnostic(
                spec_display, 1, 1, f"internal error: generated {p} is not valid Python: {e}"
            )
            for p in paths
            for e in [_syntax_error(files[p])]
            if e is not None
        ]
        raise SpecError(problems) from None
    except Exception as exc:  # black's InvalidInput, from here or from a worker process
        message = f"internal error: black cannot format the generated code: {exc}"
        raise SpecError([Diagnostic(spec_display, 1, 1, message)]) from None
    return {**files, **dict(zip(paths, formatted))}


def format_sources(
    sources: list[str], cache: Cache | None = None, layout: bool = True, at_least_one: bool = True
) -> list[str]:
    """Each source black-formatted, through pieces (``split_top_level``) laid out without black
    where ``layout`` allows and ``generator.layout`` can, the others by black (cached): cut
    quickly first; if black refuses a piece (a cut fell inside a string), cut exactly. Raises
    SyntaxError when a source is not Python."""
    try:
        return _format_pieces(sources, cache, False, layout, at_least_one)
    except Exception:
        return _format_pieces(sources, cache, True, layout, at_least_one)


def _format_pieces(
    sources: list[str], cache: Cache | None, exact: bool, layout: bool, at_least_one: bool
) -> list[str]:
    """File by file (so that only one file's pieces are held at a time): each piece laid out by
    ``layout.fit`` when ``layout`` allows and it can, else by black (cached). A sample of the
    laid-out pieces (``verification_sample``) is run through black as well; if black changes
    any, nothing laid out is trusted and everything is formatted again by black alone."""
    from .layout import fit

    done: list[str | list[tuple[str, bool]]] = []  # a file's text, or its pieces (text, by black)
    for_black: dict[str, None] = {}
    laid_out: list[str] = []
    for source in sources:
        pieces: list[tuple[str, bool]] = []
        for piece in split_top_level(source, exact):
            text = fit(piece) if layout else None
            if text is None:
                for_black[piece] = None
                pieces.append((piece, True))
                continue
            text = text.strip("\n") + "\n"
            laid_out.append(text)
            pieces.append((text, False))
        if any(by_black for _, by_black in pieces):
            done.append(pieces)
        else:
            done.append("\n\n".join(text for text, _ in pieces))
    sample = verification_sample(laid_out, at_least_one)
    checked = format_chunks(sample, cache)
    if any(checked[text] != text for text in sample):
        return _format_pieces(sources, cache, exact, False, at_least_one)
    formatted = format_chunks(list(for_black), cache)
    return [
        (
            each
            if isinstance(each, str)
            else "\n\n".join(formatted[text] if by_black else text for text, by_black in each)
        )
        for each in done
    ]


def _rank(text: str) -> bytes:
    import hashlib

    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def _in_verification_share(text: str) -> bool:
    return _rank(text)[0] % VERIFY_ONE_IN == 0


def verification_sample(texts: list[str], at_least_one: bool = True) -> list[str]:
    """The texts black checks, of those no longer than ``VERIFY_MAX_PIECE_LINES``: the ones
    in the verification share, by their own hash, and with ``at_least_one`` the lowest by hash
    too; each once, in hash order (whatever order given). ``at_least_one`` is for a project laid
    out from scratch; a run that lays out again only the files an edit changed checks their
    share (black's start-up is then paid only when one of them is in it)."""
    short = [text for text in dict.fromkeys(texts) if text.count("\n") <= VERIFY_MAX_PIECE_LINES]
    if not short or not at_least_one:
        return sorted(filter(_in_verification_share, short), key=_rank)
    lowest = min(short, key=_rank)
    return sorted({lowest, *filter(_in_verification_share, short)}, key=_rank)


def _syntax_error(source: str) -> SyntaxError | None:
    try:
        ast.parse(source)
    except SyntaxError as exc:
        return exc
    return None


def split_top_level(source: str, exact: bool = False) -> list[str]:
    """``source`` cut before each top-level class or function (its decorators and the comment
    lines right above it included).

    By default a line at column 0 that starts a class, a function or a decorator is a cut:
    cheap, and right unless such a line lies inside a string, when a piece holds an
    unterminated string that black refuses (never a piece that formats: a cached piece did).
    ``exact`` cuts by the syntax tree instead (raises SyntaxError on invalid Python)."""
    lines = source.splitlines(keepends=True)
    starts = None if exact else _quick_starts(lines)
    return _cut(lines, _ast_starts(source) if starts is None else starts)


def _quick_starts(lines: list[str]) -> list[int] | None:
    """The lines at column 0 that start a class, a function or a decorator, outside docstrings
    (``layout.code_lines``); None when code and string lines cannot be told apart without a
    parser, for the exact cut to decide."""
    kinds = code_lines(lines)
    if kinds is None:
        return None
    return [
        i
        for i, (line, is_code) in enumerate(zip(lines, kinds))
        if is_code and line.startswith(_STARTS)
    ]


_STARTS = ("class ", "def ", "async def ", "@")


def _ast_starts(source: str) -> list[int]:
    tree = ast.parse(source)
    return [
        min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
        for node in tree.body
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
    ]


def _cut(lines: list[str], starts: list[int]) -> list[str]:
    """The lines cut before each start (decorator and comment lines right above a start go
    with it), empty pieces dropped."""
    bounds: list[int] = []
    for start in starts:
        while start > 0 and lines[start - 1].startswith(("#", "@")):
            start -= 1
        if start > 0 and (not bounds or start > bounds[-1]):
            bounds.append(start)
    edges = [0] + bounds + [len(lines)]
    chunks = ["".join(lines[a:b]) for a, b in zip(edges, edges[1:])]
    return [chunk for chunk in chunks if chunk.strip()]


def format_chunks(chunks: list[str], cache: Cache | None) -> dict[str, str]:
    """Chunk -> black's output for it, from the cache where possible."""
    from .cache import digest, dist_version

    black_key = digest(dist_version("black"), str(LINE_LENGTH), "py310")
    done: dict[str, str] = {}
    keys: dict[str, str] = {}
    for chunk in chunks:
        if chunk in done or chunk in keys:
            continue
        if cache is not None:
            key = digest(black_key, chunk)
            hit = cache.get("black", key)
            if hit is not None:
                done[chunk] = hit.decode("utf-8")
                continue
            keys[chunk] = key
        else:
            keys[chunk] = ""
    missing = list(keys)
    for chunk, result in zip(missing, _black_all(missing)):
        done[chunk] = result
        if cache is not None:
            cache.put("black", keys[chunk], result.encode("utf-8"))
    return done


def _black_all(chunks: list[str]) -> list[str]:
    lines = sum(chunk.count("\n") for chunk in chunks)
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if lines < PARALLEL_MIN_LINES or workers < 2:
        return [_black(chunk) for chunk in chunks]
    # imported only here: 0.01 s, which a run with nothing for black (an edit's) does not pay
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    size = max(1, len(chunks) // (workers * 8))
    batches = [chunks[i : i + size] for i in range(0, len(chunks), size)]
    # spawn: a worker starts small (black alone) instead of a copy of this process's IR.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        return [text for batch in pool.map(_black_batch, batches) for text in batch]


def _black_batch(chunks: list[str]) -> list[str]:
    return [_black(chunk) for chunk in chunks]


def _black(chunk: str) -> str:
    import black

    return black.format_str(chunk, mode=_mode())


_MODE: Any = None


def _mode() -> Any:
    global _MODE
    if _MODE is None:
        _MODE = mode()
    return _MODE
