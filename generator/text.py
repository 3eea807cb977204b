"""Text escaping for generated code and docs: spec text must stay inert wherever it lands."""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from typing import Any

from .model import ir


@functools.lru_cache(maxsize=1 << 16)  # the same wire names, again and again
def py_string(value: str) -> str:
    """A Python string literal for ``value``, quoted as black quotes it: double quotes, unless
    single quotes need fewer backslashes (a value with double quotes and no single ones)."""
    double = json.dumps(value, ensure_ascii=False)
    if '"' not in value or value.count('"') <= value.count("'"):
        return double
    single = double[1:-1].replace('\\"', '"').replace("'", "\\'")
    return f"'{single}'"


def py_tuple(values: list[str] | tuple[str, ...]) -> str:
    """A tuple literal of strings as black writes it (``("a",)`` for one)."""
    return _tuple([py_string(v) for v in values])


def py_tuples(values: list[list[str]] | tuple[tuple[str, ...], ...]) -> str:
    """A tuple of string tuples (security requirements) as black writes it."""
    return _tuple([py_tuple(v) for v in values])


def _tuple(items: list[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def py_literal(value: Any) -> str:
    """A Python literal for a JSON scalar (an enum value), as black writes it."""
    return py_string(value) if isinstance(value, str) else repr(value)


def _docstring_body(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    text = re.sub(
        r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text.replace("\r\n", "\n").replace("\r", "\n")
    )
    text = re.sub("[\x85\u2028\u2029]", " ", text)  # line breaks to black, not to us
    lines = [line.rstrip() for line in text.strip().split("\n")]
    return "\n".join(lines)


def _expand_leading_tabs(line: str) -> str:
    stripped = line.lstrip()
    if not stripped or stripped == line:
        return line
    return line[: len(line) - len(stripped)].expandtabs() + stripped


def docstring(text: str, indent: int = 4) -> str:
    """A triple-quoted docstring holding ``text`` literally, indented for its block."""
    body = _docstring_body(text) or "(No description.)"
    pad = " " * indent
    lines = body.split("\n")
    if len(lines) == 1:
        # a closing quote right after a quote would end the string early: black adds a space
        return f'"""{lines[0]} """' if lines[0].endswith('"') else f'"""{lines[0]}"""'
    # As black does: the continuation lines lose the indentation they all share.
    rest = [_expand_leading_tabs(line) for line in lines[1:]]
    margin = min((len(line) - len(line.lstrip()) for line in rest if line.strip()), default=0)
    lines[1:] = [line[margin:] for line in rest]
    indented = "\n".join(pad + line if line else "" for line in lines[1:])
    return f'"""{lines[0]}\n{indented}\n{pad}"""'


def model_docstring(model: ir.Model) -> str:
    parts = [model.description or f"The {model.wire_name} object."]
    if model.fields:
        rows = ["Attributes:"]
        for f in model.fields:
            summary = f.description.split("\n\n")[0].replace("\n", " ").strip()
            rows.append(
                f"    {f.name}: {summary}" if summary else f"    {f.name}: ``{f.wire_name}``."
            )
        parts.append("\n".join(rows))
    return docstring("\n\n".join(parts))


def model_module_docstring(module: ir.ModelModule, api: ir.Api) -> str:
    """The docstring of a module of the models package: what it defines, and where from to
    import it."""
    names = [f"``{name}``" for name in module.names]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    them = "it" if len(names) == 1 else "them"
    text = (
        f"{listed}, of the models of the {api.title}.\n\n"
        f"Import {them} from ``{api.package}.models``, which imports this module on first use."
    )
    return docstring(text, indent=0)


def union_docstring(union: ir.Union) -> str:
    how = (
        f"Chooses by the ``{union.discriminator}`` property"
        if union.discriminator
        else "Chooses, among the alternatives whose required properties are all present and "
        "whose properties' values are of the right JSON kind, the one that knows most of the "
        "object's properties (the first on a tie)"
    )
    text = (union.description + "\n\n" if union.description else "") + (
        f"{how}; an object matching no alternative is returned as a plain dict."
    )
    return docstring(text)


def enum_docstring(enum: ir.Enum) -> str:
    return docstring(enum.description or f"Values of {enum.wire_name}.")


# -- markdown ---------------------------------------------------------------------------------
#
# Spec text lands in three markdown contexts: a heading or inline label (md_inline), a table
# cell (md_cell) and a block of its own (md_block). Whatever the text holds, the page must keep
# its structure: no raw HTML (only <br>), no headings from spec text, no table row broken by a
# pipe or newline, no unclosed code fence, and no link that points nowhere (links to the
# vendor's own pages by fragment or relative path are reduced to their text).

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^\s<>]*>", re.IGNORECASE)
_INLINE_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\\]|\\.)*)\]\(\s*(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)"
    r"(\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"
)
_SAFE_SCHEME = re.compile(r"^(?:https?|mailto):", re.IGNORECASE)
_LINK_DEFINITION = re.compile(r"^( {0,3})\[(?=[^\]]*\]:)")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
# Block markers may follow list and block quote markers, at any indentation.
_CONTAINERS = r"^((?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*)"
_ATX = re.compile(_CONTAINERS + r"(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(_CONTAINERS + r"(=+|-+)[ \t]*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_BULLET = re.compile(r"^([ \t]*)[*+]([ \t]+)(?=\S)")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_LIST_START = re.compile(r"^ {0,3}(?:[-*+]|1[.)])[ \t]+\S")  # may interrupt a paragraph


_OPENER = re.compile(r"(?<![`\\])`+")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_BACKTICKS = re.compile(r"`+")


def _clean(value: Any) -> str:
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text.replace("\t", "    ")).strip()


def _code_spans(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into (is_code_span, piece) by CommonMark's code span rule: a run of n
    backticks up to the next run of exactly n. A run without a partner is plain text."""
    if "`" not in text:
        return [(False, text)] if text else []
    pieces: list[tuple[bool, str]] = []
    plain_from = pos = 0
    while True:
        opener = _OPENER.search(text, pos)
        if opener is None:
            break
        n = len(opener.group(0))
        closer = re.compile(rf"(?<!`)`{{{n}}}(?!`)").search(text, opener.end())
        if closer is None:
            pos = opener.end()
            continue
        pieces.append((False, text[plain_from : opener.start()]))
        pieces.append((True, text[opener.start() : closer.end()]))
        plain_from = pos = closer.end()
    pieces.append((False, text[plain_from:]))
    return [p for p in pieces if p[1]]


def _inert_html(text: str) -> str:
    """Every ``<`` made literal, except line breaks (kept as ``<br>``) and http(s)/mailto
    autolinks."""
    out = []
    pos = 0
    for m in re.finditer(r"<", text):
        if m.start() < pos:
            continue
        out.append(text[pos : m.start()])
        br = _BR.match(text, m.start())
        link = _AUTOLINK.match(text, m.start())
        if br:
            out.append("<br>")
            pos = br.end()
        elif link:
            out.append(link.group(0))
            pos = link.end()
        else:
            out.append("&lt;")
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _local_links(text: str) -> str:
    """Links whose target is not an absolute http(s) or mailto URL (the vendor's in-page
    anchors and relative pages, which do not exist here; ``javascript:``) become their text."""

    def replace(m: re.Match[str]) -> str:
        target = m.group(3).strip("<>")
        if _SAFE_SCHEME.match(target):
            return m.group(0)
        return m.group(2)

    return _INLINE_LINK.sub(replace, text)


def _inline(text: str, *, escape_pipes: bool) -> str:
    """Inline spec markdown made safe: HTML inert and local links reduced outside code spans,
    pipes escaped everywhere (GFM needs ``\\|`` inside code spans in tables too)."""
    out = []
    for paragraph in re.split(r"(\n[ \t]*\n)", text):
        for is_code, piece in _code_spans(paragraph):
            if not is_code:
                piece = _local_links(_inert_html(piece))
            if escape_pipes and "|" in piece:
                piece = _UNESCAPED_PIPE.sub(r"\\|", piece)
            out.append(piece)
    return "".join(out)


def md_inline(value: Any) -> str:
    """Plain text shown literally in markdown (no markup, no HTML, one line)."""
    text = " ".join(_clean(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_cell(value: Any) -> str:
    """Spec text inside a table cell: kept as the vendor's markdown where it is safe, on one
    line (paragraphs and list items separated by ``<br>``), pipes escaped, HTML inert."""
    return _md_cell(value if isinstance(value, str) else str(value))


@functools.lru_cache(maxsize=1 << 16)  # large specs repeat descriptions ("The account owner.")
def _md_cell(value: str) -> str:
    text = _inline(_clean(value), escape_pipes=True)
    text = _PARAGRAPH_BREAK.sub("<br><br>", text)
    text = _ITEM_BREAK.sub("<br>", text)
    return " ".join(text.split())


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_ITEM_BREAK = re.compile(r"\n[ \t]*(?=(?:[-*+]|\d{1,9}[.)])[ \t])")


def md_block(value: Any) -> str:
    """A description as a markdown block: the vendor's markdown kept, raw HTML inert, no
    headings (they would break the page's outline), code fences closed, local links reduced
    to their text. Layout is normalised where that does not change the rendering: blank lines
    around code fences and before lists, ``-`` bullets, a language on every fence."""
    lines = _clean(value).split("\n")
    out: list[str] = []
    chunk: list[str] = []
    fence: re.Pattern[str] | None = None
    fence_marker = ""

    def flush() -> None:
        previous = out[-1] if out else ""
        for line in _inline("\n".join(chunk), escape_pipes=False).split("\n") if chunk else []:
            line = _ATX.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
            line = _LINK_DEFINITION.sub(lambda m: m.group(1) + "\\[", line)
            if previous.strip():
                line = _SETEXT.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
            if not _THEMATIC_BREAK.match(line):
                line = _BULLET.sub(r"\1-\2", line)
            if _LIST_START.match(line) and previous.strip() and not _LIST_ITEM.match(previous):
                out.append("")  # a list may interrupt a paragraph: same rendering
            out.append(line)
            previous = line
        chunk.clear()

    for line in lines:
        if fence is not None:
            out.append(line)
            if fence.match(line):
                fence = None
                out.append("")
            continue
        m = _FENCE.match(line)
        if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
            flush()
            fence_marker = m.group(2)
            fence = re.compile(
                rf"^ {{0,3}}{re.escape(fence_marker[0])}{{{len(fence_marker)},}}[ \t]*$"
            )
            out += ["", line if m.group(3).strip() else line.rstrip() + "text"]
            continue
        chunk.append(line)
    flush()
    if fence is not None:
        out.append(fence_marker)  # an unclosed fence would swallow the rest of the page
    text = "\n".join(line.rstrip() for line in out)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def anchor(heading: str, previous: Any = ()) -> str:
    """GitHub's anchor for a heading's text: lower-case, punctuation dropped, spaces turned
    into hyphens; ``-1``, ``-2``... appended when one of the ``previous`` headings of the page
    (their texts, in order) already took it."""
    slugs = _Slugs()
    for text in previous:
        slugs.take(str(text))
    return slugs.peek(heading)


def operation_anchors(group: ir.ResourceGroup) -> dict[str, str]:
    """operation_id -> the anchor of its heading on the group's page, and
    ``"<operation_id> body"`` -> the anchor of its Request Body section, numbered as GitHub
    numbers repeated headings. Lists the headings resource.md.jinja writes, in the same order:
    keep the two in step."""
    slugs = _Slugs()
    slugs.take(group.title)
    slugs.take("Available Operations")
    found: dict[str, str] = {}
    for op in group.operations:
        found[op.operation_id] = slugs.take(op.method_name)
        slugs.take("Example Usage")
        slugs.take("Parameters")
        if op.body:
            found[op.operation_id + " body"] = slugs.take("Request Body")
        for heading in ("Response", "Errors", "Authorization"):
            slugs.take(heading)
    return found


class _Slugs:
    """The anchors a page's headings took so far (linear in the number of headings: the next
    number to try is remembered per slug)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.next_number: dict[str, int] = {}

    def peek(self, heading: str) -> str:
        slug = _slug(heading)
        if slug not in self.taken:
            return slug
        n = self.next_number.get(slug, 1)
        while f"{slug}-{n}" in self.taken:
            n += 1
        self.next_number[slug] = n
        return f"{slug}-{n}"

    def take(self, heading: str) -> str:
        slug = self.peek(heading)
        self.taken.add(slug)
        return slug


def _slug(heading: str) -> str:
    kept = [
        ch for ch in heading.strip().lower() if ch in "-_ " or unicodedata.category(ch)[0] in "LNM"
    ]
    return "".join(kept).replace(" ", "-")


def json_pretty(value: str | None) -> str:
    """JSON text indented for a ```json block (a ``` line cannot occur: strings are quoted)."""
    if value is None:
        return ""
    return json.dumps(json.loads(value), indent=2, ensure_ascii=False)


def operation_docstring(op: ir.Operation) -> str:
    """Summary, description, then Google-style Args / Returns / Raises sections."""
    parts = [op.summary or op.operation_id]
    if op.description and op.description != op.summary:
        parts.append(op.description)
    args = []
    for p in op.path_params:
        args.append(f"    {p.name}: {_one_line(p.description) or f'``{p.wire_name}`` (path).'}")
    if op.body is not None and op.body.argument:
        args.append(f"    body: {_one_line(op.body.description) or 'The request body.'}")
    for p in op.parameters:
        if p.location != "path":
            args.append(
                f"    {p.name}: {_one_line(p.description) or f'``{p.wire_name}`` ({_where(p)}).'}"
            )
    args.append("    timeout: Overrides the client's timeout for this call.")
    args.append("    retries: Overrides the client's retry policy for this call.")
    parts.append("Args:\n" + "\n".join(args))
    if op.returns is not None:
        parts.append(f"Returns:\n    {op.returns.display}")
    raises = [
        f"    {r.exception}: {r.status}{': ' + _one_line(r.description) if r.description else ''}"
        for r in op.errors
    ]
    if not any(r.exception == "ApiError" for r in op.errors):
        raises.append("    ApiError: any other non-2xx response.")
    raises.append("    TransportError: the request could not be sent or the response read.")
    parts.append("Raises:\n" + "\n".join(raises))
    return docstring("\n\n".join(parts), indent=8)


def _where(p: ir.Parameter) -> str:
    return "body field" if p.location == "body" else p.location


def _one_line(text: str) -> str:
    return " ".join(text.split("\n\n")[0].split())


def client_docstring(api: ir.Api, is_async: bool = False) -> str:
    lines = [f"{api.title} client{', for asyncio (methods are awaited)' if is_async else ''}."]
    if api.security:
        creds = []
        for scheme in api.security:
            for arg, env in zip(scheme.arguments, scheme.env_vars):
                creds.append(
                    f"    {arg}: {scheme.kind.replace('_', ' ')} credential ({scheme.name}); default: ${env}."
                )
        lines.append(
            "Args:\n"
            + "\n".join(creds)
            + f"\n    base_url: Server URL; default: ${api.env_prefix}_BASE_URL, else {api.base_url or 'none'}.\n"
            "    timeout: Seconds, or a Timeout(connect=..., read=...).\n"
            f"    retries: Retry policy; default: {_retries(api.retries)}.\n"
            "    transport: Sends the requests; default: the standard library's http.client."
        )
    return docstring("\n\n".join(lines))


def _retries(retries: ir.Retries) -> str:
    return (
        f"{retries.attempts} attempts, backoff {retries.initial_backoff} s (x{retries.multiplier}, "
        f"jitter {retries.jitter}) up to {retries.max_backoff} s"
    )


def md_code(value: Any, as_json: bool = False) -> str:
    """A complete code span for a table cell: fenced with more backticks than the text holds,
    pipes escaped (GFM unescapes them inside table cells), on one line. With ``as_json``, the
    value is shown as JSON first."""
    text = json.dumps(value, ensure_ascii=False) if as_json else str(value)
    text = " ".join(_clean(text).split())
    if "|" in text:
        text = _UNESCAPED_PIPE.sub(r"\\|", text)
    if not text:
        return "(empty)"
    if "`" not in text:
        return f"`{text}`"
    fence = "`" * (max(len(run) for run in _BACKTICKS.findall(text)) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def type_md(ref: ir.TypeRef | None, prefix: str) -> str:
    """A type for a docs table, with model and enum names linked to their pages."""
    if ref is None:
        return ""
    if ref.kind in ("model", "enum") and ref.name:
        suffix = " (enum)" if ref.kind == "enum" else ""
        return f"[{ref.name}]({prefix}{ref.name}.md){suffix}"
    if ref.kind == "list" and ref.item is not None:
        return f"list of {type_md(ref.item, prefix)}"
    if ref.kind == "map" and ref.item is not None:
        return f"map of string to {type_md(ref.item, prefix)}"
    if ref.kind in ("union", "oneof"):
        return " or ".join(type_md(m, prefix) for m in ref.members)
    return md_cell(ref.display)


ENUM_VALUES_INLINE = 25
"""Up to this many enum values are listed in a field's or parameter's row; a longer list is
cut there and the row points to the enum's own page, which lists every value."""


def _enum_page(ref: ir.TypeRef) -> str | None:
    while ref.kind in ("list", "map") and ref.item is not None:
        ref = ref.item
    return ref.name if ref.kind == "enum" else None


def _facts(c: ir.Constraints, ref: ir.TypeRef | None = None, prefix: str = "") -> list[str]:
    facts = []
    if c.format:
        facts.append(f"Format: {md_code(c.format)}.")
    if c.default is not None:
        facts.append(f"Default: {md_code(c.default)}.")
    if c.minimum is not None:
        facts.append(f"Minimum: {md_code(c.minimum)}.")
    if c.maximum is not None:
        facts.append(f"Maximum: {md_code(c.maximum)}.")
    if c.min_length is not None:
        facts.append(f"Min length: {c.min_length}.")
    if c.max_length is not None:
        facts.append(f"Max length: {c.max_length}.")
    if c.pattern:
        facts.append(f"Pattern: {md_code(c.pattern)}.")
    if c.enum_values:
        values = [md_code(v) for v in c.enum_values]
        page = _enum_page(ref) if ref is not None else None
        if len(values) > ENUM_VALUES_INLINE and page:
            shown = ", ".join(values[:ENUM_VALUES_INLINE])
            facts.append(
                f"Values ({len(values)}): {shown}, ... (all of them: [{page}]({prefix}{page}.md))."
            )
        else:
            facts.append("Values: " + ", ".join(values) + ".")
    if c.read_only:
        facts.append("Read-only.")
    if c.write_only:
        facts.append("Write-only.")
    if c.deprecated:
        facts.append("**Deprecated.**")
    if c.example is not None:
        example = c.example if len(c.example) <= 120 else c.example[:117] + "..."
        facts.append(f"Example: {md_code(example)}.")
    return facts


def param_md(p: ir.Parameter, prefix: str = "models/") -> str:
    """The description cell of a parameter: its text, then its schema's facts."""
    facts = _facts(p.constraints, p.type, prefix)
    return "<br>".join(x for x in [md_cell(p.description)] + facts if x)


def field_md(f: ir.Field, prefix: str = "") -> str:
    """The description cell of a model field: its text, then its schema's facts."""
    facts = _facts(f.constraints, f.type, prefix)
    return "<br>".join(x for x in [md_cell(f.description)] + facts if x)


def scheme_md(scheme: ir.SecurityScheme) -> str:
    """How a security scheme's credential is sent, for the README's table."""
    if scheme.kind == "api_key":
        return f"{md_cell(scheme.location or '')} {md_code(scheme.wire_name or '')}"
    if scheme.kind == "http_bearer":
        return "header `Authorization: Bearer ...`"
    if scheme.kind == "http_basic":
        return "header `Authorization: Basic ...`"
    url = scheme.token_url or ""
    shown = f"<{url}>" if _AUTOLINK.fullmatch(f"<{url}>") else md_code(url)
    return f"OAuth2 client credentials token from {shown}"


def security_md(op: ir.Operation, readme: str = "../README.md") -> str:
    """The credentials an operation needs, for its Authorization section."""
    if not op.security or any(not req for req in op.security):
        auth_params = [
            p
            for p in op.parameters
            if p.location == "header" and p.wire_name.lower() == "authorization"
        ]
        if auth_params:
            return (
                f"Passed per call in the `{auth_params[0].name}` parameter (the `Authorization`"
                " header); the client itself holds no credentials."
            )
        return (
            "None required."
            if not op.security
            else "Optional: the operation also works without credentials."
        )
    options = [" and ".join(f"`{name}`" for name in req) for req in op.security]
    return (
        "Requires "
        + " or ".join(options)
        + f" (see [Authentication]({readme}#authentication) for the matching `Client` arguments)."
    )
