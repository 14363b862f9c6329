"""The tables :func:`salesflow.analytics.frames` makes, built from the records taken.

Snapshot rows are the opportunities taken, in file order; history rows are
their taken history rows, oldest first per opportunity (ties in file order),
numbered by ``sequence``. What an opportunity learns from its history (the
day a closed deal entered its stage, when its stage last changed) is read
off the sorted rows, as :mod:`salesflow.io._build` reads it off the entries.
"""

from __future__ import annotations

from datetime import timezone
from decimal import Decimal
from typing import Any

from salesflow.errors import Problem, ValidationError
from salesflow.io._cells import Options
from salesflow.io._frame_rules import Ruled
from salesflow.io.result import Note

__all__ = ["tables"]

_DIGITS = 38


def _entered(pl: Any, history: Any) -> Any:
    """Per opportunity: when its stage last changed, and when it last entered its own stage.

    ``history`` is sorted by opportunity, then time: the row before is the
    entry before when it belongs to the same opportunity.
    """
    same = pl.col("position").shift(1) == pl.col("position")
    previous = pl.when(same).then(pl.col("stage").shift(1))
    marked = history.with_columns(
        entered=previous.is_null() | (pl.col("stage") != previous),
    ).with_columns(own=pl.col("entered") & (pl.col("stage") == pl.col("own_stage")))
    changed = (
        marked.filter("entered").group_by("position").agg(changed_from_history=pl.col("at").last())
    )
    entered = marked.filter("own").group_by("position").agg(entered_at=pl.col("at").last())
    return changed.join(entered, on="position", how="left")


def _in_order(pl: Any, history: Any) -> bool:
    """Whether the rows are by opportunity, then time (ties in file order: they are)."""
    step = pl.col("position").cast(pl.Int64).diff()
    moment = pl.col("at").diff()
    instant = pl.duration(microseconds=0)
    later = (step > 0) | (
        (step == 0) & ((moment > instant) | ((moment == instant) & (pl.col("tie").diff() >= 0)))
    )
    return bool(history.select(later.fill_null(True).all()).item())


def _sequence(pl: Any) -> Any:
    """1, 2, 3 … within each opportunity's run of rows (the rows are in order)."""
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    starts = (pl.col("position") != pl.col("position").shift(1)).fill_null(True)
    return row - pl.when(starts).then(row).forward_fill() + 1


def _wide(pl: Any, frame: Any, columns: list[str], scale: int, where: str) -> list[Problem]:
    problems = []
    for column in columns:
        if (frame[column].str.len_bytes().max() or 0) + scale <= _DIGITS:
            continue  # no amount has more digits than characters
        whole = (
            frame[column]
            .str.replace(r"^[+-]", "")
            .str.split(".")
            .list.first()
            .str.strip_chars_start("0")
            .str.len_chars()
            .clip(lower_bound=1)
        )
        nonzero = frame[column].str.contains(r"[1-9]")
        for row in (nonzero & (whole + scale > _DIGITS)).fill_null(False).arg_true().to_list():
            ident = frame["opportunity_id" if where else "ident"][row]
            value = Decimal(frame[column][row])
            need = max(value.adjusted() + 1, 1) + scale
            problems.append(
                Problem(
                    f"{value} needs {need} digits at {scale} decimal places; "
                    f"a decimal column holds {_DIGITS}",
                    f"$[{ident!r}]{where}.{column.removeprefix('h_')}",
                )
            )
    return problems


def tables(ruled: Ruled, options: Options) -> tuple[Any, tuple[Note, ...], dict[str, int]]:
    """The frames of the records taken, the notes of the values filled in, the counts taken."""
    from salesflow.analytics.frames import Frames, frames

    pl = ruled.opps.pl
    o = ruled.o.with_row_index("position").filter(pl.col("taken"))
    o = o.with_columns(pl.col("position").set_sorted())
    if ruled.h is not None:
        h = ruled.h.filter(pl.col("outcome") == "taken")
        h = h.with_columns(own_stage=ruled.o["stage"].gather(h["position"]))
        if not _in_order(pl, h):  # at one instant: by the source's sequence, else file order
            h = h.sort("position", "at", "tie", "record", maintain_order=True)
        h = h.with_columns(pl.col("position").set_sorted())  # grouping by it needs no hashing
    else:
        h = None
    if h is not None and h.height:
        o = o.join(_entered(pl, h), on="position", how="left", maintain_order="left")
    else:
        o = o.with_columns(
            changed_from_history=pl.lit(None, pl.Datetime("us", "UTC")),
            entered_at=pl.lit(None, pl.Datetime("us", "UTC")),
        )
    places = [o["amount_places"].filter(o["amount"].is_not_null())]
    chance_places = [
        pl.select(
            pl.when(o["chance"].is_not_null())
            .then(o["chance_places"])
            .otherwise(o["stage_places"])
        ).to_series()
    ]
    if h is not None:
        places += [
            h["amount_places"].filter(h["amount"].is_not_null()),
            h["previous_places"].filter(h["previous_amount"].is_not_null()),
        ]
        chance_places.append(
            pl.select(
                pl.when(h["chance"].is_not_null())
                .then(h["chance_places"])
                .otherwise(h["stage_places"])
            ).to_series()
        )
    scale = max([2, *(int(p.max() or 0) for p in places if p.len())])
    pscale = max([0, *(int(p.max() or 0) for p in chance_places if p.len())])
    wide = _wide(pl, o, ["amount"], scale, "")
    if h is not None:
        wide += _wide(
            pl,
            h.rename({"amount": "h_amount", "previous_amount": "h_previous_amount"}),
            ["h_amount", "h_previous_amount"],
            scale,
            ".history",
        )
    if wide:
        raise ValidationError(wide[:10], subject="frames() (decimal columns hold 38 digits)")
    money = pl.Decimal(38, scale)
    percent = pl.Decimal(38, pscale)
    utc = pl.Datetime("us", "UTC")
    process = options.stages.process
    imported = options.imported_at
    snapshot = o.select(
        id=pl.col("ident"),
        name=pl.col("name"),
        account_id=pl.col("account_id"),
        owner=pl.col("owner"),
        stage=pl.col("stage"),
        amount=pl.col("amount").cast(money),
        currency=pl.col("currency"),
        probability=pl.coalesce("chance", "stage_probability").cast(percent),
        forecast_category=pl.coalesce("forecast", "stage_forecast"),
        is_closed=pl.col("stage_closed"),
        is_won=pl.col("stage_won"),
        close_date=pl.col("close_date"),
        closed_on=pl.coalesce(
            "closed_on",
            pl.when(pl.col("stage_closed") & pl.col("derive_closed_on")).then(
                pl.col("entered_at").dt.date()
            ),
        ),
        created_at=pl.col("created_at").fill_null(pl.lit(imported.astimezone(timezone.utc), utc)),
        last_stage_change_at=pl.coalesce("changed", "changed_from_history"),
        push_count=pl.col("push_count").fill_null(0),
        lost_reason=pl.col("lost_reason"),
        competitor=pl.col("competitor"),
        type=pl.col("type"),
        lead_source=pl.col("lead_source"),
        next_step=pl.col("next_step"),
        description=pl.col("description"),
        process_name=pl.lit(process.name, pl.String),
        has_primary_contact=pl.lit(None, pl.Boolean),
        next_gate_met=pl.lit(None, pl.Boolean),
    )
    empty = frames([])
    if h is None:
        history = empty.history.with_columns(
            pl.col("amount", "previous_amount").cast(money), pl.col("probability").cast(percent)
        )
    else:
        history = h.select(
            opportunity_id=pl.col("opportunity_id"),
            at=pl.col("at"),
            sequence=_sequence(pl),
            by=pl.col("by"),
            owner=pl.col("owner"),
            stage=pl.col("stage"),
            amount=pl.col("amount").cast(money),
            currency=pl.col("currency"),
            probability=pl.coalesce("chance", "stage_probability").cast(percent),
            forecast_category=pl.coalesce("forecast", "stage_forecast"),
            close_date=pl.col("close_date"),
            previous_amount=pl.col("previous_amount").cast(money),
            previous_close_date=pl.col("previous_close_date"),
        )
    notes = []
    source = ruled.opps.file.name
    noted = o.filter(pl.col("no_created") | pl.col("filled"))
    for number, no_created, filled in noted.select("record", "no_created", "filled").iter_rows():
        if no_created:
            notes.append(
                Note(
                    source=source,
                    record=number,
                    field="created_at",
                    message="not in the source: set to the import time",
                )
            )
        if filled:
            notes.append(
                Note(
                    source=source,
                    record=number,
                    field="close_date",
                    message=f"not in the source: filled by {options.close_dates!r}",
                )
            )
    taken = {}
    if o.height:
        taken = {"Opportunity": o.height, "OpportunityHistory": 0 if h is None else h.height}
    result = Frames(snapshot, history, empty.activities, empty.contact_roles, process=process)
    return result, tuple(notes), taken
