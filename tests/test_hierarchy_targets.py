"""The forecast hierarchy and targets: trees checked whole, targets checked whole, nothing dropped."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.errors import ValidationError
from salesflow.fiscal import FiscalCalendar

MAVEN_TEAMS = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "maven-crm" / "sales_teams.csv"
)


@st.composite
def trees(draw: st.DrawFn) -> dict[str, str | None]:
    """A random forest: node i's parent is an earlier node or none."""
    n = draw(st.integers(1, 30))
    parents: dict[str, str | None] = {}
    for i in range(n):
        parent = draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None
        parents[f"n{i}"] = None if parent is None else f"n{parent}"
    return parents


@given(trees())
def test_walk_visits_every_node_once_parents_first(parents: dict[str, str | None]) -> None:
    tree = sf.Hierarchy(parents)
    seen = [node for node, _ in tree.walk()]
    assert sorted(seen) == sorted(parents)
    place = {node: i for i, node in enumerate(seen)}
    for node, parent in parents.items():
        if parent is not None:
            assert place[parent] < place[node]
            assert tree.depth(node) == tree.depth(parent) + 1
            assert node in tree.descendants(parent)


@given(trees())
def test_a_subtree_is_the_node_and_its_childrens_subtrees(parents: dict[str, str | None]) -> None:
    tree = sf.Hierarchy(parents)
    for node in parents:
        below = {node}
        for child in tree.children(node):
            below |= set(tree.subtree(child))
        assert set(tree.subtree(node)) == below
        assert set(tree.leaves(node)) <= set(tree.subtree(node))
        assert all(not tree.children(leaf) for leaf in tree.leaves(node))


@given(trees(), st.data())
def test_a_cycle_is_refused_by_name(parents: dict[str, str | None], data: st.DataObject) -> None:
    nodes = sorted(parents)
    node = data.draw(st.sampled_from(nodes))
    tree = sf.Hierarchy(parents)
    below = tree.subtree(node)
    # make the node report to one of its own subtree: a cycle through it
    looped = dict(parents, **{node: data.draw(st.sampled_from(below))})
    with pytest.raises(ValidationError, match="a cycle: ") as caught:
        sf.Hierarchy(looped)
    assert node in str(caught.value)


def test_orphans_and_two_parents_are_refused_by_row() -> None:
    with pytest.raises(ValidationError) as caught:
        sf.Hierarchy.from_pairs([("ann", "dora"), ("bob", "eve"), ("ann", "eve"), ("eve", None)])
    text = str(caught.value)
    assert "'ann' reports to 'eve' here and to 'dora' in row 0 @ $[2].parent" in text
    assert "'ann' reports to 'dora', which is not in the tree (an orphan) @ $[0].parent" in text
    with pytest.raises(ValidationError, match=r"'Dora' reports to 'West' here and to 'East'"):
        sf.Hierarchy.from_levels(
            [
                {"rep": "a", "mgr": "Dora", "office": "East"},
                {"rep": "b", "mgr": "Dora", "office": "West"},
            ],
            ("rep", "mgr", "office"),
        )
    with pytest.raises(ValidationError, match="a level is empty below a named one"):
        sf.Hierarchy.from_levels(
            [{"rep": "a", "mgr": "", "office": "East"}], ("rep", "mgr", "office")
        )
    with pytest.raises(ValidationError, match=r"'x' is not in the tree"):
        sf.Hierarchy({"a": None}).children("x")


@pytest.mark.skipif(
    not MAVEN_TEAMS.exists(), reason="needs ../shared/data/maven-crm (the real Maven CRM data)"
)
def test_maven_sales_teams_is_a_four_level_tree() -> None:
    with MAVEN_TEAMS.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    tree = sf.Hierarchy.from_levels(
        rows, ("sales_agent", "manager", "regional_office"), top="Company"
    )
    assert len(tree.leaves()) == len(rows) == 35
    assert tree.children("Company") == ("Central", "East", "West")
    assert tree.ancestors("Anna Snelling") == ("Dustin Brinkmann", "Central", "Company")
    assert "4 levels" in repr(tree)


FY = FiscalCalendar.standard(start_month=2)


def test_targets_from_rows_and_lookups() -> None:
    targets = sf.Targets.from_rows(
        [
            {"node": "Ann", "period": "FY2027 Q1", "value": "250000", "currency": "USD"},
            {"node": "Ann", "period": "FY2027 Q2", "value": "260000", "currency": "USD"},
            {
                "node": "Ann",
                "start": date(2026, 2, 1),
                "unit": "quarter",
                "measure": "won_deals",
                "value": 12,
            },
        ],
        calendar=FY,
    )
    q1 = FY.period("FY2027 Q1")
    assert targets.value("Ann", q1) == sf.Money("250000", "USD")
    assert targets.value("Ann", q1, "won_deals") == 12
    assert targets.value("Bob", q1) is None
    assert targets.for_period(q1) == {"Ann": sf.Money("250000", "USD")}
    assert targets.unknown(["Bob"]) == ("Ann",)
    assert targets.currency == "USD"


def test_bad_targets_are_refused_together_each_at_its_row() -> None:
    with pytest.raises(ValidationError) as caught:
        sf.Targets.from_rows(
            [
                {"node": "Ann", "period": "FY2027 Q1", "value": "1", "currency": "USD"},
                {"node": "Ann", "period": "FY2027 P02", "value": "1", "currency": "USD"},
                {"node": "", "period": "FY2027 Q1", "value": "1", "currency": "USD"},
                {"node": "Bob", "period": "FY2027 Q9", "value": "1", "currency": "USD"},
                {"node": "Bob", "period": "FY2027 Q1", "value": 1.5, "currency": "USD"},
                {"node": "Bob", "period": "FY2027 Q2", "value": "-1", "currency": "USD"},
                {"node": "Bob", "period": "FY2027 Q3", "measure": "won_deals", "value": "2.5"},
                {"node": "Bob", "period": "FY2027 Q4", "measure": "revenue", "value": "2"},
                {"node": "Cy", "start": date(2026, 2, 2), "value": "2", "currency": "USD"},
            ],
            calendar=FY,
        )
    text = str(caught.value)
    for where in (
        "$[2].node",
        "$[3].period",
        "$[4].value",
        "$[5].value",
        "$[6].value",
        "$[7].measure",
        "$[8].start",
    ):
        assert where in text, where
    with pytest.raises(
        ValidationError,
        match=r"two amount targets for overlapping periods: FY2027 P02 here and FY2027 Q1 in row 0 @ \$\[1\]",
    ):
        sf.Targets.from_rows(
            [
                {"node": "Ann", "period": "FY2027 Q1", "value": "1", "currency": "USD"},
                {"node": "Ann", "period": "FY2027 P02", "value": "1", "currency": "USD"},
            ],
            calendar=FY,
        )
    with pytest.raises(ValidationError, match="needs a calendar"):
        sf.Targets.from_rows(
            [{"node": "Ann", "period": "FY2027 Q1", "value": "1", "currency": "USD"}]
        )


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.sampled_from(["FY2027 Q1", "FY2027 Q2", "FY2027 P01", "FY2027 P05", "FY2027"]),
        ),
        max_size=6,
    )
)
def test_targets_are_taken_exactly_when_no_two_of_a_node_overlap(
    cells: list[tuple[str, str]],
) -> None:
    rows = [{"node": n, "period": p, "value": "5", "currency": "EUR"} for n, p in cells]
    periods = [(n, FY.period(p)) for n, p in cells]
    clash = any(
        a[0] == b[0] and a[1].start <= b[1].end and b[1].start <= a[1].end
        for i, a in enumerate(periods)
        for b in periods[i + 1 :]
    )
    if clash:
        with pytest.raises(ValidationError, match="two amount targets"):
            sf.Targets.from_rows(rows, calendar=FY)
    else:
        assert len(sf.Targets.from_rows(rows, calendar=FY)) == len(rows)


def test_fiscal_period_by_label_round_trips() -> None:
    for calendar in (
        FY,
        FiscalCalendar.weeks("4-5-4", end_month=1, week_start=6),
        FiscalCalendar.calendar_year(),
    ):
        for unit in ("year", "quarter", "month", "week"):
            for p in calendar.periods(date(2025, 1, 1), date(2026, 12, 31), unit):  # type: ignore[arg-type]
                assert calendar.period(p.label) == p
    with pytest.raises(ValidationError, match="expected a period such as"):
        FY.period("Q1 2026")


def test_a_tree_file_of_paths_read_as_pairs_says_how_to_read_it(tmp_path: Path) -> None:
    from salesflow.io import read_hierarchy

    path = tmp_path / "teams.csv"
    path.write_text("sales_agent,manager,regional_office\nAnn,Bo,West\n", encoding="utf-8")
    with pytest.raises(sf.FileFormatError) as caught:
        read_hierarchy(path)
    message = str(caught.value)
    assert "no node, parent column (it has sales_agent, manager, regional_office)" in message
    assert "levels=('sales_agent', 'manager', 'regional_office')" in message
    tree = read_hierarchy(path, levels=("sales_agent", "manager", "regional_office"))
    assert tree.parent("Ann") == "Bo"
