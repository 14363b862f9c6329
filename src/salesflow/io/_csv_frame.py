"""A CSV file as a Polars frame of text cells, record for record as :func:`csv_rows` reads it.

Polars parses a well-formed file (RFC 4180: a field is unquoted text without
quotes, or quoted with its quotes doubled) the way Python's :mod:`csv` does;
on a malformed one they differ (a ragged row, a stray quote, a lone carriage
return, a blank line, bytes that do not decode). So Polars' reading is kept
only once the file is proven well-formed: first by writing the cells back
(the file is exactly what Polars read if that gives the same bytes, the
usual case for an export, whose quoting is uniform), else by a vectorised
check of every record's shape; any other file is read by :func:`csv_rows`
itself, the reader of the object path, so both paths number, keep and refuse
the same records.
"""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

import attrs

from salesflow.errors import FileFormatError, Problem
from salesflow.io._source import Source, csv_rows, name_of, read_bytes

__all__ = ["CsvFrame", "csv_frame", "emptied"]

_FIELD = r'(?:[^",\n]*|"(?:[^"]|"")*")'
_RECORD = rf"^{_FIELD}(?:,{_FIELD})*$"
_QUOTED = r'"(?:[^"]|"")*"'
_LINES = "\x1f"
"""The separator for reading a file as lines: a byte a file that uses it goes the slow way."""


@attrs.frozen
class CsvFrame:
    """A CSV file's text cells: column ``c<i>`` is the header's ``i``-th name.

    ``frame`` has one row per record, in order, with its 1-based ``record``
    number; an empty cell is null. A record that is not readable (a ragged
    row, bytes that do not decode) has null cells and its problems in ``bad``.
    """

    name: str
    header: tuple[str, ...]
    frame: Any
    bad: dict[int, list[Problem]]


def _columns(header: list[str]) -> list[str]:
    return [f"c{i}" for i in range(len(header))]


def emptied(pl: Any, frame: Any, header: list[str]) -> Any:
    """``""`` and null are one thing, no value: both become null."""
    return frame.with_columns(
        pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in _columns(header)
    )


def _slow(pl: Any, source: Source | bytes | str, name: str, encoding: str, limit: int) -> CsvFrame:
    """Read with :func:`csv_rows`, exactly as the object path does."""
    given: Any = source
    if isinstance(source, (bytes, str)):  # already read: named as the file it came from
        given = (
            io.BytesIO(source) if isinstance(source, bytes) else io.StringIO(source, newline="")
        )
        given.name = name
    _, header, rows = csv_rows(given, encoding=encoding, max_bytes=limit)
    cells: list[list[str | None]] = [[] for _ in header]
    numbers: list[int] = []
    bad: dict[int, list[Problem]] = {}
    for number, row, problems in rows:
        numbers.append(number)
        if row is None:
            bad[number] = problems
        for column, values in zip(header, cells, strict=True):
            values.append(None if row is None else row[column])
    data: dict[str, Any] = dict(zip(_columns(header), cells, strict=True))
    data["record"] = numbers
    try:
        frame = pl.DataFrame(
            data, schema={**dict.fromkeys(_columns(header), pl.String), "record": pl.Int64}
        )
    except Exception as exc:  # only text that is not unicode (a lone surrogate) gets here
        raise FileFormatError(name, f"cannot hold the text in a frame: {exc}") from exc
    return CsvFrame(name, tuple(header), emptied(pl, frame, header), bad)


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _utf8(content: bytes | str, encoding: str) -> bytes | None:
    """The content as UTF-8 bytes without a BOM, or ``None`` if it does not decode cleanly."""
    if isinstance(content, str):
        try:
            data = content.removeprefix("\ufeff").encode("utf-8")
        except UnicodeEncodeError:
            return None
        return data
    try:
        text = content.decode(encoding)
    except (UnicodeDecodeError, TypeError, LookupError):
        return None  # the slow path says which encoding is unknown, or where it fails
    data = content if _is_utf8(encoding) else text.encode("utf-8")
    return data.removeprefix(codecs.BOM_UTF8)


def _records(pl: Any, data: bytes) -> Any:
    """The file's records as text (a record spans lines inside quotes), or ``None``."""
    handle = io.BytesIO(data)
    options: dict[str, Any] = {"separator": _LINES, "quote_char": None, "infer_schema": False}
    lines = pl.read_csv(handle, has_header=False, new_columns=["line"], **options)
    lines = lines.with_columns(pl.col("line").fill_null(""))
    quotes = pl.col("line").str.count_matches('"', literal=True)
    lines = lines.with_columns(inside=((quotes.cum_sum() - quotes) % 2 == 1))
    if lines.height and (lines["line"].str.count_matches('"', literal=True).sum() % 2):
        return None  # a quote is never closed
    if not lines["inside"].any():
        return lines.select(text="line")
    return (
        lines.with_columns(group=(~pl.col("inside")).cum_sum())
        .group_by("group", maintain_order=True)
        .agg(pl.col("line").str.join("\n").alias("text"))
        .select("text")
    )


def _well_formed(pl: Any, records: Any, width: int) -> bool:
    """Whether every record (column ``text``, not blank) is RFC 4180 with ``width`` fields.

    Most records are proven by counting: one without a quote has ``width - 1``
    commas and no line break; one whose every field is quoted and holds no quote starts and ends
    with ``"``, has ``2 * width`` quotes, and between its first and last
    character ``width - 1`` separators ``","`` (which hold the other quotes,
    so no field holds one). Only the rest go through the regular expression,
    which counts fields after taking out quoted text.
    """
    text = pl.col("text")
    quotes = text.str.count_matches('"', literal=True)
    plain = (
        (quotes == 0)
        & (text.str.count_matches(",", literal=True) == width - 1)
        & ~text.str.contains("\n", literal=True)
    )
    inner = text.str.slice(1, text.str.len_chars() - 2)
    quoted = (
        (quotes == 2 * width)
        & text.str.starts_with('"')
        & text.str.ends_with('"')
        & (inner.str.count_matches('","', literal=True) == width - 1)
    )
    rest = records.filter(~(plain | quoted))
    if rest.height == 0:
        return True
    fields = text.str.replace_all(_QUOTED, "").str.count_matches(",", literal=True) + 1
    checked = rest.select(formed=text.str.contains(_RECORD).all(), fields=(fields == width).all())
    return bool(checked.item(0, "formed")) and bool(checked.item(0, "fields"))


def _header(data: bytes, name: str) -> tuple[list[str], int] | None:
    """The header's names and the offset of the first record after it, or ``None``."""
    end = data.find(b"\n")
    if end <= 0 or data.count(b'"', 0, end) % 2:
        return None  # no record after the header, or a header spanning lines
    line = data[:end].removesuffix(b"\r").decode("utf-8")
    try:
        header = next(csv.reader([line], strict=True), [])
    except csv.Error:
        return None  # the exact reader says what is wrong with it
    if not header:
        return None
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise FileFormatError(name, f"column {column!r} appears twice in the header")
        seen.add(column)
    return header, end + 1


def _written_back(pl: Any, data: bytes, name: str) -> CsvFrame | None:
    """Polars' reading of a UTF-8 file whose cells, written back, give its very bytes; else ``None``.

    Polars writes RFC 4180 (quotes doubled, a field quoted where it must be,
    or every field), which :mod:`csv` reads into the same cells; so a file
    equal to that writing holds exactly those cells: no ragged row, stray
    quote, blank line or undecodable byte (Polars refuses those).
    """
    found = _header(data, name)
    if found is None or len(found[0]) < 2:
        return None  # one column: a blank line (which csv skips) is written as an empty cell
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    header, start = found
    crlf = data[start - 2 : start] == b"\r\n"
    style = "always" if data[:1] == b'"' else "necessary"
    handle = io.BytesIO(data)
    frame = pl.read_csv(handle, has_header=True, new_columns=_columns(header), infer_schema=False)
    written = io.BytesIO()
    frame.write_csv(
        written,
        include_header=False,
        quote_style=style,
        line_terminator="\r\n" if crlf else "\n",
    )
    size = len(data) - start
    if not data.endswith(b"\n"):  # the last record has no line break: Polars writes one
        size += 2 if crlf else 1
    with written.getbuffer() as out:
        same = len(out) == size and data.endswith(out[: len(data) - start])
    if not same or frame.height == 0:
        return None
    frame = frame.with_row_index("record", offset=1).with_columns(pl.col("record").cast(pl.Int64))
    return CsvFrame(name, tuple(header), emptied(pl, frame, header), {})


def _fast(pl: Any, data: bytes, name: str) -> CsvFrame | None:
    """Polars' reading of a file proven well-formed, or ``None``."""
    if not data or _LINES.encode() in data:
        return None
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    records = _records(pl, data)
    if records is None or records.height == 0 or records["text"][0] == "":
        return None
    found = _header(data, name)
    if found is None or "\n" in records["text"][0]:
        return None
    header = found[0]
    body = records.slice(1).with_columns(blank=pl.col("text") == "")
    if not _well_formed(pl, body.filter(~pl.col("blank")).select("text"), len(header)):
        return None
    handle = io.BytesIO(data)
    frame = pl.read_csv(handle, has_header=True, new_columns=_columns(header), infer_schema=False)
    if frame.height != body.height:
        return None
    frame = frame.filter(~body["blank"]).with_row_index("record", offset=1)
    frame = frame.with_columns(pl.col("record").cast(pl.Int64))
    return CsvFrame(name, tuple(header), emptied(pl, frame, header), {})


def csv_frame(source: Source, *, encoding: str, max_bytes: int) -> CsvFrame:
    """Read a CSV file into text cells: Polars on a well-formed file, :mod:`csv` on any other.

    Raises:
        FileFormatError: As :func:`csv_rows`: unreadable, not a regular file,
            over ``max_bytes``, empty, or a header that repeats a column.
    """
    from salesflow.analytics._require import require

    pl = require("polars")
    name = name_of(source)
    content = read_bytes(source, max_bytes=max_bytes)
    if isinstance(content, bytes) and _is_utf8(encoding):
        try:
            written = _written_back(pl, content.removeprefix(codecs.BOM_UTF8), name)
        except FileFormatError:
            raise
        except Exception:  # Polars could not read it (bytes that do not decode)
            written = None
        if written is not None:
            return written
    data = _utf8(content, encoding)
    if data is not None:
        try:
            found = _fast(pl, data, name)
        except FileFormatError:
            raise
        except Exception:  # Polars could not read it: the exact reader decides
            found = None
        if found is not None:
            return found
    return _slow(pl, content, name, encoding, max_bytes)
