"""The generated markdown docs: runnable examples, working links, lint-clean, hostile-text safe.

* Every ```python block of every generated README.md and docs/**/*.md (generated/ and
  tests/golden/) runs, in a subprocess, against a Prism mock server of its spec, and exits 0
  without Prism logging a violation. The client finds the server through its
  ``<PREFIX>_BASE_URL`` environment variable, so the docs never carry a test-only base URL.
  A block whose fence reads ```python no-run is only compiled: templates/markdown/macros.md.jinja
  writes it for the one kind of example a mock server cannot serve, a call authenticated by
  OAuth2 client credentials whose token URL is absolute (the client fetches its token there).
* Every relative link and ``#anchor`` resolves (GitHub's heading slugs, duplicates ``-1``...).
* The docs pass pymarkdownlnt with the checked-in ``.pymarkdown`` config.
* The markdown filters of generator/text.py keep hostile spec text inert.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from generator import pipeline, text
from generator.model import ir
from tests.conftest import ROOT
from tests.docs_examples import (
    NO_RUN,
    CodeBlock,
    Project,
    anchors,
    code_blocks,
    github_slug,
    headings,
    links,
    outside_code,
    projects,
)
from tests.e2e.prism import PrismNotInstalledError, PrismServer, PrismStartError

PROJECTS = projects()
RUN_TIMEOUT = 60  # seconds per example; a healthy one takes well under one
LINT_CONFIG = ROOT / ".pymarkdown"


@pytest.fixture(scope="module")
def prism_servers() -> Iterator[dict[Path, PrismServer]]:
    """One Prism server per spec (keyed by spec path), all started at once (each takes a few
    seconds to come up) and stopped at the end of this module."""
    servers = {project.spec: PrismServer(project.spec) for project in PROJECTS}

    def start(server: PrismServer) -> str | None:
        try:
            server.start()
        except (PrismNotInstalledError, PrismStartError) as error:
            return str(error)
        return None

    try:
        with ThreadPoolExecutor(max_workers=len(servers) or 1) as pool:
            problems = [p for p in pool.map(start, servers.values()) if p]
        if problems:
            pytest.fail(problems[0], pytrace=False)
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def _python_blocks() -> list[tuple[Project, CodeBlock]]:
    found = []
    for project in PROJECTS:
        for path in project.markdown_files():
            found += [(project, b) for b in code_blocks(path) if b.language == "python"]
    return found


PYTHON_BLOCKS = _python_blocks()


def _block_id(case: tuple[Project, CodeBlock]) -> str:
    project, block = case
    return f"{block.path.relative_to(project.root.parent).as_posix()}:{block.line}"


def _clean_env(project: Project, base_url: str) -> dict[str, str]:
    """The example's whole environment: no credentials or base URL leak in from the caller."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(project.root),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        project.base_url_variable: base_url,
    }
    for name in ("SYSTEMROOT", "LANG", "LC_ALL", "TMPDIR"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _report(block: CodeBlock, what: str, detail: str) -> str:
    numbered = "\n".join(
        f"{block.line + 1 + i:5}  {line}" for i, line in enumerate(block.code.splitlines())
    )
    return f"{block}: the example {what}.\n--- block ---\n{numbered}\n--- {detail}"


# -- 1a: examples run --------------------------------------------------------------------------


def test_docs_have_python_examples() -> None:
    assert PROJECTS, "no generated projects found"
    for project in PROJECTS:
        manifest = json.loads((project.root / "clientgen.json").read_text(encoding="utf-8"))
        resource_blocks = [
            b for p, b in PYTHON_BLOCKS if p == project and b.path.parent == project.root / "docs"
        ]
        assert len(resource_blocks) >= len(manifest["operations"]), (
            f"{project.root}: {len(manifest['operations'])} operations but only "
            f"{len(resource_blocks)} python examples in docs/*.md"
        )


@pytest.mark.parametrize("case", PYTHON_BLOCKS, ids=[_block_id(c) for c in PYTHON_BLOCKS])
def test_python_example_runs(
    case: tuple[Project, CodeBlock], prism_servers: dict[Path, PrismServer], tmp_path: Path
) -> None:
    project, block = case
    unknown = set(block.flags) - {NO_RUN}
    assert not unknown, f"{block}: unknown fence flags {sorted(unknown)}"
    try:
        compile(block.code, str(block), "exec")
    except SyntaxError as error:
        pytest.fail(_report(block, "is not valid Python", repr(error)), pytrace=False)
    if NO_RUN in block.flags:
        assert "oauth2_client_id=" in block.code, f"{block}: no-run only for OAuth2 examples"
        return
    server = prism_servers[project.spec]
    mark = server.log_mark()
    try:
        done = subprocess.run(
            [sys.executable, "-c", block.code],
            env=_clean_env(project, server.base_url),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
    except subprocess.TimeoutExpired as error:
        pytest.fail(_report(block, f"ran over {RUN_TIMEOUT} s", str(error)), pytrace=False)
    if done.returncode != 0:
        pytest.fail(
            _report(block, f"exited {done.returncode}", f"stderr ---\n{done.stderr}"),
            pytrace=False,
        )
    try:
        server.assert_no_logged_violations(mark)
    except AssertionError as error:
        pytest.fail(_report(block, "made Prism log violations", str(error)), pytrace=False)


# -- 1b: links resolve -------------------------------------------------------------------------

MARKDOWN_FILES = [path for project in PROJECTS for path in project.markdown_files()]
_SAFE_SCHEMES = ("http:", "https:", "mailto:")


@pytest.mark.parametrize(
    "path", MARKDOWN_FILES, ids=[p.relative_to(ROOT).as_posix() for p in MARKDOWN_FILES]
)
def test_links_resolve(path: Path) -> None:
    problems = _link_problems(path)
    assert not problems, "\n".join(problems)


def _link_problems(path: Path) -> list[str]:
    problems = []
    for link in links(path):
        where = f"{path}:{link.line}: [{link.label}]({link.target})"
        if link.external:
            if not link.target.lower().startswith(_SAFE_SCHEMES):
                problems.append(f"{where}: only http(s) and mailto links may leave the docs")
            continue
        file_part, _, fragment = link.target.partition("#")
        target = (path.parent / file_part).resolve() if file_part else path
        if not target.is_file():
            problems.append(f"{where}: no such file {target}")
            continue
        if fragment and fragment not in anchors(target):
            problems.append(f"{where}: no heading with anchor #{fragment} in {target.name}")
    return problems


def test_every_page_is_linked() -> None:
    """Each docs page (resource, model, enum) is reachable by links from the README."""
    for project in PROJECTS:
        readme = project.root / "README.md"
        reached = {readme.resolve()}
        todo = [readme]
        while todo:
            page = todo.pop()
            for link in links(page):
                file_part = link.target.partition("#")[0]
                if link.external or not file_part.endswith(".md"):
                    continue
                target = (page.parent / file_part).resolve()
                if target.is_file() and target not in reached:
                    reached.add(target)
                    todo.append(target)
        orphans = [p for p in project.markdown_files() if p.resolve() not in reached]
        assert not orphans, f"pages no link leads to: {[str(p) for p in orphans]}"


def test_slugs_follow_github() -> None:
    assert github_slug("Available Operations") == "available-operations"
    assert github_slug("list_widgets") == "list_widgets"
    assert github_slug("Sales.Customers") == "salescustomers"
    assert github_slug("Größe & Gewicht (kg)") == "größe--gewicht-kg"
    assert text.anchor("Errors", ["Errors", "x", "Errors"]) == "errors-2"
    assert text.anchor("a", ["a", "a-1"]) == "a-2"
    for heading in ["Available Operations", "list_widgets", "Sales.Customers", "Größe & (kg)"]:
        assert text.anchor(heading) == github_slug(heading)


# -- 1c: lint ----------------------------------------------------------------------------------


def test_docs_pass_pymarkdown() -> None:
    """pymarkdownlnt with .pymarkdown (which says why each relaxed rule is relaxed); one
    process per project, side by side."""
    roots = sorted({str(p.root.relative_to(ROOT)) for p in PROJECTS})
    with ThreadPoolExecutor(max_workers=len(roots) or 1) as pool:
        problems = "".join(pool.map(lambda root: _pymarkdown([root]), roots))
    assert not problems, f"pymarkdown found problems:\n{problems}"


def _pymarkdown(paths: list[str]) -> str:
    """pymarkdownlnt's complaints about ``paths`` (recursively), or ""."""
    done = subprocess.run(
        [sys.executable, "-m", "pymarkdown", "--config", str(LINT_CONFIG), "--strict-config"]
        + ["scan", "--recurse"]
        + paths,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return "" if done.returncode == 0 else done.stdout + done.stderr


# -- 1d: hostile text --------------------------------------------------------------------------

HOSTILE = textwrap.dedent("""\
    Pipes | in | text, an escaped \\| pipe and a trailing backslash \\
    A `code | span` and ``double `tick` span`` and an unclosed ` tick.
    <script>alert("x")</script> <img src=x onerror=alert(1)> <!-- comment
    {{ jinja }} {% block %} ${shell}

    # A heading
      ## An indented heading
    - # heading in a list item
    Setext title
    ============
    Another
    ---
    [relative](other.md) [anchor](#endpoint-x) [js](javascript:alert(1)) [ok](https://example.com/a_(b))
    ![image](img.png) <https://example.com/auto> <javascript:alert(1)>
    [ref]: javascript:alert(1)
    Line one<br/>line two<br />line three

    ```python
    code <b>bold</b> stays raw
    # not a heading inside a fence
    """)  # the fence is left open on purpose


def _cells(row: str) -> list[str]:
    """A GFM table row cut into cells: a pipe preceded by a backslash does not cut."""
    assert row.startswith("|") and row.endswith("|"), row
    return re.split(r"(?<!\\)\|", row[1:-1])


def _html_tags(markdown: str) -> list[str]:
    """Raw HTML tags GitHub would see: ``<`` and a tag name, outside code spans (which pair
    within one paragraph, or one table row)."""
    span = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
    tags = []
    for paragraph in re.split(r"\n[ \t]*\n", markdown):
        rows = paragraph.split("\n") if paragraph.startswith("|") else [paragraph]
        for inline in rows:
            tags += re.findall(r"<(/?[A-Za-z][A-Za-z0-9-]*)(?=[\s/>])", span.sub("", inline))
    return tags  # not autolinks (<https://...>)


def _lint(markdown: str) -> list[str]:
    from pymarkdown.api import PyMarkdownApi

    api = PyMarkdownApi().configuration_file_path(str(LINT_CONFIG))
    result = api.scan_string(markdown)
    return [f"{f.line_number}: {f.rule_id} {f.rule_description}" for f in result.scan_failures]


def test_md_cell_keeps_a_table_row_whole() -> None:
    cell = text.md_cell(HOSTILE)
    row = f"| `x` | {cell} | {text.md_code('a|b`c')} |"
    assert "\n" not in row
    assert len(_cells(row)) == 3, row
    table = f"# Page\n\n| Field | Description | Example |\n| --- | --- | --- |\n{row}\n"
    assert _lint(table) == []


def test_md_cell_makes_html_inert() -> None:
    cell = text.md_cell(HOSTILE)
    assert set(_html_tags(cell)) <= {"br"}, _html_tags(cell)
    assert "<https://example.com/auto>" in cell  # autolinks stay
    assert "](javascript" not in cell and "<javascript" not in cell
    assert "](other.md)" not in cell and "](#endpoint-x)" not in cell  # vendor-local links
    assert "[ok](https://example.com/a_(b))" in cell
    assert "`code \\| span`" in cell  # pipes escaped inside code spans too
    assert "{{ jinja }}" in cell  # template syntax is plain text
    assert "Line one<br>line two<br>line three" in cell


def test_md_block_has_no_headings_html_or_open_fence() -> None:
    block = text.md_block(HOSTILE)
    page = f"# Page\n\n## op\n\n{block}\n\n### Example Usage\n\n```python\nprint(1)\n```\n"
    where = Path("hostile.md")
    assert [h[2] for h in headings(where, page)] == ["Page", "op", "Example Usage"]
    blocks = code_blocks(where, page)
    assert [b.language for b in blocks] == ["python", "python"]
    assert blocks[-1].code == "print(1)\n"  # the vendor's open fence was closed before it
    outside_fences = block.split("```python")[0]
    assert set(_html_tags(outside_fences)) <= {"br"}, _html_tags(outside_fences)
    assert "code <b>bold</b> stays raw" in block  # code is shown as written
    assert "\\# A heading" in block and "  \\## An indented heading" in block
    assert "- \\# heading in a list item" in block
    assert "\\============" in block and "\\---" in block  # no setext headings either
    assert "\\[ref]: javascript" in block  # no link reference definitions
    assert "](javascript" not in block and "](other.md)" not in block
    assert "{{ jinja }} {% block %}" in block
    assert _lint(page) == []


def test_md_inline_is_literal() -> None:
    assert text.md_inline("a | b\n# c <i>x</i> [l](u) `t` {{ y }}") == (
        "a \\| b \\# c \\<i\\>x\\</i\\> \\[l\\]\\(u\\) \\`t\\` \\{\\{ y \\}\\}"
    )


def test_md_code_fences_any_text() -> None:
    assert text.md_code("plain") == "`plain`"
    assert text.md_code("a`b") == "``a`b``"
    assert text.md_code("`edge`") == "`` `edge` ``"
    assert text.md_code("x|y\nz") == "`x\\|y z`"
    assert text.md_code("") == "(empty)"
    assert text.md_code("AED", as_json=True) == '`"AED"`'


def _field(description: str, values: tuple[str, ...] = ()) -> ir.Field:
    enum_ref = ir.TypeRef("enum", "Currency | str", "Currency (enum)", name="Currency")
    return ir.Field(
        name="currency",
        wire_name="currency",
        type=enum_ref,
        required=False,
        nullable=True,
        description=description,
        constraints=ir.Constraints(enum_values=values, example='"USD"'),
    )


def test_field_md_lists_enum_values() -> None:
    few = _field("Money.", ('"USD"', '"EUR"', "null"))
    assert text.field_md(few) == 'Money.<br>Values: `"USD"`, `"EUR"`, `null`.<br>Example: `"USD"`.'
    many = tuple(f'"C{i:03}"' for i in range(200))
    cell = text.field_md(_field("Money | more.\n\nSecond paragraph.", many), "models/")
    assert "Money \\| more.<br><br>Second paragraph." in cell
    assert 'Values (200): `"C000"`' in cell and "[Currency](models/Currency.md)" in cell
    assert "\n" not in cell


# -- 1d: hostile text through the templates ------------------------------------------------

EVIL = (
    "Pipes | and `code | span` <script>alert(1)</script> {{ jinja }} {% raw %}\n\n"
    "# Heading\nSetext\n===\n[rel](x.md) [frag](#nope) [js](javascript:alert(1))\n"
    "* star bullet\n```\nunclosed <b>fence</b>"
)


def _evil_spec() -> dict[str, object]:
    """A spec whose every free text is EVIL, with enum values, examples and names that need
    escaping, and operations named like the subsection headings of their page."""
    described = {"type": "string", "description": EVIL}
    thing = {
        "type": "object",
        "description": EVIL,
        "required": ["id"],
        "properties": {
            "id": {**described, "example": "a|b`c```"},
            "kind": {**described, "enum": ["a|b", "`x`", "<i>", "errors"]},
            "size": {"type": "integer", "minimum": 0, "maximum": 9, "default": 1},
        },
        "example": {"id": "a|b`c```", "kind": "a|b"},
    }
    returns_thing = {
        "description": EVIL,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
    }
    path_id = {"name": "id", "in": "path", "required": True, "schema": described}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Evil | API <b>x</b> # {{ t }}",
            "version": "1.0 | `x`",
            "description": EVIL,
        },
        "servers": [{"url": "https://api.example.com/v1", "description": EVIL}],
        "security": [{"key": []}],
        "components": {
            "securitySchemes": {
                "key": {"type": "apiKey", "in": "header", "name": "X-Key", "description": EVIL}
            },
            "schemas": {"Thing": thing},
        },
        "paths": {
            "/things/{id}": {
                "get": {
                    "operationId": "errors",
                    "summary": EVIL,
                    "description": EVIL,
                    "tags": ["Evil"],
                    "parameters": [
                        {**path_id, "description": EVIL, "example": "x|y"},
                        {
                            "name": "q|x",
                            "in": "query",
                            "description": EVIL,
                            "schema": {"type": "string", "enum": ["a|b", "c"]},
                        },
                    ],
                    "responses": {"200": returns_thing, "404": {"description": EVIL}},
                },
                "put": {
                    "operationId": "parameters",
                    "tags": ["Evil"],
                    "parameters": [path_id],
                    "requestBody": {
                        "required": True,
                        "description": EVIL,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    },
                    "responses": {"200": returns_thing},
                },
            }
        },
    }


def test_hostile_spec_text_keeps_the_docs_valid(tmp_path: Path) -> None:
    """EVIL in every description, through the real templates: the pages lint clean, links
    and anchors resolve, the only headings are the templates' own, and no raw HTML but <br>
    appears outside code."""
    spec = tmp_path / "evil.json"
    spec.write_text(json.dumps(_evil_spec()), encoding="utf-8")
    generated = pipeline.generate_project(spec, tmp_path / "out", None)
    pages = []
    for rel, content in generated.files.items():
        if rel.endswith(".md"):
            path = generated.folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            pages.append(path)
    assert len(pages) >= 4, sorted(generated.files)
    assert _pymarkdown([str(generated.folder)]) == ""
    problems = [problem for page in pages for problem in _link_problems(page)]
    assert not problems, "\n".join(problems)
    for page in pages:
        for _, _, heading in headings(page):
            assert "Heading" not in heading and "Setext" not in heading, (page, heading)
        for block in code_blocks(page):  # every fence is closed (or this raises)
            if block.language == "python":
                compile(block.code, str(block), "exec")
        outside = outside_code(page.read_text(encoding="utf-8"))
        assert set(_html_tags(outside)) <= {"br"}, (page, _html_tags(outside))
    errors_page = (generated.folder / "docs" / "evil.md").read_text(encoding="utf-8")
    assert "- [parameters](#parameters-1)" in errors_page  # numbered past "### Parameters"


def test_every_resource_page_has_a_file_of_its_own(tmp_path: Path) -> None:
    """A tag named ``client`` beside untagged operations, and a nested ``a.b`` beside a
    top-level ``a_b``, would share a page name: each gets its own, none is overwritten."""
    operations = {
        "/root": ("get", None),
        "/client": ("get", "client"),
        "/nested": ("get", "a.b"),
        "/flat": ("get", "a_b"),
    }
    paths = "".join(
        f"  {path}:\n    {method}:\n      operationId: op{index}\n"
        + (f"      tags: [{tag!r}]\n" if tag else "")
        + "      responses:\n        '204':\n          description: done\n"
        for index, (path, (method, tag)) in enumerate(operations.items())
    )
    spec = tmp_path / "pages.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo:\n  title: Pages\n  version: '1'\n"
        "servers:\n  - url: https://example.com\npaths:\n" + paths
    )
    project = pipeline.generate_project(spec, tmp_path / "out", None)
    pages = sorted(p for p in project.files if p.startswith("docs/") and p.count("/") == 1)
    assert pages == ["docs/a_b.md", "docs/a_b_2.md", "docs/client.md", "docs/client_.md"]
    for index in range(len(operations)):
        holding = [page for page in pages if f"\n## op{index}\n" in project.files[page]]
        assert len(holding) == 1, (index, holding)
        assert f"]({holding[0]}#op{index})" in project.files["README.md"]


def test_client_members_are_never_hidden_by_operations_or_groups(tmp_path: Path) -> None:
    """An untagged operation ``aclose`` and a tag ``close`` would replace the clients' own
    ``aclose()`` and ``close()``: they are renamed instead, and both still work."""
    spec = tmp_path / "members.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo:\n  title: Members\n  version: '1'\n"
        "servers:\n  - url: https://example.com\npaths:\n"
        "  /a:\n    get:\n      operationId: aclose\n"
        "      responses:\n        '204':\n          description: done\n"
        "  /b:\n    get:\n      operationId: list\n      tags: [close]\n"
        "      responses:\n        '204':\n          description: done\n"
    )
    project = pipeline.generate_project(spec, tmp_path / "out", None)
    manifest = json.loads(project.files["clientgen.json"])
    assert manifest["operations"] == {"aclose": "aclose_", "list": "close_.list"}
    client = project.files["members/client.py"]
    for member in ("def close(self)", "async def aclose(self)"):
        assert client.count(member) == 1, member
    out = tmp_path / "pkg"
    for rel, text in project.files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    code = (
        "import asyncio, members\n"
        "members.Client().close()\n"
        "assert callable(members.Client().close_.list)\n"
        "async def main():\n"
        "    async with members.AsyncClient() as client:\n"
        "        assert callable(client.aclose_)\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(out)!r})\n" + code],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
