"""One part of the report: a table with its title, its notes and what it rests on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from salesflow.analytics.coverage import Coverage

__all__ = ["Section", "covered"]


@attrs.frozen(kw_only=True)
class Section:
    """One part of the report: a table with its title and what it rests on.

    Attributes:
        key: A short name (``summary``, ``bridge``, ...), also the JSON key.
        title: What the table is.
        columns: The column names.
        rows: The rows, as dictionaries keyed by column.
        notes: Policies and caveats, one sentence each (what the section
            could not compute among them).
        complete: False when the section left rows out or could not make a
            check (``--strict`` then exits 1).
        empty: True when the section rests on no data at all.
        shown: How many rows a terminal table shows (``None``: all).
        plot: Draws the section on a matplotlib ``Axes`` (from
            :mod:`salesflow.analytics.plots`), for the HTML page.
    """

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Mapping[str, Any], ...]
    notes: tuple[str, ...] = ()
    complete: bool = True
    empty: bool = False
    shown: int | None = None
    plot: Callable[[Any], Any] | None = attrs.field(default=None, eq=False, repr=False)


def covered(section: Section, coverage: Coverage) -> Section:
    """``section`` with the notes, completeness and emptiness of a result's ``coverage``."""
    return attrs.evolve(
        section,
        notes=(*section.notes, *coverage.notes()),
        complete=section.complete and coverage.complete,
        empty=section.empty or coverage.empty,
    )
