"""Fiscal calendars: every day in exactly one period of each unit, periods that tile the year."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.fiscal import UNITS, FiscalCalendar, Period

DAYS = st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31))
STANDARD = st.builds(
    FiscalCalendar.standard,
    st.integers(1, 12),
    named_by=st.sampled_from(["end", "start"]),
)
WEEKS = st.builds(
    FiscalCalendar.weeks,
    st.sampled_from(["4-4-5", "4-5-4", "5-4-4"]),
    end_month=st.integers(1, 12),
    week_start=st.integers(0, 6),
    rule=st.sampled_from(["last", "nearest"]),
)
CALENDARS = st.one_of(STANDARD, WEEKS)


@given(CALENDARS, DAYS, st.sampled_from(UNITS))
def test_every_day_is_in_exactly_the_period_found_for_it(
    calendar: FiscalCalendar, day: date, unit: str
) -> None:
    period = calendar.period_of(day, unit)  # type: ignore[arg-type]
    assert day in period and period.unit == unit
    assert calendar.period_of(period.start, unit) == period  # type: ignore[arg-type]
    assert calendar.period_of(period.end, unit) == period  # type: ignore[arg-type]
    before = calendar.period_of(period.start - timedelta(days=1), unit)  # type: ignore[arg-type]
    assert before.end == period.start - timedelta(days=1)  # contiguous: no gap, no overlap
    assert 1 <= period.day_of(day) <= period.days


@given(CALENDARS, DAYS)
def test_a_year_is_four_quarters_of_three_months_each(calendar: FiscalCalendar, day: date) -> None:
    year = calendar.period_of(day, "year")
    quarters = calendar.periods(year.start, year.end, "quarter")
    months = calendar.periods(year.start, year.end, "month")
    assert [q.number for q in quarters] == [1, 2, 3, 4]
    assert [m.number for m in months] == list(range(1, 13))
    assert quarters[0].start == year.start and quarters[-1].end == year.end
    for q, three in zip(quarters, [months[i : i + 3] for i in (0, 3, 6, 9)], strict=True):
        assert (three[0].start, three[-1].end) == (q.start, q.end)
    assert {p.fiscal_year for p in (*quarters, *months)} == {year.fiscal_year}
    following = calendar.period_of(year.end + timedelta(days=1), "year")
    assert following.fiscal_year == year.fiscal_year + 1  # one name per year, in order


@given(WEEKS, DAYS)
def test_a_week_based_year_has_52_or_53_weeks_in_its_pattern(
    calendar: FiscalCalendar, day: date
) -> None:
    year = calendar.period_of(day, "year")
    assert year.days in (364, 371)
    months = calendar.periods(year.start, year.end, "month")
    weeks = [m.days // 7 for m in months]
    pattern = [int(n) for n in str(calendar.pattern).split("-")] * 4
    extra = year.days // 7 - 52
    assert weeks == [*pattern[:-1], pattern[-1] + extra]
    assert all(m.days % 7 == 0 for m in months)
    assert year.end.weekday() == (calendar.week_start - 1) % 7
    assert len(calendar.periods(year.start, year.end, "week")) == year.days // 7


def test_a_standard_year_starting_in_february_is_named_by_its_end() -> None:
    fy = FiscalCalendar.standard(start_month=2)
    assert fy.period_of(date(2026, 1, 31), "year").label == "FY2026"
    assert fy.period_of(date(2026, 2, 1), "year").label == "FY2027"
    by_start = FiscalCalendar.standard(start_month=2, named_by="start")
    assert by_start.period_of(date(2026, 2, 1), "year").label == "FY2026"
    assert fy.period_of(date(2026, 2, 1), "month").label == "FY2027 P01"


def test_the_calendar_year_matches_the_wall_calendar() -> None:
    cy = FiscalCalendar.calendar_year()
    q = cy.period_of(datetime(2026, 5, 17, 9, tzinfo=timezone.utc))
    assert (q.label, q.start, q.end) == ("FY2026 Q2", date(2026, 4, 1), date(2026, 6, 30))
    assert q.elapsed(date(2026, 4, 1)) == pytest.approx(1 / 91)
    assert q.elapsed(date(2026, 3, 1)) == 0.0 and q.elapsed(date(2026, 7, 1)) == 1.0
    assert repr(cy) == "FiscalCalendar.calendar_year()"


def test_the_nearest_rule_ends_the_year_on_the_weekday_nearest_the_months_end() -> None:
    # retail's 4-5-4: years end on the Saturday nearest 31 January
    retail = FiscalCalendar.weeks("4-5-4", end_month=1, week_start=6, rule="nearest")
    assert retail.period_of(date(2025, 6, 1), "year").end == date(2026, 1, 31)
    assert retail.period_of(date(2024, 6, 1), "year").end == date(2025, 2, 1)
    year = retail.period_of(date(2023, 6, 1), "year")
    assert (year.end, year.days) == (date(2024, 2, 3), 371)  # a 53-week year


def test_listed_periods_are_found_and_gaps_or_overlaps_refused() -> None:
    q1 = Period("quarter", date(2026, 1, 4), date(2026, 4, 4), "FY26 Q1", 2026, 1)
    q2 = Period("quarter", date(2026, 4, 5), date(2026, 7, 4), "FY26 Q2", 2026, 2)
    listed = FiscalCalendar.from_periods([q2, q1])
    assert listed.period_of(date(2026, 4, 5)) == q2
    assert listed.periods(date(2026, 3, 1), date(2026, 5, 1)) == [q1, q2]
    with pytest.raises(sf.ValidationError, match="no quarter of the listed periods holds 2027"):
        listed.period_of(date(2027, 1, 1))
    gap = Period("quarter", date(2026, 4, 6), date(2026, 7, 4), "FY26 Q2", 2026, 2)
    with pytest.raises(sf.ValidationError, match="a gap between FY26 Q1"):
        FiscalCalendar.from_periods([q1, gap])
    overlap = Period("quarter", date(2026, 4, 1), date(2026, 7, 4), "FY26 Q2", 2026, 2)
    with pytest.raises(sf.ValidationError, match="FY26 Q1 and FY26 Q2 overlap"):
        FiscalCalendar.from_periods([q1, overlap])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: FiscalCalendar.standard(13), "expected a month 1 to 12"),
        (lambda: FiscalCalendar.weeks("4-4-4"), "unknown pattern"),
        (lambda: FiscalCalendar.weeks(week_start=7), "expected a weekday"),
        (lambda: FiscalCalendar.weeks(rule="first"), "expected 'last' or 'nearest'"),  # type: ignore[arg-type]
        (lambda: FiscalCalendar.calendar_year().period_of("2026-01-01"), "expected a date"),  # type: ignore[arg-type]
        (
            lambda: FiscalCalendar.calendar_year().period_of(date(2026, 1, 1), "day"),
            "unknown unit",
        ),  # type: ignore[arg-type]
        (lambda: FiscalCalendar.calendar_year().period_of(date.max), "outside the days"),
    ],
)
def test_bad_settings_and_questions_are_refused_by_name(make: object, message: str) -> None:
    with pytest.raises(sf.ValidationError, match=message):
        make()  # type: ignore[operator]


@given(CALENDARS)
def test_a_calendar_survives_its_plain_data(calendar: FiscalCalendar) -> None:
    assert FiscalCalendar.from_dict(calendar.to_dict()) == calendar


def test_listed_calendars_survive_their_plain_data_and_bad_data_is_named() -> None:
    listed = FiscalCalendar.from_periods(
        FiscalCalendar.standard(4).periods(date(2025, 4, 1), date(2027, 3, 31), "quarter")
    )
    assert FiscalCalendar.from_dict(listed.to_dict()) == listed
    with pytest.raises(sf.ValidationError) as caught:
        FiscalCalendar.from_dict(
            {
                "kind": "listed",
                "periods": [
                    {
                        "unit": "fortnight",
                        "start": "2026-01-01",
                        "end": "2026-01-14",
                        "fiscal_year": 2026,
                    },
                    {
                        "unit": "quarter",
                        "start": "2026-13-01",
                        "end": "2026-03-31",
                        "fiscal_year": "x",
                    },
                ],
            }
        )
    text = str(caught.value)
    for where in ("$.periods[0].unit", "$.periods[1].start", "$.periods[1].fiscal_year"):
        assert where in text, where
    with pytest.raises(
        sf.ValidationError, match=r"unknown key for a standard calendar @ \$\.pattern"
    ):
        FiscalCalendar.from_dict({"kind": "standard", "pattern": "4-4-5"})
    with pytest.raises(sf.ValidationError, match="kind must be standard, weeks or listed"):
        FiscalCalendar.from_dict({"kind": "lunar"})


def test_read_calendar_from_a_settings_file_or_salesforce_periods(tmp_path: Path) -> None:
    from salesflow.io import read_calendar

    settings = tmp_path / "calendar.yaml"
    settings.write_text(
        "fiscal_calendar:\n  kind: weeks\n  pattern: 4-5-4\n  end_month: 1\n  week_start: Sunday\n",
        encoding="utf-8",
    )
    assert read_calendar(settings) == FiscalCalendar.weeks("4-5-4", end_month=1, week_start=6)
    periods = tmp_path / "Period.csv"
    periods.write_text(
        "Type,StartDate,EndDate,Number,FiscalYearSettings.Name\n"
        "Quarter,2026-02-01,2026-04-30,1,2027\nQuarter,2026-05-01,2026-07-31,2,2027\n",
        encoding="utf-8",
    )
    listed = read_calendar(periods)
    assert listed.period_of(date(2026, 6, 1)).label == "FY2027 Q2"
    periods.write_text(
        "Type,StartDate,EndDate,Number,FiscalYearSettings.Name\nQuarter,2026-02-01,soon,1,2027\n",
        encoding="utf-8",
    )
    with pytest.raises(sf.ValidationError, match=r"line 2, column end"):
        read_calendar(periods)
