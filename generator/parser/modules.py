"""Which module of the generated ``models`` package each model, enum and union goes to.

Using a model should import only the model and what it refers to, so each gets a module of its
own, except that classes referring to each other in a cycle (``Node`` -> ``Children`` ->
``Node``) share one: a module per strongly connected component of the "refers to" graph. An
inline type (a class hoisted from inside another schema) used by one module only joins that
module. A module then imports the modules of what it refers to at the top, and no two modules
import each other, directly or not.

A module is named after the first of its classes (a component schema's before an inline one),
in snake case (``naming.module_name``), distinct from the others and from every name the
package exports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..model import ir
from ..naming import NameSpace, module_name

# Names the models package's __init__ binds itself: a submodule must not replace them.
RESERVED_MODULE_NAMES = frozenset({"annotations", "importlib"})


def references(ref: ir.TypeRef | None) -> list[str]:
    """The models, enums and union functions a value of ``ref`` is built with (a list, not a
    generator: most of a large spec's 37,000 fields refer to nothing, and an empty list costs
    less than a generator run to its end)."""
    if ref is None:
        return []
    if ref.kind in ("model", "enum", "oneof") and ref.name:
        return [ref.name]
    if ref.kind in ("list", "map"):
        return references(ref.item)
    if ref.kind == "union":
        return [name for member in ref.members for name in references(member)]
    return []


def model_modules(
    models: Iterable[ir.Model],
    enums: Iterable[ir.Enum],
    unions: Iterable[ir.Union],
    components: Iterable[str],
) -> tuple[ir.ModelModule, ...]:
    """The modules of the models package; ``components`` are the names of the component
    schemas' types, in the spec's order (every other name is of an inline type)."""
    models, enums, unions = tuple(models), tuple(enums), tuple(unions)
    objects: dict[str, ir.Model | ir.Enum | ir.Union] = {m.name: m for m in models}
    objects.update({e.name: e for e in enums})
    objects.update({u.function: u for u in unions})
    edges = {name: _refers_to(item, objects) for name, item in objects.items()}
    # leaders first: components in the spec's order, then inline types in the IR's
    ordered = [name for name in dict.fromkeys(components) if name in objects]
    rank = {name: index for index, name in enumerate(dict.fromkeys([*ordered, *objects]))}

    groups = _grouped(_components(list(objects), edges), edges, set(objects) - set(ordered))
    groups.sort(key=lambda members: min(rank[name] for name in members))
    group_of = {name: number for number, members in enumerate(groups) for name in members}
    contents: list[tuple[list[ir.Model], list[ir.Enum], list[ir.Union]]] = [
        ([], [], []) for _ in groups
    ]  # each kind in the IR's order, bucketed in one pass
    for model in models:
        contents[group_of[model.name]][0].append(model)
    for enum in enums:
        contents[group_of[enum.name]][1].append(enum)
    for union in unions:
        contents[group_of[union.function]][2].append(union)
    taken = NameSpace(RESERVED_MODULE_NAMES | {u.function for u in unions})
    found: list[ir.ModelModule] = []
    for members, (in_models, in_enums, in_unions) in zip(groups, contents):
        leader = objects[min(members, key=rank.__getitem__)]
        base = module_name(
            leader.wire_name if isinstance(leader, ir.Union) else leader.name, "model"
        )
        found.append(
            ir.ModelModule(
                name=taken.claim(base),
                models=tuple(in_models),
                enums=tuple(in_enums),
                unions=tuple(in_unions),
            )
        )
    return tuple(found)


def _refers_to(item: ir.Model | ir.Enum | ir.Union, objects: Mapping[str, object]) -> list[str]:
    found: list[str] = []
    if isinstance(item, ir.Model):
        for field in item.fields:
            found += references(field.type)
        found += references(item.extra)
    elif isinstance(item, ir.Union):
        found += [variant.model for variant in item.variants]
        for other in item.others:
            found += references(other)
    return [name for name in dict.fromkeys(found) if name in objects]


def _components(nodes: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, without recursion (chains of models can be
    deeper than Python's stack): each comes after every component it refers to."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in nodes:
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges[node]
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if work:  # back in the caller: it inherits what this node reaches
                caller = work[-1][0]
                low[caller] = min(low[caller], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found


def _grouped(
    components: list[list[str]], edges: dict[str, list[str]], inline: set[str]
) -> list[set[str]]:
    """The components as modules: a component of inline types only, all of whose users are in
    one module, joins it. Users come before what they use, so theirs are known by then."""
    users: dict[str, set[str]] = {}
    for node, targets in edges.items():
        for target in targets:
            users.setdefault(target, set()).add(node)
    module_of: dict[str, int] = {}
    modules: list[set[str]] = []
    for component in reversed(components):
        members = set(component)
        outside = {module_of[u] for m in component for u in users.get(m, ()) if u not in members}
        if members <= inline and len(outside) == 1:
            (number,) = outside
        else:
            number = len(modules)
            modules.append(set())
        modules[number] |= members
        for member in members:
            module_of[member] = number
    return modules
