"""The inspection page's data: every figure computed here, in Python, by salesflow.

The page itself only filters, sorts and draws. Its tiles are the lines of
:func:`~salesflow.analytics.pipeline_summary` (cumulative), recomputed in the
browser from each deal's category, status and amount, so a filter by owner
shows exactly what the report computes on that owner's deals alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol

from salesflow.analytics import MOVEMENTS, Frames, Rates, at_risk, bridge
from salesflow.analytics._source import resolve
from salesflow.analytics.funnel import funnel_steps
from salesflow.cli._page import _details
from salesflow.cli._page._deals import cents, current, states, status, weekly
from salesflow.errors import SalesflowError
from salesflow.fiscal import FiscalCalendar
from salesflow.forecast import ForecastCategory
from salesflow.hierarchy import Hierarchy
from salesflow.money import Money
from salesflow.process import SalesProcess

__all__ = ["TILES", "SectionLike", "lines", "page_data"]

TILES = (
    "Total",
    "Closed Won",
    "Commit Forecast",
    "Best Case Forecast",
    "Open Pipeline",
    "Closed Lost",
)
"""The summary lines shown as tiles (Salesforce's pipeline inspection shows these)."""

_CHANGES = {
    "Moved in": ("new", "reopened", "pulled_in"),
    "Moved out": ("pushed_out",),
    "Moved to lost": ("lost",),
}


class SectionLike(Protocol):
    """What the page reads of a report section."""

    @property
    def key(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def rows(self) -> tuple[Mapping[str, Any], ...]: ...

    @property
    def notes(self) -> tuple[str, ...]: ...


def lines() -> list[dict[str, Any]]:
    """The cumulative summary lines as the page tests a deal for each: categories and status.

    The same definitions as :func:`~salesflow.analytics.pipeline_summary`
    with ``cumulative=True`` (``None``: any).
    """
    found: list[dict[str, Any]] = [
        {"name": "Total", "cats": None, "st": None},
        {"name": "Closed Won", "cats": None, "st": [1]},
    ]
    for category in (
        ForecastCategory.COMMIT,
        ForecastCategory.MOST_LIKELY,
        ForecastCategory.BEST_CASE,
    ):
        members = [c.value for c in ForecastCategory if category.includes(c)]
        found.append({"name": f"{category.value} Forecast", "cats": members, "st": None})
    pipeline = [c.value for c in ForecastCategory.PIPELINE.rollup]
    found.append({"name": "Open Pipeline", "cats": pipeline, "st": [0]})
    found.append({"name": "Closed Lost", "cats": None, "st": [2]})
    return found


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _teams(hierarchy: Hierarchy | None, owners: Sequence[str]) -> tuple[list[Any], dict[str, Any]]:
    if hierarchy is None:
        return [], {}
    tree = [[node, depth] for node, depth in hierarchy.walk()]
    up = {owner: list(hierarchy.ancestors(owner)) for owner in owners if owner in hierarchy}
    return tree, up


def _forecast(sections: Sequence[SectionLike]) -> dict[str, Any] | None:
    for section in sections:
        if section.key == "forecast" and section.rows:
            figures = [[str(r["figure"]), cents(_amount(r["amount"]))] for r in section.rows]
            return {"title": section.title, "figures": figures, "notes": list(section.notes)}
    return None


def _amount(value: Any) -> Any:
    return value.amount if isinstance(value, Money) else value


def _side(movement: Mapping[str, Any], side: str) -> int | None:
    """The deal's amount in the bridge's start or end pipeline (``None``: not in it)."""
    if not movement.get(f"in_{side}"):
        return None
    return cents(_amount(movement.get(f"{side}_amount"))) or 0


def _expected(sections: Sequence[SectionLike]) -> dict[str, list[Any]]:
    for section in sections:
        if section.key == "summary":
            return {
                str(r["line"]): [int(r["count"]), cents(_amount(r["amount"])) or 0]
                for r in section.rows
            }
    return {}


def _optional(what: str, notes: list[str], compute: Any) -> Any:
    try:
        return compute()
    except SalesflowError as exc:
        notes.append(f"{what}: not computed ({exc}).")
        return None


def page_data(
    tables: Frames,
    *,
    as_of: datetime,
    title: str,
    sections: Sequence[SectionLike] = (),
    rates: Rates | None = None,
    calendar: FiscalCalendar | None = None,
    hierarchy: Hierarchy | None = None,
    window_days: int = 7,
    weeks: int = 12,
    scores: bool = True,
) -> dict[str, Any]:
    """Everything the inspection page shows, as JSON-ready data.

    Args:
        tables: The report's tables, with their process.
        as_of: The report's moment.
        title: The page's heading.
        sections: The report's sections (the forecast is read from them, and the
            summary as a check the page makes on itself).
        rates: Converts amounts into one currency, as the report does.
        calendar: The fiscal calendar whose quarters the period filter offers.
        hierarchy: The teams the team filter offers.
        window_days: The window of the changes (tiles, highlights, bridge).
        weeks: How many weekly points the pipeline-over-time chart has.
        scores: Fit the deal score and predict close dates (the slow part).

    Returns:
        A dictionary of lists, strings and numbers (amounts in whole cents).
    """
    moment = as_of.astimezone(timezone.utc)
    process: SalesProcess | None = tables.process
    inputs = resolve(tables)
    notes: list[str] = []
    now, currency = current(inputs, rates)
    chosen = FiscalCalendar.calendar_year() if calendar is None else calendar
    start = moment - timedelta(days=window_days)
    moments = [moment - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    has_history = inputs.history is not None and process is not None
    before = states(inputs, start, process, rates) if has_history and process else {}
    by_week = weekly(inputs, moments, process, rates) if has_history and process else {}
    moved: dict[str, dict[str, Any]] = {}
    if has_history:
        found = _optional("Bridge", notes, lambda: bridge(tables, start, moment, rates=rates))
        moved = {str(r["id"]): r for r in found.rows()} if found is not None else {}
    risk = _optional("At-risk flags", notes, lambda: at_risk(tables, as_of=moment))
    reasons = {
        str(r["id"]): [x.strip() for x in str(r["reasons"] or "").split(";") if x.strip()]
        for r in (risk.rows() if risk is not None else [])
    }
    predicted: dict[str, str | None] = {}
    score: dict[str, float] = {}
    if scores and has_history:
        from salesflow.forecasting import fit_deal_score, predict_close_dates

        closes = _optional(
            "Predicted close dates", notes, lambda: predict_close_dates(tables, as_of=moment)
        )
        predicted = {p.id: _iso(p.median) for p in closes or ()}
        model = _optional("Deal score", notes, lambda: fit_deal_score(tables, until=moment))
        found_scores = (
            _optional("Deal score", notes, lambda: model.score(tables, at=moment))
            if model
            else None
        )
        score = {s.id: round(s.probability, 3) for s in found_scores or ()}
    steps = funnel_steps(process) if process is not None else []
    furthest = _details.furthest_steps(inputs, steps, {str(r["id"]): r["stage"] for r in now})
    shown, counted, latest = _details.activities(inputs, moment)
    history = _details.timelines(inputs, moment)
    roles = _details.contact_roles(inputs)
    quarters: dict[date, str] = {}
    periods: dict[str, date] = {}

    def quarter(day: Any) -> str | None:
        if not isinstance(day, date):
            return None
        day = day.date() if isinstance(day, datetime) else day
        if day not in quarters:
            span = chosen.period_of(day, "quarter")
            quarters[day], periods[span.label] = span.label, span.start
        return quarters[day]

    deals: list[dict[str, Any]] = []
    details: dict[str, dict[str, Any]] = {}
    for row in now:
        deal = str(row["id"])
        was = before.get(deal)
        movement = moved.get(deal, {})
        deals.append(
            {
                "i": deal,
                "n": row.get("name") or deal,
                "a": row.get("account_id"),
                "o": row.get("owner"),
                "s": row["stage"],
                "c": row["forecast_category"],
                "t": status(row),
                "v": cents(row["_amount"]),
                "p": None if row["probability"] is None else float(row["probability"]),
                "d": _iso(row.get("close_date")),
                "q": quarter(row.get("close_date")),
                "w": None if was is None else [was[0], was[1], was[2], was[3], _iso(was[4])],
                "m": movement.get("movement"),
                "mc": cents(_amount(movement.get("change"))),
                "ms": _side(movement, "start"),
                "me": _side(movement, "end"),
                "r": reasons.get(deal, []),
                "f": furthest.get(deal, -1),
                "la": latest.get(deal),
                "pc": predicted.get(deal),
                "sc": score.get(deal),
                "h": by_week.get(deal, 0),
            }
        )
        details[deal] = {
            "h": history.get(deal, []),
            "a": shown.get(deal, []),
            "na": counted.get(deal, 0),
            "r": roles.get(deal, []),
        }
    owners = sorted({str(d["o"]) for d in deals if d["o"] is not None})
    tree, up = _teams(hierarchy, owners)
    stages = [s.name for s in process.stages] if process is not None else []
    stages += sorted({str(d["s"]) for d in deals} - set(stages))
    return {
        "title": title,
        "as_of": moment.isoformat(timespec="minutes"),
        "currency": currency,
        "window": {"days": window_days, "start": start.isoformat(timespec="minutes")},
        "weeks": [m.date().isoformat() for m in moments] if by_week else [],
        "lines": lines(),
        "tiles": list(TILES),
        "changes": {name: list(kinds) for name, kinds in _CHANGES.items()},
        "movements": list(MOVEMENTS),
        "categories": [c.value for c in ForecastCategory],
        "stages": stages,
        "steps": steps,
        "owners": owners,
        "teams": tree,
        "up": up,
        "periods": sorted(periods, key=lambda label: periods[label]),
        "current_period": chosen.period_of(moment.date(), "quarter").label,
        "deals": deals,
        "details": details,
        "forecast": _forecast(sections),
        "expected": _expected(sections),
        "activities_shown": _details.ACTIVITIES_SHOWN,
        "notes": notes,
    }
