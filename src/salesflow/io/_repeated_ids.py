"""Records that give one id: every one of them is refused, each naming the others.

Which of two records with one id is right is unknown, so an importer takes
neither (nor its history rows or contact roles) and names, in each refusal,
the other records that hold the id. Ids are compared as written, without the
spaces around them: ``"006X "`` and ``"006X"`` are one id. A record without a
usable id (none, empty, not text) is refused for that, never as a repeat.

>>> from salesflow.io._repeated_ids import id_key, same_ids
>>> id_key(" 006X "), id_key(7), id_key(""), id_key(None), id_key(True)
('006X', '7', None, None, None)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

import attrs

from salesflow.errors import Problem, shorten
from salesflow.io._values import Reject, read_text

__all__ = ["Located", "Place", "id_key", "same_ids", "twice"]


class Located(Protocol):
    """A record that says where it is: its file's name and its number there."""

    @property
    def source(self) -> str:
        """The file's name."""

    @property
    def number(self) -> int:
        """The 1-based record number in that file."""


@attrs.frozen(eq=False)
class Place:
    """Where a record is, kept when the record itself is not; two are never equal."""

    source: str
    number: int


L = TypeVar("L", bound=Located)


def id_key(value: object) -> str | None:
    """The id as records are compared by it, or ``None`` when ``value`` is no usable id."""
    try:
        text = read_text(value)
    except Reject:
        return None
    if text is None or not text.strip():
        return None
    return text.strip()


def same_ids(idents: Iterable[tuple[str | None, L]]) -> dict[str, list[L]]:
    """The ids more than one record holds, with those records in the order given."""
    by_id: dict[str, list[L]] = defaultdict(list)
    for ident, record in idents:
        if ident is not None:
            by_id[ident].append(record)
    return {ident: records for ident, records in by_id.items() if len(records) > 1}


def twice(ident: str, record: Located, held: Sequence[Located], path: str = "$.id") -> Problem:
    """Why ``record`` is refused: the other records in ``held`` give its id ``ident`` too."""
    others = ", ".join(
        f"record {r.number}" if r.source == record.source else f"{r.source} record {r.number}"
        for r in held
        if r is not record
    )
    return Problem(
        f"the id {shorten(ident)} is also on {others}: which record is right is unknown, "
        "so none of them is taken",
        path,
    )
