"""Rolling a snapshot up the forecast hierarchy: each deal once per node at or above its owner."""

from __future__ import annotations

from typing import Any

import narwhals as nw

from salesflow.analytics._small import small_table
from salesflow.errors import Problem, ValidationError
from salesflow.hierarchy import Hierarchy

__all__ = ["NO_OWNER", "OUTSIDE", "rolled_up"]

OUTSIDE = "(not in the tree)"
"""The node of owners the hierarchy does not know."""
NO_OWNER = "(no owner)"
"""The node of deals without an owner."""

_OWNER, _NODE = "_salesflow_owner", "_salesflow_node"


def rolled_up(snapshot: nw.LazyFrame[Any], hierarchy: Hierarchy) -> nw.LazyFrame[Any]:
    """``snapshot`` with a ``node`` column: one row per deal and node at or above its owner.

    Raises:
        ValidationError: The snapshot has no ``owner`` column.
    """
    if "owner" not in snapshot.columns:
        raise ValidationError(
            [
                Problem(
                    "grouping by the hierarchy's node needs an owner column", "$.snapshot.owner"
                )
            ],
            subject="analytics input (map the source's owner with Columns)",
        )
    owners: list[str] = []
    nodes: list[str] = []
    for node in hierarchy:
        for member in hierarchy.subtree(node):
            owners.append(member)
            nodes.append(node)
    pairs = small_table(snapshot, {_OWNER: owners, _NODE: nodes})
    owner = nw.col("owner").cast(nw.String)
    joined = snapshot.with_columns(owner.alias(_OWNER)).join(pairs, on=_OWNER, how="left")
    unknown = nw.when(nw.col(_OWNER).is_null()).then(nw.lit(NO_OWNER)).otherwise(nw.lit(OUTSIDE))
    rolled = nw.when(~nw.col(_NODE).is_null()).then(nw.col(_NODE)).otherwise(unknown)
    return joined.with_columns(rolled.alias("node")).drop(_OWNER, _NODE)
