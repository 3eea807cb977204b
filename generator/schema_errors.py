"""Which error of a meta-schema's oneOf/anyOf cascade the user must fix, shared by the
OpenAPI 3.x and Swagger 2.0 validators."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .diagnostics import Pointer

if TYPE_CHECKING:  # only a rejected document's errors come here: jsonschema is loaded by then
    from jsonschema.exceptions import ValidationError

# A single-valued enum on one of these keys tells the variants of a oneOf apart (parameter
# locations, security scheme types, OAuth2 flows): failing it means "another variant", not
# "a wrong value". The rank orders them: a flow is only compared once the type matched.
_DISCRIMINATORS = {"in": 0, "type": 0, "flow": 1}


def most_specific(
    error: ValidationError, reference: Mapping[str, Any]
) -> ValidationError | tuple[Pointer, str]:
    """Walk down a oneOf/anyOf cascade to the error the user must fix.

    At each level the alternatives are grouped by branch. The JSON Reference alternative is
    kept only when the instance has a ``$ref``; branches that are another variant (they fail
    a discriminator) are dropped. When every branch is another variant, the discriminator's
    value itself is wrong: the allowed values of the closest variants are merged.
    """
    best = error
    while best.context:
        base: Pointer = tuple(best.absolute_path)
        branches: dict[Any, list[ValidationError]] = {}
        for sub in best.context:
            key = sub.relative_schema_path[0] if sub.relative_schema_path else None
            branches.setdefault(key, []).append(sub)
        groups = list(branches.values())
        has_ref = isinstance(best.instance, dict) and "$ref" in best.instance
        alternatives = best.validator_value if isinstance(best.validator_value, list) else []
        refs = [g for g in groups if _is_reference_branch(g, alternatives, reference)]
        others = [g for g in groups if not _is_reference_branch(g, alternatives, reference)]
        pool = (refs if has_ref else others) or groups
        ranks = [_miss_rank(g, base) for g in pool]
        viable = [g for g, rank in zip(pool, ranks) if rank is None]
        if not viable:
            top = max(rank for rank in ranks if rank is not None)
            enums = [e for g, r in zip(pool, ranks) if r == top for e in _misses(g, base, top)]
            values: list[Any] = []
            for e in enums:
                values += [v for v in e.validator_value if v not in values]
            first = enums[0]
            return tuple(first.absolute_path), f"{first.instance!r} is not one of {values!r}"
        branch = min(viable, key=len)
        best = max(
            branch,
            key=lambda e: (len(e.absolute_path), -len(e.schema_path), e.validator == "enum"),
        )
    return best


def _is_reference_branch(
    group: list[ValidationError], alternatives: list[Any], reference: Mapping[str, Any]
) -> bool:
    """Whether the branch is the JSON Reference alternative of a oneOf."""
    index = group[0].relative_schema_path[0] if group[0].relative_schema_path else None
    return isinstance(index, int) and index < len(alternatives) and alternatives[index] == reference


def _discriminator_rank(error: ValidationError, base: Pointer) -> int | None:
    path = tuple(error.absolute_path)
    if (
        error.validator == "enum"
        and isinstance(error.validator_value, list)
        and len(error.validator_value) == 1
        and len(path) == len(base) + 1
        and path[: len(base)] == base
        and path[-1] in _DISCRIMINATORS
    ):
        return _DISCRIMINATORS[str(path[-1])]
    return None


def _miss_rank(group: list[ValidationError], base: Pointer) -> int | None:
    """None if the branch is the instance's own variant, else how close a variant it is."""
    ranks: list[int] = []
    for e in group:
        rank = _discriminator_rank(e, base)
        if rank is not None:
            ranks.append(rank)
        elif e.validator in ("oneOf", "anyOf") and tuple(e.absolute_path) == base and e.context:
            nested: dict[Any, list[ValidationError]] = {}
            for sub in e.context:
                index = sub.relative_schema_path[0] if sub.relative_schema_path else None
                nested.setdefault(index, []).append(sub)
            inner = [_miss_rank(g, base) for g in nested.values()]
            if all(r is not None for r in inner):
                ranks.append(max(r for r in inner if r is not None))
    return min(ranks) if ranks else None


def _misses(group: list[ValidationError], base: Pointer, rank: int) -> list[ValidationError]:
    """The discriminator enum errors of rank ``rank`` in a branch (nested oneOfs included)."""
    found: list[ValidationError] = []
    for e in group:
        if _discriminator_rank(e, base) == rank:
            found.append(e)
        elif e.validator in ("oneOf", "anyOf") and tuple(e.absolute_path) == base and e.context:
            found += _misses(list(e.context), base, rank)
    return found
