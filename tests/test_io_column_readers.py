"""Reading a whole column of cells gives what the one-cell reader gives each cell."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.io._column_readers import timestamps
from salesflow.io._values import Reject, read_datetime

pl = pytest.importorskip("polars")


def _two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n:02d}")


# Data Loader's and the API's spellings, with fields now and then out of range
_STAMPS = st.builds(
    lambda y, mo, d, h, mi, s, ms, off: f"{y:04d}-{mo}-{d}T{h}:{mi}:{s}{ms}{off}",
    st.sampled_from([1, 2, 1970, 2000, 2024, 2026, 9998, 9999]),
    _two(0, 13),
    _two(0, 32),
    _two(0, 25),
    _two(0, 61),
    _two(0, 61),
    st.sampled_from(["", ".000", ".123", ".5", ".1234567"]),
    st.sampled_from(
        ["Z", "+0000", "-0000", "+0530", "-0800", "+2359", "+2400", "+0060", "", "+05:30"]
    ),
)


@settings(max_examples=300)
@given(st.lists(_STAMPS | st.sampled_from(["", "2026-02-29", "2024-02-29", "x"]), max_size=12))
def test_a_column_of_timestamps_reads_as_each_cell_does(cells: list[str]) -> None:
    raw = pl.Series(cells, dtype=pl.String).replace("", None)
    values, errors = timestamps(pl, raw, None)
    for cell, value, error in zip(cells, values.to_list(), errors.to_list(), strict=True):
        try:
            expected: datetime | None = read_datetime(cell)
        except Reject as exc:
            assert (value, error) == (None, str(exc)), cell
            continue
        assert (value, error) == (expected, None), cell


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
