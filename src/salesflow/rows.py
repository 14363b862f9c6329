"""The tables of the contract as plain rows: snapshot, history, activities, contact roles, line items.

One ``dict`` per row, keyed by salesflow's column names
(:data:`salesflow.columns.SNAPSHOT_COLUMNS` and its siblings), holding Python
values: ``Decimal`` amounts and probabilities, ``date`` s, UTC ``datetime`` s,
``bool`` s, text, ``None``. The exporters (:mod:`salesflow.io`) write these
rows and :func:`salesflow.analytics.frames` builds its tables from them; no
dataframe library is needed.

>>> import salesflow as sf
>>> from datetime import date, datetime, timezone
>>> from salesflow.io import rows
>>> opp = sf.presets.salesforce_standard().open(
...     name="Deal", amount=sf.Money("1200.50", "EUR"), close_date=date(2026, 3, 31),
...     id="o-1", at=datetime(2026, 1, 5, tzinfo=timezone.utc))
>>> row = rows([opp])[0]
>>> row["id"], row["stage"], row["amount"], row["currency"], row["forecast_category"]
('o-1', 'Prospecting', Decimal('1200.50'), 'EUR', 'Pipeline')
>>> [r["stage"] for r in rows([opp], table="history")]
['Prospecting']
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, Literal

from salesflow.activity import Activity
from salesflow.columns import (
    ACTIVITY_COLUMNS,
    CONTACT_ROLE_COLUMNS,
    HISTORY_COLUMNS,
    SNAPSHOT_COLUMNS,
    Table,
)
from salesflow.errors import Problem, ValidationError
from salesflow.line_item_rows import LINE_ITEM_COLUMNS, LINE_ITEM_SCHEDULE_COLUMNS, line_item_rows
from salesflow.money import Money
from salesflow.opportunity import Opportunity

__all__ = ["COLUMNS", "RowTable", "rows"]

RowTable = Table | Literal["line_items", "line_item_schedules"]
"""A table :func:`rows` writes: one of the four, or one of the two line item tables."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "snapshot": SNAPSHOT_COLUMNS,
    "history": HISTORY_COLUMNS,
    "activities": ACTIVITY_COLUMNS,
    "contact_roles": CONTACT_ROLE_COLUMNS,
    "line_items": LINE_ITEM_COLUMNS,
    "line_item_schedules": LINE_ITEM_SCHEDULE_COLUMNS,
}
"""Each table's columns, in order (the line item tables: :mod:`salesflow.line_item_rows`)."""


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(timezone.utc)


def _amount(money: Money | None) -> Any:
    return None if money is None else money.amount


def _currency(*amounts: Money | None) -> str | None:
    return next((m.currency for m in amounts if m is not None), None)


def _snapshot(opp: Opportunity) -> dict[str, Any]:
    return {
        "id": str(opp.id),
        "name": opp.name,
        "account_id": opp.account_id,
        "owner": opp.owner,
        "stage": opp.stage,
        "amount": _amount(opp.amount),
        "currency": _currency(opp.amount),
        "probability": opp.probability,
        "forecast_category": opp.forecast_category.value,
        "is_closed": opp.is_closed,
        "is_won": opp.is_won,
        "close_date": opp.close_date,
        "closed_on": opp.closed_on,
        "created_at": _utc(opp.created_at),
        "last_stage_change_at": _utc(opp.last_stage_change_at),
        "push_count": opp.push_count,
        "lost_reason": opp.lost_reason,
        "competitor": opp.competitor,
        "type": opp.type,
        "lead_source": opp.lead_source,
        "next_step": opp.next_step,
        "description": opp.description,
        "process_name": opp.process_name,
    }


def _history(opp: Opportunity) -> list[dict[str, Any]]:
    return [
        {
            "opportunity_id": str(opp.id),
            "at": _utc(entry.at),
            "sequence": number,
            "by": entry.by,
            "owner": entry.owner,
            "stage": entry.stage,
            "amount": _amount(entry.amount),
            "currency": _currency(entry.amount, entry.previous_amount),
            "probability": entry.probability,
            "forecast_category": entry.forecast_category.value,
            "close_date": entry.close_date,
            "previous_amount": _amount(entry.previous_amount),
            "previous_close_date": entry.previous_close_date,
        }
        for number, entry in enumerate(sorted(opp.history, key=lambda e: e.at), start=1)
    ]


def _contact_roles(opp: Opportunity) -> list[dict[str, Any]]:
    return [
        {
            "opportunity_id": str(opp.id),
            "contact_id": str(role.contact_id),
            "role": None if role.role is None else str(getattr(role.role, "value", role.role)),
            "primary": role.primary,
        }
        for role in opp.contact_roles
    ]


def _activity(activity: Activity) -> dict[str, Any]:
    return {
        "id": str(activity.id),
        "opportunity_id": str(activity.opportunity_id),
        "contact_id": activity.contact_id,
        "kind": activity.kind_name,
        "at": _utc(activity.at),
        "owner": activity.owner,
        "subject": activity.subject,
        "done": activity.done,
        "due_date": activity.due_date,
    }


def rows(items: Iterable[Any], *, table: RowTable = "snapshot") -> list[dict[str, Any]]:
    """One table's rows from opportunities (snapshot, history, contact roles, line items) or activities.

    Args:
        items: Opportunities for ``snapshot``, ``history`` (history rows are
            oldest first per opportunity), ``contact_roles``, ``line_items`` and
            ``line_item_schedules`` (as :func:`~salesflow.line_item_rows.line_item_rows`
            writes them), activities for ``activities``.
        table: ``"snapshot"``, ``"history"``, ``"activities"``, ``"contact_roles"``,
            ``"line_items"`` or ``"line_item_schedules"``.

    Returns:
        The rows, each with every column of the table, in order.

    Raises:
        ValidationError: An unknown table, or an item of the wrong type.
    """
    if not isinstance(table, str) or table not in COLUMNS:
        raise ValidationError(
            [
                Problem(
                    f"expected {', '.join(list(COLUMNS)[:-1])} or {list(COLUMNS)[-1]}, "
                    f"got {table!r}",
                    "$.table",
                )
            ],
            subject="table",
        )
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise ValidationError(
            [Problem(f"expected a list, got {type(items).__name__}", "$")], subject=f"{table} rows"
        )
    wanted = Activity if table == "activities" else Opportunity
    listed = list(items)
    problems = [
        Problem(f"expected {wanted.__name__}, got {type(item).__name__}", f"$[{index}]")
        for index, item in enumerate(listed)
        if not isinstance(item, wanted)
    ]
    if problems:
        raise ValidationError(problems, subject=f"{table} rows")
    if table == "snapshot":
        return [_snapshot(o) for o in listed]
    if table == "history":
        return [row for o in listed for row in _history(o)]
    if table == "contact_roles":
        return [row for o in listed for row in _contact_roles(o)]
    if table == "line_items":
        return line_item_rows(listed)
    if table == "line_item_schedules":
        return line_item_rows(listed, table="schedules")
    return [_activity(a) for a in listed]
