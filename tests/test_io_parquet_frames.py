"""The columnar Parquet import takes, refuses and tabulates as read_parquet, on typed columns."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.io import (
    CloseDatePolicy,
    read_parquet,
    read_parquet_frames,
    table_frames,
    write_parquet,
)
from tests._same_import import assert_same_import, both_imports
from tests.strategies import (
    SALESFLOW_HISTORY_COLUMNS,
    SALESFLOW_SNAPSHOT_COLUMNS,
    SF_CELLS,
    SF_GOOD,
)

pl = pytest.importorskip("polars")

PROCESS = sf.presets.salesforce_standard()
T0 = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
IDS = ["006A", "006B", "006C ", "006D", "006E", "006F"]

_GOOD_TYPED: dict[str, st.SearchStrategy[Any]] = {
    "number": st.sampled_from([100, 0, 55, 3, 2500.125, 0.5, 99999999.99, 10.0]),
    "flag": st.booleans(),
    "day": st.sampled_from([date(2026, 3, 31), date(2026, 3, 15), date(2026, 6, 30)]),
    "time": st.sampled_from(
        [
            datetime(2026, 1, 1),  # noqa: DTZ001 - naive: the column's type gives the zone
            datetime(2026, 2, 1, 10),  # noqa: DTZ001
            datetime(2026, 1, 2, 3, 4, 5, 500000),  # noqa: DTZ001
        ]
    ),
}
_KIND = {
    "amount": "number", "previous_amount": "number", "probability": "number",
    "push_count": "number", "sequence": "number", "is_closed": "flag", "is_won": "flag",
    "close_date": "day", "closed_on": "day", "previous_close_date": "day",
    "created_at": "time", "last_stage_change_at": "time", "at": "time",
}  # fmt: skip
_TIMES = [
    pl.Datetime("us", "UTC"),
    pl.Datetime("us"),
    pl.Datetime("ns", "Asia/Tokyo"),
    pl.Datetime("ms", "America/St_Johns"),
]


def _values(dtype: str, scale: int) -> st.SearchStrategy[Any]:
    """Any value of a Parquet column type, hostile ones too."""
    if dtype == "integer":
        return st.integers(-3, 120) | st.integers(-(2**63), 2**63 - 1)
    if dtype == "decimal":
        top = Decimal(10) ** (18 - scale) - 1
        return st.decimals(-top, top, places=scale, allow_nan=False, allow_infinity=False)
    if dtype == "float":
        return st.floats() | st.sampled_from([0.5, 100.0, 1e-300, 1e200, -0.0, 55.5, 1e-7])
    if dtype == "flag":
        return st.booleans()
    if dtype == "day":
        return st.dates()
    return st.datetimes(datetime(1700, 1, 1), datetime(2250, 12, 31))  # noqa: DTZ001


def _polars_type(dtype: str, scale: int, time: Any) -> Any:
    return {
        "integer": pl.Int64,
        "decimal": pl.Decimal(38, scale),
        "float": pl.Float64,
        "flag": pl.Boolean,
        "day": pl.Date,
        "time": time,
    }[dtype]


_TRICKY: dict[str, st.SearchStrategy[Any]] = {
    "integer": st.sampled_from([0, 1, 5, -1, 100, 20260331]),
    "decimal": st.sampled_from([0, 1, 55]),
    "float": st.sampled_from([0.0, 1.0, 55.5, 1e16, 1e-7, float("nan"), float("inf")]),
}
"""Values a text reader would take: ``1`` as a flag, ``0`` as a number, in a column of another type."""


def _or_none(cell: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A cell, null one time in eight."""
    return st.integers(0, 7).flatmap(lambda i: cell if i else st.none())


@st.composite
def parquet_tables(draw: st.DrawFn, columns: list[str], *, ids: list[str] | None = None) -> bytes:
    """A Parquet file of some of ``columns``: each column text, typed, or of a type no rule reads.

    A tame column has its field's own type and good values; a wild one any
    type, and values its field's reader might take as text. A file's columns
    are all tame, all but one, or each wild one time in four.
    """
    header = draw(st.lists(st.sampled_from(columns), min_size=1, max_size=10, unique=True))
    if draw(st.integers(0, 3)):  # mostly a table whose rows can be taken
        header = [c for c in columns[:3] if c not in header] + header
    height = draw(st.integers(0, 6))
    wild = ["text", "integer", "decimal", "float", "flag", "day", "time", "list", "category"]
    mode = draw(st.sampled_from(["tame", "one wild", "wild"]))
    wild_one = draw(st.sampled_from(header))
    data = {}
    for column in header:
        natural = _KIND.get(column.casefold(), "text")
        if mode == "wild":
            tame = draw(st.integers(0, 3)) > 0
        else:
            tame = mode == "tame" or column != wild_one
        choice = natural if tame else draw(st.sampled_from(wild))
        scale = draw(st.sampled_from([0, 2, 9]))
        time = draw(st.sampled_from(_TIMES))
        if choice in ("text", "category"):
            good = SF_GOOD.get(column.casefold(), st.just(""))
            if column == "opportunity_id" and ids is not None:
                good = st.sampled_from(ids)
            cell = st.integers(0, 7).flatmap(lambda i, g=good: g if i else SF_CELLS)
            values = draw(st.lists(_or_none(cell), min_size=height, max_size=height))
            series = pl.Series(column, values, pl.String)
            data[column] = series.cast(pl.Categorical) if choice == "category" else series
            continue
        if choice == "list":
            data[column] = pl.Series(column, [[1]] * height, pl.List(pl.Int64))
            continue
        dtype = (
            draw(st.sampled_from(["integer", "decimal", "float"]))
            if choice == "number"
            else choice
        )
        if tame and choice == "number":
            good = _GOOD_TYPED["number"]
            if dtype == "integer":
                good = good.filter(lambda v: float(v).is_integer()).map(int)
        elif tame:
            good = _GOOD_TYPED[dtype]
        else:
            good = _TRICKY.get(dtype, _GOOD_TYPED.get(dtype, st.nothing()))
        if dtype == "decimal":
            good = good.map(lambda v, s=scale: Decimal(str(v)).quantize(Decimal(1).scaleb(-s)))
        cell = st.integers(0, 7).flatmap(
            lambda i, g=good, d=dtype, s=scale, t=tame: (
                g if (i or t) and not g.is_empty else _values(d, s)
            )
        )
        values = draw(st.lists(_or_none(cell), min_size=height, max_size=height))
        data[column] = pl.Series(column, values, _polars_type(dtype, scale, time), strict=False)
    out = io.BytesIO()
    pl.DataFrame(data).write_parquet(out)
    return out.getvalue()


_TYPES = ["integer", "decimal", "float", "flag", "day", "time"]


@st.composite
def one_typed_column(draw: st.DrawFn) -> tuple[bytes, bytes | None]:
    """Good snapshot and history tables, one column of either of any type and tricky values.

    Each (type, field) pair the conversion table rules on is drawn on its own,
    among records that are otherwise taken.
    """
    height = draw(st.integers(1, 4))
    ids = [f"006{c}" for c in "ABCD"][:height]
    stages = draw(
        st.lists(
            st.sampled_from(["Prospecting", "Closed Won", "Closed Lost"]),
            min_size=height,
            max_size=height,
        )
    )
    snapshot: dict[str, Any] = {
        "id": ids,
        "stage": stages,
        "close_date": pl.Series([date(2026, 3, 31)] * height, dtype=pl.Date),
        "currency": ["USD"] * height,
    }
    history: dict[str, Any] | None = None
    if draw(st.booleans()):
        history = {
            "opportunity_id": ids,
            "at": pl.Series([datetime(2026, 1, 2, tzinfo=timezone.utc)] * height),
            "stage": ["Prospecting"] * height,
            "close_date": pl.Series([date(2026, 3, 31)] * height, dtype=pl.Date),
            "currency": ["USD"] * height,
        }
    table = history if history is not None and draw(st.booleans()) else snapshot
    columns = SALESFLOW_HISTORY_COLUMNS if table is history else SALESFLOW_SNAPSHOT_COLUMNS
    read = [c for c in columns if c in _KIND]  # fields read as numbers, flags, days, times
    column = draw(
        st.sampled_from(read)
        if draw(st.integers(0, 7))
        else st.sampled_from([c for c in columns if c not in ("opportunity_id", "id")])
    )
    dtype = draw(st.sampled_from(_TYPES))
    scale = draw(st.sampled_from([0, 2]))
    good = _TRICKY.get(dtype, _GOOD_TYPED.get(dtype, st.nothing()))
    if dtype == "decimal":
        good = good.map(lambda v: Decimal(str(v)).quantize(Decimal(1).scaleb(-scale)))
    cell = st.integers(0, 7).flatmap(lambda i: good if i else _values(dtype, scale))
    values = draw(st.lists(_or_none(cell), min_size=height, max_size=height))
    time = draw(st.sampled_from(_TIMES))
    table[column] = pl.Series(column, values, _polars_type(dtype, scale, time), strict=False)
    files = []
    for data in (snapshot, history):
        if data is None:
            files.append(None)
            continue
        out = io.BytesIO()
        pl.DataFrame(data).write_parquet(out)
        files.append(out.getvalue())
    return files[0] or b"", files[1]


def _both(snapshot: bytes, history: bytes | None, **options: Any) -> tuple[Any, Any, bool]:
    return both_imports(
        read_parquet,
        read_parquet_frames,
        snapshot,
        history,
        process=PROCESS,
        imported_at=T0,
        **options,
    )


@settings(max_examples=max(300, settings().max_examples))  # the thorough profile: more
@given(
    parquet_tables(SALESFLOW_SNAPSHOT_COLUMNS),
    st.none() | parquet_tables(SALESFLOW_HISTORY_COLUMNS, ids=IDS),
    st.sampled_from(
        [None, CloseDatePolicy.fixed(date(2026, 6, 30)), CloseDatePolicy.after_created(days=30)]
    ),
    st.sampled_from([None, "USD"]),
    st.sampled_from([None, timezone.utc, ZoneInfo("America/New_York")]),
)
def test_the_columnar_path_takes_and_refuses_what_read_parquet_does(
    snapshot: bytes,
    history: bytes | None,
    policy: CloseDatePolicy | None,
    currency: str | None,
    zone: Any,
) -> None:
    options = {"close_dates": policy, "currency": currency, "timezone": zone}
    objects, columns, fell_back = _both(snapshot, history, **options)
    event("read by the loop" if fell_back else "read in columns")
    if not fell_back:
        for name, dtype in pl.read_parquet(io.BytesIO(snapshot)).schema.items():
            event(f"in columns: {name} as {dtype}")
    assert_same_import(objects, columns)


def _exported() -> tuple[bytes, bytes]:
    """A typed export of salesflow's own: decimals, dates, UTC times, flags, integers."""
    data = sf.datasets.synthetic(PROCESS, 60, seed=5)
    snapshot, history = io.BytesIO(), io.BytesIO()
    write_parquet(snapshot, data.opportunities)
    write_parquet(history, data.opportunities, table="history")
    return snapshot.getvalue(), history.getvalue()


@settings(max_examples=max(300, settings().max_examples))
@given(one_typed_column(), st.sampled_from([None, timezone.utc, ZoneInfo("Asia/Kolkata")]))
def test_each_type_is_read_in_columns_as_the_loop_reads_it_for_each_field(
    files: tuple[bytes, bytes | None], zone: Any
) -> None:
    objects, columns, fell_back = _both(*files, timezone=zone)
    event("read by the loop" if fell_back else "read in columns")
    assert_same_import(objects, columns)


def test_a_typed_export_is_read_in_columns_as_the_loop_reads_it() -> None:
    snapshot, history = _exported()
    objects, columns, fell_back = _both(snapshot, history)
    assert not fell_back
    assert columns.taken["Opportunity"] > 0 and columns.taken["OpportunityHistory"] > 0
    assert_same_import(objects, columns)


def test_a_problem_in_a_typed_column_is_worded_by_the_loop() -> None:
    out = io.BytesIO()
    pl.DataFrame(
        {
            "id": ["o-1", "o-2"],
            "stage": ["Prospecting", "Prospecting"],
            "close_date": [date(2026, 3, 31)] * 2,
            "push_count": [1, -2],
        }
    ).write_parquet(out)
    objects, columns, fell_back = _both(out.getvalue(), None)
    assert fell_back
    assert_same_import(objects, columns)
    assert [r.reason for r in columns.refused] == [
        "expected a whole number >= 0, got -2 @ $.push_count"
    ]


def test_typed_days_and_times_read_as_their_text_would() -> None:
    """A ``Date`` where a time belongs is midnight UTC; a ``Datetime`` where a day belongs, its day.

    pandas writes parsed dates as naive timestamps; Polars as days. Both are
    read as the same text would be (``2026-03-31`` in a time column,
    ``2026-03-31T22:00:00-05:00`` in a day column: the day as written).
    """
    out = io.BytesIO()
    pl.DataFrame(
        {
            "id": ["o-1", "o-2"],
            "stage": ["Closed Won", "Prospecting"],
            "close_date": pl.Series(  # wall times in New York: 22:00 is 03:00 UTC next day
                [datetime(2026, 3, 31, 22), datetime(2026, 4, 30)]  # noqa: DTZ001
            ).dt.replace_time_zone("America/New_York"),
            "created_at": [date(2026, 1, 5), date(2026, 2, 1)],
        }
    ).write_parquet(out)
    objects, columns, fell_back = _both(out.getvalue(), None, currency="USD")
    assert not fell_back
    assert_same_import(objects, columns)
    assert columns.refused == ()
    assert columns.frames.snapshot.select("close_date", "created_at").rows() == [
        (date(2026, 3, 31), datetime(2026, 1, 5, tzinfo=timezone.utc)),
        (date(2026, 4, 30), datetime(2026, 2, 1, tzinfo=timezone.utc)),
    ]


def test_the_maven_file_saved_as_parquet_by_pandas_or_polars_reads_as_the_csv(
    shared_data: Any,
) -> None:
    """Maven's CSV read as a user would (pandas with parsed dates, Polars with inferred types)."""
    pd = pytest.importorskip("pandas")
    from salesflow.io import read_csv_frames

    path = shared_data / "maven-crm" / "sales_pipeline.csv"
    options: dict[str, Any] = {
        "process": sf.presets.maven(),
        "columns": sf.Columns.maven().replace(snapshot={"created_at": "engage_date"}),
        "currency": "USD",
        "close_dates": CloseDatePolicy.fixed(date(2018, 3, 31)),
        "imported_at": T0,
    }
    expected = read_csv_frames(path, **options)
    assert expected.refused == () and expected.taken["Opportunity"] == 8800
    saved = {"pandas": io.BytesIO(), "polars": io.BytesIO()}
    pd.read_csv(path, parse_dates=["engage_date", "close_date"]).to_parquet(saved["pandas"])
    pl.read_csv(path, try_parse_dates=True).write_parquet(saved["polars"])
    naive = read_parquet(io.BytesIO(saved["pandas"].getvalue()), **options)
    assert naive.refused[0].reason == (  # pandas' naive times: in which zone?
        "timestamp 2016-10-20 00:00:00 has no UTC offset; pass the source's time zone"
        " @ $.engage_date"
    )
    for how, data in saved.items():
        zone = {"timezone": timezone.utc} if how == "pandas" else {}
        with mock.patch.object(
            table_frames, "read_records", wraps=table_frames.read_records
        ) as loop:
            found = read_parquet_frames(io.BytesIO(data.getvalue()), **options, **zone)
        assert not loop.called, how
        assert found.refused == (), how
        assert found.frames.snapshot.equals(expected.frames.snapshot), how
        objects = read_parquet(io.BytesIO(data.getvalue()), **options, **zone)
        assert_same_import(objects, found)


def test_integer_ids_and_owners_are_read_in_columns_as_their_digits() -> None:
    """A numeric id (HubSpot's, a database's) saved by pandas is its digits; a refusal names no id."""
    out = io.BytesIO()
    pl.DataFrame(
        {
            "id": [1001, 1002],
            "stage": ["Prospecting", "Nowhere"],
            "close_date": [date(2026, 3, 31)] * 2,
            "owner": [7, 8],
        }
    ).write_parquet(out)
    objects, columns, fell_back = _both(out.getvalue(), None)
    assert not fell_back
    assert_same_import(objects, columns)
    assert columns.frames.snapshot.select("id", "owner").rows() == [("1001", "7")]
    assert [(r.record, r.id) for r in columns.refused] == [(2, None)]
