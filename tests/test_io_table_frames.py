"""The columnar CSV import through a column mapping takes, refuses and tabulates as read_csv."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.io import CloseDatePolicy, read_csv, read_csv_frames
from tests._same_import import assert_same_import
from tests.strategies import (
    SALESFLOW_HISTORY_COLUMNS,
    SALESFLOW_SNAPSHOT_COLUMNS,
    salesforce_csv_files,
)

pl = pytest.importorskip("polars")

PROCESS = sf.presets.salesforce_standard()
T0 = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
POLICIES = st.sampled_from(
    [None, CloseDatePolicy.fixed(date(2026, 6, 30)), CloseDatePolicy.after_created(days=30)]
)


def _both(snapshot: bytes, history: bytes | None, **options: object) -> tuple:
    def source(data: bytes | None) -> io.BytesIO | None:
        return None if data is None else io.BytesIO(data)

    objects = read_csv(
        source(snapshot), history=source(history), process=PROCESS, imported_at=T0, **options
    )
    columns = read_csv_frames(
        source(snapshot), history=source(history), process=PROCESS, imported_at=T0, **options
    )
    return objects, columns


@settings(max_examples=300)
@given(
    salesforce_csv_files(SALESFLOW_SNAPSHOT_COLUMNS),
    st.none()
    | salesforce_csv_files(
        SALESFLOW_HISTORY_COLUMNS, ids=["006A", "006B", "006C ", "006D", "006E", "006F"]
    ),
    POLICIES,
    st.sampled_from([None, "USD"]),
)
def test_the_columnar_path_takes_and_refuses_what_read_csv_does(
    snapshot: bytes,
    history: bytes | None,
    policy: CloseDatePolicy | None,
    currency: str | None,
) -> None:
    try:
        objects, columns = _both(snapshot, history, close_dates=policy, currency=currency)
    except sf.FileFormatError as exc:  # an empty file or a repeated column: both say so
        with pytest.raises(sf.FileFormatError) as raised:
            _both(snapshot, history, close_dates=policy, currency=currency)
        assert str(raised.value) == str(exc)
        return
    assert_same_import(objects, columns)


def test_a_mapping_of_other_names_is_read_through() -> None:
    snapshot = (
        b"opportunity_id,deal_stage,close_value,engage_date,close_date,sales_agent\n"
        b"A1,Closed Won,1054,2016-10-20,2017-03-01,Moses\n"
        b"A2,Prospecting,,,,Moses\n"
    )
    columns = sf.Columns.maven().replace(snapshot={"created_at": "engage_date"})
    options = {
        "columns": columns,
        "currency": "USD",
        "close_dates": CloseDatePolicy.fixed(date(2018, 3, 31)),
    }
    objects = read_csv(io.BytesIO(snapshot), process=PROCESS, imported_at=T0, **options)
    found = read_csv_frames(io.BytesIO(snapshot), process=PROCESS, imported_at=T0, **options)
    assert_same_import(objects, found)
    assert found.frames.snapshot["closed_on"].to_list() == [date(2017, 3, 1), None]


def test_columns_must_be_a_mapping() -> None:
    with pytest.raises(sf.ValidationError, match="expected a Columns mapping, got dict"):
        read_csv_frames(io.BytesIO(b"id\n"), process=PROCESS, columns={"id": "x"})  # type: ignore[arg-type]


_HEAD = "id,name,stage,close_date,amount,currency,created_at"
_CASES = {
    "a won deal with a lost reason": (
        _HEAD + ",lost_reason\no1,A,Closed Won,2026-03-31,10,USD,2026-01-01T00:00:00Z,Price\n",
        None,
    ),
    "an open deal with a competitor and a blank lost reason": (
        _HEAD + ",lost_reason,competitor\n"
        "o1,A,Prospecting,2026-03-31,10,USD,2026-01-01T00:00:00Z,,Globex\n"
        "o2,B,Closed Lost,2026-03-31,10,USD,2026-01-01T00:00:00Z, ,\n"
        "o3,C,Closed Lost,2026-03-31,10,USD,2026-01-01T00:00:00Z,Price,Globex\n",
        None,
    ),
    "closing days": (
        _HEAD + ",closed_on\n"
        "o1,A,Closed Won,,10,USD,2026-01-01T00:00:00Z,2026-02-01\n"
        "o2,B,Prospecting,2026-03-31,10,USD,2026-01-01T00:00:00Z,2026-02-01\n"
        "o3,C,Closed Lost,,10,USD,2026-01-01T00:00:00Z,\n"
        "o4,D,Closed Lost,,10,USD,2026-01-01T00:00:00Z,2026-02-30\n"
        "o5,E,Closed Lost,2026-03-31,10,USD,2026-01-01T00:00:00Z,\n",
        "opportunity_id,at,stage,close_date\n"
        "o5,2026-01-01T00:00:00Z,Prospecting,2026-03-31\n"
        "o5,2026-02-01T00:00:00Z,Closed Lost,2026-03-31\n",
    ),
    "a closing day read off the history": (
        _HEAD + "\no5,E,Closed Lost,2026-03-31,10,USD,2026-01-01T00:00:00Z\n",
        "opportunity_id,at,stage,close_date\n"
        "o5,2026-01-01T00:00:00Z,Prospecting,2026-03-31\n"
        "o5,2026-02-01T09:00:00-05:00,Closed Lost,2026-03-31\n",
    ),
    "another process": (
        _HEAD + ",process_name\n"
        "o1,A,Prospecting,2026-03-31,10,USD,2026-01-01T00:00:00Z,Other 'one'\n"
        "o2,B,Prospecting,2026-03-31,10,USD,2026-01-01T00:00:00Z,Salesforce standard\n",
        None,
    ),
    "history rows at one instant, by their sequence": (
        _HEAD + "\no1,A,Closed Won,2026-03-31,10,USD,2026-01-01T00:00:00Z\n",
        "opportunity_id,at,stage,close_date,sequence,owner\n"
        "o1,2026-01-01T00:00:00Z,Qualification,2026-03-31,2,005A\n"
        "o1,2026-01-01T00:00:00Z,Prospecting,2026-03-31,1,005B\n"
        "o1,2026-01-01T00:00:00Z,Value Proposition,2026-03-31,,\n"
        "o1,2026-02-01T00:00:00Z,Closed Won,2026-03-31,x,\n"
        "o1,2026-03-01T00:00:00Z,Closed Won,2026-03-31,,005A\n",
    ),
}


@pytest.mark.parametrize("case", sorted(_CASES))
def test_the_model_checks_closing_days_and_ties_match_read_csv(case: str) -> None:
    snapshot, history = _CASES[case]
    objects, columns = _both(
        snapshot.encode(), None if history is None else history.encode(), currency="USD"
    )
    assert objects.refused or objects.opportunities[0].history or case != "closing days"
    assert_same_import(objects, columns)
