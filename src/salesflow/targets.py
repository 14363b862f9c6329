"""Targets (quotas): what each owner, team or territory should win in each fiscal period.

A :class:`Target` is one number for one node of the forecast hierarchy in
one period, of one measure:

* ``"amount"`` — closed-won revenue (Salesforce's revenue quota), in a currency;
* ``"won_deals"`` — how many deals are won;
* ``"created_deals"`` — how many opportunities are created (a pipeline-generation goal).

A :class:`Targets` table is checked whole: a node given two targets for the
same period and measure, or targets whose periods overlap (a quarter and a
month inside it), are refused naming both rows; nothing is dropped. Whether
every node is known is a question for the hierarchy (:meth:`Targets.unknown`),
answered in the results, never by dropping the row.

>>> from salesflow.fiscal import FiscalCalendar
>>> fy = FiscalCalendar.standard(start_month=2)
>>> targets = Targets.from_rows(
...     [
...         {"node": "Ann", "period": "FY2027 Q1", "value": "250000", "currency": "USD"},
...         {"node": "Bob", "period": "FY2027 Q1", "value": "300000", "currency": "USD"},
...         {"node": "Ann", "period": "FY2027 Q1", "measure": "won_deals", "value": 12},
...     ],
...     calendar=fy,
... )
>>> targets.value("Ann", fy.period("FY2027 Q1"))
Money('250000', 'USD')
>>> targets
Targets(3 targets, 2 nodes, 1 period: FY2027 Q1; amount, won_deals)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Literal, get_args

import attrs

from salesflow.errors import Problem, ValidationError, shorten
from salesflow.fiscal import FiscalCalendar, Period
from salesflow.money import Money, to_decimal

__all__ = ["MEASURES", "Measure", "Target", "Targets"]

Measure = Literal["amount", "won_deals", "created_deals"]
"""What a target counts: won revenue, won deals, or opportunities created."""

MEASURES: tuple[Measure, ...] = get_args(Measure)


@attrs.frozen
class Target:
    """One target: a node's number for one period and measure.

    Attributes:
        node: The owner, team or territory (a node of the hierarchy).
        period: The fiscal period.
        value: A :class:`~salesflow.Money` for ``"amount"``, a count otherwise.
        measure: ``"amount"``, ``"won_deals"`` or ``"created_deals"``.
        segment: Optional: the product family or deal type it is for.
    """

    node: str
    period: Period
    value: Money | int
    measure: Measure = "amount"
    segment: str | None = None

    @property
    def key(self) -> tuple[str, str, str | None]:
        """What two targets of a node must not share in overlapping periods."""
        return (self.node, self.measure, self.segment)


def _target(
    row: object, i: int, calendar: FiscalCalendar | None, problems: list[Problem]
) -> Target | None:
    at = f"$[{i}]"
    if isinstance(row, Target):
        return row
    if not isinstance(row, Mapping):
        problems.append(Problem(f"expected a target row, got {shorten(row)}", at))
        return None
    before = len(problems)
    node = row.get("node")
    if not isinstance(node, (str, int)) or isinstance(node, bool) or not str(node).strip():
        problems.append(Problem(f"a target needs a node, got {shorten(node)}", f"{at}.node"))
    measure = row.get("measure") or "amount"
    if measure not in MEASURES:
        problems.append(
            Problem(
                f"measure must be one of {', '.join(MEASURES)}, got {shorten(measure)}",
                f"{at}.measure",
            )
        )
    period = _period(row, at, calendar, problems)
    value = _value(row, at, str(measure), problems)
    segment = row.get("segment")
    if segment is not None and not isinstance(segment, str):
        problems.append(
            Problem(f"expected a segment name, got {shorten(segment)}", f"{at}.segment")
        )
    if len(problems) > before or period is None or value is None:
        return None
    return Target(str(node).strip(), period, value, measure, segment or None)  # type: ignore[arg-type]


def _period(
    row: Mapping[str, object], at: str, calendar: FiscalCalendar | None, problems: list[Problem]
) -> Period | None:
    period = row.get("period")
    if isinstance(period, Period):
        return period
    if calendar is None:
        problems.append(Problem("a period given by name or date needs a calendar", f"{at}.period"))
        return None
    try:
        if isinstance(period, str) and period.strip():
            return calendar.period(period)
        start = row.get("start")
        if isinstance(start, date):
            unit = row.get("unit") or "quarter"
            found = calendar.period_of(start, unit)  # type: ignore[arg-type]
            if found.start != (start.date() if isinstance(start, datetime) else start):
                problems.append(
                    Problem(
                        f"{start} is not the first day of a {unit} ({found.label} starts {found.start})",
                        f"{at}.start",
                    )
                )
                return None
            return found
    except ValidationError as exc:
        problems.extend(Problem(p.message, f"{at}.period") for p in exc.problems)
        return None
    problems.append(
        Problem(
            f"a target needs a period (a label or a start date), got {shorten(period)}",
            f"{at}.period",
        )
    )
    return None


def _value(
    row: Mapping[str, object], at: str, measure: str, problems: list[Problem]
) -> Money | int | None:
    raw = row.get("value")
    try:
        if measure == "amount":
            if isinstance(raw, Money):
                amount = raw
            else:
                currency = row.get("currency")
                if not isinstance(currency, str) or not currency:
                    problems.append(Problem("an amount target needs a currency", f"{at}.currency"))
                    return None
                amount = Money(to_decimal(raw, what="target", path=f"{at}.value"), currency)
            if amount.amount < 0:
                problems.append(
                    Problem(f"a target cannot be negative, got {amount}", f"{at}.value")
                )
                return None
            return amount
        count = to_decimal(raw, what="target", path=f"{at}.value")
    except ValidationError as exc:
        problems.extend(exc.problems)
        return None
    if count != count.to_integral_value() or count < 0:
        problems.append(Problem(f"a {measure} target is a whole count, got {raw}", f"{at}.value"))
        return None
    return int(count)


def _as_targets(value: Iterable[Target]) -> tuple[Target, ...]:
    return tuple(value)


@attrs.frozen(repr=False)
class Targets:
    """A checked table of targets (see the module's doc).

    Raises:
        ValidationError: Two targets for one node, measure and segment in
            overlapping periods (named by row), or amounts of one measure in
            two currencies.
    """

    targets: tuple[Target, ...] = attrs.field(converter=_as_targets)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        by_key: dict[tuple[str, str, str | None], list[tuple[int, Target]]] = {}
        for i, t in enumerate(self.targets):
            if not isinstance(t, Target):
                problems.append(Problem(f"expected a Target, got {shorten(t)}", f"$[{i}]"))
                continue
            by_key.setdefault(t.key, []).append((i, t))
        for rows in by_key.values():
            rows.sort(key=lambda r: (r[1].period.start, r[0]))
            for (i, a), (j, b) in itertools.pairwise(rows):
                if b.period.start <= a.period.end:
                    what = "the same period" if a.period == b.period else "overlapping periods"
                    problems.append(
                        Problem(
                            f"{b.node!r} has two {b.measure} targets for {what}: "
                            f"{b.period.label} here and {a.period.label} in row {i}",
                            f"$[{j}]",
                        )
                    )
        currencies = {
            t.value.currency
            for t in self.targets
            if isinstance(t, Target) and isinstance(t.value, Money)
        }
        if len(currencies) > 1:
            problems.append(
                Problem(
                    f"amount targets in several currencies ({', '.join(sorted(currencies))})", "$"
                )
            )
        if problems:
            raise ValidationError(problems, subject="targets")

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[Mapping[str, object] | Target],
        *,
        calendar: FiscalCalendar | None = None,
    ) -> Targets:
        """Targets from rows: ``node``, ``period``, ``value``; optionally ``measure``, ``currency``, ``segment``.

        ``period`` is a label such as ``FY2027 Q1`` (or give a ``start`` date and a
        ``unit``); ``measure`` defaults to ``"amount"``, which needs a ``currency``. Every row is checked; all problems are raised together, each at its row.
        """
        problems: list[Problem] = []
        found = [_target(row, i, calendar, problems) for i, row in enumerate(rows)]
        if problems:
            raise ValidationError(problems, subject="targets")
        return cls(t for t in found if t is not None)

    def __iter__(self) -> Iterator[Target]:
        return iter(self.targets)

    def __len__(self) -> int:
        return len(self.targets)

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node with a target, sorted."""
        return tuple(sorted({t.node for t in self.targets}))

    @property
    def currency(self) -> str | None:
        """The currency of the amount targets (``None`` without any)."""
        return next((t.value.currency for t in self.targets if isinstance(t.value, Money)), None)

    def unknown(self, nodes: Iterable[str]) -> tuple[str, ...]:
        """The targets' nodes that are not among ``nodes`` (a hierarchy, the owners seen)."""
        known = set(nodes)
        return tuple(n for n in self.nodes if n not in known)

    def value(
        self, node: str, period: Period, measure: Measure = "amount", segment: str | None = None
    ) -> Money | int | None:
        """The node's target for exactly ``period`` (``None`` without one)."""
        for t in self.targets:
            if (
                t.node == node
                and t.period == period
                and t.measure == measure
                and t.segment == segment
            ):
                return t.value
        return None

    def for_period(
        self, period: Period, measure: Measure = "amount", *, segment: str | None = None
    ) -> dict[str, Money | int]:
        """Every node's target of ``measure`` and ``segment`` (default: none) for exactly ``period``."""
        return {
            t.node: t.value
            for t in self.targets
            if t.period == period and t.measure == measure and t.segment == segment
        }

    def __repr__(self) -> str:
        periods = sorted({t.period for t in self.targets}, key=lambda p: (p.start, p.end))
        shown = ", ".join(p.label for p in periods[:3]) + (", …" if len(periods) > 3 else "")
        measures = ", ".join(m for m in MEASURES if any(t.measure == m for t in self.targets))
        plural = "s" if len(periods) != 1 else ""
        return (
            f"Targets({len(self.targets)} targets, {len(self.nodes)} nodes, "
            f"{len(periods)} period{plural}: {shown}; {measures})"
        )
