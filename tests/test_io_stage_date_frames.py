"""read_stage_dates in columns (a CSV file, Polars installed) against its record-at-a-time loop."""

from __future__ import annotations

import csv
import io
from datetime import timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.io import read_stage_dates
from salesflow.io import stage_dates as module
from tests._two_paths import both, same

pl = pytest.importorskip("polars")

MAVEN = sf.presets.maven()
DATES = sf.presets.maven_stage_dates()
BACKWARDS = dict(reversed(DATES.items()))  # a later stage's column first: ties go by stage
HEADER = ["opportunity_id", "deal_stage", "engage_date", "close_date", "close_value"]

# Half of each column's cells are plain good values, so whole records are often taken.
IDS = st.one_of(
    st.sampled_from(["A", "B", "C", "D", "E", "F"]),
    st.sampled_from([" A", "A ", "", "  ", "\x1f", "D\u00e9", "E,F", 'G"H']),
)
STAGES = st.one_of(
    st.sampled_from(["Won", "Lost", "Engaging"]),
    st.sampled_from(["Prospecting", "won", " Won", "", "Nope"]),
)
DAYS = st.one_of(
    st.sampled_from(["2017-01-05", "2017-02-01"]),
    st.sampled_from(
        [
            "2016-12-31",
            "2017-01-05T10:00:00",
            "2017-01-05T23:30:00-05:00",
            "2017-01-06T01:00:00+02:00",
            "2017-01-05 08:00Z",
            " 2017-01-05 ",
            "01/05/2017",
            "2017-02-30",
            "0001-01-01T00:30:00+01:00",
            "9999-12-31T23:00:00-05:00",
            "soon",
            "",
            " ",
            "\u3000",
        ]
    ),
)
AMOUNTS = st.one_of(
    st.sampled_from(["100", "250.5"]),
    st.sampled_from(
        [
            "100.50",
            "0.000",
            "-5",
            "+5",
            ".5",
            "5.",
            " 7 ",
            "1_000",
            "1e3",
            "1E-3",
            "NaN",
            "Infinity",
            "lots",
            "12,5",
            "",
            "0.1234567",
        ]
    ),
)
ROWS = st.lists(st.tuples(IDS, STAGES, DAYS, DAYS, AMOUNTS), max_size=12)


def _csv(rows: list[tuple[str, ...]], quoting: int, ragged: int | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=quoting, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n, row in enumerate(rows):
        writer.writerow(row[:3] if n == ragged else row)
    return out.getvalue()


def _both(text: str, **options: Any) -> tuple[Any, Any]:
    mapping = options.pop("mapping", DATES)

    def read() -> sf.io.HistoryTable:
        return read_stage_dates(
            io.StringIO(text, newline=""),
            mapping,
            process=MAVEN,
            columns=sf.Columns.maven(),
            **options,
        )

    return both(read, module)


@given(
    rows=ROWS,
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    ragged=st.none() | st.integers(0, 11),
    formats=st.sampled_from([(), ("%m/%d/%Y",)]),
    zone=st.sampled_from([timezone.utc, ZoneInfo("America/New_York")]),
    currency=st.sampled_from([None, "USD"]),
    mapping=st.sampled_from([DATES, BACKWARDS]),
)
def test_the_columnar_reading_takes_refuses_and_words_as_the_loop(
    rows: list[tuple[str, ...]],
    quoting: int,
    ragged: int | None,
    formats: tuple[str, ...],
    zone: Any,
    currency: str | None,
    mapping: dict[str, str],
) -> None:
    text = _csv(rows, quoting, ragged)
    options = {"date_formats": formats, "timezone": zone, "currency": currency}
    columnar, loop = _both(text, mapping=mapping, **options)
    same(columnar, loop)


def test_a_file_is_read_in_columns_and_its_rows_made_only_when_asked() -> None:
    text = _csv([("A", "Won", "2017-01-05", "2017-02-01", "100")], csv.QUOTE_MINIMAL, None)
    table = read_stage_dates(
        io.StringIO(text), DATES, process=MAVEN, columns=sf.Columns.maven(), currency="USD"
    )
    assert table._rows is None and table.to_polars().height == 2
    assert [r["stage"] for r in table.rows] == ["Engaging", "Won"]
    assert table.rows[0]["at"].tzinfo is timezone.utc


def test_an_amount_no_decimal_column_holds_is_a_validation_error_on_both_paths() -> None:
    huge = "1" + "0" * 40
    text = _csv([("A", "Won", "2017-01-05", "2017-02-01", huge)], csv.QUOTE_MINIMAL, None)
    columnar, loop = _both(text, currency="USD")
    assert columnar[0] is loop[0] is sf.ValidationError
    assert "needs 43 digits at 2 decimal places; a decimal column holds 38" in columnar[1]
    assert columnar == loop


def test_a_time_whose_utc_day_is_no_date_is_refused_not_raised() -> None:
    text = _csv(
        [("A", "Won", "0001-01-01T00:30:00+01:00", "2017-02-01", "5")], csv.QUOTE_MINIMAL, None
    )
    columnar, loop = _both(text)
    same(columnar, loop)
    assert "not a date: '0001-01-01T00:30:00+01:00'" in str(columnar[0].refused[0])


@pytest.mark.parametrize(
    ("text", "extended"),
    [
        ("2026-01-20T10:00:00.000+0000", "2026-01-20T10:00:00.000000+00:00"),
        ("2026-01-20T10:00:00.5-0530", "2026-01-20T10:00:00.500000-05:30"),
        ("2026-01-20T10:00:00.1234567+00:00", "2026-01-20T10:00:00.123456+00:00"),
        ("2026-01-20 10:00", "2026-01-20 10:00"),
        ("2026-01-20", "2026-01-20"),
    ],
)
def test_times_are_spelled_as_python_3_10_reads_them(text: str, extended: str) -> None:
    # 3.10's fromisoformat reads only +HH:MM offsets and 3 or 6 fraction digits: it
    # refused every Data Loader time (…T10:00:00.000+0000) that 3.11 reads
    from salesflow.io._stage_cells import _extended

    assert _extended(text) == extended
