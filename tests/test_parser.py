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


ODD_REFERENCES = """\
openapi: 3.0.3
info: {title: Odd, version: "1"}
paths:
  /companies/{companyId}:
    parameters:
      - {name: companyId, in: path, required: true, schema: {type: string}}
    get:
      operationId: getCompany
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/paths/~1companies~1%7BcompanyId%7D/get/responses/404/content/application~1json/schema"
        "404":
          description: missing
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
    post:
      operationId: touchCompany
      requestBody: {content: {}}
      responses:
        "204": {description: done}
components:
  schemas:
    Error:
      type: object
      properties:
        $ref: {type: string, description: a property that happens to be called $ref}
    Datum:
      type: object
      properties:
        values: {$ref: "#/components/schemas/DatumList"}
        parent:
          allOf:
            - $ref: "#/components/schemas/Datum"
            - description: only documents the member above
    DatumList:
      type: array
      items: {$ref: "#/components/schemas/Datum"}
"""


def test_references_real_specs_write(tmp_path: Path) -> None:
    """Percent-encoded pointers, a property named $ref, an empty body, recursion through an
    array alias and through allOf wrappers that only add a description."""
    spec = tmp_path / "odd.yaml"
    spec.write_text(ODD_REFERENCES)
    api = build(load(spec), "odd")
    models = {m.name: m for m in api.models}
    assert [f.wire_name for f in models["Error"].fields] == ["$ref"]
    datum = {f.name: f.type.annotation for f in models["Datum"].fields}
    assert datum == {"values": "list[Datum]", "parent": "Datum"}
    get, post = api.operations
    assert get.returns is not None and get.returns.name == "Error"
    assert post.body is None


NARROWING = """\
openapi: 3.0.3
info: {title: Narrowing, version: "1"}
paths: {}
components:
  schemas:
    Card:
      type: object
      properties:
        after_id: {type: integer, nullable: true}
        created_at:
          oneOf: [{type: integer}, {type: string, format: date-time}]
        note: {type: string}
    Moved:
      allOf:
        - $ref: "#/components/schemas/Card"
        - type: object
          properties:
            after_id: {type: number, nullable: true}
            created_at: {type: string, format: date-time}
            note: {type: string, maxLength: 10}
    Clash:
      allOf:
        - $ref: "#/components/schemas/Card"
        - type: object
          properties:
            note: {type: integer}
"""


def test_allof_members_narrowing_a_property_give_the_narrower_type(tmp_path: Path) -> None:
    spec = tmp_path / "narrowing.yaml"
    spec.write_text(NARROWING.split("    Clash:")[0])
    api = build(load(spec, spec.name), "narrowing")
    moved = next(m for m in api.models if m.name == "Moved")
    types = {f.wire_name: f.type.annotation for f in moved.fields}
    # integer within number (whichever member comes first); string within integer | string
    assert types == {"after_id": "int", "created_at": "datetime", "note": "str"}


def test_allof_members_that_truly_conflict_are_a_located_error(tmp_path: Path) -> None:
    from generator.diagnostics import SpecError

    spec = tmp_path / "narrowing.yaml"
    spec.write_text(NARROWING)
    try:
        build(load(spec, spec.name), "narrowing")
    except SpecError as exc:
        assert [d.message for d in exc.diagnostics] == [
            "allOf members disagree on the type of property 'note'"
        ]
        assert exc.diagnostics[0].pointer == "#/components/schemas/Clash/allOf/1/properties/note"
    else:
        raise AssertionError("a string/integer conflict was accepted")


def test_required_read_only_and_write_only_properties_are_optional_in_the_one_model(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "shapes.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: Shapes, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    User:\n      type: object\n"
        "      required: [id, name, password]\n      properties:\n"
        "        id: {type: string, readOnly: true}\n        name: {type: string}\n"
        "        password: {type: string, writeOnly: true}\n"
    )
    api = build(load(spec, spec.name), "shapes")
    user = next(m for m in api.models if m.name == "User")
    assert {f.wire_name: f.required for f in user.fields} == {
        "id": False,  # the server assigns it: a request need not carry it
        "name": True,
        "password": False,  # never in a response
    }


RECURSIVE_UNION = """\
openapi: 3.1.0
info: {title: Recursive, version: "1"}
paths: {}
components:
  schemas:
    Node:
      type: object
      required: [name]
      properties:
        name: {type: string}
        next:
          oneOf: [{$ref: "#/components/schemas/Node"}, {$ref: "#/components/schemas/Leaf"}]
    Leaf:
      type: object
      properties:
        value: {type: integer}
"""


def test_a_union_inside_its_own_variant_knows_that_variant_required_properties(
    tmp_path: Path,
) -> None:
    """``Node.next`` is Node or Leaf: the union is met while Node is being built, yet its Node
    alternative still requires ``name`` (else an object without it would be read as a Node)."""
    spec = tmp_path / "recursive.yaml"
    spec.write_text(RECURSIVE_UNION)
    api = build(load(spec), "recursive")
    (union,) = api.unions
    variants = {v.model: v for v in union.variants}
    assert variants["Node"].required == ("name",)
    assert dict(variants["Node"].kinds) == {"name": "string"}
    assert variants["Leaf"].required == () and dict(variants["Leaf"].kinds) == {"value": "integer"}


FACTS = """\
openapi: 3.1.0
info: {title: Facts, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: size, in: query, schema: {$ref: "#/components/schemas/Size"}}
        - {name: plain, in: query, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Size: {type: integer, minimum: 1, maximum: 100, default: 10, example: 5}
    Color: {type: string, enum: [red, blue]}
    Thing:
      type: object
      properties:
        plain: {type: string, description: no facts}
        size: {$ref: "#/components/schemas/Size"}
        resized: {$ref: "#/components/schemas/Size", default: 20, exclusiveMinimum: 0}
        small: {allOf: [{$ref: "#/components/schemas/Size"}], maximum: 9, readOnly: true}
        color:
          oneOf: [{$ref: "#/components/schemas/Color"}, {type: "null"}]
        colors: {type: array, items: {$ref: "#/components/schemas/Color"}}
        code:
          type: string
          pattern: "^[A-Z]+$"
          minLength: 2
          maxLength: 4
          format: x-code
          examples: [AB]
          deprecated: true
        home: {type: string, format: uri}
        link: {type: string, format: uri}
        text_one: {type: string, default: "1"}
        one: {type: integer, default: 1}
        yes: {type: boolean, default: true}
        zero: {type: number, default: 0.0}
        minus_zero: {type: number, default: -0.0}
"""


def test_documented_facts_of_schema_uses(tmp_path: Path) -> None:
    """Constraints come from a $ref's target with its sibling keys over them, from the member
    an allOf of one or a nullable union wraps, from an array's enum items; a schema without
    any has none. Whatever the builder reuses, equal values written differently stay apart."""
    from generator.model.ir import Constraints

    spec = tmp_path / "facts.yaml"
    spec.write_text(FACTS)
    api = build(load(spec, spec.name), "facts")
    thing = next(m for m in api.models if m.name == "Thing")
    facts = {f.wire_name: f.constraints for f in thing.fields}
    size = Constraints(default="10", minimum="1", maximum="100", example="5")
    colors = ('"red"', '"blue"')
    assert facts == {
        "plain": Constraints(),
        "size": size,
        "resized": Constraints(default="20", minimum="> 0", maximum="100", example="5"),
        "small": Constraints(default="10", minimum="1", maximum="9", example="5", read_only=True),
        "color": Constraints(enum_values=colors),
        "colors": Constraints(enum_values=colors),
        "code": Constraints(
            min_length=2,
            max_length=4,
            pattern="^[A-Z]+$",
            format="x-code",
            example='"AB"',
            deprecated=True,
        ),
        "home": Constraints(format="uri"),
        "link": Constraints(format="uri"),
        "text_one": Constraints(default='"1"'),
        "one": Constraints(default="1"),
        "yes": Constraints(default="true"),
        "zero": Constraints(default="0.0"),
        "minus_zero": Constraints(default="-0.0"),
    }
    parameters = {p.wire_name: p.constraints for p in api.operations[0].parameters}
    assert parameters == {"size": size, "plain": Constraints()}
