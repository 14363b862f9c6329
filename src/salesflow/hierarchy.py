"""The forecast hierarchy: who rolls up to whom (reps → managers → regions → the company).

Salesforce rolls forecasts up the role or territory hierarchy, HubSpot up
teams; Maven's ``sales_teams.csv`` is an agent → manager → regional office
tree. A :class:`Hierarchy` is any such tree (or forest): every node has at
most one parent, no node is its own ancestor, and every parent named is a
node of the tree. It is checked whole when built — a cycle, an orphan (a
parent that is not in the tree) or a node given two parents is refused by
name, with the rows that say so — and then answers the questions a rollup
asks.

>>> teams = Hierarchy.from_levels(
...     [
...         {"rep": "Ann", "manager": "Dora", "office": "East"},
...         {"rep": "Bob", "manager": "Dora", "office": "East"},
...         {"rep": "Cy", "manager": "Eve", "office": "West"},
...     ],
...     levels=("rep", "manager", "office"),
... )
>>> teams.ancestors("Ann")
('Dora', 'East')
>>> teams.leaves("East")
('Ann', 'Bob')
>>> [("  " * depth) + node for node, depth in teams.walk()]
['East', '  Dora', '    Ann', '    Bob', 'West', '  Eve', '    Cy']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

import attrs

from salesflow.errors import Problem, ValidationError, shorten

__all__ = ["Hierarchy"]


def _name(value: object, path: str, problems: list[Problem]) -> str | None:
    """A node's name: a non-empty string (numbers are read as their text), or ``None`` for none."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        problems.append(Problem(f"expected a name, got {shorten(value)}", path))
        return None
    text = str(value).strip()
    return text or None


def _as_dict(value: Mapping[str, str | None]) -> dict[str, str | None]:
    return dict(value)


def _as_names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(repr=False, eq=True)
class Hierarchy:
    """A tree (or forest) of forecast nodes: each node's parent, ``None`` for a top node.

    Build one with :meth:`from_pairs` (child, parent rows, as Salesforce's
    ``UserRole.ParentRoleId`` gives them) or :meth:`from_levels` (one row per
    leaf with its whole path, as Maven's ``sales_teams.csv``); both check the
    whole tree and refuse cycles, orphans and nodes with two parents by name.

    Attributes:
        parents: Every node and its parent (``None`` at the top).
        levels: What each depth is called, top first (``("office", "manager",
            "rep")``), when the tree was built from levels; empty otherwise.
    """

    parents: Mapping[str, str | None] = attrs.field(converter=_as_dict)
    levels: tuple[str, ...] = attrs.field(default=(), converter=_as_names)
    _children: Mapping[str, tuple[str, ...]] = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        problems = _tree_problems(self.parents)
        if problems:
            raise ValidationError(problems, subject="hierarchy")
        children: dict[str, list[str]] = {node: [] for node in self.parents}
        for node, parent in self.parents.items():
            if parent is not None:
                children[parent].append(node)
        object.__setattr__(self, "_children", {k: tuple(sorted(v)) for k, v in children.items()})

    @classmethod
    def from_pairs(
        cls, pairs: Iterable[tuple[object, object]] | Mapping[str, str | None]
    ) -> Hierarchy:
        """A tree from (node, parent) pairs; a top node's parent is ``None`` or empty.

        Every parent must itself be listed as a node (an orphan is refused); a
        node listed twice with different parents is refused naming both rows.

        >>> Hierarchy.from_pairs([("ann", "dora"), ("dora", None)]).children("dora")
        ('ann',)
        >>> Hierarchy.from_pairs([("ann", "dora")])
        Traceback (most recent call last):
        ...
        salesflow.errors.ValidationError: invalid hierarchy: 1 problem
          - 'ann' reports to 'dora', which is not in the tree (an orphan) @ $[0].parent
        """
        rows = list(pairs.items()) if isinstance(pairs, Mapping) else list(pairs)
        problems: list[Problem] = []
        parents: dict[str, str | None] = {}
        where: dict[str, int] = {}
        for i, row in enumerate(rows):
            if not isinstance(row, (tuple, list)) or len(row) != 2:
                problems.append(Problem(f"expected (node, parent), got {shorten(row)}", f"$[{i}]"))
                continue
            node = _name(row[0], f"$[{i}].node", problems)
            parent = _name(row[1], f"$[{i}].parent", problems)
            if node is None:
                if row[0] is None or not str(row[0]).strip():
                    problems.append(Problem("a node needs a name", f"$[{i}].node"))
                continue
            if node in parents and parents[node] != parent:
                problems.append(
                    Problem(
                        f"{node!r} reports to {parent!r} here and to {parents[node]!r} "
                        f"in row {where[node]}",
                        f"$[{i}].parent",
                    )
                )
                continue
            parents[node] = parent
            where.setdefault(node, i)
        for node, parent in parents.items():
            if parent is not None and parent not in parents:
                problems.append(
                    Problem(
                        f"{node!r} reports to {parent!r}, which is not in the tree (an orphan)",
                        f"$[{where[node]}].parent",
                    )
                )
        if problems:
            raise ValidationError(problems, subject="hierarchy")
        return cls(parents)

    @classmethod
    def from_levels(
        cls,
        rows: Iterable[Mapping[str, object]],
        levels: Sequence[str],
        *,
        top: str | None = None,
    ) -> Hierarchy:
        """A tree from rows that each name a leaf and its whole path up, lowest level first.

        ``levels`` are the row's keys from the leaf up (Maven: ``("sales_agent",
        "manager", "regional_office")``). An empty upper level ends the path
        there (the node above it is a top node). ``top`` adds one node above
        every top node (``"Company"``). A node reached by two different paths
        is refused naming both rows.

        >>> t = Hierarchy.from_levels([{"rep": "a", "team": "t1"}], ("rep", "team"), top="All")
        >>> t.ancestors("a"), t.levels
        (('t1', 'All'), ('top', 'team', 'rep'))
        """
        names = list(levels)
        problems: list[Problem] = []
        if not names or any(not isinstance(n, str) or not n for n in names):
            raise ValidationError(
                [Problem(f"expected level names, got {shorten(levels)}", "$.levels")],
                subject="hierarchy",
            )
        if len(set(names)) != len(names):
            raise ValidationError(
                [Problem(f"a level is named twice in {names}", "$.levels")], subject="hierarchy"
            )
        parents: dict[str, str | None] = {}
        where: dict[str, int] = {}
        level_of: dict[str, str] = {}
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                problems.append(Problem(f"expected a row, got {shorten(row)}", f"$[{i}]"))
                continue
            missing = [n for n in names if n not in row]
            if missing:
                problems.append(Problem(f"no {', '.join(missing)} column", f"$[{i}]"))
                continue
            path = [_name(row[n], f"$[{i}].{n}", problems) for n in names]
            if path[0] is None:
                problems.append(Problem("a row needs a leaf", f"$[{i}].{names[0]}"))
                continue
            chain = [p for p in path if p is not None]
            if len(chain) != len([p for p in path[: len(chain)] if p is not None]):
                problems.append(Problem("a level is empty below a named one", f"$[{i}]"))
                continue
            for depth, node in enumerate(chain):
                parent = chain[depth + 1] if depth + 1 < len(chain) else top
                level = names[depth]
                if node in level_of and level_of[node] != level:
                    problems.append(
                        Problem(
                            f"{node!r} is a {level} here and a {level_of[node]} in row "
                            f"{where[node]}",
                            f"$[{i}].{level}",
                        )
                    )
                    break
                if node in parents and parents[node] != parent:
                    problems.append(
                        Problem(
                            f"{node!r} reports to {parent!r} here and to {parents[node]!r} "
                            f"in row {where[node]}",
                            f"$[{i}].{level}",
                        )
                    )
                    break
                parents[node] = parent
                level_of[node] = level
                where.setdefault(node, i)
        if top is not None:
            if top in parents:
                problems.append(Problem(f"the top node {top!r} is also a row's node", "$.top"))
            parents[top] = None
        if problems:
            raise ValidationError(problems, subject="hierarchy")
        named = ("top", *reversed(names)) if top is not None else tuple(reversed(names))
        return cls(parents, levels=named)

    # -- questions -------------------------------------------------------------

    def __contains__(self, node: object) -> bool:
        return node in self.parents

    def __len__(self) -> int:
        return len(self.parents)

    def __iter__(self) -> Iterator[str]:
        return (node for node, _ in self.walk())

    def _known(self, node: str) -> None:
        if node not in self.parents:
            raise ValidationError(
                [Problem(f"{node!r} is not in the tree", "$.node")], subject="hierarchy"
            )

    @property
    def roots(self) -> tuple[str, ...]:
        """The top nodes, sorted."""
        return tuple(sorted(n for n, p in self.parents.items() if p is None))

    def parent(self, node: str) -> str | None:
        """The node's parent (``None`` at the top)."""
        self._known(node)
        return self.parents[node]

    def children(self, node: str) -> tuple[str, ...]:
        """The nodes reporting directly to ``node``, sorted."""
        self._known(node)
        return self._children[node]

    def ancestors(self, node: str) -> tuple[str, ...]:
        """The node's parent, its parent's parent … up to the top."""
        self._known(node)
        chain: list[str] = []
        parent = self.parents[node]
        while parent is not None:
            chain.append(parent)
            parent = self.parents[parent]
        return tuple(chain)

    def depth(self, node: str) -> int:
        """0 for a top node, 1 for its children, …."""
        return len(self.ancestors(node))

    def descendants(self, node: str) -> tuple[str, ...]:
        """Every node below ``node`` (not itself), in walk order."""
        self._known(node)
        return tuple(n for n, _ in self._walk(node, 0))[1:]

    def leaves(self, node: str | None = None) -> tuple[str, ...]:
        """The nodes without children below ``node`` (itself if it has none), or in the tree."""
        nodes = self.subtree(node) if node is not None else tuple(self)
        return tuple(n for n in nodes if not self._children[n])

    def subtree(self, node: str) -> tuple[str, ...]:
        """``node`` and every node below it, in walk order."""
        self._known(node)
        return tuple(n for n, _ in self._walk(node, 0))

    def walk(self) -> Iterator[tuple[str, int]]:
        """Every node with its depth, each parent before its children, siblings sorted."""
        for root in self.roots:
            yield from self._walk(root, 0)

    def _walk(self, node: str, depth: int) -> Iterator[tuple[str, int]]:
        stack = [(node, depth)]
        while stack:
            current, level = stack.pop()
            yield current, level
            stack.extend((c, level + 1) for c in reversed(self._children[current]))

    def __repr__(self) -> str:
        height = max((d for _, d in self.walk()), default=-1) + 1
        tops = ", ".join(self.roots[:3]) + (", …" if len(self.roots) > 3 else "")
        named = f", levels {'/'.join(self.levels)}" if self.levels else ""
        return f"Hierarchy({len(self.parents)} nodes, {height} levels{named}; top: {tops})"


def _tree_problems(parents: Mapping[str, str | None]) -> list[Problem]:
    """Orphans and cycles, each named once."""
    problems: list[Problem] = []
    for node, parent in parents.items():
        if not isinstance(node, str) or not node:
            problems.append(Problem(f"expected a node name, got {shorten(node)}", "$.parents"))
        elif parent is not None and parent not in parents:
            problems.append(
                Problem(
                    f"{node!r} reports to {parent!r}, which is not in the tree (an orphan)",
                    f"$.parents.{node}",
                )
            )
    if problems:
        return problems
    done: set[str] = set()
    for start in parents:
        path: list[str] = []
        seen: set[str] = set()
        step: str | None = start
        while step is not None and step not in done:
            if step in seen:
                loop = [*path[path.index(step) :], step]
                problems.append(Problem(f"a cycle: {' → '.join(loop)}", f"$.parents.{step}"))
                break
            seen.add(step)
            path.append(step)
            step = parents[step]
        done.update(path)
    return problems
