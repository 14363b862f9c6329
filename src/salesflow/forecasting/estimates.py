"""What learned stage probabilities are: one estimate per stage, with its sample and its source."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from salesflow.errors import Problem, ValidationError

__all__ = ["LearnedProbabilities", "StageEstimate"]


@attrs.frozen(kw_only=True)
class StageEstimate:
    """The learned probability that a deal in one stage is eventually won.

    Attributes:
        stage: The stage.
        segment: The segment's values (empty when not segmented).
        probability: The estimate (0..1), or ``None`` for "insufficient history".
        low: The interval's lower end, or ``None``.
        high: The interval's upper end, or ``None``.
        exits: How many moves out of the stage were counted: the sample behind
            the stage's own row of the chain.
        deals: How many deals entered the stage.
        unresolved: Entries still in the stage at the end of the data (censored).
        note: Why there is no number, when there is none.
    """

    stage: str
    segment: tuple[Any, ...] = ()
    probability: float | None
    low: float | None
    high: float | None
    exits: int
    deals: int
    unresolved: int
    note: str | None = None

    @property
    def sufficient(self) -> bool:
        """Whether there is a number."""
        return self.probability is not None

    def __str__(self) -> str:
        if self.probability is None or self.low is None or self.high is None:
            return f"{self.stage}: insufficient history ({self.note})"
        return (
            f"{self.stage}: {self.probability:.1%} "
            f"[{self.low:.1%}, {self.high:.1%}], {self.exits} moves out, {self.deals} deals entered"
        )


@attrs.frozen(kw_only=True, repr=False)
class LearnedProbabilities:
    """Win probabilities per stage (and segment) learned from stage history.

    Attributes:
        process_name: The process whose stages they are.
        estimates: One :class:`StageEstimate` per open stage and segment.
        segment_by: The segment columns (empty: one segment, the whole data).
        learned_from: What the numbers rest on, in words.
        policies: The options they were computed with.
    """

    process_name: str
    estimates: tuple[StageEstimate, ...]
    segment_by: tuple[str, ...]
    learned_from: str
    policies: Mapping[str, Any]

    def estimate(self, stage: str, *segment: Any) -> StageEstimate:
        """The estimate for ``stage`` (in the segment with these values).

        Raises:
            ValidationError: No such stage or segment.
        """
        for e in self.estimates:
            if e.stage == stage and e.segment == tuple(segment):
                return e
        raise ValidationError(
            [Problem(f"no estimate for stage {stage!r} in segment {segment!r}", "$.stage")],
            subject="learned probabilities",
        )

    @property
    def segments(self) -> list[tuple[Any, ...]]:
        """The segments' values, in order of appearance."""
        return list(dict.fromkeys(e.segment for e in self.estimates))

    @property
    def percentages(self) -> dict[str, Decimal]:
        """Stage → learned percentage (one decimal), for the stages with a number.

        What :meth:`salesflow.SalesProcess.with_probabilities` reads.

        Raises:
            ValidationError: The result is segmented (pick one with :meth:`segment`).
        """
        if self.segment_by:
            raise ValidationError(
                [Problem("segmented probabilities: pick one with .segment(...)", "$")],
                subject="learned probabilities",
            )
        return {
            e.stage: Decimal(str(round(e.probability * 100, 1)))
            for e in self.estimates
            if e.probability is not None
        }

    def segment(self, *values: Any) -> LearnedProbabilities:
        """The estimates of one segment, as an unsegmented result."""
        chosen = tuple(attrs.evolve(e, segment=()) for e in self.estimates if e.segment == values)
        if not chosen:
            raise ValidationError(
                [Problem(f"no segment {values!r}", "$.segment")], subject="learned probabilities"
            )
        label = ", ".join(f"{k}={v!r}" for k, v in zip(self.segment_by, values, strict=False))
        return attrs.evolve(
            self, estimates=chosen, segment_by=(), learned_from=f"{self.learned_from} ({label})"
        )

    def to_frame(self) -> Any:
        """The estimates as a Polars DataFrame."""
        import polars as pl

        return pl.DataFrame(
            [
                {
                    **dict(zip(self.segment_by, e.segment, strict=False)),
                    "stage": e.stage,
                    "probability": e.probability,
                    "low": e.low,
                    "high": e.high,
                    "exits": e.exits,
                    "deals": e.deals,
                    "unresolved": e.unresolved,
                    "note": e.note,
                }
                for e in self.estimates
            ],
            infer_schema_length=None,
        )

    def __repr__(self) -> str:
        lines = [f"LearnedProbabilities({self.process_name!r}, {self.learned_from})"]
        for e in self.estimates:
            prefix = f"{', '.join(map(str, e.segment))}: " if e.segment else ""
            lines.append(f"  {prefix}{e}")
        return "\n".join(lines)
