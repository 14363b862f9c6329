"""Which group each deal of a bridge is in: history columns at one moment, else the snapshot's."""

from __future__ import annotations

from typing import Any, Literal

import narwhals as nw

from salesflow.analytics._source import NODE, Inputs
from salesflow.errors import Problem, ValidationError

__all__ = ["GroupAt", "deal_groups"]

GroupAt = Literal["end", "start"]

_OUTPUT = ("id", "movement", "in_start", "in_end", "start_amount", "end_amount", "change")


def deal_groups(
    inputs: Inputs,
    keys: list[str],
    *,
    before: nw.LazyFrame[Any],
    after: nw.LazyFrame[Any],
    at: GroupAt,
) -> nw.LazyFrame[Any]:
    """``id`` and each deal's group: history columns as of ``group_at``, else the snapshot's.

    Raises:
        ValidationError: A key is an output column's name or in neither table.
    """
    recorded = set(after.columns)
    snapshot = inputs.snapshot
    if NODE in keys and NODE not in recorded and snapshot is not None:
        snapshot = inputs.table("snapshot", needs=(NODE,))  # rolled up the hierarchy
    listed = set() if snapshot is None else set(snapshot.columns)
    problems = [
        Problem(f"cannot group by {k!r}: the bridge has a column of that name", "$.by")
        for k in keys
        if k in _OUTPUT or k == "currency"
    ]
    problems += [
        Problem(f"cannot group by {k!r}: neither the history nor the snapshot has it", "$.by")
        for k in keys
        if k not in recorded and k not in listed and k not in _OUTPUT
    ]
    problems += [
        Problem(f"{k!r} is given more than once", "$.by")
        for k in sorted(set(keys))
        if keys.count(k) > 1
    ]
    if problems:
        raise ValidationError(problems, subject="bridge")
    past = [k for k in keys if k in recorded]
    groups = after.select("id", *past)
    if at == "start" and past:
        earlier = before.select(
            "id", *[nw.col(k).alias(f"_s_{k}") for k in past], nw.lit(True).alias("_s_known")
        )
        known = nw.col("_s_known").fill_null(False)
        groups = groups.join(earlier, on="id", how="left").select(
            "id",
            *[nw.when(known).then(nw.col(f"_s_{k}")).otherwise(nw.col(k)).alias(k) for k in past],
        )
    current = [k for k in keys if k not in recorded]
    if current and snapshot is not None:
        groups = groups.join(snapshot.select("id", *current), on="id", how="left")
    return groups
