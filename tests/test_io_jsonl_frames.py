"""The columnar JSON Lines import takes, refuses and tabulates as read_jsonl."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.io import CloseDatePolicy, read_jsonl, read_jsonl_frames
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
_NUMBERS = {"amount", "previous_amount", "probability", "push_count", "sequence"}
_FLAGS = {"is_closed", "is_won"}


def _json(value: Any) -> str:
    """A JSON value as written: a decimal's digits as they are."""
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value)


_TRICKY = st.sampled_from(
    [0, 1, 5, -1, 20260331, Decimal("1.50"), Decimal("1E+3"), Decimal("0"), True, False]
)
_ANY = (
    st.integers(-(2**70), 2**70)
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.just([1])
    | st.just({"a": 1})
)


def _cell(
    column: str, wild: bool, ids: list[str] | None, kind: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    text = SF_GOOD.get(column.casefold(), st.just(""))
    if column == "opportunity_id" and ids is not None:
        text = st.sampled_from(ids)
    if column in _NUMBERS:
        good = text | st.sampled_from([100, 0, 55, Decimal("2500.125"), Decimal("10.0")])
    elif column in _FLAGS:
        good = text | st.booleans()
    else:
        good = text
    if wild:  # one kind of value for the whole column, or any mix
        good = kind
    return st.integers(0, 7).flatmap(lambda i: good if i > 1 else (st.none() if i else SF_CELLS))


@st.composite
def jsonl_files(draw: st.DrawFn, columns: list[str], *, ids: list[str] | None = None) -> bytes:
    """JSON Lines of some of ``columns``: same keys on every line mostly, odd lines sometimes."""
    header = draw(st.lists(st.sampled_from(columns), min_size=1, max_size=10, unique=True))
    if draw(st.integers(0, 3)):
        header = [c for c in columns[:3] if c not in header] + header
    wild = draw(st.sampled_from([None, *header])) if draw(st.booleans()) else None
    kind = draw(
        st.sampled_from(
            [
                st.integers(-3, 10**6),
                st.decimals(-(10**6), 10**6, allow_nan=False, allow_infinity=False),
                st.sampled_from([Decimal("1E+3"), Decimal("1.50"), Decimal("-0.0")]),
                st.booleans(),
                _TRICKY,
                _TRICKY | _ANY | st.sampled_from(["a", "1"]),
            ]
        )
    )
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        row = {c: draw(_cell(c, c == wild, ids, kind)) for c in header}
        line = "{" + ", ".join(f"{json.dumps(k)}: {_json(v)}" for k, v in row.items()) + "}"
        lines.append(line)
    odd = draw(st.integers(0, 9))
    if odd == 1 and lines:  # a key only one line has
        lines[0] = lines[0][:-1] + (', "extra": 1}' if len(lines[0]) > 2 else '"extra": 1}')
    elif odd == 2:
        lines.append("not json")
    elif odd == 3:
        lines.append("[1, 2]")
    elif odd == 4 and lines:
        lines[-1] = lines[-1][:-1] + ', "id": "006Z"}'  # a key twice (or a new one)
    elif odd == 5:
        lines.insert(0, "")
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    text = ending.join(lines) + (ending if draw(st.booleans()) else "")
    return (("\ufeff" if draw(st.integers(0, 9)) == 0 else "") + text).encode("utf-8")


def _both(snapshot: bytes, history: bytes | None, **options: Any) -> tuple[Any, Any, bool]:
    return both_imports(
        read_jsonl,
        read_jsonl_frames,
        snapshot,
        history,
        process=PROCESS,
        imported_at=T0,
        **options,
    )


@settings(max_examples=max(300, settings().max_examples))
@given(
    jsonl_files(SALESFLOW_SNAPSHOT_COLUMNS),
    st.none() | jsonl_files(SALESFLOW_HISTORY_COLUMNS, ids=IDS),
    st.sampled_from([None, CloseDatePolicy.fixed(date(2026, 6, 30))]),
    st.sampled_from([None, "USD"]),
)
def test_the_columnar_path_takes_and_refuses_what_read_jsonl_does(
    snapshot: bytes, history: bytes | None, policy: CloseDatePolicy | None, currency: str | None
) -> None:
    objects, columns, fell_back = _both(snapshot, history, close_dates=policy, currency=currency)
    event("read by the loop" if fell_back else "read in columns")
    assert_same_import(objects, columns)


def test_an_export_written_by_write_jsonl_is_read_in_columns() -> None:
    from salesflow.io import write_jsonl

    data = sf.datasets.synthetic(PROCESS, 40, seed=3)
    files = {}
    for table in ("snapshot", "history"):
        out = io.StringIO()
        write_jsonl(out, data.opportunities, table=table)
        files[table] = out.getvalue().encode("utf-8")
    objects, columns, fell_back = _both(files["snapshot"], files["history"])
    assert not fell_back
    assert columns.taken["Opportunity"] == 40
    assert_same_import(objects, columns)


def test_numbers_keep_their_written_digits_and_flags_their_truth() -> None:
    lines = (
        '{"id": 7, "stage": "Closed Won", "amount": 1E+3, "currency": "USD", '
        '"close_date": "2026-03-31", "is_closed": true, "probability": 100.0}\n'
        '{"id": 8, "stage": "Prospecting", "amount": 2.50, "currency": "USD", '
        '"close_date": "2026-03-31", "is_closed": 1, "probability": 10}\n'
    )
    objects, columns, fell_back = _both(lines.encode(), None)
    assert fell_back  # is_closed 1: the loop says what is wrong with the number
    assert_same_import(objects, columns)
    assert columns.refused[0].reason == "expected true or false, got 1 @ $.is_closed"
    objects, columns, fell_back = _both(
        lines.replace('"is_closed": 1', '"is_closed": false').encode(), None
    )
    assert not fell_back
    assert_same_import(objects, columns)
    assert columns.frames.snapshot.select("id", "amount").rows() == [
        ("7", Decimal("1000.00")),
        ("8", Decimal("2.50")),
    ]


@pytest.mark.parametrize(
    ("case", "options"),
    [
        ("not a Columns", {"columns": {"id": "Id"}}),
        ("an alias to no stage", {"aliases": {"Won": "Gewonnen"}}),
        ("a bad currency", {"currency": "dollars"}),
        ("a bad limit", {"max_bytes": 0}),
    ],
)
def test_bad_options_and_files_raise_what_the_loop_raises(
    case: str, options: dict[str, Any], tmp_path: Any
) -> None:
    from salesflow.io import read_parquet, read_parquet_frames

    good = b'{"id": "o-1", "stage": "Prospecting", "close_date": "2026-03-31"}\n'
    parquet = io.BytesIO()
    pl.DataFrame({"id": ["o-1"], "stage": ["Prospecting"]}).write_parquet(parquet)
    for read, read_frames, data in (
        (read_jsonl, read_jsonl_frames, good),
        (read_parquet, read_parquet_frames, parquet.getvalue()),
    ):
        raised = []
        for reader in (read, read_frames):
            with pytest.raises(sf.SalesflowError) as error:
                reader(io.BytesIO(data), process=PROCESS, **options)
            raised.append((type(error.value), str(error.value)))
        assert raised[0] == raised[1], case
    missing = tmp_path / "missing.parquet"
    for read, read_frames in (
        (read_jsonl, read_jsonl_frames),
        (read_parquet, read_parquet_frames),
    ):
        errors = []
        for reader in (read, read_frames):
            with pytest.raises(sf.FileFormatError) as error:
                reader(missing, process=PROCESS)
            errors.append(str(error.value))
        assert errors[0] == errors[1]
    with pytest.raises(sf.FileFormatError, match="cannot read as Parquet"):
        read_parquet_frames(io.BytesIO(good), process=PROCESS)
