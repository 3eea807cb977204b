"""Reading the generated markdown docs back, for tests/test_docs.py.

A small, dependency-free reader of the CommonMark / GitHub-flavoured constructs the docs use:
fenced code blocks (with their info strings), headings and GitHub's anchors for them, and
inline links. It is deliberately strict about what it does not understand: the generated docs
are expected to stay within it.

Fence info strings the test honours (after the language word):

* ``no-run``: a Python block that is deliberately not executed (it is still compiled). Use it
  only for fragments that cannot run on their own; say why in the text next to the block.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import FIXTURE_SPECS, GENERATED, GOLDEN, SPECS

NO_RUN = "no-run"
"""Fence info word marking a Python block that the docs test compiles but does not run."""

_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")


@dataclass(frozen=True)
class Project:
    """One generated project and the spec it came from."""

    name: str  # folder name, e.g. "codat-lending"
    root: Path  # generated/<name> or tests/golden/<name>
    spec: Path

    @property
    def package(self) -> str:
        """The import package: the folder holding py.typed."""
        (marker,) = self.root.glob("*/py.typed")
        return marker.parent.name

    @property
    def base_url_variable(self) -> str:
        """The environment variable the generated Client reads its base URL from."""
        source = (self.root / self.package / "client.py").read_text(encoding="utf-8")
        pattern = r"""os\.environ\.get\(\s*["']([A-Z0-9_]+_BASE_URL)["']"""
        found: set[str] = set(re.findall(pattern, source))
        assert len(found) == 1, f"{self.root}: expected one *_BASE_URL variable, found {found}"
        return found.pop()

    def markdown_files(self) -> list[Path]:
        files = [self.root / "README.md"] if (self.root / "README.md").is_file() else []
        return files + sorted((self.root / "docs").rglob("*.md"))


def projects() -> list[Project]:
    """Every generated project with docs: the seed specs' and the fixture specs' goldens."""
    found = [Project(s.stem, GENERATED / s.stem, s) for s in SPECS]
    found += [Project(s.stem, GOLDEN / s.stem, s) for s in FIXTURE_SPECS]
    return [p for p in found if (p.root / "README.md").is_file()]


@dataclass(frozen=True)
class CodeBlock:
    path: Path
    line: int  # 1-based line of the opening fence
    language: str
    flags: tuple[str, ...]  # the rest of the info string, split on whitespace
    code: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


def code_blocks(path: Path, markdown: str | None = None) -> list[CodeBlock]:
    """The fenced code blocks of a markdown file (or of ``markdown``), in order. An unclosed
    fence is an error (CommonMark would run it to the end of the page, swallowing the rest)."""
    if markdown is None:
        markdown = path.read_text(encoding="utf-8")
    lines = markdown.split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if not m or (m.group(2)[0] == "`" and "`" in m.group(3)):
            i += 1
            continue
        indent, fence, info = len(m.group(1)), m.group(2), m.group(3).split()
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body = []
        j = i + 1
        while j < len(lines) and not closing.match(lines[j]):
            line = lines[j]
            strip = min(indent, len(line) - len(line.lstrip(" ")))
            body.append(line[strip:])
            j += 1
        if j == len(lines):
            raise AssertionError(f"{path}:{i + 1}: code fence {fence!r} is never closed")
        language = info[0] if info else ""
        code = "\n".join(body) + "\n" if body else ""
        blocks.append(CodeBlock(path, i + 1, language, tuple(info[1:]), code))
        i = j + 1
    return blocks


def outside_code(text: str) -> str:
    """``text`` with fenced code blocks blanked out (lines kept, so line numbers stay)."""
    lines = text.split("\n")
    out = []
    fence: re.Pattern[str] | None = None
    for line in lines:
        if fence is not None:
            out.append("")
            if fence.match(line):
                fence = None
            continue
        m = _FENCE_OPEN.match(line)
        if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
            marker = m.group(2)
            fence = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
            out.append("")
            continue
        out.append(line)
    return "\n".join(out)


# -- headings and anchors ------------------------------------------------------------------


def heading_text(raw: str) -> str:
    """The plain text of a heading's inline markdown (what GitHub slugs)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", raw)  # links and images: their label
    text = re.sub(r"(`+)(.+?)\1", r"\2", text)  # code spans: their content
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)  # backslash escapes
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    return text.replace("**", "").replace("__", "")


def github_slug(text: str) -> str:
    """GitHub's anchor for a heading's plain text, before duplicates are numbered
    (github-slugger: lower-case, punctuation and symbols removed, each space a hyphen)."""
    kept = []
    for ch in text.strip().lower():
        category = unicodedata.category(ch)
        if ch in "-_ " or category[0] in "LNM":
            kept.append(ch)
    return "".join(kept).replace(" ", "-")


def headings(path: Path, markdown: str | None = None) -> list[tuple[int, int, str]]:
    """(line, level, plain text) of every ATX heading outside code blocks. (The docs write no
    setext headings; md_block turns the spec's into text.)"""
    if markdown is None:
        markdown = path.read_text(encoding="utf-8")
    found = []
    for number, line in enumerate(outside_code(markdown).split("\n")):
        m = _ATX_HEADING.match(line)
        if m:
            found.append((number + 1, len(m.group(1)), heading_text(m.group(2) or "")))
    return found


def anchors(path: Path) -> list[str]:
    """Every anchor of a page, duplicates numbered ``-1``, ``-2``... as GitHub does."""
    seen: dict[str, int] = {}
    result = []
    for _, _, text in headings(path):
        base = slug = github_slug(text)
        while slug in seen:
            seen[base] += 1
            slug = f"{base}-{seen[base]}"
        seen.setdefault(slug, 0)
        result.append(slug)
    return result


# -- links ---------------------------------------------------------------------------------

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_LINK = re.compile(r"(!?)\[((?:[^\[\]\\]|\\.)*)\]\(\s*(<[^>\n]*>|[^\s()]*)(?:\s+\"[^\"]*\")?\s*\)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class Link:
    path: Path
    line: int
    label: str
    target: str

    @property
    def external(self) -> bool:
        return bool(_SCHEME.match(self.target))


def links(path: Path) -> list[Link]:
    """Inline links and images outside code blocks and code spans."""
    text = outside_code(path.read_text(encoding="utf-8"))
    text = _CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    found = []
    for m in _LINK.finditer(text):
        target = m.group(3)
        if target.startswith("<"):
            target = target[1:-1]
        line = text.count("\n", 0, m.start()) + 1
        found.append(Link(path, line, m.group(2), target))
    return found
