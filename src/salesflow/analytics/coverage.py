"""What a result rests on: the rows it left out, the checks it could not make.

Every analytics and forecast result carries a :class:`Coverage`. An answer
computed from less than the caller gave says so here, with the reason and,
where it is known, how many rows; an answer resting on no data at all says
that too, so an empty table is never passed off as a zero.

>>> from salesflow.analytics.coverage import Coverage, Gap
>>> cover = Coverage((Gap("left_out", "open deals", "no history", rows=500),))
>>> cover.complete, cover.notes()
(False, ['Left out 500 open deals: no history.'])
>>> Coverage().complete
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

import attrs

__all__ = ["Coverage", "Gap", "GapKind", "Pending"]

GapKind = Literal["left_out", "not_checked", "no_data", "assumed", "off"]
"""What kind of gap:

- ``left_out``: rows the answer does not count (with the reason);
- ``not_checked``: a flag or figure not computed, because the data lacks what it needs;
- ``no_data``: the answer rests on no rows at all (an empty result, not a zero);
- ``assumed``: a stated default the answer used (e.g. deals timed by a default);
  informational, the answer is still complete;
- ``off``: a check the caller's settings turn off (e.g. a process without rot
  days has no stale deals); informational.
"""

_INCOMPLETE = ("left_out", "not_checked", "no_data")


@attrs.frozen
class Gap:
    """One thing a result could not compute, or a default it used.

    Args:
        kind: See :data:`GapKind`.
        what: What is affected (``"open deals"``, ``"flag no_activity"``, ...).
        reason: Why, in words a person can act on.
        rows: How many rows, where known.
        unit: What ``rows`` counts, for the sentence (``"deals"``, ``"history rows"``).

    >>> str(Gap("not_checked", "flag no_activity", "no activity table"))
    'Not checked: flag no_activity (no activity table).'
    >>> str(Gap("no_data", "pipeline", "as of 2017-01-01 is before every deal was created"))
    'No data: pipeline (as of 2017-01-01 is before every deal was created).'
    """

    kind: GapKind
    what: str
    reason: str
    rows: int | None = None
    unit: str = "rows"

    def __str__(self) -> str:
        if self.kind == "left_out":
            count = "" if self.rows is None else f"{self.rows:,} "
            return f"Left out {count}{self.what}: {self.reason}."
        if self.kind == "assumed":
            count = "" if self.rows is None else f"{self.rows:,} "
            return f"Assumed for {count}{self.what}: {self.reason}."
        label = {"not_checked": "Not checked", "no_data": "No data", "off": "Off"}[self.kind]
        count = "" if self.rows is None else f" for {self.rows:,} {self.unit}"
        return f"{label}: {self.what}{count} ({self.reason})."

    @property
    def incomplete(self) -> bool:
        """Whether the gap makes the answer partial or empty (``assumed`` and ``off`` do not)."""
        return self.kind in _INCOMPLETE


Pending = Callable[[], "Gap | None"]
"""A gap found only by counting rows: computed when the coverage is first read."""


@attrs.frozen
class Coverage:
    """Everything a result could not compute, and the defaults it used.

    Attributes:
        gaps: The gaps, in the order they were found.
    """

    gaps: tuple[Gap, ...] = ()

    @property
    def complete(self) -> bool:
        """True when nothing was left out, unchecked or empty."""
        return not any(g.incomplete for g in self.gaps)

    @property
    def empty(self) -> bool:
        """True when the answer rests on no data at all."""
        return any(g.kind == "no_data" for g in self.gaps)

    def notes(self) -> list[str]:
        """One sentence per gap."""
        return [str(g) for g in self.gaps]

    def plus(self, gaps: Iterable[Gap | None]) -> Coverage:
        """This coverage with ``gaps`` added (``None`` entries are ignored)."""
        return Coverage((*self.gaps, *(g for g in gaps if g is not None)))

    def __repr__(self) -> str:
        if not self.gaps:
            return "Coverage(complete)"
        return "Coverage(" + "; ".join(self.notes()) + ")"


def resolve_pending(found: Iterable[Gap], pending: Iterable[Pending]) -> Coverage:
    """The coverage of the gaps ``found`` and the ``pending`` ones, counted now."""
    return Coverage(tuple(found)).plus(check() for check in pending)
