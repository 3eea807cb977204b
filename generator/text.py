"""Text escaping for generated code and docs: spec text must stay inert wherever it lands."""

from __future__ import annotations

import json
import re
from typing import Any

from .model import ir


def py_string(value: str) -> str:
    """A Python string literal for ``value`` (always double-quoted, as black would write)."""
    return json.dumps(value, ensure_ascii=False)


def _docstring_body(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    text = re.sub(
        r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text.replace("\r\n", "\n").replace("\r", "\n")
    )
    lines = [line.rstrip() for line in text.strip().split("\n")]
    return "\n".join(lines)


def docstring(text: str, indent: int = 4) -> str:
    """A triple-quoted docstring holding ``text`` literally, indented for its block."""
    body = _docstring_body(text) or "(No description.)"
    if body.endswith('"'):
        body += " "
    pad = " " * indent
    lines = body.split("\n")
    if len(lines) == 1:
        return f'"""{lines[0]}"""'
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


def enum_docstring(enum: ir.Enum) -> str:
    return docstring(enum.description or f"Values of {enum.wire_name}.")


# -- markdown ---------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_inline(value: Any) -> str:
    """Plain text shown literally in markdown (no markup, no HTML, one line)."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_cell(value: Any) -> str:
    """Spec text inside a table cell: kept as the vendor's markdown where it is safe, with
    pipes escaped, newlines turned into <br>, and HTML neutralised."""
    text = str(value).strip().replace("\r\n", "\n")
    text = text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"\n\s*\n", "<br><br>", text)
    return " ".join(text.split()) if text else ""


def md_block(value: Any) -> str:
    """A description as a markdown block: the vendor's markdown kept, raw HTML neutralised,
    and headings demoted so they cannot break the page's outline."""
    text = str(value).strip().replace("\r\n", "\n")
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"^(#+)", lambda m: "\\" + m.group(1), text, flags=re.MULTILINE)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading."""
    slug = heading.strip().lower()
    slug = re.sub(r"[^\w\- ]", "", slug)
    return slug.replace(" ", "-")


def json_pretty(value: str | None) -> str:
    if value is None:
        return ""
    return json.dumps(json.loads(value), indent=2, ensure_ascii=False)


def operation_docstring(op: ir.Operation) -> str:
    """Summary, description, then Google-style Args / Returns / Raises sections."""
    parts = [op.summary or op.operation_id]
    if op.description and op.description != op.summary:
        parts.append(op.description)
    args = []
    if op.body is not None:
        args.append(f"    body: {_one_line(op.body.description) or 'The request body.'}")
    for p in op.parameters:
        args.append(
            f"    {p.name}: {_one_line(p.description) or f'``{p.wire_name}`` ({p.location}).'}"
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
    raises.append("    ApiError: any other non-2xx response.")
    raises.append("    TransportError: the request could not be sent or the response read.")
    parts.append("Raises:\n" + "\n".join(raises))
    return docstring("\n\n".join(parts), indent=8)


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
            "    retries: Retry policy; default: DEFAULT_RETRIES.\n"
            "    transport: Sends the requests; default: the standard library's http.client."
        )
    return docstring("\n\n".join(lines))


def md_code(value: Any) -> str:
    """Text for inside a `code span` in a table: backticks and pipes made harmless."""
    return " ".join(str(value).split()).replace("`", "'").replace("|", "\\|")


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
    if ref.kind == "union":
        return " or ".join(type_md(m, prefix) for m in ref.members)
    return md_cell(ref.display)


def _facts(c: ir.Constraints) -> list[str]:
    facts = []
    if c.format:
        facts.append(f"Format: `{md_code(c.format)}`.")
    if c.default is not None:
        facts.append(f"Default: `{md_code(c.default)}`.")
    if c.minimum is not None:
        facts.append(f"Minimum: `{md_code(c.minimum)}`.")
    if c.maximum is not None:
        facts.append(f"Maximum: `{md_code(c.maximum)}`.")
    if c.min_length is not None:
        facts.append(f"Min length: {c.min_length}.")
    if c.max_length is not None:
        facts.append(f"Max length: {c.max_length}.")
    if c.pattern:
        facts.append(f"Pattern: `{md_code(c.pattern)}`.")
    if c.enum_values:
        facts.append("Values: " + ", ".join(f"`{md_code(v)}`" for v in c.enum_values) + ".")
    if c.read_only:
        facts.append("Read-only.")
    if c.write_only:
        facts.append("Write-only.")
    if c.deprecated:
        facts.append("**Deprecated.**")
    if c.example is not None:
        example = c.example if len(c.example) <= 120 else c.example[:117] + "..."
        facts.append(f"Example: `{md_code(example)}`.")
    return facts


def param_md(p: ir.Parameter) -> str:
    return "<br>".join(x for x in [md_cell(p.description)] + _facts(p.constraints) if x)


def field_md(f: ir.Field) -> str:
    return "<br>".join(x for x in [md_cell(f.description)] + _facts(f.constraints) if x)


def scheme_md(scheme: ir.SecurityScheme) -> str:
    if scheme.kind == "api_key":
        return f"{scheme.location} `{md_code(scheme.wire_name or '')}`"
    if scheme.kind == "http_bearer":
        return "header `Authorization: Bearer ...`"
    if scheme.kind == "http_basic":
        return "header `Authorization: Basic ...`"
    return f"OAuth2 client credentials token from {md_cell(scheme.token_url or '')}"


def security_md(op: ir.Operation) -> str:
    if not op.security or any(not req for req in op.security):
        auth_params = [
            p
            for p in op.parameters
            if p.location == "header" and p.wire_name.lower() == "authorization"
        ]
        if auth_params:
            return f"Passed per call in the `{auth_params[0].name}` parameter (`Authorization` header)."
        return "None required." if not op.security else "Optional."
    options = [" and ".join(f"`{name}`" for name in req) for req in op.security]
    return "Requires " + " or ".join(options) + " (see the README's Authentication section)."
