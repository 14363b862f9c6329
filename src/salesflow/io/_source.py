"""Opening an import's inputs: paths or file objects, CSV rows and JSON records.

Problems with a whole file (missing, not a regular file, larger than the
reader's ``max_bytes``, not CSV or JSON, the wrong shape) raise
:class:`~salesflow.FileFormatError`; problems with one record are handed back
with the record's number, so the importer can refuse that record alone.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Union

from salesflow._json import load_unique, marked_keys, repeated_in
from salesflow._regular_file import check_limit, open_regular_file, read_limited, read_regular_file
from salesflow.errors import FileFormatError, Problem, shorten
from salesflow.io._progress import EVERY, tell

__all__ = [
    "MAX_IMPORT_BYTES",
    "Row",
    "Source",
    "binary_file",
    "csv_rows",
    "fields",
    "json_value",
    "name_of",
    "read_bytes",
    "stem",
]

MAX_IMPORT_BYTES = 2 * 1024**3
"""The largest file an importer reads unless told otherwise (2 GiB): ``max_bytes=`` raises it."""

Source = Union[str, "os.PathLike[str]", IO[str], IO[bytes]]
"""A file path, or a file object open in text or binary mode."""


def name_of(source: object) -> str:
    """What to call a source in messages: its path, or ``<stream>``."""
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<stream>"


@functools.lru_cache(maxsize=64)
def stem(name: str) -> str:
    """A file name without folder and suffix, for ids made from record numbers (once per file)."""
    return Path(name).stem or "record"


def read_bytes(source: object, *, max_bytes: int = MAX_IMPORT_BYTES) -> bytes | str:
    """The whole content of a path (bytes) or a file object (as it gives it), at most ``max_bytes``.

    A path must be a regular file (a FIFO or a device is refused without
    waiting or reading); a file object gives at most ``max_bytes`` bytes (or
    characters, in text mode) before it is refused.

    Raises:
        FileFormatError: Missing, unreadable, not a regular file, or too large.
        ValidationError: ``max_bytes`` is not a whole number >= 1.
    """
    limit = check_limit(max_bytes)
    name = name_of(source)
    if isinstance(source, (str, os.PathLike)):
        return read_regular_file(source, max_bytes=limit)
    read = getattr(source, "read", None)
    if read is None:
        raise FileFormatError(
            shorten(source), f"expected a file path or an open file, got {type(source).__name__}"
        )
    return read_limited(read, name, max_bytes=limit)


def binary_file(source: object, *, max_bytes: int = MAX_IMPORT_BYTES) -> IO[bytes]:
    """A binary file to hand to a reader of another library (Parquet, Polars' CSV).

    A path is opened only if it is a regular file within ``max_bytes``; a file
    object is read (at most ``max_bytes``) into memory. The caller closes it.

    Raises:
        FileFormatError: As :func:`read_bytes`, or a file object open in text mode.
        ValidationError: ``max_bytes`` is not a whole number >= 1.
    """
    if isinstance(source, (str, os.PathLike)):
        return open_regular_file(source, max_bytes=check_limit(max_bytes))
    content = read_bytes(source, max_bytes=max_bytes)
    if isinstance(content, str):
        raise FileFormatError(
            name_of(source), "expected a file open in binary mode ('rb'), got text"
        )
    return io.BytesIO(content)


def _text(content: bytes | str, name: str, encoding: str) -> str:
    """Decode; bytes that are not valid become lone surrogates, reported per row."""
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        text = content.decode(encoding, errors="surrogateescape")
    except (LookupError, TypeError):
        raise FileFormatError(name, f"unknown encoding {encoding!r}") from None
    return text.removeprefix("\ufeff")


def _undecodable(cell: str) -> str | None:
    if cell.isascii():  # a byte that did not decode is a lone surrogate: never ASCII
        return None
    for ch in cell:
        if "\udc80" <= ch <= "\udcff":
            return f"byte 0x{ord(ch) - 0xDC00:02X}"
    return None


Row = tuple[int, dict[str, str] | None, list[Problem]]
"""A CSV record's number, its cells by column (``None`` if unreadable), its problems."""


def csv_rows(
    source: Source, *, encoding: str = "utf-8", max_bytes: int = MAX_IMPORT_BYTES
) -> tuple[str, list[str], Iterator[Row]]:
    """Open a CSV file: its name, its header, and its records.

    A BOM is dropped; CRLF and LF both work; cells keep every other character.

    Raises:
        FileFormatError: Unreadable, not a regular file, over ``max_bytes``,
            empty, or a header that repeats a column.
    """
    name = name_of(source)
    text = _text(read_bytes(source, max_bytes=max_bytes), name, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FileFormatError(name, "the file is empty; expected a header row") from None
    except csv.Error as exc:
        raise FileFormatError(name, f"cannot read the header row: {exc}") from None
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise FileFormatError(name, f"column {column!r} appears twice in the header")
        seen.add(column)
    lines = max(text.count("\n") - 1, 0)  # records, but for line breaks inside quoted cells
    return name, header, _records(reader, header, encoding, name=name, lines=lines)


def _records(
    reader: Any, header: list[str], encoding: str, *, name: str = "", lines: int = 0
) -> Iterator[Row]:
    number = 0
    tell(name, 0, lines)
    while True:
        number += 1
        if not number % EVERY:
            tell(name, number, max(lines, number))
        try:
            cells = next(reader)
        except StopIteration:
            tell(name, number - 1, number - 1)
            return
        except csv.Error as exc:
            yield number, None, [Problem(f"not readable as CSV: {exc}", "$")]
            continue
        if not cells:  # a blank line is no record
            number -= 1
            continue
        problems = []
        if len(cells) != len(header):
            problems.append(
                Problem(f"the row has {len(cells)} cells, the header {len(header)}", "$")
            )
        row = dict(zip(header, cells, strict=False))
        for column, cell in row.items():
            bad = _undecodable(cell)
            if bad:
                problems.append(Problem(f"not {encoding} text ({bad})", f"$.{column}"))
        yield number, (None if problems else row), problems


def json_value(
    source: Source, *, exact: bool = True, strict: bool = False, max_bytes: int = MAX_IMPORT_BYTES
) -> tuple[str, Any]:
    """Parse a JSON file; numbers with a fraction become exact ``Decimal`` s.

    The parser keeps each number's written text (``parse_float=Decimal``), so
    ``125000.10`` is the amount written, not the float nearest to it. An object
    whose keys repeat is refused with the file when ``strict``; otherwise it is
    marked (:class:`~salesflow._json.RepeatedKeys`) and :func:`fields` refuses
    the record that holds it.

    Raises:
        FileFormatError: Unreadable, not a regular file, over ``max_bytes``, not
            UTF-8, or not JSON (with line and column).
    """
    name = name_of(source)
    content = read_bytes(source, max_bytes=max_bytes)
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
        parse_float = Decimal if exact else float
        text = text.removeprefix("\ufeff")
        if strict:
            return name, load_unique(text, parse_float=parse_float)
        return name, json.loads(text, parse_float=parse_float, object_pairs_hook=marked_keys)
    except UnicodeDecodeError as exc:
        raise FileFormatError(name, f"not UTF-8 text: {exc}") from None
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            name, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise FileFormatError(name, f"not JSON: {exc}") from None


def fields(
    record: Mapping[str, Any], *, repeats: bool = True
) -> tuple[dict[str, Any], list[Problem]]:
    """A record's fields keyed by lower-cased name, so ``amount`` finds ``Amount``.

    Two keys differing only in case are a problem: which one is meant is
    unknown; so is a key written twice (in a JSON record, or any object inside
    it), looked for unless ``repeats=False`` (its document repeats no key).
    """
    found: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    flat = not repeats or (type(record) is dict and all(type(v) is str for v in record.values()))
    problems = (
        []
        if flat
        else [
            Problem(f"the key {shorten(key)} is written twice: which value is meant?", path)
            for key, path in repeated_in(record)
        ]
    )
    for key, value in record.items():
        if not isinstance(key, str):
            continue
        folded = key.casefold()
        if folded in spelled:
            problems.append(
                Problem(f"both {spelled[folded]!r} and {key!r}: which one is meant?", f"$.{key}")
            )
        spelled[folded] = key
        found[folded] = value
    return found, problems
