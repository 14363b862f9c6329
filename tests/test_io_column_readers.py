"""Reading a whole column of cells gives what the one-cell reader gives each cell."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.io._column_readers import dates, timestamps
from salesflow.io._values import Reject, read_date, read_datetime

pl = pytest.importorskip("polars")


def _two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n:02d}")


# Data Loader's, the API's and isoformat()'s spellings, with fields now and then out of range
_STAMPS = st.builds(
    lambda y, mo, d, h, mi, s, ms, off: f"{y:04d}-{mo}-{d}T{h}:{mi}:{s}{ms}{off}",
    st.sampled_from([1, 2, 1970, 2000, 2024, 2026, 9998, 9999]),
    _two(0, 13),
    _two(0, 32),
    _two(0, 25),
    _two(0, 61),
    _two(0, 61),
    st.sampled_from(["", ".000", ".123", ".5", ".1234567", ".123456", ".123456789", "."]),
    st.sampled_from(
        [
            "Z",
            "+0000",
            "-0000",
            "+0530",
            "-0800",
            "+2359",
            "+2400",
            "+0060",
            "",
            "+05:30",
            "+00:00",
            "-00:00",
            "+00:0",
        ]
    ),
)
_ODD = [
    "",
    "x",
    "2026-02-29",
    "2024-02-29",
    "2026-01-05T10:00:00.000+ab00",
    "2026-01-05T10:00:00.000+0000 ",
    "2026-01-05 10:00:00Z",
    "2026-01-05T10:00",
    "20260105T100000Z",
    "x" * 28,
]


@settings(max_examples=300)
@given(st.lists(_STAMPS | st.sampled_from(_ODD), max_size=12))
def test_a_column_of_timestamps_and_dates_reads_as_each_cell_does(cells: list[str]) -> None:
    raw = pl.Series(cells, dtype=pl.String).replace("", None)
    values, errors = timestamps(pl, raw, None)
    days, day_errors = dates(pl, raw)
    for cell, value, error in zip(cells, values.to_list(), errors.to_list(), strict=True):
        try:
            expected: datetime | None = read_datetime(cell)
        except Reject as exc:
            assert (value, error) == (None, str(exc)), cell
            continue
        assert (value, error) == (expected, None), cell
    for cell, day, error in zip(cells, days.to_list(), day_errors.to_list(), strict=True):
        try:
            expected_day: date | None = read_date(cell)
        except Reject as exc:
            assert (day, error) == (None, str(exc)), cell
            continue
        assert (day, error) == (expected_day, None), cell


@settings(max_examples=300)
@given(
    st.lists(st.none() | st.sampled_from(["a", "b", "c", "", " a"]), max_size=12), st.booleans()
)
def test_repeated_keys_are_those_polars_finds_repeated(
    keys: list[str | None], ordered: bool
) -> None:
    from salesflow.io._column_readers import duplicated

    if ordered:
        keys = sorted(keys, key=lambda k: (k is not None, k or ""))
    series = pl.Series(keys, dtype=pl.String)
    expected = [None if k is None else keys.count(k) > 1 for k in keys]
    assert duplicated(pl, series).to_list() == expected
