"""Building the IR from schemas that real specs write in unusual ways."""

from __future__ import annotations

from pathlib import Path

from generator.loader import load
from generator.parser.build import build

INNER_REFS = """\
openapi: 3.1.0
info: {title: Inner, version: "1"}
paths:
  /trees:
    get:
      operationId: getTree
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Tree/definitions/node"}
components:
  schemas:
    Tree:
      type: object
      properties:
        root: {$ref: "#/components/schemas/Tree/definitions/node"}
        size: {$ref: "#/components/schemas/Tree/properties/count"}
        count: {type: integer}
      definitions:
        node:
          type: object
          properties:
            children:
              type: array
              items: {$ref: "#/components/schemas/Tree/definitions/node"}
"""


def test_recursive_reference_into_a_schema_becomes_one_named_model(tmp_path: Path) -> None:
    spec = tmp_path / "inner.yaml"
    spec.write_text(INNER_REFS)
    api = build(load(spec), "inner")
    models = {m.name: m for m in api.models}
    assert set(models) == {"Tree", "TreeNode"}
    children = models["TreeNode"].fields[0]
    assert children.type.annotation == "list[TreeNode]"
    tree = {f.name: f.type.annotation for f in models["Tree"].fields}
    assert tree == {"root": "TreeNode", "size": "int", "count": "int"}
    assert api.operations[0].returns is not None
    assert api.operations[0].returns.name == "TreeNode"
