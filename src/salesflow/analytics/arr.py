"""The ARR bridge: starting ARR, new, expansion, contraction, churn, ending ARR."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import narwhals as nw

from salesflow._html import table_html
from salesflow.analytics._engine_errors import engine_errors
from salesflow.analytics._lines import read_lines
from salesflow.analytics._source import resolve
from salesflow.analytics.frames import Frames, frames
from salesflow.deal_type import STANDARD_DEAL_TYPES, ArrMovement, DealType, find_deal_type
from salesflow.errors import CurrencyMismatchError, Problem, ValidationError
from salesflow.money import Money
from salesflow.opportunity import Opportunity

__all__ = ["ArrBridge", "ArrMove", "arr_bridge"]

_SUBJECT = "arr_bridge()"


@attrs.frozen
class ArrMove:
    """One won deal's movement of ARR.

    Attributes:
        opportunity_id: The deal.
        deal_type: Its type as written (``None``: untyped, counted as the default type).
        movement: What the type declares.
        arr: The ARR moved, positive (taken away for contraction and churn).
        won_on: The day it was won.
    """

    opportunity_id: str
    deal_type: str | None
    movement: ArrMovement
    arr: Money
    won_on: date


@attrs.frozen
class ArrBridge:
    """ARR at the start of a period, its movements, and ARR at the end.

    ``ending == starting + new + expansion − contraction − churn`` always
    (checked when the bridge is built: ``ending`` is computed on its own,
    from every won deal up to the end, not from the movements).

    Attributes:
        start: The period's first day.
        end: The period's last day.
        starting: ARR before ``start``.
        new: ARR added by new-business deals won in the period.
        expansion: ARR added by expansion deals won in the period.
        contraction: ARR taken away by contraction deals won in the period.
        churn: ARR taken away by churn deals won in the period.
        ending: ARR at the end of ``end``.
        moves: Every won deal in the period that moved ARR (renewals, with
            no movement, are listed too); empty when the bridge was asked
            for its totals only (``arr_bridge(..., moves=False)``).
    """

    start: date
    end: date
    starting: Money
    new: Money
    expansion: Money
    contraction: Money
    churn: Money
    ending: Money
    moves: tuple[ArrMove, ...] = ()

    def adds_up(self) -> bool:
        """Whether starting + new + expansion − contraction − churn == ending."""
        flow = self.starting + self.new + self.expansion - self.contraction - self.churn
        return flow == self.ending

    @property
    def net_new(self) -> Money:
        """New + expansion − contraction − churn."""
        return self.new + self.expansion - self.contraction - self.churn

    def lines(self) -> list[tuple[str, Money]]:
        """The waterfall's lines, in order: starting, the movements, ending."""
        return [
            ("starting", self.starting),
            ("new", self.new),
            ("expansion", self.expansion),
            ("contraction", self.contraction),
            ("churn", self.churn),
            ("ending", self.ending),
        ]

    def _repr_html_(self) -> str:
        title = f"ARR bridge {self.start.isoformat()} – {self.end.isoformat()}"
        return table_html(title, ["line", "ARR"], self.lines())


def _frames_of(source: Any) -> Frames:
    if isinstance(source, Frames):
        tables = source
    elif isinstance(source, Iterable) and not isinstance(source, (str, bytes)):
        items = list(source)
        if not all(isinstance(o, Opportunity) for o in items):
            raise ValidationError(
                [
                    Problem(f"expected an Opportunity, got {type(o).__name__}", f"$[{i}]")
                    for i, o in enumerate(items)
                    if not isinstance(o, Opportunity)
                ],
                subject=_SUBJECT,
            )
        tables = frames(items)
    else:
        raise ValidationError(
            [Problem(f"expected opportunities or Frames, got {type(source).__name__}", "$")],
            subject=_SUBJECT,
        )
    if tables.line_items is None or tables.snapshot is None:
        raise ValidationError(
            [Problem("the ARR bridge needs the line_items and snapshot tables", "$")],
            subject=_SUBJECT,
        )
    return tables


def _won_deals(source: Any) -> nw.LazyFrame[Any]:
    """One row per won opportunity and currency of its recurring lines, in the data's engine.

    Columns: ``opportunity_id``, ``currency``, ``arr`` (the absolute value of
    the sum of its recurring lines' ARR), ``type``, ``won_on``.
    """
    tables = _frames_of(source)
    inputs = resolve(tables)
    snapshot = inputs.table("snapshot", needs=["id", "is_won"])
    names = snapshot.columns
    days = [c for c in ("closed_on", "close_date") if c in names]
    if not days:
        inputs.table("snapshot", needs=["close_date"])  # raises, naming the columns there
    lines = read_lines(
        tables.line_items,
        "line_items",
        inputs.kind,
        needs=("opportunity_id", "currency", "billing_frequency", "arr"),
        subject=_SUBJECT,
    )
    per_deal = (
        lines.filter(~nw.col("billing_frequency").is_null())
        .group_by("opportunity_id", "currency")
        .agg(nw.col("arr").sum())
    )
    kind = nw.col("type") if "type" in names else nw.lit(None, dtype=nw.String)
    won = snapshot.filter(nw.col("is_won").fill_null(value=False)).select(
        nw.col("id").alias("opportunity_id"),
        kind.alias("type"),
        nw.coalesce(*(nw.col(c) for c in days)).alias("won_on"),
    )
    return per_deal.join(won, on="opportunity_id", how="inner").with_columns(nw.col("arr").abs())


def _totals(deals: nw.LazyFrame[Any], start: date, end: date) -> list[dict[str, Any]]:
    """Per deal type and currency: ARR won before ``start``, through ``end``, and between.

    One aggregation in the data's engine; only these few rows are collected.
    """
    day, arr = nw.col("won_on"), nw.col("arr")
    inside = day.is_between(nw.lit(start), nw.lit(end), closed="both")
    table = deals.group_by("type", "currency", drop_null_keys=False).agg(
        nw.when(day < nw.lit(start)).then(arr).sum().alias("before"),
        nw.when(day <= nw.lit(end)).then(arr).sum().alias("through"),
        nw.when(inside).then(arr).sum().alias("within"),
        nw.when(day.is_null()).then(nw.lit(1)).count().alias("undated"),
    )
    return list(table.collect(backend="polars").rows(named=True))


def _exact(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _refusals(
    deals: nw.LazyFrame[Any], bad: set[str | None], known: list[DealType], untyped: str | None
) -> list[Problem]:
    """What is wrong with each deal of an unknown type, without a type, or without a day."""
    named = sorted(n for n in bad if n is not None)
    wrong = nw.col("won_on").is_null() | nw.col("type").is_in(named).fill_null(value=False)
    if None in bad:
        wrong = wrong | nw.col("type").is_null()
    rows = (
        deals.filter(wrong)
        .select("opportunity_id", "type", "won_on")
        .unique()
        .collect(backend="polars")
        .rows(named=True)
    )
    rows.sort(key=lambda r: (r["won_on"] is None, r["won_on"] or date.min, r["opportunity_id"]))
    problems: list[Problem] = []
    for row in rows:
        where = f"$[{row['opportunity_id']!r}]"
        name = row["type"] if row["type"] is not None else untyped
        if name is None:
            problems.append(Problem("the deal has no type", f"{where}.type"))
        elif row["type"] in bad:
            try:
                find_deal_type(name, known, path=f"{where}.type")
            except ValidationError as exc:
                problems.extend(exc.problems)
        if row["won_on"] is None:
            problems.append(
                Problem("a won deal without closed_on or close_date", f"{where}.close_date")
            )
    return problems


def arr_bridge(
    source: Any,
    *,
    start: date,
    end: date,
    types: Iterable[DealType] = STANDARD_DEAL_TYPES,
    untyped: str | None = "New Business",
    opening: Money | None = None,
    currency: str | None = None,
    moves: bool = True,
) -> ArrBridge:
    """The ARR bridge of ``[start, end]`` from won deals' recurring line items.

    ARR on a day is ``opening`` plus, for every deal won by then, the ARR of
    its recurring lines with the sign its :class:`~salesflow.DealType`
    declares (renewals: none). Non-recurring lines carry no ARR. Terms that
    run out without a renewal are not churn here until a churn deal records it.

    The totals are computed in the data's own engine (Polars for tables in
    memory, DuckDB or Spark for theirs): one aggregation per deal type and
    currency is collected, plus, with ``moves``, the deals won in the period.

    Args:
        source: Opportunities, or :class:`~salesflow.analytics.Frames` with
            ``line_items`` and ``snapshot`` tables (any library narwhals reads).
        start: The period's first day.
        end: The period's last day.
        types: The deal types an opportunity's ``type`` is looked up in.
        untyped: The type of deals without one; ``None`` refuses them.
        opening: ARR that no deal in the data accounts for (customers from
            before the records); default zero.
        currency: The currency (default: the lines'; needed when there are none).
        moves: List the deals won in the period (:attr:`ArrBridge.moves`);
            ``False`` collects the totals only.

    Returns:
        The bridge; its totals add up (:meth:`ArrBridge.adds_up`).

    Raises:
        ValidationError: ``end`` before ``start``, an unknown or missing deal
            type, or a won deal without a close date (each with the deal's
            id), no currency to report in.
        CurrencyMismatchError: Lines in several currencies.
    """
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        raise ValidationError(
            [Problem(f"expected start <= end, got {start!r} and {end!r}", "$.end")],
            subject=_SUBJECT,
        )
    known = list(types)
    with engine_errors(_SUBJECT):
        deals = _won_deals(source)
        totals = _totals(deals, start, end)
    codes = {row["currency"] for row in totals} | ({opening.currency} if opening else set())
    if currency is not None:
        codes.add(currency)
    if len(codes) > 1:
        first, second = sorted(codes)[:2]
        raise CurrencyMismatchError(first, second, "add up ARR in")
    if not codes:
        raise ValidationError(
            [Problem("no lines and no currency: give currency=", "$.currency")],
            subject=_SUBJECT,
        )
    code = codes.pop()
    found: dict[str | None, DealType] = {}
    bad: set[str | None] = set()
    for row in totals:
        name = row["type"] if row["type"] is not None else untyped
        try:
            found[row["type"]] = find_deal_type(name, known)
        except ValidationError:  # unknown, or no type and no default: named deal by deal
            bad.add(row["type"])
    if bad or any(row["undated"] for row in totals):
        with engine_errors(_SUBJECT):
            problems = _refusals(deals, bad, known, untyped)
        raise ValidationError(problems, subject=_SUBJECT)
    zero = Money.zero(code)
    before = ending = opening if opening is not None else zero
    sums = dict.fromkeys(ArrMovement, zero)
    for row in totals:
        movement = found[row["type"]].movement
        before = before + Money(_exact(row["before"]) * movement.sign, code)
        ending = ending + Money(_exact(row["through"]) * movement.sign, code)
        sums[movement] = sums[movement] + Money(_exact(row["within"]), code)
    listed: tuple[ArrMove, ...] = ()
    if moves:
        with engine_errors(_SUBJECT):
            listed = _moves(deals, start, end, found, code)
    bridge = ArrBridge(
        start=start,
        end=end,
        starting=before,
        new=sums[ArrMovement.NEW],
        expansion=sums[ArrMovement.EXPANSION],
        contraction=sums[ArrMovement.CONTRACTION],
        churn=sums[ArrMovement.CHURN],
        ending=ending,
        moves=listed,
    )
    if not bridge.adds_up():  # pragma: no cover - the movements partition the deals
        raise AssertionError(f"the ARR bridge does not add up: {bridge}")
    return bridge


def _moves(
    deals: nw.LazyFrame[Any], start: date, end: date, found: dict[str | None, DealType], code: str
) -> tuple[ArrMove, ...]:
    """The deals won in ``[start, end]``, by day won and id (collected: one row per deal)."""
    inside = nw.col("won_on").is_between(nw.lit(start), nw.lit(end), closed="both")
    rows = (
        deals.filter(inside)
        .select("opportunity_id", "type", "won_on", "arr")
        .collect(backend="polars")
        .rows(named=True)
    )
    rows.sort(key=lambda r: (r["won_on"], r["opportunity_id"]))
    return tuple(
        ArrMove(
            row["opportunity_id"],
            row["type"],
            found[row["type"]].movement,
            Money(_exact(row["arr"]), code),
            row["won_on"],
        )
        for row in rows
    )
