"""The report's prioritised pipeline: the open deals to focus on, by amount × win chance × fit.

The ranking is :func:`salesflow.buyer.priority.rank` (what
:func:`salesflow.prioritise` ranks with); this module only reads the deals
from the report's snapshot (so ``--as-of`` and ``--convert-to`` apply as in
every section) and lays the ranking out as a section.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs
import click

from salesflow.analytics import Frames, Rates
from salesflow.analytics._source import resolve
from salesflow.buyer.fit import FitAssessment, fit_grade
from salesflow.buyer.priority import Candidate, rank
from salesflow.cli._page._deals import current_table
from salesflow.cli._section import Section
from salesflow.money import Money

__all__ = ["PRIORITY_COLUMNS", "TOP", "Fits", "given_fit", "priorities_section"]

TOP = 20
"""How many deals the section shows unless ``--top`` says otherwise."""

PRIORITY_COLUMNS = (
    "rank",
    "id",
    "name",
    "stage",
    "amount",
    "win_chance",
    "fit",
    "grade",
    "value",
    "reasons",
)


@attrs.frozen(kw_only=True)
class Fits:
    """Each deal's fit, and where the fits come from (said in the section's note).

    Attributes:
        by_id: Deal id → its fit; a deal not listed has no known fit.
        source: Where the fits come from, e.g. ``"the snapshot's fit column"``.
    """

    by_id: Mapping[str, FitAssessment]
    source: str


TOP_OPTION = click.option(
    "--top",
    default=TOP,
    show_default=True,
    type=click.IntRange(min=1),
    metavar="N",
    help="How many deals the prioritised pipeline shows.",
)
"""The ``--top N`` option of the commands that show the prioritised pipeline."""


def given_fit(score: float, source: str) -> FitAssessment:
    """A fit given as a bare score in 0..1 (no criteria behind it), graded as assessments are.

    >>> given_fit(0.8, "the fit column").grade
    'strong'
    """
    return FitAssessment(profile=source, score=score, grade=fit_grade(score), reasons=())


def _candidate(row: Mapping[str, Any], currency: str | None, fits: Fits | None) -> Candidate:
    amount = row.get("_amount")
    money = None
    if amount is not None:
        money = Money(Decimal(str(amount)), currency or row.get("currency") or "XXX")
    deal = str(row["id"])
    return Candidate(
        id=deal,
        name=str(row.get("name") or deal),
        stage=str(row["stage"]),
        amount=money,
        probability=Decimal(str(row["probability"])),
        fit=None if fits is None else fits.by_id.get(deal),
    )


def _contenders(table: Any, currency: str | None, fits: Fits | None, top: int) -> Any:
    """The rows that can be among the ``top`` (with every tie at the edge), in their order.

    Building a candidate (its Money) costs far more than its rank, so without
    fits, in one currency, only deals whose expected value (a float here,
    within a cent of rounding and float error of the ``top``-th) reaches the
    ``top`` are built; :func:`rank` then orders exactly these, as it would all.
    With fits, or several currencies (which :func:`rank` refuses), every row.
    """
    import polars as pl

    if fits is not None or table.height <= 4 * top:
        return table
    priced = table.filter(pl.col("_amount").is_not_null())
    if currency is None and "currency" in table.columns and priced["currency"].n_unique() > 1:
        return table
    if priced.height <= top:  # the deals without an amount rank after these: all needed
        return table
    value = pl.col("_amount").cast(pl.Float64) * pl.col("probability").cast(pl.Float64) / 100
    edge = float(priced.select(value.top_k(top).min()).item())
    floor = edge - 0.01 - abs(edge) * 1e-9  # a cent of rounding, and the floats' error
    return table.filter(value >= floor)


def _chance_note(tables: Frames, usable: Any) -> str:
    process = tables.process
    if process is None:
        return "Win chance: each deal's probability in the snapshot (not learned)."
    defaults = {s.name: s.probability for s in process.stages}
    stages, chances = usable["stage"].to_list(), usable["probability"].to_list()
    own = sum(
        1
        for stage, chance in zip(stages, chances, strict=True)
        if defaults.get(stage) == Decimal(str(chance))
    )
    which = (
        "its stage's for every open deal"
        if own == usable.height
        else f"its stage's for {own} of {usable.height} open deals, one written into the deal "
        "(an override or a deal score) for the others"
    )
    return f"Win chance: each deal's probability in the snapshot — {which}; not learned."


def _fit_notes(fits: Fits | None, candidates: list[Candidate]) -> tuple[str, ...]:
    if fits is None or not any(c.fit is not None for c in candidates):
        given = "No fit was given" if fits is None else f"No open deal has a fit ({fits.source})"
        return (
            f"{given}: the deals are ranked by expected value (amount × win chance); a missing "
            "fit is not taken as 0. Give the snapshot a fit column (0..1) or --fit-profile "
            "with fit_<criterion> columns.",
        )
    unknown = sum(1 for c in candidates if c.fit is None)
    notes = [f"Fit: {fits.source}."]
    if unknown:
        notes.append(
            f"{unknown} open deal(s) have no fit: ranked after those with one, by amount × "
            "win chance (a missing fit is not taken as 0)."
        )
    return tuple(notes)


def priorities_section(
    tables: Frames, *, rates: Rates | None, fits: Fits | None, top: int = TOP
) -> Section:
    """The top ``top`` open deals by amount × win chance × fit, with their reasons.

    The win chance is a column of its own, so the reasons shown are the rest
    (the fit, and the lack of an amount).
    """
    import polars as pl

    open_deals, currency = current_table(resolve(tables), rates, open_only=True)
    usable = open_deals.filter(pl.col("probability").is_not_null())
    contenders = _contenders(usable, currency, fits, top)
    candidates = [_candidate(r, currency, fits) for r in contenders.iter_rows(named=True)]
    if usable.height and usable["_amount"].null_count() == usable.height:
        return Section(
            key="priorities",
            title="Prioritised pipeline: no open deal has an amount",
            columns=PRIORITY_COLUMNS,
            rows=(),
            notes=(
                f"None of the {usable.height} open deals has an amount, so none has a value "
                "to rank by (amount × win chance × fit); a list in any order would say "
                "nothing. Give the open deals amounts to rank them.",
            ),
            complete=False,
            empty=True,
        )
    ranked = rank(candidates, top=top)
    stages = {c.id: c.stage for c in candidates}
    rows = tuple(
        {
            "rank": p.rank,
            "id": p.opportunity_id,
            "name": p.name,
            "stage": stages[p.opportunity_id],
            "amount": None if p.amount is None else p.amount.amount,
            "win_chance": float(p.probability) / 100,
            "fit": None if p.fit is None else p.fit.score,
            "grade": None if p.fit is None else p.fit.grade,
            "value": None if p.value is None else p.value.amount,
            "reasons": "; ".join(p.reasons[1:]),
        }
        for p in ranked
    )
    with_fit = any(c.fit is not None for c in candidates)
    weighed = "amount × win chance × fit" if with_fit else "amount × win chance"
    notes = [_chance_note(tables, usable), *_fit_notes(fits, candidates)]
    left_out = open_deals.height - usable.height
    if left_out:
        notes.append(f"{left_out} open deal(s) without a probability left out.")
    return Section(
        key="priorities",
        title=f"Prioritised pipeline: the top {len(rows)} of {usable.height} open deals by "
        f"{weighed}" + (f" ({currency})" if currency else ""),
        columns=PRIORITY_COLUMNS,
        rows=rows,
        notes=tuple(notes),
        complete=not left_out,
        empty=not open_deals.height,
    )
