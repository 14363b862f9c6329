"""The columnar Salesforce import takes, refuses and tabulates exactly as the object path."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.io import CloseDatePolicy, read_salesforce_csv, read_salesforce_frames
from tests._same_import import assert_same_import
from tests.strategies import SF_HISTORY_COLUMNS, SF_OPPORTUNITY_COLUMNS, salesforce_csv_files

pl = pytest.importorskip("polars")

PROCESS = sf.presets.salesforce_standard()
T0 = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
POLICIES = st.sampled_from(
    [None, CloseDatePolicy.fixed(date(2026, 6, 30)), CloseDatePolicy.after_created(days=30)]
)


def _both(opportunities: bytes, history: bytes | None, **options: object) -> tuple:
    def source(data: bytes | None) -> io.BytesIO | None:
        return None if data is None else io.BytesIO(data)

    objects = read_salesforce_csv(
        source(opportunities), history=source(history), process=PROCESS, imported_at=T0, **options
    )
    columns = read_salesforce_frames(
        source(opportunities), history=source(history), process=PROCESS, imported_at=T0, **options
    )
    return objects, columns


@settings(max_examples=300)
@given(
    salesforce_csv_files(SF_OPPORTUNITY_COLUMNS),
    st.none()
    | salesforce_csv_files(
        SF_HISTORY_COLUMNS, ids=["006A", "006B", "006C ", "006D", "006E", "006F"]
    ),
    POLICIES,
    st.sampled_from([None, "USD"]),
)
def test_the_columnar_path_takes_and_refuses_what_the_object_path_does(
    opportunities: bytes,
    history: bytes | None,
    policy: CloseDatePolicy | None,
    currency: str | None,
) -> None:
    try:
        objects, columns = _both(opportunities, history, close_dates=policy, currency=currency)
    except sf.FileFormatError as exc:  # an empty file or a repeated column: both say so
        with pytest.raises(sf.FileFormatError) as raised:
            _both(opportunities, history, close_dates=policy, currency=currency)
        assert str(raised.value) == str(exc)
        return
    assert_same_import(objects, columns)


def test_a_clean_export_with_history_gives_the_frames_of_the_objects() -> None:
    opportunities = (
        b'"Id","Name","StageName","Amount","CurrencyIsoCode","CloseDate","CreatedDate"\r\n'
        b'"006A","Deal ""A""","Negotiation/Review","100","EUR","2026-03-01","2026-01-01T00:00:00.000+0000"\r\n'
        b'"006B","Deal B\r\nsecond line","Closed Won","2500.125","EUR","2026-03-01","2026-01-02T00:00:00Z"\r\n'
    )
    history = (
        b"OpportunityId,CreatedDate,StageName,Amount,CloseDate\n"
        b"006A,2026-01-01T00:00:00Z,Prospecting,80,2026-03-01\n"
        b"006B,2026-02-01T00:00:00Z,Closed Won,100,2026-03-01\n"
        b"006B,2026-01-01T00:00:00Z,Prospecting,100,2026-03-01\n"
        b"006A,2026-02-01T00:00:00Z,Negotiation/Review,100,2026-03-01\n"
    )
    objects, columns = _both(opportunities, history)
    assert columns.ok
    assert columns.frames.snapshot["closed_on"].to_list() == [None, date(2026, 2, 1)]
    assert_same_import(objects, columns)


def test_a_path_names_its_file_in_every_refusal(tmp_path: object) -> None:
    path = tmp_path / "Opportunity.csv"  # type: ignore[operator]
    path.write_text("Id,Name,StageName,CloseDate\n006A,A,Nowhere,2026-01-01\n")
    result = read_salesforce_frames(path, process=PROCESS)
    assert result.refused[0].source == str(path)
    assert "unknown stage 'Nowhere'" in result.refused[0].reason
    assert not result.ok
    assert "Opportunity: 1 read, 0 imported, 1 refused" in result.summary()


def test_the_columnar_path_strips_the_spaces_python_strips() -> None:
    import sys

    from salesflow.io._column_readers import python_space

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert python_space() == every


_RECORD_TEXT = st.text(alphabet='a,"\n ', max_size=14)


@settings(max_examples=400)
@given(records=st.lists(_RECORD_TEXT.filter(lambda t: t != ""), min_size=1, max_size=6))
def test_proving_records_by_counting_agrees_with_the_regular_expression(
    records: list[str],
) -> None:
    """The counting shortcut proves a record well-formed only where the full check does."""
    import polars as pl

    from salesflow.io._csv_frame import _QUOTED, _RECORD, _well_formed

    table = pl.DataFrame({"text": records})
    for width in (1, 2, 3):
        fields = (
            pl.col("text").str.replace_all(_QUOTED, "").str.count_matches(",", literal=True) + 1
        )
        full = table.select(
            (pl.col("text").str.contains(_RECORD) & (fields == width)).all()
        ).item()
        assert _well_formed(pl, table, width) == full, (records, width)


def test_quoted_fields_that_look_like_separators_go_the_exact_way() -> None:
    import polars as pl

    from salesflow.io._csv_frame import _well_formed

    def proven(text: str, width: int) -> bool:
        return bool(_well_formed(pl, pl.DataFrame({"text": [text]}), width))

    assert proven('"a","b"', 2)
    assert proven('"a,b",c', 2)
    assert proven('"a""b","c"', 2)
    assert not proven('",""', 2)  # the separator is the opening quote: never closed
    assert not proven('"a","b","c"', 2)
    assert not proven('a,b"', 2)
