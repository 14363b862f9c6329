"""read_field_history in columns (CSV files, Polars installed) against its change-at-a-time loop."""

from __future__ import annotations

import csv
import io
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.io import field_history as module
from salesflow.io import read_field_history
from tests._two_paths import both, same

pl = pytest.importorskip("polars")

PROCESS = sf.presets.salesforce_standard()
IDS = st.one_of(st.sampled_from(["006A", "006B", "006C"]), st.sampled_from(["", " 006A ", "x"]))
FIELDS = st.one_of(
    st.sampled_from(["created", "StageName", "Amount", "CloseDate"]),
    st.sampled_from(
        ["Probability", "ForecastCategoryName", "Owner", "OwnerId", "Description", "CREATED", ""]
    ),
)
VALUES = st.one_of(
    st.sampled_from(["", "Prospecting", "Qualification", "Closed Won", "1000", "1500.50"]),
    st.sampled_from(
        ["2026-03-31", "2026-04-30", "2026-03-31T23:00:00-05:00", "Nowhere", "NaN", "12,5",
         " 7 ", "0.000", "1e3", "2026-02-30", "Commit", "  ", "10"]
    ),
)  # fmt: skip
TIMES = st.one_of(
    st.sampled_from(
        ["2026-01-05T09:00:00.000+0000", "2026-01-20T10:00:00.000+0000", "2026-01-20T10:00:00Z"]
    ),
    st.sampled_from(
        ["2026-01-05", "2026-01-05T04:00:00.000-0500", "2026-02-01 08:00", "soon", "",
         "2026-01-20T10:00:00.123+0000", "0001-01-01T00:30:00+01:00"]
    ),
)  # fmt: skip
CHANGES = st.lists(st.tuples(IDS, FIELDS, VALUES, VALUES, TIMES), max_size=14)
CURRENT = st.lists(
    st.tuples(
        st.sampled_from(["006A", "006B", "006D", ""]),
        st.sampled_from(["2026-01-01T00:00:00.000+0000", "2026-01-20T10:00:00.000+0000", ""]),
        VALUES,
        VALUES,
        VALUES,
    ),
    max_size=5,
)


def _csv(header: list[str], rows: list[tuple[str, ...]], ragged: int | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for n, row in enumerate(rows):
        writer.writerow(row[:2] if n == ragged else row)
    return out.getvalue()


def _both(changes: str, current: str | None, **options: Any) -> tuple[Any, Any]:
    def read() -> sf.io.HistoryTable:
        return read_field_history(
            io.StringIO(changes, newline=""),
            process=PROCESS,
            opportunities=None if current is None else io.StringIO(current, newline=""),
            **options,
        )

    return both(read, module)


@given(
    changes=CHANGES,
    current=st.none() | CURRENT,
    owner=st.sampled_from(["Owner", "OwnerId"]),
    ragged=st.none() | st.integers(0, 13),
    zone=st.sampled_from(
        [timezone.utc, ZoneInfo("Asia/Tokyo"), timezone(timedelta(hours=-3, minutes=-30))]
    ),
    currency=st.sampled_from([None, "USD"]),
)
def test_the_columnar_replay_takes_refuses_and_builds_as_the_loop(
    changes: list[tuple[str, ...]],
    current: list[tuple[str, ...]] | None,
    owner: str,
    ragged: int | None,
    zone: Any,
    currency: str | None,
) -> None:
    history = _csv(
        ["OpportunityId", "Field", "OldValue", "NewValue", "CreatedDate"], changes, ragged
    )
    now = (
        None
        if current is None
        else _csv(["Id", "CreatedDate", "StageName", "Amount", owner], current)
    )
    columnar, loop = _both(history, now, timezone=zone, currency=currency)
    same(columnar, loop)


def test_the_module_example_reads_in_columns() -> None:
    export = (
        "OpportunityId,Field,OldValue,NewValue,CreatedDate\n"
        "006A,created,,,2026-01-05T09:00:00.000+0000\n"
        "006A,StageName,Prospecting,Qualification,2026-01-20T10:00:00.000+0000\n"
        "006A,Amount,1000,1500,2026-01-20T10:00:00.000+0000\n"
    )
    columnar, loop = _both(export, None, currency="USD")
    same(columnar, loop)
    assert [r["stage"] for r in columnar[0].rows] == ["Prospecting", "Qualification"]


def test_a_close_date_is_its_own_day_in_any_zone() -> None:
    # a day read as midnight in Tokyo is the day before in UTC: it was taken for that one
    export = (
        "OpportunityId,Field,OldValue,NewValue,CreatedDate\n"
        "006A,created,,,2026-01-05T09:00:00.000+0000\n"
        "006A,CloseDate,2026-03-31,2026-04-30,2026-01-20T10:00:00.000+0000\n"
    )
    columnar, loop = _both(export, None, timezone=ZoneInfo("Asia/Tokyo"))
    same(columnar, loop)
    assert [str(r["close_date"]) for r in columnar[0].rows] == ["2026-03-31", "2026-04-30"]


def test_a_field_starts_at_its_first_known_old_value() -> None:
    # the loop keeps the first old value it meets (a change without one is skipped)
    export = (
        "OpportunityId,Field,OldValue,NewValue,CreatedDate\n"
        "006A,created,,,2026-01-05T09:00:00.000+0000\n"
        "006A,Amount,,900,2026-01-10T10:00:00.000+0000\n"
        "006A,Amount,1000,1500,2026-01-20T10:00:00.000+0000\n"
        "006A,Amount,2000,2500,2026-01-30T10:00:00.000+0000\n"
    )
    columnar, loop = _both(export, None, currency="USD")
    same(columnar, loop)
    assert [str(r["amount"]) for r in loop[0].rows] == ["1000", "900", "1500", "2500"]


STAGE_ROWS = st.lists(
    st.tuples(IDS, TIMES, VALUES, VALUES, VALUES, VALUES, VALUES, VALUES), max_size=8
)
STAGE_HEADER = [
    "OpportunityId", "CreatedDate", "StageName", "Amount", "CloseDate", "Probability",
    "ForecastCategory", "ForecastCategoryName",
]  # fmt: skip


@given(
    changes=CHANGES,
    stages=STAGE_ROWS,
    columns=st.lists(st.sampled_from(STAGE_HEADER[2:]), unique=True),
    current=st.none() | CURRENT,
    ragged=st.none() | st.integers(0, 7),
    zone=st.sampled_from([timezone.utc, ZoneInfo("Asia/Tokyo")]),
)
def test_an_opportunity_history_merges_in_columns_as_in_the_loop(
    changes: list[tuple[str, ...]],
    stages: list[tuple[str, ...]],
    columns: list[str],
    current: list[tuple[str, ...]] | None,
    ragged: int | None,
    zone: Any,
) -> None:
    history = _csv(["OpportunityId", "Field", "OldValue", "NewValue", "CreatedDate"], changes)
    keep = [0, 1, *(STAGE_HEADER.index(c) for c in columns)]
    merged = _csv(
        [STAGE_HEADER[i] for i in keep], [tuple(r[i] for i in keep) for r in stages], ragged
    )
    now = (
        None
        if current is None
        else _csv(["Id", "CreatedDate", "StageName", "Amount", "Owner"], current)
    )

    def read() -> sf.io.HistoryTable:
        return read_field_history(
            io.StringIO(history, newline=""),
            process=PROCESS,
            opportunities=None if now is None else io.StringIO(now, newline=""),
            stage_history=io.StringIO(merged, newline=""),
            timezone=zone,
            currency="USD",
        )

    same(*both(read, module))


def test_an_opportunity_history_row_agrees_with_the_same_number_written_otherwise() -> None:
    changes = _csv(
        ["OpportunityId", "Field", "OldValue", "NewValue", "CreatedDate"],
        [
            ("006A", "created", "", "", "2026-01-05T09:00:00.000+0000"),
            ("006A", "Amount", "900", "1000", "2026-01-20T10:00:00.000+0000"),
            ("006A", "StageName", "Prospecting", "Qualification", "2026-01-20T10:00:00.000+0000"),
            ("006B", "Amount", "", "1500.5", "2026-01-20T10:00:00.000+0000"),
        ],
    )
    stages = _csv(
        ["OpportunityId", "CreatedDate", "StageName", "Amount", "ForecastCategory",
         "ForecastCategoryName"],
        [
            ("006A", "2026-01-20T10:00:00.000+0000", "Qualification", "1000.00", "Pipeline",
             "Best Case"),
            ("006B", "2026-01-20T10:00:00.000+0000", "", "1500.60", "", ""),
            ("006C", "2026-02-01T10:00:00.000+0000", "Prospecting", "5", "Pipeline", ""),
        ],
    )  # fmt: skip

    def read() -> sf.io.HistoryTable:
        return read_field_history(
            io.StringIO(changes, newline=""),
            process=PROCESS,
            stage_history=io.StringIO(stages, newline=""),
            currency="USD",
        )

    columnar, loop = both(read, module)
    same(columnar, loop)
    table = columnar[0]
    assert [(r.kind, r.record, r.id) for r in table.refused] == [("OpportunityHistory", 2, "006B")]
    assert str(table.refused[0].problems[0]) == (
        "amount Decimal('1500.60') contradicts the field history's Decimal('1500.5') "
        "(record 4) at the same moment @ $.Amount"
    )
    rows = {(r["opportunity_id"], str(r["at"])): r for r in table.rows}
    after = rows[("006A", "2026-01-20 10:00:00+00:00")]
    # the field history's 1000 and the OpportunityHistory's 1000.00 agree; it sets last
    assert (after["amount"], after["forecast_category"]) == (Decimal("1000.00"), "Best Case")
    first = rows[("006C", "2026-02-01 10:00:00+00:00")]  # created at its first row
    assert (first["stage"], first["previous_amount"]) == ("Prospecting", None)
