"""Fiscal calendars: the years, quarters, months and weeks a sales team forecasts in.

Salesforce keeps a fiscal year either *standard* (twelve calendar months from a
chosen start month) or *custom* (52- or 53-week years of 4-4-5, 4-5-4 or 5-4-4
weeks per quarter, or periods listed one by one); HubSpot forecasts by month or
quarter. A :class:`FiscalCalendar` is any of these, and answers the questions
every forecast asks: which period holds a day, how far into it the day is, and
which periods lie between two days.

>>> from datetime import date
>>> fy = FiscalCalendar.standard(start_month=2)          # February to January
>>> q = fy.period_of(date(2026, 9, 15))
>>> q.label, q.start, q.end
('FY2027 Q3', datetime.date(2026, 8, 1), datetime.date(2026, 10, 31))
>>> q.day_of(date(2026, 9, 15)), q.days
(46, 92)
>>> [p.label for p in fy.periods(date(2026, 1, 1), date(2026, 6, 30))]
['FY2026 Q4', 'FY2027 Q1', 'FY2027 Q2']

A fiscal year is named by the calendar year it ends in, as Salesforce names it
by default (``named_by="start"`` names it by the year it starts in).

>>> weeks = FiscalCalendar.weeks("4-4-5", end_month=12, week_start=6)  # years end on a Saturday
>>> year = weeks.period_of(date(2026, 3, 1), unit="year")
>>> year.label, year.start, year.end, year.days // 7
('FY2026', datetime.date(2025, 12, 28), datetime.date(2026, 12, 26), 52)
>>> weeks.period_of(date(2026, 3, 1), unit="month").label
'FY2026 P03'
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from itertools import pairwise
from typing import Literal

import attrs

from salesflow.errors import Problem, ValidationError, shorten

__all__ = ["PATTERNS", "UNITS", "FiscalCalendar", "Period", "Unit"]

Unit = Literal["year", "quarter", "month", "week"]
"""The kinds of period: a fiscal year, a quarter, a month (a "period" in a week-based year), a week."""

UNITS: tuple[Unit, ...] = ("year", "quarter", "month", "week")

PATTERNS: dict[str, tuple[int, int, int]] = {
    "4-4-5": (4, 4, 5),
    "4-5-4": (4, 5, 4),
    "5-4-4": (5, 4, 4),
}
"""Weeks in each month of a quarter, for the week-based years Salesforce offers."""

_EARLIEST, _LATEST = date(1900, 1, 1), date(9998, 12, 31)
_LABEL = re.compile(r"FY(?P<year>\d{4})(?: (?P<kind>[QPW])(?P<number>\d{1,2}))?")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@attrs.frozen(order=False)
class Period:
    """One fiscal period: its unit, first and last day (both included) and label.

    Attributes:
        unit: ``"year"``, ``"quarter"``, ``"month"`` or ``"week"``.
        start: The first day.
        end: The last day (included).
        label: How reports name it: ``FY2026``, ``FY2026 Q3``, ``FY2026 P07``, ``FY2026 W05``.
        fiscal_year: The fiscal year it belongs to.
        number: Its number in the fiscal year (1 for a year).
    """

    unit: Unit
    start: date
    end: date
    label: str
    fiscal_year: int
    number: int = 1

    @property
    def days(self) -> int:
        """How many days it has."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= _day(day) <= self.end

    def day_of(self, day: date) -> int:
        """The day's place in the period: 1 on its first day, :attr:`days` on its last.

        Raises:
            ValidationError: ``day`` is not in the period.
        """
        if day not in self:
            raise ValidationError(
                [Problem(f"{shorten(day)} is not in {self.label}", "$.day")], subject="period"
            )
        return (_day(day) - self.start).days + 1

    def elapsed(self, day: date) -> float:
        """The share of the period gone by the end of ``day`` (its pace denominator), 0..1.

        Before the period it is 0, after it 1.
        """
        if not isinstance(day, date):
            raise ValidationError(
                [Problem(f"expected a date, got {type(day).__name__}", "$.day")], subject="period"
            )
        if _day(day) < self.start:
            return 0.0
        if _day(day) > self.end:
            return 1.0
        return self.day_of(day) / self.days

    def __repr__(self) -> str:
        return f"Period({self.label!r}, {self.start.isoformat()} .. {self.end.isoformat()})"


def _day(value: date) -> date:
    """A datetime's date; a date as it is."""
    return value.date() if hasattr(value, "date") and callable(value.date) else value


@attrs.frozen(repr=False)
class FiscalCalendar:
    """A fiscal calendar: every period of every unit, found by day.

    Make one with :meth:`standard` (calendar months from a start month),
    :meth:`weeks` (4-4-5, 4-5-4 or 5-4-4 week-based years) or
    :meth:`from_periods` (periods listed one by one, as Salesforce's
    ``Period`` rows give them). Calendars are values: equal settings are equal.
    """

    kind: str
    start_month: int = 1
    named_by: Literal["end", "start"] = "end"
    pattern: str | None = None
    week_start: int = 0
    rule: Literal["last", "nearest"] = "last"
    listed: tuple[Period, ...] = ()

    # ------------------------------------------------------------ makers

    @classmethod
    def standard(
        cls, start_month: int = 1, *, named_by: Literal["end", "start"] = "end"
    ) -> FiscalCalendar:
        """Fiscal years of twelve calendar months starting in ``start_month`` (1 = January).

        Raises:
            ValidationError: A month outside 1..12 or an unknown naming rule.
        """
        problems = _month_problems(start_month, "start_month") + _named_problems(named_by)
        if problems:
            raise ValidationError(problems, subject="fiscal calendar")
        return cls("standard", start_month=start_month, named_by=named_by)

    @classmethod
    def calendar_year(cls) -> FiscalCalendar:
        """The calendar year: January to December, quarters and months as on the wall."""
        return cls.standard(1)

    @classmethod
    def weeks(
        cls,
        pattern: str = "4-4-5",
        *,
        end_month: int = 12,
        week_start: int = 0,
        rule: Literal["last", "nearest"] = "last",
        named_by: Literal["end", "start"] = "end",
    ) -> FiscalCalendar:
        """Week-based fiscal years (52 or 53 weeks) of 4-4-5, 4-5-4 or 5-4-4 weeks per quarter.

        A year ends on the day before a ``week_start`` (0 = Monday ... 6 =
        Sunday): the last such day in ``end_month`` (``rule="last"``) or the
        one nearest the end of ``end_month`` (``rule="nearest"``, as retail's
        4-5-4 calendar does, which can end a December year on 2 or 3 January).
        A year is named by the year of the ``end_month`` it ends in (or, with
        ``named_by="start"``, of the month after the previous year's). A
        53-week year gives its extra week to its last month.

        Raises:
            ValidationError: An unknown pattern, month, weekday or rule.
        """
        problems = _month_problems(end_month, "end_month") + _named_problems(named_by)
        if pattern not in PATTERNS:
            problems.append(
                Problem(
                    f"unknown pattern {shorten(pattern)}; expected one of {', '.join(PATTERNS)}",
                    "$.pattern",
                )
            )
        if (
            isinstance(week_start, bool)
            or not isinstance(week_start, int)
            or not 0 <= week_start <= 6
        ):
            problems.append(
                Problem(
                    f"expected a weekday 0 (Monday) to 6, got {shorten(week_start)}",
                    "$.week_start",
                )
            )
        if rule not in ("last", "nearest"):
            problems.append(
                Problem(f"expected 'last' or 'nearest', got {shorten(rule)}", "$.rule")
            )
        if problems:
            raise ValidationError(problems, subject="fiscal calendar")
        return cls(
            "weeks",
            start_month=end_month,
            named_by=named_by,
            pattern=pattern,
            week_start=week_start,
            rule=rule,
        )

    @classmethod
    def from_periods(cls, periods: Iterable[Period]) -> FiscalCalendar:
        """A calendar of periods listed one by one (a Salesforce custom fiscal year's ``Period`` rows).

        Each unit given must tile its span: no overlaps, no gaps between its
        periods. A day outside them belongs to no period (and asking for one
        is an error naming the day).

        Raises:
            ValidationError: Something not a :class:`Period`, or overlapping or
                gapped periods of one unit (each named).
        """
        listed = list(periods) if isinstance(periods, Iterable) else [periods]
        problems = [
            Problem(f"expected a Period, got {type(p).__name__}", f"$[{i}]")
            for i, p in enumerate(listed)
            if not isinstance(p, Period)
        ]
        good = [p for p in listed if isinstance(p, Period)]
        for index, p in enumerate(good):
            if p.unit not in UNITS or p.end < p.start:
                problems.append(
                    Problem(f"{p.label}: a {p.unit} from {p.start} to {p.end}", f"$[{index}]")
                )
        for unit in UNITS:
            mine = sorted((p for p in good if p.unit == unit), key=lambda p: p.start)
            for before, after in pairwise(mine):
                if after.start <= before.end:
                    problems.append(
                        Problem(f"{before.label} and {after.label} overlap", f"$.{unit}")
                    )
                elif after.start != before.end + timedelta(days=1):
                    problems.append(
                        Problem(
                            f"a gap between {before.label} (to {before.end}) and "
                            f"{after.label} (from {after.start})",
                            f"$.{unit}",
                        )
                    )
        if not good and not problems:
            problems.append(Problem("no periods given", "$"))
        if problems:
            raise ValidationError(problems, subject="fiscal calendar")
        return cls(
            "listed", listed=tuple(sorted(good, key=lambda p: (UNITS.index(p.unit), p.start)))
        )

    # ------------------------------------------------------------ as data

    def to_dict(self) -> dict[str, object]:
        """The calendar as plain data, the shape :meth:`from_dict` reads (a settings file's).

        >>> FiscalCalendar.weeks("4-5-4", end_month=1, week_start=6).to_dict()
        {'kind': 'weeks', 'pattern': '4-5-4', 'end_month': 1, 'week_start': 6, 'rule': 'last', 'named_by': 'end'}
        """
        if self.kind == "standard":
            return {"kind": "standard", "start_month": self.start_month, "named_by": self.named_by}
        if self.kind == "weeks":
            return {
                "kind": "weeks",
                "pattern": self.pattern,
                "end_month": self.start_month,
                "week_start": self.week_start,
                "rule": self.rule,
                "named_by": self.named_by,
            }
        return {
            "kind": "listed",
            "periods": [
                {
                    "unit": p.unit,
                    "start": p.start.isoformat(),
                    "end": p.end.isoformat(),
                    "label": p.label,
                    "fiscal_year": p.fiscal_year,
                    "number": p.number,
                }
                for p in self.listed
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> FiscalCalendar:
        """A calendar from plain data: ``kind`` is ``standard``, ``weeks`` or ``listed``.

        ``standard``: ``start_month`` (1–12), ``named_by``. ``weeks``:
        ``pattern``, ``end_month``, ``week_start`` (0 = Monday … 6 = Sunday, or
        the day's name), ``rule``, ``named_by``. ``listed``: ``periods``, each
        with ``unit``, ``start``, ``end`` (ISO dates), ``fiscal_year``,
        ``number`` and optionally ``label``.

        >>> FiscalCalendar.from_dict({"kind": "standard", "start_month": 2})
        FiscalCalendar.standard(start_month=2)

        Raises:
            ValidationError: An unknown kind or key, or a bad value (each named by its path).
        """
        if not isinstance(data, Mapping):
            raise ValidationError(
                [Problem(f"expected a mapping, got {shorten(data)}", "$")],
                subject="fiscal calendar",
            )
        kind = data.get("kind", "standard")
        allowed = {
            "standard": {"kind", "start_month", "named_by"},
            "weeks": {"kind", "pattern", "end_month", "week_start", "rule", "named_by"},
            "listed": {"kind", "periods"},
        }
        if kind not in allowed:
            raise ValidationError(
                [
                    Problem(
                        f"kind must be standard, weeks or listed, got {shorten(kind)}", "$.kind"
                    )
                ],
                subject="fiscal calendar",
            )
        unknown = sorted(set(data) - allowed[str(kind)])
        if unknown:
            raise ValidationError(
                [Problem(f"unknown key for a {kind} calendar", f"$.{k}") for k in unknown],
                subject="fiscal calendar",
            )
        named = data.get("named_by", "end")
        if kind == "standard":
            return cls.standard(data.get("start_month", 1), named_by=named)  # type: ignore[arg-type]
        if kind == "weeks":
            start = data.get("week_start", 0)
            if isinstance(start, str) and start.capitalize() in _WEEKDAYS:
                start = _WEEKDAYS.index(start.capitalize())
            return cls.weeks(
                data.get("pattern", "4-4-5"),  # type: ignore[arg-type]
                end_month=data.get("end_month", 12),  # type: ignore[arg-type]
                week_start=start,  # type: ignore[arg-type]
                rule=data.get("rule", "last"),  # type: ignore[arg-type]
                named_by=named,  # type: ignore[arg-type]
            )
        rows = data.get("periods")
        if not isinstance(rows, list) or not rows:
            raise ValidationError(
                [Problem("a listed calendar needs a non-empty list of periods", "$.periods")],
                subject="fiscal calendar",
            )
        problems: list[Problem] = []
        periods = [_listed_period(row, f"$.periods[{i}]", problems) for i, row in enumerate(rows)]
        if problems:
            raise ValidationError(problems, subject="fiscal calendar")
        return cls.from_periods(p for p in periods if p is not None)

    # ------------------------------------------------------------ questions

    def period_of(self, day: date, unit: Unit = "quarter") -> Period:
        """The period of ``unit`` that holds ``day`` (a datetime counts by its date).

        Raises:
            ValidationError: Not a date, an unknown unit, a day outside 1900..9998,
                or (listed periods) a day no period of that unit holds.
        """
        checked = _checked(day, unit)
        if self.kind == "listed":
            return self._listed(checked, unit)
        year = self._year_of(checked)
        if unit == "year":
            return year
        return next(p for p in self._parts(year, unit) if checked <= p.end)

    def period(self, label: str) -> Period:
        """The period a report names ``label``: ``FY2027``, ``FY2027 Q1``, ``FY2027 P03``, ``FY2027 W05``.

        >>> FiscalCalendar.standard(start_month=2).period("FY2027 Q1")
        Period('FY2027 Q1', 2026-02-01 .. 2026-04-30)

        Raises:
            ValidationError: Not a label of this calendar's periods.
        """
        match = _LABEL.fullmatch(label.strip()) if isinstance(label, str) else None
        if match is None:
            raise ValidationError(
                [
                    Problem(
                        f"expected a period such as 'FY2027 Q1', got {shorten(label)}", "$.period"
                    )
                ],
                subject="fiscal calendar",
            )
        kinds: dict[str, Unit] = {"Q": "quarter", "P": "month", "W": "week"}
        unit = kinds.get(match["kind"] or "", "year")
        if self.kind == "listed":
            found = [p for p in self.listed if p.label == label.strip()]
            if found:
                return found[0]
        else:
            year = int(match["year"])
            for guess in (date(year, 6, 30), date(year - 1, 12, 31), date(year + 1, 1, 1)):
                if not _EARLIEST <= guess <= _LATEST:
                    continue
                whole = self._year_of(guess)
                if whole.fiscal_year == year:
                    parts = [whole] if unit == "year" else self._parts(whole, unit)
                    wanted = [p for p in parts if p.label == label.strip()]
                    if wanted:
                        return wanted[0]
                    break
        raise ValidationError(
            [Problem(f"{label.strip()!r} is not a period of {self!r}", "$.period")],
            subject="fiscal calendar",
        )

    def periods(self, start: date, end: date, unit: Unit = "quarter") -> list[Period]:
        """Every period of ``unit`` that overlaps ``start`` .. ``end`` (both included), in order.

        Raises:
            ValidationError: As :meth:`period_of`, or ``end`` before ``start``.
        """
        first, last = _checked(start, unit), _checked(end, unit)
        if last < first:
            raise ValidationError(
                [Problem(f"end {last} is before start {first}", "$.end")], subject="periods"
            )
        found = [self.period_of(first, unit)]
        while found[-1].end < last:
            found.append(self.period_of(found[-1].end + timedelta(days=1), unit))
        return found

    # ------------------------------------------------------------ internals

    def _listed(self, day: date, unit: Unit) -> Period:
        mine = [p for p in self.listed if p.unit == unit]
        index = bisect.bisect_right([p.start for p in mine], day) - 1
        if index < 0 or day > mine[index].end:
            raise ValidationError(
                [Problem(f"no {unit} of the listed periods holds {day}", "$.day")],
                subject="fiscal calendar",
            )
        return mine[index]

    def _year_of(self, day: date) -> Period:
        if self.kind == "standard":
            start_year = day.year if day.month >= self.start_month else day.year - 1
            first = date(start_year, self.start_month, 1)
            last = _add_months(first, 12) - timedelta(days=1)
            name = last.year if self.named_by == "end" else first.year
        else:  # the year that ends (nominally) in end_month of ``nominal``
            nominal = day.year - 1
            while self._year_end(nominal) < day:
                nominal += 1
            first = self._year_end(nominal - 1) + timedelta(days=1)
            last = self._year_end(nominal)
            starts_in = nominal if self.start_month == 12 else nominal - 1
            name = nominal if self.named_by == "end" else starts_in
        return Period("year", first, last, f"FY{name}", name)

    def _year_end(self, year: int) -> date:
        """The last day of the week-based fiscal year that ends in ``year``."""
        month_end = _add_months(date(year, self.start_month, 1), 1) - timedelta(days=1)
        ends_on = (self.week_start - 1) % 7  # the weekday before a week starts
        last = month_end - timedelta(days=(month_end.weekday() - ends_on) % 7)
        if self.rule == "nearest" and (month_end - last).days > 3:
            last += timedelta(days=7)
        return last

    def _parts(self, year: Period, unit: Unit) -> list[Period]:
        name = year.fiscal_year
        if unit == "week":
            count = year.days // 7 + (year.days % 7 > 0)
            return [
                Period(
                    "week",
                    year.start + timedelta(days=7 * i),
                    min(year.start + timedelta(days=7 * i + 6), year.end),
                    f"FY{name} W{i + 1:02d}",
                    name,
                    i + 1,
                )
                for i in range(count)
            ]
        months = self._months(year)
        if unit == "month":
            return [
                Period("month", s, e, f"FY{name} P{i + 1:02d}", name, i + 1)
                for i, (s, e) in enumerate(months)
            ]
        return [
            Period(
                "quarter",
                months[3 * q][0],
                months[3 * q + 2][1],
                f"FY{name} Q{q + 1}",
                name,
                q + 1,
            )
            for q in range(4)
        ]

    def _months(self, year: Period) -> list[tuple[date, date]]:
        if self.kind == "standard":
            starts = [_add_months(year.start, i) for i in range(13)]
            return [(starts[i], starts[i + 1] - timedelta(days=1)) for i in range(12)]
        assert self.pattern is not None
        weeks = list(PATTERNS[self.pattern]) * 4
        weeks[-1] += year.days // 7 - 52  # a 53-week year's extra week
        found, first = [], year.start
        for count in weeks:
            last = first + timedelta(days=7 * count - 1)
            found.append((first, last))
            first = last + timedelta(days=1)
        return found

    def __repr__(self) -> str:
        if self.kind == "standard":
            if self.start_month == 1:
                return "FiscalCalendar.calendar_year()"
            return f"FiscalCalendar.standard(start_month={self.start_month})"
        if self.kind == "weeks":
            return (
                f"FiscalCalendar.weeks({self.pattern!r}, end_month={self.start_month}, "
                f"week_start={self.week_start} ({_WEEKDAYS[self.week_start]}), rule={self.rule!r})"
            )
        return f"FiscalCalendar.from_periods({len(self.listed)} periods)"


_MARKS: dict[str, str] = {"quarter": "Q", "month": "P", "week": "W"}


def _listed_period(row: object, at: str, problems: list[Problem]) -> Period | None:
    """One listed period from plain data (``unit``, ``start``, ``end``, ``fiscal_year``, ``number``)."""
    if not isinstance(row, Mapping):
        problems.append(Problem(f"expected a period, got {shorten(row)}", at))
        return None
    before = len(problems)
    unit = row.get("unit")
    if unit not in UNITS:
        problems.append(
            Problem(f"unit must be one of {', '.join(UNITS)}, got {shorten(unit)}", f"{at}.unit")
        )
    days: list[date] = []
    for key in ("start", "end"):
        value = row.get(key)
        try:
            days.append(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            problems.append(Problem(f"expected an ISO date, got {shorten(value)}", f"{at}.{key}"))
    numbers: list[int] = []
    for key in ("fiscal_year", "number"):
        value = row.get(key, 1 if key == "number" else None)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, str))
            or not str(value).isdigit()
        ):
            problems.append(
                Problem(f"expected a whole number, got {shorten(value)}", f"{at}.{key}")
            )
        else:
            numbers.append(int(value))
    if len(problems) > before:
        return None
    year, number = numbers
    mark = _MARKS.get(str(unit))
    label = row.get("label") or (
        f"FY{year}" if mark is None else f"FY{year} {mark}{number:0{1 if mark == 'Q' else 2}d}"
    )
    return Period(unit, days[0], days[1], str(label), year, number)  # type: ignore[arg-type]


def _add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s (``day`` is a first of month)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _checked(day: object, unit: object) -> date:
    problems = []
    if unit not in UNITS:
        problems.append(
            Problem(f"unknown unit {shorten(unit)}; expected one of {', '.join(UNITS)}", "$.unit")
        )
    if not isinstance(day, date):
        problems.append(Problem(f"expected a date, got {type(day).__name__}", "$.day"))
    elif not _EARLIEST <= _day(day) <= _LATEST:
        problems.append(
            Problem(f"{day} is outside the days salesflow computes with (1900 to 9998)", "$.day")
        )
    if problems:
        raise ValidationError(problems, subject="fiscal calendar")
    assert isinstance(day, date)
    return _day(day)


def _month_problems(value: object, name: str) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        return [Problem(f"expected a month 1 to 12, got {shorten(value)}", f"$.{name}")]
    return []


def _named_problems(value: object) -> list[Problem]:
    if value not in ("end", "start"):
        return [Problem(f"expected 'end' or 'start', got {shorten(value)}", "$.named_by")]
    return []
