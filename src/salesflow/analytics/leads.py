"""Lead conversion and the lead funnel, by source, owner or cohort (creation month).

Both metrics take leads as :class:`~salesflow.Lead` objects, a leads frame of
any library, or :class:`~salesflow.analytics.LeadFrames` (see
:mod:`salesflow.analytics.lead_frames`), and group by any column of the
leads table: ``source``, ``owner``, ``status``, or ``cohort`` (the creation
month, ``YYYY-MM``, added from ``created_at``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import narwhals as nw

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import aggregate, by_columns, days, sum0
from salesflow.analytics.coverage import Gap, Pending
from salesflow.analytics.lead_frames import LeadTables, read_leads
from salesflow.analytics.result import Result
from salesflow.errors import Problem, ValidationError
from salesflow.lead_process import LeadProcess

__all__ = ["LeadConversion", "LeadFunnel", "lead_conversion", "lead_funnel"]


class LeadConversion(Result):
    """Leads, converted leads and the time it took, per group (see :func:`lead_conversion`)."""

    _value = "conversion"

    @property
    def rate(self) -> float | None:
        """The conversion rate of an ungrouped result (``None`` without leads)."""
        value = self.rows()[0]["conversion"]
        return None if value is None else float(value)

    @property
    def median_days(self) -> float | None:
        """The median days to convert of an ungrouped result."""
        value = self.rows()[0]["median_days_to_convert"]
        return None if value is None else float(value)

    def count(self, what: str) -> int:
        """``leads``, ``converted``, ``with_opportunity`` or ``won`` of an ungrouped result."""
        return int(self.rows()[0][what])


def _count(mask: nw.Expr) -> nw.Expr:
    return sum0(mask.fill_null(value=False).cast(nw.Int64)).cast(nw.Int64)


def _check(tables: LeadTables, needs: Sequence[str], what: str) -> None:
    names = tables.leads.columns
    missing = [c for c in needs if c not in names]
    if missing:
        shown = ", ".join(names)
        raise ValidationError(
            [
                Problem(f"the leads table has no column {c!r}; it has {shown}", f"$.leads.{c}")
                for c in missing
            ],
            subject=f"{what} (map the source's names with columns=)",
        )


def _rows(frame: nw.LazyFrame[Any]) -> int:
    return int(frame.select(nw.len()).collect(backend="polars").item())


@translated("lead_conversion")
def lead_conversion(
    data: Any,
    *,
    by: str | Sequence[str] = (),
    opportunities: Any = None,
    columns: Mapping[str, str] | None = None,
) -> LeadConversion:
    """How many leads converted, how fast, and what their opportunities became.

    A lead is converted when ``is_converted`` is true (or, without that
    column, when it has a ``converted_at``). Days to convert run from
    ``created_at`` to ``converted_at``, over converted leads with both.

    Args:
        data: Leads, a leads frame, or :class:`~salesflow.analytics.LeadFrames`.
        by: Leads-table columns to group by: ``"source"``, ``"owner"``,
            ``"cohort"`` (creation month) ...
        opportunities: The opportunities the leads converted into (objects, a
            snapshot frame or :class:`~salesflow.analytics.Frames`): adds
            ``won``, the converted leads whose opportunity is won.
        columns: What the source calls the leads table's columns (salesflow
            name → source name, e.g. ``SALESFORCE_LEAD_COLUMNS``).

    Returns:
        A :class:`LeadConversion`: ``*by``, ``leads``, ``converted``,
        ``conversion`` (converted / leads, a float; null without leads),
        ``with_opportunity`` (converted into an opportunity too),
        ``mean_days_to_convert``, ``median_days_to_convert`` and, with
        ``opportunities``, ``won``.

    Raises:
        ValidationError: A needed column is missing, or the tables come from
            different libraries.

    >>> import salesflow as sf
    >>> from datetime import datetime, timedelta, timezone
    >>> leads = sf.presets.salesforce_leads()
    >>> t0 = datetime(2026, 3, 2, tzinfo=timezone.utc)
    >>> a = leads.open(name="A", company="Acme", source="Web", at=t0)
    >>> b = leads.open(name="B", company="Beta", source="Web", at=t0)
    >>> _ = sf.convert(a, leads, at=t0 + timedelta(days=6))
    >>> result = lead_conversion([a, b], by="source")
    >>> [(r["source"], r["leads"], r["converted"], r["conversion"], r["median_days_to_convert"])
    ...  for r in result.rows()]
    [('Web', 2, 1, 0.5, 6.0)]
    """
    keys = by_columns(by)
    tables = read_leads(data, opportunities=opportunities, columns=columns)
    _check(tables, ["is_converted", "created_at", "converted_at", *keys], "lead_conversion")
    leads = tables.leads.with_columns(
        nw.when(nw.col("is_converted").fill_null(value=False))
        .then(days(nw.col("converted_at"), nw.col("created_at")))
        .alias("_days")
    )
    exprs = [
        nw.len().cast(nw.Int64).alias("leads"),
        _count(nw.col("is_converted")).alias("converted"),
    ]
    has_opp = "converted_opportunity_id" in leads.columns
    opportunity = ~nw.col("converted_opportunity_id").is_null() if has_opp else nw.lit(value=False)
    exprs.append(_count(nw.col("is_converted") & opportunity).alias("with_opportunity"))
    exprs += [
        nw.col("_days").mean().alias("mean_days_to_convert"),
        nw.col("_days").median().alias("median_days_to_convert"),
    ]
    pending: list[Pending] = [_untimed(leads), _no_leads(leads)]
    if tables.opportunities is not None:
        if not has_opp:
            raise ValidationError(
                [
                    Problem(
                        "counting won opportunities needs the column converted_opportunity_id",
                        "$.leads.converted_opportunity_id",
                    )
                ],
                subject="lead_conversion",
            )
        won = tables.opportunities.select(
            nw.col("id").cast(nw.String).alias("converted_opportunity_id"),
            nw.col("is_won").alias("_won"),
        ).unique(["converted_opportunity_id"])
        leads = leads.join(won, on="converted_opportunity_id", how="left")
        exprs.append(_count(nw.col("is_converted") & nw.col("_won")).alias("won"))
        pending.append(_unmatched(leads))
    if "cohort" in keys:
        pending.append(_no_cohort(leads))
    table = aggregate(leads, keys, exprs).with_columns(
        nw.when(nw.col("leads") > 0)
        .then(nw.col("converted").cast(nw.Float64) / nw.col("leads").cast(nw.Float64))
        .alias("conversion")
    )
    order = ["leads", "converted", "conversion", "with_opportunity"]
    order += ["mean_days_to_convert", "median_days_to_convert"]
    order += ["won"] if tables.opportunities is not None else []
    table = table.select(*keys, *order)
    if keys:
        table = table.sort(keys, nulls_last=True)
    grouped = f" by {', '.join(keys)}" if keys else ""
    return LeadConversion(
        table,
        tables.kind,
        title=f"Lead conversion{grouped} (converted / all leads)",
        policies={"by": keys, "denominator": "all leads"},
        pending=pending,
    )


def _untimed(leads: nw.LazyFrame[Any]) -> Pending:
    def check() -> Gap | None:
        count = _rows(
            leads.filter(nw.col("is_converted").fill_null(value=False) & nw.col("_days").is_null())
        )
        if not count:
            return None
        reason = "no creation or conversion time, so they are not in the days to convert"
        return Gap("left_out", "converted leads", reason, rows=count)

    return check


def _no_cohort(leads: nw.LazyFrame[Any]) -> Pending:
    def check() -> Gap | None:
        count = _rows(leads.filter(nw.col("cohort").is_null()))
        if not count:
            return None
        return Gap("not_checked", "cohort", "no creation time", rows=count, unit="leads")

    return check


def _unmatched(leads: nw.LazyFrame[Any]) -> Pending:
    def check() -> Gap | None:
        missing = leads.filter(
            ~nw.col("converted_opportunity_id").is_null() & nw.col("_won").is_null()
        )
        count = _rows(missing)
        if not count:
            return None
        reason = "their opportunity is not in the opportunities table, so not counted as won"
        return Gap("not_checked", "won", reason, rows=count, unit="converted leads")

    return check


def _no_leads(leads: nw.LazyFrame[Any]) -> Pending:
    def check() -> Gap | None:
        return None if _rows(leads) else Gap("no_data", "lead conversion", "no leads")

    return check


class LeadFunnel(Result):
    """Leads that reached each status, and the conversion between steps (see :func:`lead_funnel`)."""

    _label = "status"
    _value = "reached"
    _horizontal = True

    def reached(self, status: str) -> int:
        """How many leads reached ``status`` (ungrouped results).

        Raises:
            KeyError: ``status`` is not a step.
        """
        return int(self._row(status)["reached"])

    def conversion(self, status: str) -> float | None:
        """Reached ``status`` / reached the step before it (``None`` for the first step)."""
        value = self._row(status)["conversion"]
        return None if value is None else float(value)

    def _row(self, status: str) -> dict[str, Any]:
        for row in self.rows():
            if row["status"] == status:
                return row
        raise KeyError(status)


def _steps(process: LeadProcess) -> tuple[list[str], dict[str, int]]:
    """The funnel's steps (the open statuses, then the first converted one) and each status's step."""
    opened = [s.name for s in process.open_statuses]
    index = {name: i for i, name in enumerate(opened)}
    index |= {s.name: len(opened) for s in process.converted_statuses}
    return [*opened, process.converted_status.name], index


def _step_of(column: str, index: dict[str, int]) -> nw.Expr:
    return (
        nw.col(column)
        .replace_strict(index, default=nw.lit(None, dtype=nw.Int64), return_dtype=nw.Int64)
        .alias("_k")
    )


@translated("lead_funnel")
def lead_funnel(
    data: Any,
    *,
    process: LeadProcess | None = None,
    by: str | Sequence[str] = (),
    history: Any = None,
    columns: Mapping[str, str] | None = None,
) -> LeadFunnel:
    """How many leads reached each status of the lead process, and the conversion between steps.

    Steps are the process's open statuses in order, then conversion (its
    first converted status; a lead in any converted status reached it).
    Skipped statuses count as reached: a lead that is or was in step *k*
    passed every step before it, and every lead reached the first step. A
    lead's furthest step is read from its status history when there is one
    (a lead closed as not converted counts up to the status it had reached)
    and from its current status otherwise.

    Args:
        data: Leads, a leads frame, or :class:`~salesflow.analytics.LeadFrames`.
        process: The lead process (default: ``LeadFrames.process``).
        by: Leads-table columns to group by (``"source"``, ``"owner"``, ``"cohort"``).
        history: A lead history frame (``lead_id``, ``status``), for frames.
        columns: What the source calls the leads table's columns.

    Returns:
        A :class:`LeadFunnel`: ``*by``, ``step`` (0-based), ``status``,
        ``reached``, ``conversion`` (from the previous step) and
        ``from_first`` (floats; null where the base is 0).

    Raises:
        ValidationError: No lead process, or a needed column is missing.

    >>> import salesflow as sf
    >>> from datetime import datetime, timezone
    >>> leads = sf.presets.salesforce_leads()
    >>> t0 = datetime(2026, 3, 2, tzinfo=timezone.utc)
    >>> a = leads.open(name="A", company="Acme", at=t0)
    >>> b = leads.open(name="B", company="Beta", status="Working - Contacted", at=t0)
    >>> _ = sf.convert(b, leads, at=t0)
    >>> f = lead_funnel([a, b], process=leads)
    >>> [(r["status"], r["reached"]) for r in f.rows()]
    [('Open - Not Contacted', 2), ('Working - Contacted', 1), ('Closed - Converted', 1)]
    """
    keys = by_columns(by)
    tables = read_leads(data, history=history, columns=columns, process=process)
    chosen = tables.process
    if chosen is None:
        raise ValidationError(
            [
                Problem(
                    "lead_funnel needs the status order, and no lead process was given: pass "
                    "process=LeadProcess (e.g. salesflow.presets.salesforce_leads()), or give it "
                    "once with LeadFrames(..., process=...)",
                    "$.process",
                )
            ],
            subject="lead_funnel",
        )
    _check(tables, ["id", "status", *keys], "lead_funnel")
    steps, index = _steps(chosen)
    known = set(chosen.status_names)
    leads = tables.leads.with_columns(nw.col("id").cast(nw.String))
    outside = leads.filter(~nw.col("status").is_in(sorted(known)))
    leads = leads.filter(nw.col("status").is_in(sorted(known))).with_columns(
        _step_of("status", index)
    )
    if tables.history is not None:
        names = tables.history.columns
        missing = [c for c in ("lead_id", "status") if c not in names]
        if missing:
            raise ValidationError(
                [
                    Problem(f"the lead history has no column {c!r}", f"$.history.{c}")
                    for c in missing
                ],
                subject="lead_funnel",
            )
        furthest = (
            tables.history.with_columns(_step_of("status", index))
            .group_by("lead_id")
            .agg(nw.col("_k").max().alias("_h"))
            .rename({"lead_id": "id"})
        )
        leads = leads.join(furthest, on="id", how="left").with_columns(
            nw.max_horizontal(nw.col("_k"), nw.col("_h")).alias("_k")
        )
    leads = leads.with_columns(nw.col("_k").fill_null(0).alias("_max"), nw.col("_k").alias("_raw"))
    wide = aggregate(
        leads, keys, [_count(nw.col("_max") >= i).alias(f"_n{i}") for i in range(len(steps))]
    )
    parts = []
    for i, name in enumerate(steps):
        here = nw.col(f"_n{i}").cast(nw.Float64)
        previous = nw.col(f"_n{max(i - 1, 0)}").cast(nw.Float64)
        first = nw.col("_n0").cast(nw.Float64)
        conversion = (
            nw.lit(None, dtype=nw.Float64)
            if i == 0
            else nw.when(previous > 0).then(here / previous)
        )
        parts.append(
            wide.select(
                *keys,
                nw.lit(i, dtype=nw.Int64).alias("step"),
                nw.lit(name).alias("status"),
                nw.col(f"_n{i}").alias("reached"),
                conversion.alias("conversion"),
                nw.when(first > 0).then(here / first).alias("from_first"),
            )
        )
    table = nw.concat(parts).sort([*keys, "step"], nulls_last=True)
    source = "status history" if tables.history is not None else "current status only"
    return LeadFunnel(
        table,
        tables.kind,
        title=f"Lead funnel ({chosen.name}; skipped statuses reached; {source})",
        policies={"skipped": "reached", "by": keys, "history": tables.history is not None},
        pending=[_outside(outside), _unknown_progress(leads)],
    )


def _outside(outside: nw.LazyFrame[Any]) -> Pending:
    def check() -> Gap | None:
        count = _rows(outside)
        if not count:
            return None
        return Gap("left_out", "leads", "their status is not in the lead process", rows=count)

    return check


def _unknown_progress(leads: nw.LazyFrame[Any]) -> Pending:
    def check() -> Gap | None:
        count = _rows(leads.filter(nw.col("_raw").is_null()))
        if not count:
            return None
        reason = (
            "closed without conversion and no status history shows how far they got: "
            "counted at the first step only"
        )
        return Gap("assumed", "leads", reason, rows=count)

    return check
