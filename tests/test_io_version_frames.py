"""read_versions in columns (a CSV file, Polars installed) against its version-at-a-time loop."""

from __future__ import annotations

import csv
import io
from datetime import timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.io import read_versions
from salesflow.io import versions as module
from tests._two_paths import both, same

pl = pytest.importorskip("polars")

PROCESS = sf.presets.salesforce_standard()
HEADER = ["id", "stage", "amount", "close_date", "probability", "currency", "dbt_valid_from"]
IDS = st.one_of(st.sampled_from(["o1", "o2", "o3"]), st.sampled_from(["", " ", " o1", "o1 "]))
STAGES = st.one_of(
    st.sampled_from(["Prospecting", "Qualification"]), st.sampled_from(["", "Nowhere"])
)
AMOUNTS = st.one_of(
    st.sampled_from(["100", "100.0", "150"]),
    st.sampled_from(["", "1.50", "1.5", "+150", "0150", "1e2", ".5", "0.50", "lots", "NaN"]),
)
DAYS = st.one_of(
    st.sampled_from(["2026-03-31", "2026-04-30"]),
    st.sampled_from(["", "2026-03-31T23:00:00-05:00", "2026-02-30", "soon"]),
)
CHANCES = st.sampled_from(["", "10", "10.0", "20"])
MONEY = st.sampled_from(["", "USD", "EUR"])
TIMES = st.one_of(
    st.sampled_from(["2026-01-05 09:00:00", "2026-01-09 10:00:00", "2026-02-01 08:00:00"]),
    st.sampled_from(
        ["", "soon", "2026-01-05T09:00:00Z", "2026-01-05T09:00:00.000+0000", "2026-01-05",
         "2026-01-05 09:00:00.5", "2026-01-05T18:00+09:00", "2026-01-05 05:30:00-03:30",
         "2026-01-05 24:00:00", "2026-02-30 09:00", " 2026-01-05 09:00:00"]
    ),
)  # fmt: skip
ROWS = st.lists(st.tuples(IDS, STAGES, AMOUNTS, DAYS, CHANCES, MONEY, TIMES), max_size=10)


def _csv(rows: list[tuple[str, ...]], ragged: int | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n, row in enumerate(rows):
        writer.writerow(row[:3] if n == ragged else row)
    return out.getvalue()


def _both(text: str, **options: Any) -> tuple[Any, Any]:
    def read() -> sf.io.HistoryTable:
        return read_versions(io.StringIO(text, newline=""), process=PROCESS, **options)

    return both(read, module)


@given(
    rows=ROWS,
    ragged=st.none() | st.integers(0, 9),
    zone=st.sampled_from(
        [timezone.utc, ZoneInfo("Asia/Tokyo"), timezone(timedelta(hours=-3, minutes=-30))]
    ),
    currency=st.sampled_from([None, "USD"]),
)
def test_the_columnar_reading_keeps_refuses_and_builds_as_the_loop(
    rows: list[tuple[str, ...]], ragged: int | None, zone: Any, currency: str | None
) -> None:
    columnar, loop = _both(_csv(rows, ragged), timezone=zone, currency=currency)
    same(columnar, loop)


def test_two_versions_of_one_moment_refuse_the_deal_on_both_paths() -> None:
    rows = [
        ("o1", "Prospecting", "100", "2026-03-31", "", "USD", "2026-01-05 09:00:00"),
        ("o1", "Qualification", "150", "2026-03-31", "", "USD", "2026-01-05T09:00:00Z"),
        ("o2", "Prospecting", "1.50", "2026-03-31", "", "USD", "2026-01-05 09:00:00"),
        ("o2", "Prospecting", "1.5", "2026-03-31", "", "USD", "2026-01-06 09:00:00"),
        ("o2", "Qualification", "1.5", "2026-03-31", "", "USD", "2026-01-07 09:00:00"),
    ]
    columnar, loop = _both(_csv(rows, None))
    same(columnar, loop)
    assert "records 1 and 2 are versions valid from the same moment" in str(loop[0].refused[0])
    assert [str(r["previous_amount"]) for r in loop[0].rows] == ["None", "1.50"]


def test_deals_refused_for_a_tie_come_in_the_order_they_first_appear() -> None:
    rows = [
        ("o3", "Prospecting", "100", "2026-03-31", "", "USD", "2026-01-09 10:00:00"),
        ("o3", "Qualification", "100", "2026-03-31", "", "USD", "2026-01-09 10:00:00"),
        ("o1", "Prospecting", "100", "2026-03-31", "", "USD", "2026-01-05 09:00:00"),
        ("o1", "Qualification", "100", "2026-03-31", "", "USD", "2026-01-05 09:00:00"),
    ]
    columnar, loop = _both(_csv(rows, None))
    same(columnar, loop)
    assert [r.record for r in loop[0].refused] == [1, 2, 3, 4]


def test_an_amount_no_decimal_column_holds_is_one_error_on_both_paths() -> None:
    huge = "1" + "0" * 39
    rows = [
        ("o1", "Prospecting", huge, "2026-03-31", "", "USD", "2026-01-05 09:00:00"),
        ("o1", "Qualification", "100", "2026-03-31", "", "USD", "2026-01-06 09:00:00"),
    ]
    columnar, loop = _both(_csv(rows, None))
    same(columnar, loop)
    assert columnar[0] is sf.ValidationError
    assert str(columnar[1]).count("a decimal column holds 38") == 2  # the amount, then previous
