"""The pipeline inspection report: which metrics, on what data, for which moment.

Every number comes from :mod:`salesflow.analytics` or
:mod:`salesflow.forecasting`; this module only chooses the calls and lays
their results out as sections (a title, columns, rows and notes) that the
renderers print as tables, JSON, CSV or HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

import attrs

from salesflow.analytics import (
    Frames,
    Rates,
    Result,
    at_risk,
    bridge,
    funnel,
    pipeline_as_of,
    pipeline_summary,
    win_rate,
)
from salesflow.analytics.coverage import Coverage
from salesflow.analytics.over_time import pipeline_over_time
from salesflow.analytics.plots import plot_bridge, plot_funnel, plot_pipeline_over_time
from salesflow.buyer.mapping import ProcessMapping
from salesflow.cli._page import page_data, page_html
from salesflow.cli._priorities import TOP, Fits, priorities_section
from salesflow.cli._section import Section, covered
from salesflow.fiscal import FiscalCalendar, Period
from salesflow.forecasting import RevenueForecast, attainment, forecast_revenue
from salesflow.hierarchy import Hierarchy
from salesflow.presets import MAPPING_PRESETS
from salesflow.process import SalesProcess
from salesflow.targets import Targets

__all__ = [
    "Report",
    "Section",
    "attainment_section",
    "covered",
    "inspect",
    "mapping_for",
    "quarter_of",
]

BRIDGE_DAYS = 7
WEEKS = 12
_OVER_TIME = ("Open Pipeline", "Commit Forecast", "Closed Won")


@attrs.frozen(kw_only=True)
class Report:
    """A pipeline inspection: sections in reading order, for one moment.

    Attributes:
        title: The report's heading.
        as_of: The "now" of every section.
        sections: The sections.
        page: Computes the inspection page's data (see :meth:`to_html`).
    """

    title: str
    as_of: datetime
    sections: tuple[Section, ...]
    page: Callable[[], Mapping[str, Any]] | None = attrs.field(default=None, eq=False, repr=False)

    def to_html(self, *, locale: str = "en") -> str:
        """The pipeline inspection page: one self-contained HTML file to work in.

        Tiles, charts (inline SVG), the deal list and each deal's panel, with
        filters; no network access when viewed. In a notebook:
        ``IPython.display.HTML(report.to_html())``, or write it to a file.
        ``locale`` (a language tag: ``de-DE``, ``en-US``) says how the page
        writes numbers and money; a browser that does not know it uses ``en``.

        Raises:
            ValueError: The report was not made by :func:`inspect` (no data for the page).
        """
        if self.page is None:
            raise ValueError("this report has no page data: make it with inspect()")
        return page_html({**self.page(), "locale": locale})

    def section(self, key: str) -> Section:
        """The section called ``key``."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)


def quarter_of(day: date) -> tuple[date, date]:
    """The first and last day of the calendar quarter holding ``day``.

    >>> quarter_of(date(2026, 5, 17))
    (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    """
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    following = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first, following - timedelta(days=1)


def mapping_for(process: SalesProcess) -> ProcessMapping | None:
    """The mapping preset whose seller process is ``process`` (by name), if any."""
    for make in MAPPING_PRESETS.values():
        mapping = make()
        if mapping.seller_process.name == process.name:
            return mapping
    return None


def _from_result(key: str, result: Result) -> Section:
    section = Section(
        key=key, title=result.title, columns=tuple(result.columns), rows=tuple(result.rows())
    )
    return covered(section, result.coverage)


def _funnel(tables: Frames) -> Section:
    result = funnel(tables)
    return attrs.evolve(_from_result("funnel", result), plot=lambda ax: plot_funnel(result, ax=ax))


def _over_time(tables: Frames, as_of: datetime, rates: Rates | None) -> Section:
    dates = [as_of - timedelta(weeks=k) for k in range(WEEKS - 1, -1, -1)]
    result = pipeline_over_time(tables, dates, rates=rates)
    by_date: dict[Any, dict[str, Any]] = {}
    for row in result.rows():
        if row["line"] in _OVER_TIME:
            by_date.setdefault(row["date"], {"date": row["date"]})[row["line"]] = row["amount"]
    section = Section(
        key="over_time",
        title=f"{result.title}: amount, weekly",
        columns=("date", *_OVER_TIME),
        rows=tuple(by_date.values()),
        notes=("Each week's pipeline rebuilt from the history as of that day.",),
        plot=lambda ax: plot_pipeline_over_time(result, lines=_OVER_TIME, ax=ax),
    )
    return covered(section, result.coverage)


def _summary(tables: Frames, rates: Rates | None) -> Section:
    return _from_result("summary", pipeline_summary(tables, cumulative=True, rates=rates))


def _bridge(tables: Frames, as_of: datetime, rates: Rates | None) -> Section:
    start = as_of - timedelta(days=BRIDGE_DAYS)
    result = bridge(tables, start, as_of, rates=rates)
    totals = result.totals()
    rows: list[dict[str, Any]] = [{"movement": "start", "deals": None, "amount": totals.start}]
    rows += [
        {"movement": movement, "deals": totals.counts[movement], "amount": amount}
        for movement, amount in totals.movements.items()
    ]
    rows.append({"movement": "end", "deals": None, "amount": totals.end})
    notes = (
        "Won, lost, decreased and pushed out are subtracted; the rest is added; "
        + ("the totals add up." if totals.adds_up() else "THE TOTALS DO NOT ADD UP."),
    )
    section = Section(
        key="bridge",
        title=result.title,
        columns=("movement", "deals", "amount"),
        rows=tuple(rows),
        notes=notes,
        plot=lambda ax: plot_bridge(result, ax=ax),
    )
    return covered(section, result.coverage)


def _bridge_deals(tables: Frames, as_of: datetime, rates: Rates | None) -> Section:
    result = bridge(tables, as_of - timedelta(days=BRIDGE_DAYS), as_of, rates=rates)
    moved = tuple(row for row in result.rows() if row["movement"] != "unchanged")
    return Section(
        key="bridge_deals",
        title=f"Deals that moved, {result.title.removeprefix('Pipeline bridge ')}",
        columns=("id", "movement", "start_amount", "end_amount", "change", "currency"),
        rows=moved,
        shown=15,
    )


def _risk(tables: Frames, as_of: datetime) -> Section:
    result = at_risk(tables, as_of=as_of)
    flagged = sorted(
        (row for row in result.rows() if row["flags"]), key=lambda row: -int(row["flags"])
    )
    notes: tuple[str, ...] = (f"{len(flagged)} of {len(result)} open deals flagged.",)
    section = Section(
        key="at_risk",
        title=result.title,
        columns=("id", "stage", "flags", "reasons"),
        rows=tuple({k: row[k] for k in ("id", "stage", "flags", "reasons")} for row in flagged),
        notes=notes,
        shown=15,
    )
    return covered(section, result.coverage)


def _phases(tables: Frames, mapping: ProcessMapping, rates: Rates | None) -> Section:
    result = pipeline_summary(
        attrs.evolve(tables, mapping=mapping), cumulative=True, by="buying_phase", rates=rates
    )
    order = {phase.name: i for i, phase in enumerate(mapping.buyer_process.phases)}
    rows = sorted(
        (
            row
            for row in result.rows()
            if row["line"] == "Open Pipeline" and row["buying_phase"] is not None
        ),
        key=lambda row: order.get(row["buying_phase"], len(order)),
    )
    columns = tuple(c for c in result.columns if c != "line")
    return Section(
        key="buying_phases",
        title=f"Open pipeline by the buyer's phase ({mapping.buyer_process.name})",
        columns=columns,
        rows=tuple({c: row[c] for c in columns} for row in rows),
        notes=(
            f"Stages mapped to phases by the preset mapping of {mapping.seller_process.name}.",
        ),
    )


def _forecast(
    tables: Frames,
    as_of: datetime,
    seed: int,
    rates: Rates | None,
    calendar: FiscalCalendar,
    period: Period | None = None,
) -> Section:
    quarter = period or calendar.period_of(as_of.date(), "quarter")
    start, end = quarter.start, quarter.end
    found: RevenueForecast = forecast_revenue(
        tables, start=start, end=end, as_of=as_of, seed=seed, rates=rates
    )
    rows = [
        {"figure": "won so far", "amount": found.won_so_far},
        {"figure": "P10 (9 in 10 quarters beat this)", "amount": found.p10},
        {"figure": "P50 (median)", "amount": found.p50},
        {"figure": "P90 (1 in 10 quarters beat this)", "amount": found.p90},
        {"figure": "mean", "amount": found.mean},
    ]
    notes = (
        f"Monte Carlo: {found.draws:,} draws (seed {found.seed}) over {found.deals} open deals; "
        f"{found.by_close_date} timed by their own close date.",
        f"Learned from: {found.learned_from}.",
    )
    section = Section(
        key="forecast",
        title=f"Closed-won revenue forecast {quarter.label}, {start.isoformat()} to "
        f"{end.isoformat()} ({found.currency}), including what is already won",
        columns=("figure", "amount"),
        rows=tuple(rows),
        notes=notes,
    )
    return covered(section, found.coverage)


ATTAINMENT_COLUMNS = (
    "node",
    "target",
    "closed",
    "commit",
    "best_case",
    "pipeline",
    "coverage",
    "p_hit",
    "pace",
)


def attainment_section(
    tables: Frames,
    as_of: datetime,
    *,
    seed: int,
    rates: Rates | None,
    calendar: FiscalCalendar,
    targets: Targets | None,
    hierarchy: Hierarchy | None,
    period: Period | None = None,
    draws: int = 10_000,
    correlation: float = 0.0,
) -> Section:
    """Per owner and team (indented): target, closed, pipeline by category, coverage, P(hit)."""
    found = attainment(
        tables,
        targets=targets,
        hierarchy=hierarchy,
        calendar=calendar,
        period=period,
        as_of=as_of,
        rates=rates,
        seed=seed,
        draws=draws,
        correlation=correlation,
    )
    rows = []
    for row in found.rows():
        shown = dict(row)
        shown["node"] = "  " * int(row["depth"]) + str(row["node"])
        rows.append({c: shown[c] for c in ATTAINMENT_COLUMNS})
    span = found.period
    notes = (
        "Target: each node's own (quotas do not roll up); closed: won in the period by the "
        "report's moment; commit / best case / pipeline: open deals closing in the period, each "
        "category on its own; coverage: open ÷ gap.",
        f"P hit: the chance of reaching the target, from {found.policies['draws']:,} Monte Carlo draws (seed {seed}) of the "
        "period's won total, summed up the tree draw by draw, deals independent"
        + (f" (shared shock ρ = {correlation})" if correlation else "")
        + "; pace: attainment ÷ the share of the period gone.",
    )
    section = Section(
        key="attainment",
        title=f"Attainment {span.label}, {span.start.isoformat()} to {span.end.isoformat()}"
        + (f" ({found.currency})" if found.currency else ""),
        columns=ATTAINMENT_COLUMNS,
        rows=tuple(rows),
        notes=notes,
    )
    return covered(section, found.coverage)


def inspect(
    tables: Frames,
    *,
    as_of: datetime,
    title: str,
    rebuild: bool = False,
    mapping: ProcessMapping | None = None,
    rates: Rates | None = None,
    seed: int = 0,
    calendar: FiscalCalendar | None = None,
    targets: Targets | None = None,
    hierarchy: Hierarchy | None = None,
    period: Period | None = None,
    fits: Fits | None = None,
    top: int = TOP,
    only: tuple[str, ...] | None = None,
    step: Callable[[str], None] = lambda _: None,
) -> Report:
    """The pipeline inspection report of ``tables`` at ``as_of``.

    Args:
        tables: The three tables, with their process.
        as_of: The moment the report is for (timezone-aware).
        title: The heading.
        rebuild: Rebuild the snapshot at ``as_of`` from the history first
            (for a past date; the current snapshot is used otherwise).
        mapping: Adds the buyer-phase view.
        rates: Converts amounts into one currency before summing (needed with several).
        seed: The forecast's seed.
        calendar: The fiscal calendar whose quarter the forecast covers (default:
            the calendar year).
        targets: Adds the attainment section (with ``hierarchy``, rolled up the tree).
        hierarchy: Adds the attainment section, rolled up this tree.
        period: The forecast's and the attainment section's period (default: the
            quarter holding ``as_of``).
        fits: Each deal's fit, for the prioritised pipeline (without it the
            deals are ranked by expected value, and a note says so).
        top: How many deals the prioritised pipeline shows.
        only: Compute only these sections (by their step names: ``"forecast"``,
            ``"attainment"``, ...), in the report's order.
        step: Called with each section's name before it is computed (progress).

    Returns:
        Summary by forecast category, the bridge over the last week (totals and
        the deals that moved), the pipeline over the last twelve weeks, the funnel, the win rate, at-risk deals, the
        prioritised pipeline, the buyer-phase view (with a mapping) and the quarter's revenue forecast.
    """
    as_of = as_of.astimezone(timezone.utc)
    rebuilt = Coverage()
    if rebuild:
        step("rebuilding the pipeline as of the date")
        past = pipeline_as_of(tables, as_of)
        tables, rebuilt = attrs.evolve(tables, snapshot=past.to_frame()), past.coverage
    sections: list[Section] = []
    plan: list[tuple[str, Callable[[], Section]]] = [
        ("summary", lambda: covered(_summary(tables, rates), rebuilt)),
        ("bridge", lambda: _bridge(tables, as_of, rates)),
        ("bridge deals", lambda: _bridge_deals(tables, as_of, rates)),
        ("pipeline over time", lambda: _over_time(tables, as_of, rates)),
        ("funnel", lambda: _funnel(tables)),
        ("win rate", lambda: _from_result("win_rate", win_rate(tables))),
        ("at-risk deals", lambda: _risk(tables, as_of)),
        ("priorities", lambda: priorities_section(tables, rates=rates, fits=fits, top=top)),
    ]
    if mapping is not None:
        plan.append(("buying phases", lambda: _phases(tables, mapping, rates)))
    chosen = FiscalCalendar.calendar_year() if calendar is None else calendar
    plan.append(("forecast", lambda: _forecast(tables, as_of, seed, rates, chosen, period)))
    if targets is not None or hierarchy is not None:
        plan.append(
            (
                "attainment",
                lambda: attainment_section(
                    tables,
                    as_of,
                    seed=seed,
                    rates=rates,
                    calendar=chosen,
                    targets=targets,
                    hierarchy=hierarchy,
                    period=period,
                ),
            )
        )
    for name, build in plan:
        if only is not None and name not in only:
            continue
        step(name)
        sections.append(build())

    def page() -> Mapping[str, Any]:
        return page_data(
            tables,
            as_of=as_of,
            title=title,
            sections=sections,
            rates=rates,
            calendar=chosen,
            hierarchy=hierarchy,
            window_days=BRIDGE_DAYS,
            weeks=WEEKS,
        )

    return Report(title=title, as_of=as_of, sections=tuple(sections), page=page)
