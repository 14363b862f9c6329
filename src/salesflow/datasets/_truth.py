"""The known truth behind synthetic data: transition probabilities and stage durations."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from salesflow._absorbing import absorption
from salesflow.errors import Problem, ValidationError

if TYPE_CHECKING:
    from salesflow.process import SalesProcess

__all__ = ["SyntheticTruth", "default_truth", "fit_row", "win_probability_at"]

_TOLERANCE = 1e-9


@attrs.frozen(kw_only=True, repr=False, eq=False)
class SyntheticTruth:
    """The model synthetic opportunities are drawn from.

    A deal starts in ``start_stage``, stays a random time in each open stage
    (gamma-distributed with shape :attr:`duration_shape` and mean
    ``mean_days[stage]``), then moves to the next stage drawn from
    ``transitions[stage]``; closed stages end it. Transitions do not depend on
    anything else (owner, amount, time spent), so the chain is Markov and
    :attr:`win_probability` is exact.

    Attributes:
        process_name: The process the stages belong to.
        start_stage: Where every deal starts.
        transitions: For each open stage, the probability (0..1) of each next
            stage; each row sums to 1.
        mean_days: For each open stage, the mean days a deal stays in it.
        duration_shape: The gamma shape of the time in a stage (1 is exponential).
        win_probability: For every stage, the probability that a deal in it is
            eventually won (1 for won stages, 0 for lost ones), solved from
            the chain.
    """

    process_name: str
    start_stage: str
    transitions: Mapping[str, Mapping[str, float]]
    mean_days: Mapping[str, float]
    duration_shape: float = 1.5
    win_probability: Mapping[str, float] = attrs.field(init=False, factory=dict)

    def __repr__(self) -> str:
        wins = ", ".join(f"{s!r}: {p:.2f}" for s, p in self.win_probability.items())
        return f"SyntheticTruth(process={self.process_name!r}, win_probability={{{wins}}})"


def fit_row(
    row: Mapping[str, float], lost: frozenset[str], fit: float, effect: float
) -> dict[str, float]:
    """A transition row for a deal of ``fit`` (0..1): its lost moves scaled by ``1 − effect·(2·fit − 1)``.

    The other moves share what is left in their proportions. A fit of ½ (or
    an effect of 0) leaves the row as it is; a row with only lost moves, too.

    >>> fit_row({"Won": 0.6, "Lost": 0.4}, frozenset({"Lost"}), 1.0, 0.5)
    {'Won': 0.8, 'Lost': 0.2}
    """
    lost_share = sum(p for t, p in row.items() if t in lost)
    rest = 1.0 - lost_share
    if lost_share == 0 or rest <= 0:
        return dict(row)
    factor = min((1.0 - effect * (2.0 * fit - 1.0)), 1.0 / lost_share)
    scale = (1.0 - lost_share * factor) / rest
    return {t: p * (factor if t in lost else scale) for t, p in row.items()}


def win_probability_at(
    process: SalesProcess, truth: SyntheticTruth, fit: float, effect: float
) -> dict[str, float]:
    """The exact win probability from every stage, for a deal of ``fit`` under ``effect``.

    Raises:
        ValidationError: The chain cannot be solved.
    """
    lost = frozenset(s.name for s in process.lost_stages)
    closed = {s.name: 1.0 if s.is_won else 0.0 for s in process.closed_stages}
    rows = {name: fit_row(row, lost, fit, effect) for name, row in truth.transitions.items()}
    try:
        return {**absorption(rows, closed), **closed}
    except ValueError as exc:
        raise ValidationError(
            [Problem(str(exc), "$.transitions")], subject="synthetic truth"
        ) from None


def _problems(
    process: SalesProcess,
    transitions: Mapping[str, Mapping[str, float]],
    mean_days: Mapping[str, float],
) -> list[Problem]:
    problems: list[Problem] = []
    table = process.transition_table
    for stage in process.open_stages:
        row = transitions.get(stage.name)
        if row is None:
            problems.append(Problem("missing transitions", f"$.transitions[{stage.name!r}]"))
            continue
        total = 0.0
        for target, p in row.items():
            path = f"$.transitions[{stage.name!r}][{target!r}]"
            if target not in process:
                problems.append(Problem(f"unknown stage {target!r}", path))
            elif table.index[target] not in table.allowed[table.index[stage.name]]:
                reasons = "; ".join(table.reasons(table.index[stage.name], table.index[target]))
                problems.append(Problem(f"the process forbids this move: {reasons}", path))
            if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
                problems.append(Problem(f"expected a probability in 0..1, got {p!r}", path))
            else:
                total += p
        if abs(total - 1) > _TOLERANCE:
            problems.append(
                Problem(f"probabilities sum to {total:g}, not 1", f"$.transitions[{stage.name!r}]")
            )
        days = mean_days.get(stage.name)
        if isinstance(days, bool) or not isinstance(days, (int, float)) or not days > 0:
            problems.append(
                Problem(f"expected mean days > 0, got {days!r}", f"$.mean_days[{stage.name!r}]")
            )
    for key in (*transitions, *mean_days):
        if key not in process or process.stage(key).is_closed:
            where = "transitions" if key in transitions else "mean_days"
            problems.append(Problem(f"{key!r} is not an open stage", f"$.{where}[{key!r}]"))
    return problems


def make_truth(
    process: SalesProcess,
    transitions: Mapping[str, Mapping[str, float]],
    mean_days: Mapping[str, float],
    *,
    duration_shape: float = 1.5,
) -> SyntheticTruth:
    """Validate a chain against ``process`` and solve its win probabilities.

    Raises:
        ValidationError: A stage is unknown or closed, a row does not sum to 1,
            a move is forbidden by the process, a mean is not positive, or a
            stage can never close.
    """
    if not isinstance(transitions, Mapping) or not all(
        isinstance(row, Mapping) for row in transitions.values()
    ):
        raise ValidationError(
            [Problem("expected a mapping of stage to {next stage: probability}", "$.transitions")],
            subject="synthetic truth",
        )
    if not isinstance(mean_days, Mapping):
        raise ValidationError(
            [Problem("expected a mapping of stage to mean days", "$.mean_days")],
            subject="synthetic truth",
        )
    if (
        isinstance(duration_shape, bool)
        or not isinstance(duration_shape, (int, float))
        or not 0 < duration_shape < math.inf
    ):
        raise ValidationError(
            [Problem(f"expected a shape > 0, got {duration_shape!r}", "$.duration_shape")],
            subject="synthetic truth",
        )
    problems = _problems(process, transitions, mean_days)
    if problems:
        raise ValidationError(problems, subject="synthetic truth")
    closed = {s.name: 1.0 if s.is_won else 0.0 for s in process.closed_stages}
    rows = {s.name: dict(transitions[s.name]) for s in process.open_stages}
    try:
        solved = absorption(rows, closed)
    except ValueError as exc:
        raise ValidationError(
            [Problem(str(exc), "$.transitions")], subject="synthetic truth"
        ) from None
    truth = SyntheticTruth(
        process_name=process.name,
        start_stage=process.first_stage.name,
        transitions={k: dict(v) for k, v in rows.items()},
        mean_days={s.name: float(mean_days[s.name]) for s in process.open_stages},
        duration_shape=float(duration_shape),
    )
    object.__setattr__(truth, "win_probability", {**solved, **closed})
    return truth


def default_truth(process: SalesProcess) -> SyntheticTruth:
    """A plausible chain for ``process``: most deals advance one stage, a quarter are lost early.

    From open stage *i* of *k*: lost with probability 0.28 falling to 0.16,
    skip one stage 0.05 and back one stage 0.04 (where the process allows),
    won directly 0.02, otherwise on to the next stage. The last open stage is
    won with probability 0.58 and lost otherwise. Mean days in stage *i*:
    ``12 + 4·i``.

    Raises:
        ValidationError: The process has no lost stage, or its rules leave an
            open stage no way forward.

    >>> import salesflow as sf
    >>> truth = default_truth(sf.presets.trailhead_simple())
    >>> round(truth.win_probability["Negotiation/Review"], 2)
    0.58
    """
    lost = process.lost_stages
    if not lost:
        raise ValidationError(
            [Problem(f"process {process.name!r} has no lost stage", "$.stages")],
            subject="synthetic truth",
        )
    table = process.transition_table
    opens = [s.name for s in process.open_stages]
    won, lost_name = process.won_stages[0].name, lost[0].name
    k = len(opens)
    transitions: dict[str, dict[str, float]] = {}

    def allowed(source: str, target: str) -> bool:
        return table.index[target] in table.allowed[table.index[source]]

    for i, name in enumerate(opens):
        row: dict[str, float] = {}
        if i == k - 1:
            row[won] = 0.58
        else:
            nxt = next((t for t in opens[i + 1 :] if allowed(name, t)), None)
            if i + 2 < k and allowed(name, opens[i + 2]) and opens[i + 2] != nxt:
                row[opens[i + 2]] = 0.05
            if i > 0 and allowed(name, opens[i - 1]):
                row[opens[i - 1]] = 0.04
            if allowed(name, won):
                row[won] = row.get(won, 0.0) + 0.02
            lost_share = 0.28 - 0.12 * i / max(k - 2, 1)
            rest = 1 - lost_share - sum(row.values())
            if nxt is not None:
                row[nxt] = row.get(nxt, 0.0) + rest
            else:
                row[won] = row.get(won, 0.0) + rest
        row[lost_name] = row.get(lost_name, 0.0) + 1 - sum(row.values())
        transitions[name] = row
    mean_days = {name: 12.0 + 4.0 * i for i, name in enumerate(opens)}
    return make_truth(process, transitions, mean_days)
