"""Reading a CSV file into columns keeps, numbers and refuses records exactly as :mod:`csv` does."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.errors import FileFormatError
from salesflow.io._csv_frame import csv_frame
from salesflow.io._source import csv_rows

pl = pytest.importorskip("polars")

_CELLS = st.text(alphabet='ab ,"\n\r\té', max_size=6)


@st.composite
def _files(draw: st.DrawFn) -> bytes:
    """A CSV file as an export writes it (every field quoted, or only where needed), sometimes spoiled."""
    width = draw(st.integers(1, 4))
    header = draw(st.lists(st.text("xyz", min_size=1, max_size=3), min_size=width, max_size=width))
    rows = draw(
        st.lists(
            st.lists(_CELLS | st.sampled_from(["", "1"]), min_size=width, max_size=width),
            max_size=5,
        )
    )
    out = io.StringIO(newline="")
    quoting = draw(st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    csv.writer(out, quoting=quoting, lineterminator=ending).writerows([header, *rows])
    data = out.getvalue().encode("utf-8")
    if draw(st.booleans()):
        data = data.removesuffix(ending.encode())  # no line break after the last record
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
        at = draw(st.integers(0, len(data)))
        piece = draw(
            st.sampled_from([b"\n", b"\n\n", b",", b'"', b"\r", b"\xff", b"\xef\xbb\xbf"])
        )
        data = data[:at] + piece + data[at:]
    return data


def _by_csv(data: bytes) -> tuple[list[str], list[tuple[int, list[str | None] | None, list[str]]]]:
    _, header, rows = csv_rows(io.BytesIO(data), encoding="utf-8")
    records = []
    for number, row, problems in rows:
        cells = None if row is None else [v if v != "" else None for v in row.values()]
        records.append((number, cells, [str(p) for p in problems]))
    return header, records


def _by_columns(
    data: bytes,
) -> tuple[list[str], list[tuple[int, list[str | None] | None, list[str]]]]:
    found = csv_frame(io.BytesIO(data), encoding="utf-8", max_bytes=1 << 20)
    records = []
    names = [f"c{i}" for i in range(len(found.header))]
    for row in found.frame.iter_rows(named=True):
        number = row["record"]
        bad = found.bad.get(number)
        cells = None if bad is not None else [row[c] for c in names]
        records.append((number, cells, [str(p) for p in bad or []]))
    return list(found.header), records


@settings(max_examples=500)
@given(_files() | st.binary(max_size=40))
def test_a_file_read_into_columns_holds_the_records_csv_reads(data: bytes) -> None:
    try:
        expected = _by_csv(data)
    except FileFormatError as exc:
        with pytest.raises(FileFormatError) as raised:
            _by_columns(data)
        assert str(raised.value) == str(exc)
        return
    assert _by_columns(data) == expected


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("quoting", [csv.QUOTE_ALL, csv.QUOTE_MINIMAL])
def test_an_export_written_back_is_read_by_polars_alone(ending: str, quoting: int) -> None:
    """The usual export (uniform quoting) takes the fast proof: Polars' cells, written back."""
    from salesflow.io._csv_frame import _written_back

    out = io.StringIO(newline="")
    rows = [["Id", "Name"], ["1", 'a "quoted", name'], ["2", ""], ["3", "two\nlines"]]
    csv.writer(out, quoting=quoting, lineterminator=ending).writerows(rows)
    found = _written_back(pl, out.getvalue().encode(), "x.csv")
    assert found is not None
    assert found.frame["c1"].to_list() == ['a "quoted", name', None, "two\nlines"]
    assert found.frame["record"].to_list() == [1, 2, 3]
    spoiled = out.getvalue().replace(ending, ending + ending, 1).encode()  # a blank line
    assert _written_back(pl, spoiled, "x.csv") is None
