"""Lead conversion and the lead funnel, on objects and on frames of every library."""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf

pytest.importorskip("narwhals")
pl = pytest.importorskip("polars")
from salesflow import analytics  # noqa: E402
from tests.strategies import leads  # noqa: E402

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
PROCESS = sf.presets.salesforce_leads()


def _book() -> tuple[list[sf.Lead], sf.Opportunity]:
    """Three leads: one converted (won opportunity), one open, one closed unconverted."""
    a = PROCESS.open(name="A", company="Acme", source="Web", owner="ana", at=T0, id="a")
    b = PROCESS.open(
        name="B", company="Beta", source="Web", owner="ben", at=T0 + timedelta(days=40), id="b"
    )
    c = PROCESS.open(name="C", company="Cee", source="Partner", owner="ana", at=T0, id="c")
    PROCESS.set_status(c, "Working - Contacted", at=T0 + timedelta(days=1))
    PROCESS.set_status(c, "Closed - Not Converted", at=T0 + timedelta(days=2))
    sales = sf.presets.salesforce_standard()
    done = sf.convert(
        a,
        PROCESS,
        opportunity="create",
        sales_process=sales,
        close_date=date(2026, 6, 1),
        at=T0 + timedelta(days=3),
    )
    assert done.opportunity is not None
    sales.move(done.opportunity, "Closed Won", at=T0 + timedelta(days=10))
    return [a, b, c], done.opportunity


def test_conversion_counts_leads_converted_opportunities_and_wins_by_cohort() -> None:
    book, won = _book()
    result = analytics.lead_conversion(book, by="cohort", opportunities=[won])
    assert result.rows() == [
        {
            "cohort": "2026-03",
            "leads": 2,
            "converted": 1,
            "conversion": 0.5,
            "with_opportunity": 1,
            "mean_days_to_convert": 3.0,
            "median_days_to_convert": 3.0,
            "won": 1,
        },
        {
            "cohort": "2026-04",
            "leads": 1,
            "converted": 0,
            "conversion": 0.0,
            "with_opportunity": 0,
            "mean_days_to_convert": None,
            "median_days_to_convert": None,
            "won": 0,
        },
    ]
    assert result.coverage.complete


def test_conversion_groups_by_source_and_owner() -> None:
    book, _ = _book()
    rows = analytics.lead_conversion(book, by=["source", "owner"]).rows()
    assert [(r["source"], r["owner"], r["leads"], r["converted"]) for r in rows] == [
        ("Partner", "ana", 1, 0),
        ("Web", "ana", 1, 1),
        ("Web", "ben", 1, 0),
    ]


def test_the_funnel_reads_how_far_a_closed_lead_got_from_its_history() -> None:
    book, _ = _book()
    funnel = analytics.lead_funnel(book, process=PROCESS)
    assert [(r["status"], r["reached"]) for r in funnel.rows()] == [
        ("Open - Not Contacted", 3),
        ("Working - Contacted", 2),
        ("Closed - Converted", 1),
    ]
    assert funnel.conversion("Closed - Converted") == 0.5
    assert funnel.coverage.complete


def test_without_history_a_closed_lead_counts_at_the_first_step_and_says_so() -> None:
    book, _ = _book()
    funnel = analytics.lead_funnel(analytics.lead_frames(book).leads, process=PROCESS)
    assert funnel.reached("Working - Contacted") == 1
    assert funnel.coverage.notes() == [
        "Assumed for 1 leads: closed without conversion and no status history shows how far "
        "they got: counted at the first step only."
    ]


def test_the_funnel_needs_a_lead_process() -> None:
    book, _ = _book()
    with pytest.raises(sf.ValidationError, match="pass process=LeadProcess"):
        analytics.lead_funnel(book)


def test_leads_outside_the_process_and_missing_times_are_reported() -> None:
    frame = pl.DataFrame(
        {
            "id": ["1", "2", "3"],
            "status": ["Closed - Converted", "Open - Not Contacted", "Nurture"],
            "created_at": [None, "2026-01-05T00:00:00Z", "2026-01-05T00:00:00Z"],
            "converted_at": ["2026-01-20T00:00:00Z", None, None],
        }
    )
    conversion = analytics.lead_conversion(frame, by="cohort")
    assert conversion.coverage.notes() == [
        "Left out 1 converted leads: no creation or conversion time, so they are not in the "
        "days to convert.",
        "Not checked: cohort for 1 leads (no creation time).",
    ]
    funnel = analytics.lead_funnel(frame, process=PROCESS)
    assert funnel.reached("Open - Not Contacted") == 2
    assert "Left out 1 leads: their status is not in the lead process." in funnel.coverage.notes()


def test_a_salesforce_lead_export_is_read_through_its_column_names() -> None:
    export = pl.DataFrame(
        {
            "Id": ["00Q1", "00Q2"],
            "Status": ["Closed - Converted", "Working - Contacted"],
            "IsConverted": ["true", "false"],
            "LeadSource": ["Web", "Web"],
            "CreatedDate": ["2026-01-05T00:00:00.000+0000", "2026-02-01T00:00:00Z"],
            "ConvertedDate": ["2026-01-20", None],
            "ConvertedOpportunityId": ["006A", None],
        }
    )
    result = analytics.lead_conversion(export, columns=analytics.SALESFORCE_LEAD_COLUMNS)
    assert (result.count("leads"), result.count("converted"), result.median_days) == (2, 1, 15.0)


def test_a_frame_of_the_wrong_shape_names_the_missing_column() -> None:
    with pytest.raises(sf.ValidationError, match="has no column 'source'"):
        analytics.lead_conversion(pl.DataFrame({"id": ["1"], "converted_at": [None]}), by="source")
    with pytest.raises(sf.ValidationError, match="expected leads, LeadFrames or a dataframe"):
        analytics.lead_conversion(42)


def _native(frames: analytics.LeadFrames, library: str) -> analytics.LeadFrames:
    if library == "polars":
        return frames
    if library == "pandas":
        pytest.importorskip("pandas")
        pytest.importorskip("pyarrow")
        return analytics.LeadFrames(
            frames.leads.to_pandas(), frames.history.to_pandas(), process=frames.process
        )
    duckdb = pytest.importorskip("duckdb")
    pytest.importorskip("pyarrow")
    con = duckdb.connect()
    return analytics.LeadFrames(
        con.from_arrow(frames.leads.to_arrow()),
        con.from_arrow(frames.history.to_arrow()),
        process=frames.process,
    )


def _rows(result: Any) -> list[dict[str, Any]]:
    return [
        {k: round(v, 9) if isinstance(v, float) else v for k, v in row.items()}
        for row in result.rows()
    ]


def _same_answers(library: str, items: list[sf.Lead]) -> None:
    tables = _native(analytics.lead_frames(items, process=PROCESS), library)
    for by in ((), ("cohort",), ("source", "owner")):
        assert _rows(analytics.lead_conversion(tables, by=by)) == _rows(
            analytics.lead_conversion(items, by=by)
        )
    assert _rows(analytics.lead_funnel(tables)) == _rows(
        analytics.lead_funnel(items, process=PROCESS)
    )


LEAD_LISTS = st.lists(leads(PROCESS), max_size=8, unique_by=lambda lead: lead.id)


@settings(max_examples=25)  # each example computes four metrics on two engines
@given(LEAD_LISTS)
def test_pandas_frames_give_the_objects_answer(items: list[sf.Lead]) -> None:
    _same_answers("pandas", items)


@settings(max_examples=8)  # DuckDB plans each query anew: a few examples suffice
@given(LEAD_LISTS)
def test_duckdb_relations_give_the_objects_answer(items: list[sf.Lead]) -> None:
    _same_answers("duckdb", items)


@settings(max_examples=50)
@given(st.lists(leads(PROCESS), min_size=1, max_size=10, unique_by=lambda lead: lead.id))
def test_the_figures_are_the_leads_own(items: list[sf.Lead]) -> None:
    result = analytics.lead_conversion(items)
    converted = [lead for lead in items if lead.is_converted]
    assert (result.count("leads"), result.count("converted")) == (len(items), len(converted))
    assert result.rate == pytest.approx(len(converted) / len(items))
    expected = [lead.days_to_convert for lead in converted]
    if expected:
        assert result.median_days == pytest.approx(statistics.median(expected), abs=1e-6)
    by_cohort = analytics.lead_conversion(items, by="cohort").rows()
    assert sum(r["leads"] for r in by_cohort) == len(items)
    assert {r["cohort"] for r in by_cohort} == {lead.cohort for lead in items}
    reached = [r["reached"] for r in analytics.lead_funnel(items, process=PROCESS).rows()]
    assert reached[0] == len(items)
    assert reached == sorted(reached, reverse=True)
    assert reached[-1] == len(converted)
