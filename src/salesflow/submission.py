"""Forecast submissions and adjustments: the number each person called, for a node and period.

In Salesforce a rep *submits* a forecast and a manager *adjusts* it
(``ForecastingAdjustment``, ``ForecastingOwnerAdjustment``); HubSpot keeps
forecast submissions per period. A :class:`Submission` is one such call: who
made it, when, for which node, period and forecast category, the amount and
a note. :class:`Submissions` holds them checked, and answers what the latest
call was at a moment; :func:`salesflow.forecasting.submission_accuracy`
scores each submitter against what closed.

>>> from datetime import datetime, timezone
>>> from salesflow.fiscal import FiscalCalendar
>>> calls = Submissions.from_rows(
...     [
...         {"node": "ann", "period": "FY2026 Q1", "amount": "90000", "currency": "USD",
...          "at": "2026-01-15T17:00:00+00:00"},
...         {"node": "ann", "period": "FY2026 Q1", "amount": "80000", "currency": "USD",
...          "at": "2026-02-01T09:00:00+00:00", "by": "dora", "kind": "adjustment",
...          "note": "the Acme deal slips"},
...     ],
...     calendar=FiscalCalendar.calendar_year(),
... )
>>> q1 = FiscalCalendar.calendar_year().period("FY2026 Q1")
>>> calls.latest("ann", q1, at=datetime(2026, 1, 20, tzinfo=timezone.utc)).amount
Money('90000', 'USD')
>>> calls.latest("ann", q1, at=datetime(2026, 3, 1, tzinfo=timezone.utc)).by
'dora'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Literal

import attrs

from salesflow.errors import Problem, ValidationError, shorten
from salesflow.fiscal import FiscalCalendar, Period
from salesflow.forecast import ForecastCategory
from salesflow.money import Money, to_decimal

__all__ = ["Submission", "SubmissionKind", "Submissions"]

SubmissionKind = Literal["submission", "adjustment"]


@attrs.frozen
class Submission:
    """One forecast call.

    Attributes:
        node: Whose forecast it is (an owner, team or territory).
        period: The fiscal period it is for.
        amount: The number called.
        at: When it was made (timezone-aware).
        category: The forecast category it calls (default Commit).
        by: Who made it (default: ``node``, the owner's own call).
        kind: ``"submission"`` or ``"adjustment"`` (a manager's change to another's number).
        note: Why, in the caller's words.
    """

    node: str
    period: Period
    amount: Money
    at: datetime
    category: ForecastCategory = ForecastCategory.COMMIT
    by: str | None = None
    kind: SubmissionKind = "submission"
    note: str | None = None

    @property
    def submitter(self) -> str:
        """Who made the call."""
        return self.by or self.node


def _moment(value: object, at: str, problems: list[Problem]) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            problems.append(Problem(f"expected an ISO timestamp, got {shorten(value)}", at))
            return None
    if not isinstance(value, datetime):
        problems.append(Problem(f"expected a timestamp, got {shorten(value)}", at))
        return None
    if value.tzinfo is None:
        problems.append(Problem(f"{value.isoformat()} has no time zone (say +00:00)", at))
        return None
    return value.astimezone(timezone.utc)


def _row(
    row: object, i: int, calendar: FiscalCalendar | None, problems: list[Problem]
) -> Submission | None:
    at = f"$[{i}]"
    if isinstance(row, Submission):
        return row
    if not isinstance(row, Mapping):
        problems.append(Problem(f"expected a submission row, got {shorten(row)}", at))
        return None
    before = len(problems)
    node = row.get("node")
    if not isinstance(node, str) or not node.strip():
        problems.append(Problem(f"a submission needs a node, got {shorten(node)}", f"{at}.node"))
    period = row.get("period")
    if isinstance(period, str):
        if calendar is None:
            problems.append(Problem("a period named by label needs a calendar", f"{at}.period"))
            period = None
        else:
            try:
                period = calendar.period(period)
            except ValidationError as exc:
                problems.extend(Problem(p.message, f"{at}.period") for p in exc.problems)
                period = None
    elif not isinstance(period, Period):
        problems.append(Problem(f"expected a period, got {shorten(period)}", f"{at}.period"))
        period = None
    amount = row.get("amount")
    money: Money | None = None
    try:
        if isinstance(amount, Money):
            money = amount
        else:
            currency = row.get("currency")
            if not isinstance(currency, str) or not currency:
                problems.append(Problem("an amount needs a currency", f"{at}.currency"))
            else:
                money = Money(to_decimal(amount, what="amount", path=f"{at}.amount"), currency)
    except ValidationError as exc:
        problems.extend(exc.problems)
    moment = _moment(row.get("at"), f"{at}.at", problems)
    category = ForecastCategory.COMMIT
    if row.get("category") not in (None, ""):
        try:
            category = ForecastCategory.parse(str(row["category"]))
        except (ValueError, ValidationError):
            problems.append(
                Problem(f"not a forecast category: {shorten(row['category'])}", f"{at}.category")
            )
    kind = row.get("kind") or "submission"
    if kind not in ("submission", "adjustment"):
        problems.append(
            Problem(
                f"kind must be 'submission' or 'adjustment', got {shorten(kind)}", f"{at}.kind"
            )
        )
    by, note = row.get("by") or None, row.get("note") or None
    for name, value in (("by", by), ("note", note)):
        if value is not None and not isinstance(value, str):
            problems.append(Problem(f"expected text, got {shorten(value)}", f"{at}.{name}"))
    if len(problems) > before or period is None or money is None or moment is None:
        return None
    chosen: SubmissionKind = "adjustment" if kind == "adjustment" else "submission"
    return Submission(
        str(node).strip(),
        period,
        money,
        moment,
        category,
        str(by) if by is not None else None,
        chosen,
        str(note) if note is not None else None,
    )


def _twice(calls: list[tuple[int, Submission]]) -> list[Problem]:
    """A call made twice (same submitter, node, period, category and moment), named by row."""
    problems: list[Problem] = []
    seen: dict[tuple[object, ...], int] = {}
    for i, c in calls:
        if not isinstance(c, Submission):
            continue
        key = (c.submitter, c.node, c.period, c.category, c.at)
        if key in seen:
            problems.append(
                Problem(
                    f"{c.submitter!r} called {c.node!r} {c.period.label} {c.category.value} "
                    f"twice at {c.at.isoformat()}: here and in row {seen[key]}",
                    f"$[{i}]",
                )
            )
        seen.setdefault(key, i)
    return problems


def _row_number(path: str) -> int:
    head = path[2:].split("]", 1)[0] if path.startswith("$[") else ""
    return int(head) if head.isdigit() else -1


def _as_calls(value: Iterable[Submission]) -> tuple[Submission, ...]:
    return tuple(value)


@attrs.frozen(repr=False)
class Submissions:
    """Forecast calls, checked: one call per submitter, node, period, category and moment.

    Raises:
        ValidationError: A call made twice at the same moment (named by row), or
            amounts in several currencies.
    """

    calls: tuple[Submission, ...] = attrs.field(converter=_as_calls)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        for i, c in enumerate(self.calls):
            if not isinstance(c, Submission):
                problems.append(Problem(f"expected a Submission, got {shorten(c)}", f"$[{i}]"))
        problems += _twice(list(enumerate(self.calls)))
        codes = {c.amount.currency for c in self.calls if isinstance(c, Submission)}
        if len(codes) > 1:
            problems.append(
                Problem(f"calls in several currencies ({', '.join(sorted(codes))})", "$")
            )
        if problems:
            raise ValidationError(problems, subject="submissions")

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[Mapping[str, object] | Submission],
        *,
        calendar: FiscalCalendar | None = None,
    ) -> Submissions:
        """Calls from rows: ``node``, ``period``, ``amount``, ``currency``, ``at``; optionally
        ``category`` (default Commit), ``by``, ``kind`` and ``note``.

        Every row is checked; all problems are raised together, each at its row.
        """  # noqa: D205
        problems: list[Problem] = []
        found = [_row(r, i, calendar, problems) for i, r in enumerate(rows)]
        problems += _twice([(i, c) for i, c in enumerate(found) if c is not None])
        problems.sort(key=lambda p: _row_number(p.path))
        if problems:
            raise ValidationError(problems, subject="submissions")
        return cls(c for c in found if c is not None)

    def __iter__(self) -> Iterator[Submission]:
        return iter(self.calls)

    def __len__(self) -> int:
        return len(self.calls)

    @property
    def currency(self) -> str | None:
        """The calls' currency (``None`` without any)."""
        return self.calls[0].amount.currency if self.calls else None

    def latest(
        self,
        node: str,
        period: Period,
        *,
        at: datetime,
        category: ForecastCategory = ForecastCategory.COMMIT,
        by: str | None = None,
    ) -> Submission | None:
        """The last call for ``node``, ``period`` and ``category`` made by ``at`` (by anyone, or ``by``)."""
        found = [
            c
            for c in self.calls
            if c.node == node
            and c.period == period
            and c.category == category
            and c.at <= at
            and (by is None or c.submitter == by)
        ]
        return max(found, key=lambda c: c.at) if found else None

    def __repr__(self) -> str:
        people = len({c.submitter for c in self.calls})
        periods = sorted({c.period for c in self.calls}, key=lambda p: p.start)
        shown = ", ".join(p.label for p in periods[:3]) + (", …" if len(periods) > 3 else "")
        return f"Submissions({len(self.calls)} calls by {people} people; {shown})"
