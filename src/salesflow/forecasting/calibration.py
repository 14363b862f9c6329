"""How good are the probabilities: Brier score, log loss and a reliability table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs

from salesflow.analytics._engine_errors import translated
from salesflow.errors import Problem, ValidationError

__all__ = ["MAX_BUCKETS", "Bucket", "Calibration", "score"]

MAX_BUCKETS = 1_000
"""The most buckets a reliability table has (each bucket's deals are looked for among all)."""

EPSILON = 0.001
"""Predictions are clipped to [0.001, 0.999] for the log loss (a 0 % deal that wins is not ∞)."""


@attrs.frozen
class Bucket:
    """One row of a reliability table: predictions in ``[low, high)``.

    Attributes:
        low: The bucket's lower bound (0..1).
        high: Its upper bound.
        n: How many predictions fell in it.
        predicted: Their mean prediction (``None`` when empty).
        observed: The share of them that were won (``None`` when empty).
    """

    low: float
    high: float
    n: int
    predicted: float | None
    observed: float | None


@attrs.frozen(kw_only=True, repr=False)
class Calibration:
    """Scores of probabilities against what happened.

    Attributes:
        label: Whose probabilities, e.g. ``"static defaults"``.
        n: How many predictions were scored.
        won: How many of them were won.
        brier: Mean squared error of the probabilities (0 is perfect; always
            predicting the base rate scores ``base_rate × (1 − base_rate)``).
        log_loss: Mean negative log-likelihood (predictions clipped to
            ``[0.001, 0.999]``).
        buckets: The reliability table: predicted vs observed by bucket.
    """

    label: str
    n: int
    won: int
    brier: float
    log_loss: float
    buckets: tuple[Bucket, ...]

    @property
    def base_rate(self) -> float:
        """The share won."""
        return self.won / self.n if self.n else float("nan")

    @property
    def skill(self) -> float:
        """Brier skill against always predicting the base rate (1 perfect, 0 no better, < 0 worse)."""
        reference = self.base_rate * (1 - self.base_rate)
        return 1 - self.brier / reference if reference > 0 else float("nan")

    def to_frame(self) -> Any:
        """The reliability table as a Polars DataFrame."""
        import polars as pl

        return pl.DataFrame(
            [attrs.asdict(b) for b in self.buckets],
            schema={
                "low": pl.Float64,
                "high": pl.Float64,
                "n": pl.Int64,
                "predicted": pl.Float64,
                "observed": pl.Float64,
            },
        )

    def plot(self, ax: Any = None) -> Any:
        """A reliability diagram (needs the ``plots`` extra): observed vs predicted by bucket.

        Returns:
            The matplotlib Axes.
        """
        from salesflow.analytics._require import require

        require("matplotlib", extra="plots")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 4.5))
        full = [b for b in self.buckets if b.n]
        ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect")
        ax.plot(
            [b.predicted for b in full],
            [b.observed for b in full],
            marker="o",
            label=f"{self.label} (Brier {self.brier:.3f}, n={self.n})",
        )
        ax.set_xlabel("predicted probability")
        ax.set_ylabel("observed share won")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.legend(loc="upper left", fontsize="small")
        return ax

    def __repr__(self) -> str:
        lines = [
            f"Calibration({self.label!r}: n={self.n}, won={self.won}, brier={self.brier:.4f}, "
            f"log_loss={self.log_loss:.4f}, skill={self.skill:.3f})",
            "  bucket        n  predicted  observed",
        ]
        for b in self.buckets:
            if b.n and b.predicted is not None and b.observed is not None:
                lines.append(
                    f"  {b.low:.1f}-{b.high:.1f}  {b.n:>6}  {b.predicted:>9.3f}  {b.observed:>8.3f}"
                )
        return "\n".join(lines)


@translated("score")
def score(
    predicted: Sequence[float],
    won: Sequence[bool],
    *,
    label: str = "probabilities",
    buckets: int = 10,
) -> Calibration:
    """Score probabilities against outcomes.

    Args:
        predicted: Win probabilities, 0..1.
        won: Whether each deal was won, in the same order.
        label: Whose probabilities these are.
        buckets: How many equal-width buckets the reliability table has.

    Raises:
        ValidationError: Lengths differ, a probability is outside 0..1 or not a
            number, or ``buckets`` is not a whole number from 1 to :data:`MAX_BUCKETS`.

    >>> c = score([0.2, 0.8, 0.8, 0.2], [False, True, True, True], label="demo", buckets=2)
    >>> round(c.brier, 3), c.buckets[0].observed, c.buckets[1].observed
    (0.19, 0.5, 1.0)
    """
    problems = [
        Problem(f"expected a list, got {type(v).__name__}", f"$.{name}")
        for name, v in (("predicted", predicted), ("won", won))
        if not isinstance(v, Sequence) or isinstance(v, (str, bytes))
    ]
    if problems:
        raise ValidationError(problems, subject="calibration")
    p, y = list(predicted), list(won)
    if len(p) != len(y):
        problems.append(Problem(f"{len(p)} predictions for {len(y)} outcomes", "$.won"))
    bad = [
        i
        for i, v in enumerate(p)
        if isinstance(v, bool)
        or not isinstance(v, (int, float))
        or math.isnan(v)
        or not 0 <= v <= 1
    ]
    if bad:
        problems.append(
            Problem(f"not a probability in 0..1: {p[bad[0]]!r}", f"$.predicted[{bad[0]}]")
        )
    if isinstance(buckets, bool) or not isinstance(buckets, int) or buckets < 1:
        problems.append(Problem(f"expected a whole number >= 1, got {buckets!r}", "$.buckets"))
    elif buckets > MAX_BUCKETS:
        problems.append(Problem(f"at most {MAX_BUCKETS} buckets, got {buckets}", "$.buckets"))
    if problems:
        raise ValidationError(problems, subject="calibration")
    n = len(p)
    wins = sum(bool(v) for v in y)
    brier = sum((q - bool(o)) ** 2 for q, o in zip(p, y, strict=True)) / n if n else float("nan")
    loss = (
        -sum(
            math.log(
                min(max(q, EPSILON), 1 - EPSILON) if o else 1 - min(max(q, EPSILON), 1 - EPSILON)
            )
            for q, o in zip(p, y, strict=True)
        )
        / n
        if n
        else float("nan")
    )
    table = []
    for k in range(buckets):
        low, high = k / buckets, (k + 1) / buckets
        inside = [
            (q, bool(o))
            for q, o in zip(p, y, strict=True)
            if low <= q < high or (k == buckets - 1 and q == 1)
        ]
        table.append(
            Bucket(
                low=low,
                high=high,
                n=len(inside),
                predicted=sum(q for q, _ in inside) / len(inside) if inside else None,
                observed=sum(o for _, o in inside) / len(inside) if inside else None,
            )
        )
    return Calibration(
        label=label, n=n, won=wins, brier=brier, log_loss=loss, buckets=tuple(table)
    )
