"""Assembly of a site's organisation tree from flat rows, without database access."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .models import OrganizationUnit

T = TypeVar("T")


@dataclass
class UnitNode(Generic[T]):
    """One organisation unit with the items attached to it and its child units."""

    unit: OrganizationUnit
    items: list[T] = field(default_factory=list)
    children: list["UnitNode[T]"] = field(default_factory=list)


def build_unit_tree(units: Sequence[OrganizationUnit], items_by_unit: Mapping[int, Iterable[T]]) -> list[UnitNode[T]]:
    """Nest the units of one site under their parents and attach each unit's items.

    Units keep the order of ``units`` among their siblings. A unit whose parent is not in
    ``units`` becomes a root. Units caught in a parent cycle (which ``OrganizationUnit.clean``
    prevents, but a raw database edit could create) are shown as roots instead of being lost.
    """
    nodes = {unit.pk: UnitNode(unit, list(items_by_unit.get(unit.pk, ()))) for unit in units}
    children_of: dict[int | None, list[UnitNode[T]]] = defaultdict(list)
    for unit in units:
        parent_id = unit.parent_id if unit.parent_id in nodes else None
        children_of[parent_id].append(nodes[unit.pk])

    roots = list(children_of[None])
    attached: set[int] = set()
    pending = list(roots)
    while pending:
        node = pending.pop()
        attached.add(node.unit.pk)
        node.children = children_of[node.unit.pk]
        pending.extend(node.children)

    for unit in units:
        if unit.pk not in attached:
            # Break the cycle at this unit: it becomes a root and keeps its subtree.
            node = nodes[unit.pk]
            roots.append(node)
            pending = [node]
            while pending:
                current = pending.pop()
                attached.add(current.unit.pk)
                current.children = [child for child in children_of[current.unit.pk] if child.unit.pk not in attached]
                pending.extend(current.children)
    return roots
