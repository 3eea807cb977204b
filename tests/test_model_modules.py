"""How the models are split into modules (``generator/parser/modules.py``): one per strongly
connected component of the "refers to" graph, inline classes with their only user, names
distinct and never an exported name, and no import cycle between the modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import pipeline
from generator.model import ir
from generator.naming import MODULE_NAME_LENGTH, module_name
from generator.parser.build import build
from generator.parser.modules import model_modules, references
from tests.conftest import FIXTURE_SPECS, SPECS

_NO_FACTS = ir.Constraints()


def ref(name: str, kind: str = "model") -> ir.TypeRef:
    return ir.TypeRef(kind, name, name, name=name)


def listed(item: ir.TypeRef) -> ir.TypeRef:
    return ir.TypeRef("list", f"list[{item.annotation}]", "list", item=item)


def model(name: str, *fields: ir.TypeRef) -> ir.Model:
    made = tuple(
        ir.Field(f"f{i}", f"f{i}", t, False, False, "", _NO_FACTS) for i, t in enumerate(fields)
    )
    return ir.Model(name, name, "", made, None, None)


def enum(name: str) -> ir.Enum:
    return ir.Enum(name, name, "", "str", (ir.EnumMember("A", "a", '"a"'),))


def union(function: str, hint: str, *variants: str) -> ir.Union:
    found = tuple(ir.Variant(v, (), ()) for v in variants)
    return ir.Union(function, hint, "", " | ".join(variants), None, found, ())


def layout(modules: tuple[ir.ModelModule, ...]) -> dict[str, tuple[str, ...]]:
    return {m.name: m.names for m in modules}


def test_a_cycle_shares_a_module_and_the_rest_get_one_each() -> None:
    models = [
        model("Node", listed(ref("Child"))),
        model("Child", ref("Node"), ref("Status", "enum")),
        model("Tree", ref("Node")),
    ]
    found = model_modules(models, [enum("Status")], [], ["Tree", "Node", "Child", "Status"])
    assert layout(found) == {
        "tree": ("Tree",),
        "node": ("Node", "Child"),  # named after its first component in the spec
        "status": ("Status",),
    }


def test_an_inline_class_joins_its_only_user_and_one_used_twice_keeps_its_own() -> None:
    models = [
        model("PetOwnerAddress"),  # inline: used by PetOwner only
        model("PetOwner", ref("PetOwnerAddress")),  # inline: used by Pet only
        model("Pet", ref("PetOwner"), ref("PetColor", "enum"), ref("Shared")),
        model("Shared"),  # inline, but used by Pet and Shop
        model("Shop", ref("Shared")),
        model("ListPetsResponse", listed(ref("Pet"))),  # inline, used by no model
    ]
    found = model_modules(models, [enum("PetColor")], [], ["Pet", "Shop"])
    assert layout(found) == {
        "pet": ("PetColor", "PetOwnerAddress", "PetOwner", "Pet"),
        "shop": ("Shop",),
        "shared": ("Shared",),
        "list_pets_response": ("ListPetsResponse",),
    }


def test_a_union_module_is_named_after_the_union_never_after_an_exported_name() -> None:
    models = [model("Cat"), model("Dog"), model("ParsePet")]
    unions = [union("parse_pet", "Pet", "Cat", "Dog"), union("parse_herd", "ParseHerd", "Dog")]
    found = model_modules(models, [], unions, ["parse_pet", "Cat", "Dog", "ParsePet", "parse_herd"])
    # a module named like the union's function would hide it: "parse_pet" becomes "parse_pet_"
    assert layout(found) == {
        "pet": ("parse_pet",),
        "cat": ("Cat",),
        "dog": ("Dog",),
        "parse_pet_": ("ParsePet",),
        "parse_herd_": ("parse_herd",),
    }


def test_module_names_reserved_by_the_package_are_renamed() -> None:
    found = model_modules([model("Importlib"), model("Annotations")], [], [], [])
    assert [m.name for m in found] == ["importlib_", "annotations_"]


def test_a_long_name_is_cut_at_a_word_boundary_and_stays_distinct() -> None:
    long = "CodeSecurityCreateConfigurationForEnterpriseRequestDependencyGraphAutosubmitOptions"
    found = model_modules([model(long + "A"), model(long + "B")], [], [], [])
    first, second = (m.name for m in found)
    assert len(first) <= MODULE_NAME_LENGTH and first == module_name(long)
    assert first.startswith("code_security_create_configuration") and not first.endswith("_")
    assert second == first + "_2"


def _api(spec: Path) -> ir.Api:
    return build(pipeline._load(spec), spec.stem)


@pytest.mark.parametrize("spec", SPECS + FIXTURE_SPECS, ids=lambda s: s.stem)
def test_every_class_has_one_module_and_modules_never_import_in_a_cycle(spec: Path) -> None:
    api = _api(spec)
    names = [name for module in api.model_modules for name in module.names]
    exported = [m.name for m in api.models] + [e.name for e in api.enums]
    assert sorted(names) == sorted(exported + [u.function for u in api.unions])
    assert len({m.name for m in api.model_modules}) == len(api.model_modules)
    imports: dict[str, set[str]] = {}
    for module in api.model_modules:
        refs: list[ir.TypeRef | None] = []
        for item in module.models:
            refs += [f.type for f in item.fields] + [item.extra]
        used = {n for r in refs for n in references(r)}
        used |= {v.model for u in module.unions for v in u.variants}
        used |= {n for u in module.unions for o in u.others for n in references(o)}
        imports[module.name] = {api.module_of[n] for n in used} - {module.name}
    done: set[str] = set()
    while len(done) < len(imports):  # a module whose imports are all done, until none is left
        ready = [m for m in imports if m not in done and imports[m] <= done]
        assert ready, f"import cycle among {sorted(set(imports) - done)}"
        done.update(ready)
