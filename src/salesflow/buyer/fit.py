"""Fit: where the seller is strongest, as data, and how well one prospect matches it.

"You cannot win every opportunity: focus on your strengths." A
:class:`FitProfile` names the criteria where the seller is strongest (each
with a relative weight and ordered evidence levels) and a solution × industry
matrix of where references and ready assets exist. :func:`assess_fit` scores
one prospect against it, with a reason per criterion that counted.

Policies (salesflow's, stated so they can be argued with):

- A criterion's value is its evidence level's position on its scale:
  ``index / (len(levels) − 1)``, so the lowest level (``"none"``) is 0 and
  the highest (``"confirmed"``) is 1. Missing evidence is the lowest level.
- Weights are relative; they are normalised to sum to 1 over the criteria
  that count (weight > 0), plus the matrix when it is assessed.
- The matrix counts only when both a solution and an industry are given and
  the profile has a matrix; a cell with references is worth 1, a cell with
  some assets ½, a pair not in the matrix 0 (the material: "not in the list
  does not mean the platform is unfit", so the reason says so).
- The score is the weighted sum, in 0..1; the grade is ``"strong"`` from
  0.75, ``"good"`` from 0.5, ``"partial"`` from 0.25, else ``"weak"``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from salesflow._document import shipped_schema
from salesflow._html import table_html
from salesflow._validate import sequence
from salesflow.errors import Problem, ValidationError

__all__ = [
    "EVIDENCE_LEVELS",
    "FitAssessment",
    "FitCriterion",
    "FitProfile",
    "FitReason",
    "MatrixCell",
    "MatrixStrength",
    "assess_fit",
    "fit_grade",
]

EVIDENCE_LEVELS = ("none", "claimed", "confirmed")
"""The default evidence levels, lowest first: nothing known, the buyer says so, shown."""

GRADES = ((0.75, "strong"), (0.5, "good"), (0.25, "partial"))
MATRIX = "solution × industry"
"""The name the matrix's reason goes by."""


def fit_grade(score: float) -> str:
    """The grade of a fit score: ``strong`` (≥ 0.75), ``good`` (≥ 0.5), ``partial`` (≥ 0.25), ``weak``.

    >>> fit_grade(0.8), fit_grade(0.5), fit_grade(0.1)
    ('strong', 'good', 'weak')
    """
    return next((grade for low, grade in GRADES if score >= low), "weak")


class MatrixStrength(enum.Enum):
    """How strong the seller is in one solution × industry cell.

    ``REFERENCES``: a tick in the matrix, several references. ``ASSETS``: a
    tick in brackets, some references or ready-made assets.
    """

    REFERENCES = "references"
    ASSETS = "assets"


_STRENGTH_VALUE = {MatrixStrength.REFERENCES: 1.0, MatrixStrength.ASSETS: 0.5}


def _strength(value: MatrixStrength | str) -> MatrixStrength:
    if isinstance(value, MatrixStrength):
        return value
    try:
        return MatrixStrength(value)
    except ValueError:
        known = ", ".join(s.value for s in MatrixStrength)
        raise ValidationError(
            [Problem(f"unknown strength {value!r}; expected one of {known}", "$.strength")],
            subject="matrix cell",
        ) from None


def _blank(value: object) -> bool:
    return not isinstance(value, str) or not value.strip()


def _weight(value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValidationError(
            [Problem(f"expected a finite weight >= 0, got {value!r}", "$.weight")],
            subject="fit criterion",
        )
    return float(value)


def _levels(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError(
            [Problem(f"expected a list of level names, got {value!r}", "$.levels")],
            subject="fit criterion",
        )
    return tuple(value)


@attrs.frozen
class MatrixCell:
    """One row of the solution × industry matrix: where references or assets exist.

    >>> MatrixCell("Partner portal", "Manufacturing", "references").strength
    <MatrixStrength.REFERENCES: 'references'>
    """

    solution: str
    industry: str
    strength: MatrixStrength = attrs.field(default=MatrixStrength.REFERENCES, converter=_strength)

    def __attrs_post_init__(self) -> None:
        problems = [
            Problem(f"expected a non-blank {name}, got {value!r}", f"$.{name}")
            for name, value in (("solution", self.solution), ("industry", self.industry))
            if _blank(value)
        ]
        if problems:
            raise ValidationError(problems, subject="matrix cell")


@attrs.frozen
class FitCriterion:
    """One criterion of a fit profile: its weight and its evidence levels, lowest first.

    Args:
        name: E.g. ``"complexity"``.
        weight: Relative weight, >= 0 (0: listed but not counted).
        levels: Evidence level names, lowest first, at least two, unique.
        description: What counts as evidence.

    >>> FitCriterion("security", 2).value("claimed")
    0.5
    """

    name: str
    weight: float = attrs.field(default=1.0, converter=_weight)
    levels: tuple[str, ...] = attrs.field(default=EVIDENCE_LEVELS, converter=_levels)
    description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        problems = []
        if _blank(self.name):
            problems.append(Problem(f"expected a non-blank name, got {self.name!r}", "$.name"))
        if len(self.levels) < 2:
            problems.append(Problem("at least two levels are needed", "$.levels"))
        for index, level in enumerate(self.levels):
            if _blank(level):
                problems.append(
                    Problem(f"expected a non-blank level, got {level!r}", f"$.levels[{index}]")
                )
            elif level in self.levels[:index]:
                problems.append(Problem(f"duplicate level {level!r}", f"$.levels[{index}]"))
        if self.description is not None and not isinstance(self.description, str):
            problems.append(Problem("expected text or none", "$.description"))
        if problems:
            raise ValidationError(problems, subject=f"fit criterion {self.name!r}")

    def value(self, level: str | int | None) -> float:
        """A level's value in 0..1: its position on the scale (``None`` is the lowest).

        ``level`` is a level's name or its index.

        Raises:
            ValidationError: No such level.
        """
        top = len(self.levels) - 1
        if level is None:
            return 0.0
        if isinstance(level, int) and not isinstance(level, bool) and 0 <= level <= top:
            return level / top
        if isinstance(level, str) and level in self.levels:
            return self.levels.index(level) / top
        known = ", ".join(repr(x) for x in self.levels)
        raise ValidationError(
            [Problem(f"unknown level {level!r}; expected one of {known}", f"$[{self.name!r}]")],
            subject="fit evidence",
        )


def _criteria(value: Iterable[FitCriterion]) -> tuple[FitCriterion, ...]:
    return sequence(value, of=FitCriterion, what="fit criteria")


def _cells(value: Iterable[MatrixCell]) -> tuple[MatrixCell, ...]:
    return sequence(value, of=MatrixCell, what="matrix cells")


@attrs.frozen(kw_only=True)
class FitProfile:
    """Where a seller is strongest: weighted criteria and a solution × industry matrix.

    Attributes:
        name: The profile's name.
        criteria: The criteria, names unique; at least one with weight > 0.
        matrix: Solution × industry cells with references or assets; a pair
            appears once.
        matrix_weight: The matrix's relative weight when it is assessed.

    >>> import salesflow as sf
    >>> profile = sf.presets.liferay_fit()
    >>> profile.names
    ('complexity', 'security', 'enterprise')
    >>> profile.weights()
    {'complexity': 0.333..., 'security': 0.333..., 'enterprise': 0.333...}
    """

    name: str
    criteria: tuple[FitCriterion, ...] = attrs.field(converter=_criteria)
    matrix: tuple[MatrixCell, ...] = attrs.field(default=(), converter=_cells)
    matrix_weight: float = attrs.field(default=1.0, converter=_weight)

    def __attrs_post_init__(self) -> None:
        problems = []
        if _blank(self.name):
            problems.append(Problem(f"expected a non-blank name, got {self.name!r}", "$.name"))
        if not any(c.weight > 0 for c in self.criteria):
            problems.append(Problem("at least one criterion needs a weight > 0", "$.criteria"))
        seen: set[str] = set()
        for index, criterion in enumerate(self.criteria):
            if criterion.name in seen:
                problems.append(
                    Problem(f"duplicate criterion {criterion.name!r}", f"$.criteria[{index}].name")
                )
            seen.add(criterion.name)
        pairs: set[tuple[str, str]] = set()
        for index, cell in enumerate(self.matrix):
            pair = (cell.solution, cell.industry)
            if pair in pairs:
                problems.append(Problem(f"duplicate cell {pair!r}", f"$.matrix[{index}]"))
            pairs.add(pair)
        if problems:
            raise ValidationError(problems, subject=f"fit profile {self.name!r}")

    @property
    def names(self) -> tuple[str, ...]:
        """The criteria's names, in order."""
        return tuple(c.name for c in self.criteria)

    def criterion(self, name: str) -> FitCriterion:
        """The criterion called ``name``.

        Raises:
            ValidationError: No such criterion.
        """
        for criterion in self.criteria:
            if criterion.name == name:
                return criterion
        known = ", ".join(repr(n) for n in self.names)
        raise ValidationError(
            [Problem(f"no criterion {name!r}; the criteria are {known}", f"$[{name!r}]")],
            subject=f"fit profile {self.name!r}",
        )

    def strength(self, solution: str, industry: str) -> MatrixStrength | None:
        """The matrix's strength for a solution and an industry, or ``None`` when not listed."""
        for cell in self.matrix:
            if cell.solution == solution and cell.industry == industry:
                return cell.strength
        return None

    def weights(self, *, matrix: bool = False) -> dict[str, float]:
        """The normalised weights (sum 1) of the criteria that count, and the matrix if ``matrix``."""
        raw = {c.name: c.weight for c in self.criteria if c.weight > 0}
        if matrix and self.matrix and self.matrix_weight > 0:
            raw[MATRIX] = self.matrix_weight
        total = sum(raw.values())
        return {name: weight / total for name, weight in raw.items()}

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of a fit profile document, as shipped with salesflow.

        >>> FitProfile.json_schema()["title"]
        'salesflow fit profile'
        """
        return shipped_schema("fit-profile.schema.json")

    def _repr_html_(self) -> str:
        weights = self.weights(matrix=True)
        body: list[list[object]] = [
            [c.name, f"{weights.get(c.name, 0.0):.0%}", " < ".join(c.levels)]
            for c in self.criteria
        ]
        body += [[f"{c.solution} × {c.industry}", "", c.strength.value] for c in self.matrix]
        return table_html(f"Fit profile {self.name}", ["criterion", "weight", "levels"], body)


@attrs.frozen
class FitReason:
    """How one criterion counted: its evidence level and its share of the score (0..1)."""

    criterion: str
    level: str
    points: float
    text: str

    def __str__(self) -> str:
        return f"{self.text}: +{100 * self.points:.0f} points"


@attrs.frozen(kw_only=True)
class FitAssessment:
    """How well one prospect fits a profile: a score in 0..1, a grade and the reasons.

    Attributes:
        profile: The profile's name.
        score: The weighted sum of the criteria's values, 0..1.
        grade: ``strong``, ``good``, ``partial`` or ``weak`` (see :func:`fit_grade`).
        reasons: One per criterion that counted (and the matrix when
            assessed), in the profile's order; their points sum to the score.
        missing: Criteria that counted with no evidence given.
    """

    profile: str
    score: float
    grade: str
    reasons: tuple[FitReason, ...]
    missing: tuple[str, ...] = ()

    def __str__(self) -> str:
        why = "; ".join(map(str, self.reasons))
        return f"{self.grade} fit ({self.score:.0%}) to {self.profile}: {why}"

    def _repr_html_(self) -> str:
        body = [[r.criterion, r.level, f"{100 * r.points:.0f}", r.text] for r in self.reasons]
        title = f"{self.grade} fit ({self.score:.0%}) to {self.profile}"
        return table_html(title, ["criterion", "level", "points", "why"], body)


def assess_fit(
    profile: FitProfile,
    evidence: Mapping[str, str | int | None],
    *,
    solution: str | None = None,
    industry: str | None = None,
) -> FitAssessment:
    """Score one prospect against ``profile``, with a reason per criterion that counted.

    Args:
        profile: The fit profile.
        evidence: Criterion name → evidence level (a level's name or index;
            ``None`` or absent is the lowest level).
        solution: The solution the prospect needs, for the matrix.
        industry: The prospect's industry, for the matrix.

    Returns:
        The assessment (see the module's policies).

    Raises:
        ValidationError: ``evidence`` names an unknown criterion or level.

    >>> import salesflow as sf
    >>> a = assess_fit(sf.presets.liferay_fit(),
    ...     {"complexity": "confirmed", "security": "confirmed", "enterprise": "claimed"},
    ...     solution="Customer portal", industry="Financial services")
    >>> round(a.score, 3), a.grade
    (0.875, 'strong')
    >>> [r.criterion for r in a.reasons]
    ['complexity', 'security', 'enterprise', 'solution × industry']
    """
    if not isinstance(profile, FitProfile):
        raise ValidationError(
            [Problem(f"expected a FitProfile, got {type(profile).__name__}", "$.profile")],
            subject="fit assessment",
        )
    if not isinstance(evidence, Mapping):
        raise ValidationError(
            [Problem(f"expected a mapping, got {type(evidence).__name__}", "$.evidence")],
            subject="fit assessment",
        )
    problems = [
        Problem(f"no criterion {name!r}; the criteria are {list(profile.names)}", f"$[{name!r}]")
        for name in evidence
        if name not in profile.names
    ]
    if problems:
        raise ValidationError(problems, subject=f"fit evidence for {profile.name!r}")
    assessed = solution is not None and industry is not None and bool(profile.matrix)
    weights = profile.weights(matrix=assessed)
    reasons: list[FitReason] = []
    missing: list[str] = []
    for criterion in profile.criteria:
        if criterion.name not in weights:
            continue
        given = evidence.get(criterion.name)
        value = criterion.value(given)
        level = criterion.levels[round(value * (len(criterion.levels) - 1))]
        if given is None:
            missing.append(criterion.name)
        text = f"{criterion.name}: {level}" + (" (no evidence given)" if given is None else "")
        reasons.append(FitReason(criterion.name, level, weights[criterion.name] * value, text))
    if MATRIX in weights and solution is not None and industry is not None:
        strength = profile.strength(solution, industry)
        if strength is None:
            level = "unlisted"
            text = (
                f"{solution} in {industry} is not in the matrix: no references or ready "
                "assets (not a sign of unfitness)"
            )
        else:
            level = strength.value
            text = f"{solution} in {industry}: {strength.value}"
        value = 0.0 if strength is None else _STRENGTH_VALUE[strength]
        reasons.append(FitReason(MATRIX, level, weights[MATRIX] * value, text))
    score = min(max(sum(r.points for r in reasons), 0.0), 1.0)
    return FitAssessment(
        profile=profile.name,
        score=score,
        grade=fit_grade(score),
        reasons=tuple(reasons),
        missing=tuple(missing),
    )
