"""by="node" rolls every metric up the hierarchy: a team's figures are those of its deals, recomputed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf

pl = pytest.importorskip("polars")

from salesflow.analytics import (  # noqa: E402
    Frames,
    bridge,
    cycle_length,
    frames,
    funnel,
    pipeline_summary,
    sales_velocity,
    slippage,
    time_in_stage,
    win_rate,
)
from salesflow.errors import ValidationError  # noqa: E402

DATA = sf.datasets.synthetic(sf.presets.salesforce_standard(), 300, seed=2, owners=6)
TABLES = frames(DATA.opportunities, DATA.activities, process=DATA.process)
METRICS: dict[str, Any] = {
    "win_rate": win_rate,
    "funnel": funnel,
    "pipeline_summary": pipeline_summary,
    "time_in_stage": lambda data, **kw: time_in_stage(data, as_of=DATA.as_of, **kw),
    "cycle_length": cycle_length,
    "slippage": slippage,
    "sales_velocity": sales_velocity,
    "bridge": lambda data, **kw: bridge(
        data, start=DATA.as_of - timedelta(days=30), end=DATA.as_of, **kw
    ),
}


@st.composite
def teams(draw: st.DrawFn) -> sf.Hierarchy:
    """The six reps under random managers (some reps absent: outside the tree)."""
    reps = [f"rep-{i:02d}" for i in range(1, 7)]
    pairs: dict[str, str | None] = {"all": None}
    for rep in reps:
        choice = draw(st.sampled_from(["m1", "m2", "all", None]))
        if choice is None:
            continue
        pairs[rep] = choice
        if choice != "all":
            pairs[choice] = "all"
    return sf.Hierarchy(pairs)


def _rows(result: Any) -> list[dict[str, Any]]:
    return sorted(result.rows(), key=repr)


def _only(owners: set[str], node: str = "") -> Frames:
    """The tables of these owners' deals alone, their snapshot labelled with ``node``."""
    ids = TABLES.snapshot.filter(pl.col("owner").is_in(sorted(owners)))["id"]
    return attrs.evolve(
        TABLES,
        snapshot=TABLES.snapshot.filter(pl.col("id").is_in(ids)).with_columns(
            pl.lit(node).alias("node")
        ),
        history=TABLES.history.filter(pl.col("opportunity_id").is_in(ids)),
        activities=TABLES.activities.filter(pl.col("opportunity_id").is_in(ids)),
    )


@pytest.mark.parametrize("name", sorted(METRICS))
@settings(max_examples=5, deadline=None)
@given(tree=teams())
def test_a_node_is_its_subtrees_deals_recomputed(tree: sf.Hierarchy, name: str) -> None:
    metric = METRICS[name]
    rolled = metric(attrs.evolve(TABLES, hierarchy=tree), by="node")
    table = rolled.to_polars()
    for node in ("all", "m1", "m2"):
        if node not in tree:
            continue
        owners = set(tree.subtree(node))
        mine = table.filter(pl.col("node") == node)
        alone = metric(_only(owners, node), by="node")
        assert sorted(mine.to_dicts(), key=repr) == _rows(alone), (name, node)
    outside = {f"rep-{i:02d}" for i in range(1, 7)} - set(tree.parents)
    if outside and name == "win_rate":
        row = table.filter(pl.col("node") == "(not in the tree)").to_dicts()
        assert row[0]["total"] == _only(outside).snapshot.height


def test_without_by_node_nothing_is_counted_twice() -> None:
    tree = DATA.teams
    rolled = attrs.evolve(TABLES, hierarchy=tree)
    assert win_rate(rolled).rows() == win_rate(TABLES).rows()
    assert pipeline_summary(rolled).rows() == pipeline_summary(TABLES).rows()


def test_the_rollup_runs_on_duckdb_and_needs_an_owner() -> None:
    duckdb = pytest.importorskip("duckdb")
    lazy = Frames(
        snapshot=duckdb.from_arrow(TABLES.snapshot.to_arrow()),
        history=duckdb.from_arrow(TABLES.history.to_arrow()),
        process=DATA.process,
        hierarchy=DATA.teams,
    )
    eager = attrs.evolve(TABLES, hierarchy=DATA.teams)
    assert _rows(win_rate(lazy, by="node")) == _rows(win_rate(eager, by="node"))
    no_owner = attrs.evolve(eager, snapshot=TABLES.snapshot.drop("owner"))
    with pytest.raises(ValidationError, match="needs an owner column"):
        win_rate(no_owner, by="node")
