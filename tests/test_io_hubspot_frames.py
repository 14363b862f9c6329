"""The columnar HubSpot import takes, refuses and tabulates exactly as the object path."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.io import CloseDatePolicy, read_hubspot_csv, read_hubspot_frames
from tests._same_import import assert_same_import
from tests.strategies import HUBSPOT_CELLS, HUBSPOT_COLUMNS, HUBSPOT_GOOD, salesforce_csv_files

pl = pytest.importorskip("polars")

PROCESS = sf.presets.hubspot_default()
T0 = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
EXPORTS = salesforce_csv_files(
    HUBSPOT_COLUMNS, good_cells=HUBSPOT_GOOD, hostile_cells=HUBSPOT_CELLS
) | salesforce_csv_files(  # mostly deals that can be taken, with their stages entered
    HUBSPOT_COLUMNS, good_cells=HUBSPOT_GOOD, hostile_cells=HUBSPOT_CELLS, leading=5,
    good_weight=40,
)  # fmt: skip


def _both(data: bytes, **options: object) -> tuple[sf.io.ImportResult, sf.io.ImportedFrames]:
    objects = read_hubspot_csv(io.BytesIO(data), process=PROCESS, imported_at=T0, **options)
    columns = read_hubspot_frames(io.BytesIO(data), process=PROCESS, imported_at=T0, **options)
    return objects, columns


@settings(max_examples=300)
@given(
    EXPORTS,
    st.sampled_from([None, "default"]),
    st.sampled_from([None, CloseDatePolicy.fixed(date(2026, 6, 30))]),
    st.sampled_from([None, "USD"]),
    st.sampled_from([None, timezone(timedelta(hours=9))]),
    st.sampled_from([None, {"Contract sent": "Contract sent", "nosuchstage": "Closed lost"}]),
)
def test_the_columnar_path_takes_and_refuses_what_the_object_path_does(
    data: bytes,
    pipeline: str | None,
    policy: CloseDatePolicy | None,
    currency: str | None,
    zone: timezone | None,
    aliases: dict[str, str] | None,
) -> None:
    options = {
        "pipeline": pipeline,
        "close_dates": policy,
        "currency": currency,
        "timezone": zone,
        "aliases": aliases,
    }
    try:
        objects, columns = _both(data, **options)
    except sf.FileFormatError as exc:  # an empty file or a repeated column: both say so
        with pytest.raises(sf.FileFormatError) as raised:
            _both(data, **options)
        assert str(raised.value) == str(exc)
        return
    assert_same_import(objects, columns)


def test_a_clean_export_with_every_stage_entered_gives_the_frames_of_the_objects() -> None:
    data = (
        b"Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal probability,"
        b"hs_date_entered_appointmentscheduled,hs_date_entered_closedwon,"
        b"hs_date_entered_closedlost\n"
        b"101,A,closedwon,10.5,2026-03-31,2026-01-01T00:00:00Z,1,"
        b"2026-01-02T00:00:00Z,2026-02-01T23:30:00.000Z,\n"
        b"102,B,appointmentscheduled,,2026-03-31,2026-01-01T00:00:00Z,0.2,"
        b"2026-01-03T00:00:00Z,,\n"
        b"103,C,closedlost,3,,2026-01-01T00:00:00Z,,2026-01-03T00:00:00Z,,"
        b"2026-01-09T00:00:00Z\n"
    )
    objects, columns = _both(data, currency="EUR")
    assert_same_import(objects, columns)
    snapshot = columns.frames.snapshot
    assert snapshot["closed_on"].to_list() == [date(2026, 2, 1), None, date(2026, 1, 9)]
    assert snapshot["probability"].to_list()[:2] == [100, 20]
    assert columns.frames.history.height == 5


def test_a_file_only_the_loop_can_place_is_read_by_it() -> None:
    # two date-entered columns of one stage, and a ragged record
    data = (
        b"Record ID,Deal Name,Deal Stage,Amount,Close Date,"
        b"hs_date_entered_closedwon,hs_v2_date_entered_closedwon\n"
        b"101,A,closedwon,10,2026-03-31,2026-02-01T00:00:00Z,2026-02-02T00:00:00Z\n"
        b"102,B,closedwon\n"
    )
    objects, columns = _both(data, currency="USD")
    assert_same_import(objects, columns)
    assert [r.record for r in columns.refused] == [2]


def test_a_named_file_is_named_in_every_refusal(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "deals.csv"
    path.write_text("Record ID,Deal Name,Deal Stage\n1,A,nowhere\n1,B,closedwon\n")
    columns = read_hubspot_frames(path, process=PROCESS)
    assert {r.source for r in columns.refused} == {str(path)}
    objects = read_hubspot_csv(path, process=PROCESS)
    assert_same_import(objects, columns)


def test_stages_entered_at_one_instant_are_in_the_loops_order() -> None:
    data = (
        b"Record ID,Deal Name,Deal Stage,Amount,Close Date,"
        b"hs_date_entered_qualifiedtobuy,hs_date_entered_appointmentscheduled\n"
        b"101,A,qualifiedtobuy,10,2026-03-31,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z\n"
    )
    objects, columns = _both(data, currency="USD")
    assert_same_import(objects, columns)
    assert columns.frames.history["stage"].to_list() == [
        "Appointment scheduled",
        "Qualified to buy",
    ]


def test_a_deal_of_another_pipeline_or_none_is_refused_as_the_loop_refuses_it() -> None:
    data = (
        b"Record ID,Deal Name,Deal Stage,Close Date,Pipeline\n"
        b"101,A,qualifiedtobuy,2026-03-31,default\n"
        b"102,B,qualifiedtobuy,2026-03-31,other\n"
        b"103,C,qualifiedtobuy,2026-03-31,\n"
    )
    objects, columns = _both(data, pipeline="default")
    assert_same_import(objects, columns)
    assert [p.message for r in columns.refused for p in r.problems] == [
        "the deal is in pipeline 'other', not 'default'",
        "the deal is in pipeline '', not 'default'",
    ]
    without = b"Record ID,Deal Name,Deal Stage,Close Date\n101,A,qualifiedtobuy,2026-03-31\n"
    objects, columns = _both(without, pipeline="default")
    assert_same_import(objects, columns)
    assert columns.refused[0].problems[0].path == "$.pipeline"
