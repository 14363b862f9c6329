"""Group-by on the per-deal metrics: the bridge and slippage (hand-computed on the examples)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

import salesflow as sf

pytest.importorskip("narwhals")
pytest.importorskip("polars")

from salesflow.analytics import Frames, bridge, examples, frames, slippage

PROCESS = examples.process()
JAN, MAR = date(2026, 1, 31), date(2026, 3, 31)


def usd(text: str) -> sf.Money:
    return sf.Money(text, "USD")


@pytest.fixture(scope="module")
def tables() -> Frames:
    return frames(examples.opportunities(), process=PROCESS)


def _handed_over() -> list[sf.Opportunity]:
    """X, opened by ana in January, handed to bo in February (recorded by its next move)."""
    x = PROCESS.open(
        name="Handed over",
        id="X",
        amount=usd("1000.00"),
        close_date=date(2026, 6, 30),
        at=datetime(2026, 1, 10, tzinfo=timezone.utc),
        owner="ana",
    )
    x.owner = "bo"
    PROCESS.move(
        x, "Qualification", at=datetime(2026, 2, 10, tzinfo=timezone.utc), amount=usd("1500.00")
    )
    return [x]


def test_a_bridge_by_owner_adds_up_per_owner(tables: Frames) -> None:
    per_owner = bridge(tables, JAN, MAR, by="owner").totals_by()
    assert sorted(per_owner) == ["ana", "bo", "cy"]
    ana, bo, cy = per_owner["ana"], per_owner["bo"], per_owner["cy"]
    # ana: A 10,000 → 15,000 (increased), C 10,000 won; bo: B unchanged, D 8,000 lost; cy: E new
    assert (ana.start, ana.end) == (usd("20000"), usd("15000"))
    assert ana.movements["increased"] == usd("5000") and ana.movements["won"] == usd("10000")
    assert (bo.start, bo.end, bo.movements["lost"]) == (usd("28000"), usd("20000"), usd("8000"))
    assert (cy.start, cy.end, cy.counts["new"]) == (usd("0"), usd("20000"), 1)
    assert all(t.adds_up() for t in per_owner.values())


def test_a_handed_over_deal_is_in_its_owners_group_at_the_moment_named_by_group_at() -> None:
    deals = _handed_over()
    at_end = bridge(deals, JAN, MAR, process=PROCESS, by="owner").totals_by()
    assert list(at_end) == ["bo"]
    assert (at_end["bo"].start, at_end["bo"].end) == (usd("1000"), usd("1500"))
    at_start = bridge(deals, JAN, MAR, process=PROCESS, by="owner", group_at="start")
    assert list(at_start.totals_by()) == ["ana"]
    assert at_start.rows()[0]["owner"] == "ana" and at_start.policies["group_at"] == "start"


def test_a_new_deal_is_grouped_as_of_the_end_even_with_group_at_start(tables: Frames) -> None:
    rows = bridge(tables, JAN, MAR, by="owner", group_at="start").rows()
    assert {r["id"]: r["owner"] for r in rows if r["movement"] == "new"} == {"E": "cy"}


def test_a_bridge_groups_by_the_buyers_phase_through_a_process_mapping(tables: Frames) -> None:
    mapped = Frames(
        tables.snapshot,
        tables.history,
        process=PROCESS,
        mapping=sf.presets.salesforce_liferay_mapping(),
    )
    # at the start A, C and D were in Prospecting/Qualification, B in Value Proposition
    at_start = bridge(mapped, JAN, MAR, by="buying_phase", group_at="start").totals_by()
    assert {phase: t.start for phase, t in at_start.items()} == {
        "Solution Development": usd("48000")
    }
    # at the end the closed deals C and D have no phase (the mapping maps open stages)
    at_end = bridge(mapped, JAN, MAR, by="buying_phase").totals_by()
    assert {phase: t.end for phase, t in at_end.items()} == {
        "Solution Development": usd("35000"),
        "Evaluation": usd("20000"),
        None: usd("0"),
    }
    assert at_end[None].movements["won"] == usd("10000")


def test_a_column_only_the_snapshot_has_groups_by_its_current_value(tables: Frames) -> None:
    b = bridge(tables, JAN, MAR, by="account_id")
    assert {r["id"]: r["account_id"] for r in b.rows()}["E"] == "stark"
    assert b.totals_by()["acme"].movements["increased"] == usd("5000")


def test_a_bridge_refuses_groups_it_cannot_form(tables: Frames) -> None:
    with pytest.raises(sf.ValidationError) as caught:
        bridge(tables, JAN, MAR, by=["region", "movement", "owner", "owner"])
    text = str(caught.value)
    assert "'region': neither the history nor the snapshot has it" in text
    assert "'movement': the bridge has a column of that name" in text
    assert "'owner' is given more than once" in text
    with pytest.raises(sf.ValidationError, match="group_at"):
        bridge(tables, JAN, MAR, by="owner", group_at="middle")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="by="):
        bridge(tables, JAN, MAR).totals_by()


def test_slippage_by_owner_sums_each_owners_deals(tables: Frames) -> None:
    rows = {r["owner"]: r for r in slippage(tables, by="owner").rows()}
    assert rows["cy"] == {
        "owner": "cy",
        "deals": 1,
        "pushed_deals": 1,
        "pushes": 3,
        "pulls": 0,
        "slipped_days": 133.0,
        "mean_slipped_days": 133.0,
    }
    assert (rows["bo"]["deals"], rows["bo"]["pushed_deals"], rows["bo"]["slipped_days"]) == (
        2,
        1,
        62.0,
    )
    assert rows["bo"]["mean_slipped_days"] == pytest.approx(31.0)
    assert rows["ana"]["pushes"] == 0


def test_slippage_groups_by_the_buyers_phase_and_refuses_a_missing_column(tables: Frames) -> None:
    mapped = Frames(
        tables.snapshot, tables.history, mapping=sf.presets.salesforce_liferay_mapping()
    )
    phases = {r["buying_phase"]: r["deals"] for r in slippage(mapped, by="buying_phase").rows()}
    assert phases == {None: 2, "Evaluation": 1, "Solution Development": 2}
    with pytest.raises(sf.ValidationError, match="'region'"):
        slippage(tables, by="region")
    with pytest.raises(ValueError, match="without by="):
        slippage(tables, by="owner").of("E")
    assert sum(r["slipped_days"] for r in slippage(tables, by="owner").rows()) == sum(
        r["slipped_days"] for r in slippage(tables).rows()
    )
    assert isinstance(slippage(tables, by="owner").rows()[0]["deals"], int)
