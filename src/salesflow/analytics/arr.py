"""The ARR bridge: starting ARR, new, expansion, contraction, churn, ending ARR."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import narwhals as nw

from salesflow._html import table_html
from salesflow.analytics.frames import Frames, frames
from salesflow.deal_type import STANDARD_DEAL_TYPES, ArrMovement, DealType, find_deal_type
from salesflow.errors import CurrencyMismatchError, Problem, ValidationError
from salesflow.money import Money
from salesflow.opportunity import Opportunity

__all__ = ["ArrBridge", "ArrMove", "arr_bridge"]


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
            no movement, are listed too).
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


def _table(source: Any) -> tuple[Any, Any]:
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
                subject="arr_bridge()",
            )
        tables = frames(items)
    else:
        raise ValidationError(
            [Problem(f"expected opportunities or Frames, got {type(source).__name__}", "$")],
            subject="arr_bridge()",
        )
    if tables.line_items is None or tables.snapshot is None:
        raise ValidationError(
            [Problem("the ARR bridge needs the line_items and snapshot tables", "$")],
            subject="arr_bridge()",
        )
    return tables.line_items, tables.snapshot


def _won_deals(source: Any) -> list[dict[str, Any]]:
    """One row per won opportunity with recurring lines: id, type, won_on, arr, currency."""
    lines_native, snapshot_native = _table(source)
    lines = nw.from_native(lines_native).lazy()
    snapshot = nw.from_native(snapshot_native).lazy()
    per_deal = (
        lines.filter(~nw.col("billing_frequency").is_null())
        .group_by("opportunity_id", "currency")
        .agg(nw.col("arr").sum())
    )
    won = snapshot.filter(nw.col("is_won")).select(
        nw.col("id").alias("opportunity_id"),
        "type",
        nw.coalesce(nw.col("closed_on"), nw.col("close_date")).alias("won_on"),
    )
    joined = per_deal.join(won, on="opportunity_id", how="inner").collect()
    return list(joined.rows(named=True))


def arr_bridge(
    source: Any,
    *,
    start: date,
    end: date,
    types: Iterable[DealType] = STANDARD_DEAL_TYPES,
    untyped: str | None = "New Business",
    opening: Money | None = None,
    currency: str | None = None,
) -> ArrBridge:
    """The ARR bridge of ``[start, end]`` from won deals' recurring line items.

    ARR on a day is ``opening`` plus, for every deal won by then, the ARR of
    its recurring lines with the sign its :class:`~salesflow.DealType`
    declares (renewals: none). Non-recurring lines carry no ARR. Terms that
    run out without a renewal are not churn here until a churn deal records it.

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

    Returns:
        The bridge; its totals add up (:meth:`ArrBridge.adds_up`).

    Raises:
        ValidationError: ``end`` before ``start``, an unknown or missing deal
            type (with the deal's id), no currency to report in.
        CurrencyMismatchError: Lines in several currencies.
    """
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        raise ValidationError(
            [Problem(f"expected start <= end, got {start!r} and {end!r}", "$.end")],
            subject="arr_bridge()",
        )
    known = list(types)
    deals = _won_deals(source)
    codes = {row["currency"] for row in deals} | ({opening.currency} if opening else set())
    if currency is not None:
        codes.add(currency)
    if len(codes) > 1:
        first, second = sorted(codes)[:2]
        raise CurrencyMismatchError(first, second, "add up ARR in")
    if not codes:
        raise ValidationError(
            [Problem("no lines and no currency: give currency=", "$.currency")],
            subject="arr_bridge()",
        )
    code = codes.pop()
    zero = Money.zero(code)
    problems: list[Problem] = []
    moves: list[ArrMove] = []
    before = ending = opening if opening is not None else zero
    for row in sorted(deals, key=lambda r: (r["won_on"], r["opportunity_id"])):
        name = row["type"] if row["type"] is not None else untyped
        where = f"$[{row['opportunity_id']!r}].type"
        if name is None:
            problems.append(Problem("the deal has no type", where))
            continue
        try:
            deal_type = find_deal_type(name, known, path=where)
        except ValidationError as exc:
            problems.extend(exc.problems)
            continue
        value = row["arr"]
        arr = Money(abs(value if isinstance(value, Decimal) else Decimal(str(value))), code)
        signed = arr * deal_type.movement.sign
        won_on = row["won_on"]
        if won_on < start:
            before = before + signed
        if won_on <= end:
            ending = ending + signed
        if start <= won_on <= end:
            moves.append(
                ArrMove(row["opportunity_id"], row["type"], deal_type.movement, arr, won_on)
            )
    if problems:
        raise ValidationError(problems, subject="arr_bridge()")
    totals = dict.fromkeys(ArrMovement, zero)
    for move in moves:
        totals[move.movement] = totals[move.movement] + move.arr
    bridge = ArrBridge(
        start=start,
        end=end,
        starting=before,
        new=totals[ArrMovement.NEW],
        expansion=totals[ArrMovement.EXPANSION],
        contraction=totals[ArrMovement.CONTRACTION],
        churn=totals[ArrMovement.CHURN],
        ending=ending,
        moves=tuple(moves),
    )
    if not bridge.adds_up():  # pragma: no cover - the movements partition the deals
        raise AssertionError(f"the ARR bridge does not add up: {bridge}")
    return bridge
