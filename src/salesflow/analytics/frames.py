"""The object door: opportunities and activities as the three tables.

:func:`frames` writes salesflow's own column names (see
:mod:`salesflow.columns`) into flat, typed Polars frames: an amount is a
``Decimal`` column plus a ``currency`` column, a probability is a ``Decimal``
(0..100), a forecast category is its label, times are UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from salesflow._decimals import widest_scale
from salesflow.activity import Activity
from salesflow.analytics._require import require
from salesflow.analytics.line_items import installments_table, line_items_table
from salesflow.buyer.mapping import ProcessMapping
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.hierarchy import Hierarchy
from salesflow.opportunity import Opportunity
from salesflow.process import SalesProcess
from salesflow.rows import rows

__all__ = ["Frames", "frames"]


@attrs.frozen(repr=False)
class Frames:
    """The three tables, and how to read them.

    Every metric accepts a ``Frames``; a bare snapshot frame or a list of
    opportunities is read as if wrapped in one.

    Args:
        snapshot: One row per opportunity (a pandas, Polars, PyArrow, DuckDB or
            PySpark frame; all tables from one library).
        history: One row per change, Salesforce's OpportunityHistory shape.
        activities: One row per activity.
        contact_roles: One row per contact role (Salesforce's
            OpportunityContactRole shape): gives the snapshot its
            ``has_primary_contact`` column where it lacks one.
        columns: What the source calls salesflow's columns (default: salesflow's names).
        process: A :class:`~salesflow.SalesProcess` whose stages supply
            ``probability``, ``forecast_category``, ``is_closed`` and ``is_won``
            where a table lacks them (Maven's file has only the stage).
        currency: The currency of every amount, for sources without a currency column.
        mapping: A :class:`~salesflow.ProcessMapping`; adds a ``buying_phase``
            column (the buyer's phase at each open stage) to group by.
        hierarchy: A :class:`~salesflow.Hierarchy` of owners; adds a ``node``
            column to group by that **rolls up the tree**: ``by="node"``
            counts each deal under its owner and under every node above
            (a manager's figures include their team's, ratios recomputed
            from the team's deals, never averaged). Owners the tree does
            not know are under ``(not in the tree)``, deals without an owner
            under ``(no owner)``.
        line_items: One row per line item (Salesforce's OpportunityLineItem
            shape; see :mod:`salesflow.analytics.line_items`).
        installments: One row per installment of a line's schedule
            (Salesforce's OpportunityLineItemSchedule shape; see
            :data:`~salesflow.analytics.INSTALLMENT_COLUMNS`).
    """

    snapshot: Any = None
    history: Any = None
    activities: Any = None
    contact_roles: Any = None
    columns: Columns = attrs.field(factory=Columns.salesflow, kw_only=True)
    process: SalesProcess | None = attrs.field(default=None, kw_only=True)
    currency: str | None = attrs.field(default=None, kw_only=True)
    mapping: ProcessMapping | None = attrs.field(default=None, kw_only=True)
    hierarchy: Hierarchy | None = attrs.field(default=None, kw_only=True)
    line_items: Any = attrs.field(default=None, kw_only=True)
    installments: Any = attrs.field(default=None, kw_only=True)

    def __repr__(self) -> str:
        names = ["snapshot", "history", "activities"]
        if self.contact_roles is not None:
            names.append("contact_roles")
        sizes = ", ".join(f"{name}={_size(getattr(self, name))}" for name in names)
        return f"Frames({sizes})"


def _size(native: Any) -> str:
    if native is None:
        return "None"
    try:
        return f"{len(native)} rows"
    except TypeError:
        return type(native).__name__


def _next_stage(process: SalesProcess, stage: str) -> str | None:
    names = [s.name for s in process.stages if s.is_won or not s.is_closed]
    if stage not in names or names.index(stage) + 1 >= len(names):
        return None
    return names[names.index(stage) + 1]


def _gate_met(opp: Opportunity, process: SalesProcess) -> bool | None:
    following = None if opp.is_closed else _next_stage(process, opp.stage)
    if following is None:
        return None
    return not process.stage(following).gate.unmet(opp, process.checks)


_DIGITS = 38
"""What a decimal column holds in Polars, DuckDB, Arrow and Spark: 38 digits."""


def _too_wide(
    snapshot: list[dict[str, Any]], history: list[dict[str, Any]], scale: int
) -> list[Problem]:
    """Amounts that a 38-digit decimal column with ``scale`` places cannot hold exactly."""
    problems = []
    rows = [(f"$[{r['id']!r}]", r) for r in snapshot] + [
        (f"$[{r['opportunity_id']!r}].history", r) for r in history
    ]
    for where, row in rows:
        for name in ("amount", "previous_amount"):
            value = row.get(name)
            if value is None or not value:
                continue
            whole = max(value.adjusted() + 1, 1)
            if whole + scale > _DIGITS:
                problems.append(
                    Problem(
                        f"{value} needs {whole + scale} digits at {scale} decimal places; "
                        f"a decimal column holds {_DIGITS}",
                        f"{where}.{name}",
                    )
                )
                break
        if len(problems) >= 10:
            break
    return problems


def frames(
    opportunities: Iterable[Opportunity],
    activities: Iterable[Activity] = (),
    *,
    process: SalesProcess | None = None,
    hierarchy: Hierarchy | None = None,
) -> Frames:
    """Turn opportunities (with their history) and activities into the three tables.

    Returns Polars DataFrames with salesflow's own column names, plus two
    facts only objects know, after the contract's snapshot columns:
    ``has_primary_contact`` (from contact roles; null for every deal when no
    deal has a contact role, as the data then does not record them) and, with ``process``,
    ``next_gate_met`` (whether the next stage's gate would let the deal in
    now; null for closed deals and the last stage). Amounts are
    ``Decimal`` columns with the largest scale found (at least 2), so no
    amount is rounded; history rows are sorted by time within each
    opportunity.

    Args:
        opportunities: The opportunities.
        activities: Their activities (:class:`salesflow.Activity` records).
        process: Their process: stored in the result (for metrics that need the
            stage order) and used to evaluate the next stage's gate.
        hierarchy: The owners' tree, stored in the result: ``by="node"`` then
            rolls every metric up it (see :class:`Frames`).

    Returns:
        A :class:`Frames` of Polars DataFrames.

    Raises:
        ValidationError: Something that is not an opportunity, or an id seen twice.
        MissingExtraError: Polars is not installed.

    >>> import salesflow as sf
    >>> from datetime import date, datetime, timezone
    >>> from salesflow.analytics import frames
    >>> p = sf.presets.salesforce_standard()
    >>> opp = p.open(name="Deal", amount=sf.Money("1200.50", "EUR"), close_date=date(2026, 3, 31),
    ...              id="o-1", at=datetime(2026, 1, 5, tzinfo=timezone.utc))
    >>> tables = frames([opp])
    >>> tables.snapshot.select("id", "stage", "amount", "currency").rows()
    [('o-1', 'Prospecting', Decimal('1200.50'), 'EUR')]
    >>> tables
    Frames(snapshot=1 rows, history=1 rows, activities=0 rows, contact_roles=0 rows)
    """
    pl = require("polars")
    opps = list(opportunities)
    acts = list(activities)
    problems = [
        Problem(f"expected an Opportunity, got {type(o).__name__}", f"$.opportunities[{i}]")
        for i, o in enumerate(opps)
        if not isinstance(o, Opportunity)
    ]
    problems += [
        Problem(f"expected an Activity, got {type(a).__name__}", f"$.activities[{i}]")
        for i, a in enumerate(acts)
        if not isinstance(a, Activity)
    ]
    seen: set[str] = set()
    for i, opp in enumerate(opps):
        if isinstance(opp, Opportunity):
            if opp.id in seen:
                problems.append(Problem(f"opportunity {opp.id!r} given twice", f"$[{i}]"))
            seen.add(opp.id)
    if problems:
        raise ValidationError(problems, subject="frames()")
    snapshot = rows(opps)
    history = rows(opps, table="history")
    activity_rows = rows(acts, table="activities")
    role_rows = rows(opps, table="contact_roles")
    money = [r["amount"] for r in snapshot] + [
        v for r in history for v in (r["amount"], r["previous_amount"])
    ]
    scale = widest_scale(money, least=2)
    prob_scale = widest_scale(r["probability"] for r in snapshot + history)
    wide = _too_wide(snapshot, history, scale)
    if wide:
        raise ValidationError(wide, subject="frames() (decimal columns hold 38 digits)")
    amount = pl.Decimal(38, scale)
    probability = pl.Decimal(38, prob_scale)
    utc = pl.Datetime("us", "UTC")
    snapshot_schema = {
        "id": pl.String,
        "name": pl.String,
        "account_id": pl.String,
        "owner": pl.String,
        "stage": pl.String,
        "amount": amount,
        "currency": pl.String,
        "probability": probability,
        "forecast_category": pl.String,
        "is_closed": pl.Boolean,
        "is_won": pl.Boolean,
        "close_date": pl.Date,
        "closed_on": pl.Date,
        "created_at": utc,
        "last_stage_change_at": utc,
        "push_count": pl.Int64,
        "lost_reason": pl.String,
        "competitor": pl.String,
        "type": pl.String,
        "lead_source": pl.String,
        "next_step": pl.String,
        "description": pl.String,
        "process_name": pl.String,
        "has_primary_contact": pl.Boolean,
        "next_gate_met": pl.Boolean,
    }
    # Without a single contact role in the data, nobody records them: unknown, not "none".
    roles_known = any(opp.contact_roles for opp in opps)
    for row, opp in zip(snapshot, opps, strict=True):
        row["has_primary_contact"] = (
            any(r.primary for r in opp.contact_roles) if roles_known else None
        )
        row["next_gate_met"] = None if process is None else _gate_met(opp, process)
    history_schema = {
        "opportunity_id": pl.String,
        "at": utc,
        "sequence": pl.Int64,
        "by": pl.String,
        "owner": pl.String,
        "stage": pl.String,
        "amount": amount,
        "currency": pl.String,
        "probability": probability,
        "forecast_category": pl.String,
        "close_date": pl.Date,
        "previous_amount": amount,
        "previous_close_date": pl.Date,
    }
    activity_schema = {
        "id": pl.String,
        "opportunity_id": pl.String,
        "contact_id": pl.String,
        "kind": pl.String,
        "at": utc,
        "owner": pl.String,
        "subject": pl.String,
        "done": pl.Boolean,
        "due_date": pl.Date,
    }
    return Frames(
        snapshot=pl.DataFrame(snapshot, schema=snapshot_schema),
        history=pl.DataFrame(history, schema=history_schema),
        activities=pl.DataFrame(activity_rows, schema=activity_schema),
        contact_roles=pl.DataFrame(
            role_rows,
            schema={
                "opportunity_id": pl.String,
                "contact_id": pl.String,
                "role": pl.String,
                "primary": pl.Boolean,
            },
        ),
        process=process,
        hierarchy=hierarchy,
        line_items=line_items_table(opps),
        installments=installments_table(opps),
    )
