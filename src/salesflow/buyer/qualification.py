"""Qualification scorecards: MEDDIC, MEDDPICC or your own element list."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import attrs

from salesflow._validate import sequence
from salesflow.errors import Problem, ValidationError

__all__ = [
    "MEDDIC",
    "MEDDPICC",
    "QualificationElement",
    "QualificationStatus",
    "Scorecard",
    "check_scorecard",
]

MEDDIC = (
    "Metrics",
    "Economic buyer",
    "Decision criteria",
    "Decision process",
    "Identify pain",
    "Champion",
)
"""The six MEDDIC elements."""

MEDDPICC = (
    "Metrics",
    "Economic buyer",
    "Decision criteria",
    "Decision process",
    "Paper process",
    "Identify pain",
    "Champion",
    "Competition",
)
"""The eight MEDDPICC elements (MEDDIC plus Paper process and Competition)."""


class QualificationStatus(enum.Enum):
    """How much the seller knows about one qualification element.

    ``UNKNOWN``: nothing yet. ``IDENTIFIED``: named or assumed (e.g. a likely
    champion). ``VALIDATED``: confirmed with evidence (the champion acted).
    """

    UNKNOWN = "unknown"
    IDENTIFIED = "identified"
    VALIDATED = "validated"


def _status(value: QualificationStatus | str) -> QualificationStatus:
    if isinstance(value, QualificationStatus):
        return value
    try:
        return QualificationStatus(value)
    except ValueError:
        known = ", ".join(s.value for s in QualificationStatus)
        raise ValidationError(
            [Problem(f"unknown status {value!r}; expected one of {known}", "$.status")],
            subject="qualification element",
        ) from None


@attrs.frozen
class QualificationElement:
    """One element of a scorecard, its status and the evidence for it.

    A validated element needs evidence: validating means having proof.

    >>> QualificationElement("Champion", "validated", evidence="Dana set up the CFO meeting")
    QualificationElement(name='Champion', status=<QualificationStatus.VALIDATED: 'validated'>, evidence='Dana set up the CFO meeting')
    """

    name: str
    status: QualificationStatus = attrs.field(
        default=QualificationStatus.UNKNOWN, converter=_status
    )
    evidence: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        problems = []
        if not isinstance(self.name, str) or not self.name.strip():
            problems.append(Problem(f"expected a non-blank name, got {self.name!r}", "$.name"))
        if self.evidence is not None and not isinstance(self.evidence, str):
            problems.append(
                Problem(f"expected text or none, got {type(self.evidence).__name__}", "$.evidence")
            )
        elif self.status is QualificationStatus.VALIDATED and not (
            self.evidence and self.evidence.strip()
        ):
            problems.append(Problem("a validated element needs evidence", "$.evidence"))
        if problems:
            raise ValidationError(problems, subject=f"qualification element {self.name!r}")


def _elements(value: Iterable[QualificationElement]) -> tuple[QualificationElement, ...]:
    return sequence(value, of=QualificationElement, what="qualification elements")


@attrs.frozen(kw_only=True)
class Scorecard:
    """A qualification scorecard: each element unknown, identified or validated.

    Immutable: :meth:`with_status` returns a new scorecard. Stage gates read
    it through :meth:`is_validated` (``StageGate(qualified=["Champion"])``).

    Attributes:
        framework: The framework's name, e.g. ``"MEDDPICC"``.
        elements: The elements, in order; names are unique.

    >>> card = Scorecard.meddpicc().with_status("Identify pain", "validated", evidence="outage cost 2M")
    >>> card.is_validated("Identify pain"), card.is_validated("Champion")
    (True, False)
    >>> card.counts
    {'unknown': 7, 'identified': 0, 'validated': 1}
    """

    framework: str
    elements: tuple[QualificationElement, ...] = attrs.field(converter=_elements)

    def __attrs_post_init__(self) -> None:
        problems = []
        if not isinstance(self.framework, str) or not self.framework.strip():
            problems.append(
                Problem(
                    f"expected a non-blank framework name, got {self.framework!r}", "$.framework"
                )
            )
        if not self.elements:
            problems.append(Problem("at least one element is required", "$.elements"))
        seen: set[str] = set()
        for index, element in enumerate(self.elements):
            if not isinstance(element, QualificationElement):
                problems.append(
                    Problem(
                        f"expected a QualificationElement, got {type(element).__name__}",
                        f"$.elements[{index}]",
                    )
                )
                continue
            if element.name in seen:
                problems.append(
                    Problem(f"duplicate element {element.name!r}", f"$.elements[{index}].name")
                )
            seen.add(element.name)
        if problems:
            raise ValidationError(problems, subject=f"scorecard {self.framework!r}")

    @classmethod
    def of(cls, framework: str, elements: Iterable[str]) -> Scorecard:
        """A scorecard with every element of ``elements`` unknown.

        Raises:
            ValidationError: A blank or repeated element name, or no elements.

        >>> Scorecard.of("BANT", ["Budget", "Authority", "Need", "Timing"]).names
        ('Budget', 'Authority', 'Need', 'Timing')
        """
        return cls(framework=framework, elements=[QualificationElement(e) for e in elements])

    @classmethod
    def meddic(cls) -> Scorecard:
        """An empty MEDDIC scorecard (every element unknown)."""
        return cls.of("MEDDIC", MEDDIC)

    @classmethod
    def meddpicc(cls) -> Scorecard:
        """An empty MEDDPICC scorecard (every element unknown)."""
        return cls.of("MEDDPICC", MEDDPICC)

    @property
    def names(self) -> tuple[str, ...]:
        """The element names, in order."""
        return tuple(e.name for e in self.elements)

    def element(self, name: str) -> QualificationElement:
        """The element called ``name``.

        Raises:
            ValidationError: The scorecard has no such element.
        """
        for element in self.elements:
            if element.name == name:
                return element
        known = ", ".join(repr(n) for n in self.names)
        raise ValidationError(
            [Problem(f"no element {name!r}; the elements are {known}", "$.element")],
            subject=f"scorecard {self.framework!r}",
        )

    def status(self, name: str) -> QualificationStatus:
        """The status of element ``name``.

        Raises:
            ValidationError: The scorecard has no such element.
        """
        return self.element(name).status

    def is_validated(self, name: str) -> bool:
        """Whether element ``name`` is validated; ``False`` for an element not on the card."""
        return any(
            e.name == name and e.status is QualificationStatus.VALIDATED for e in self.elements
        )

    def with_status(
        self,
        name: str,
        status: QualificationStatus | str,
        *,
        evidence: str | None = None,
    ) -> Scorecard:
        """A new scorecard with element ``name`` set to ``status`` and ``evidence``.

        Raises:
            ValidationError: No such element, an unknown status, or a
                validated element without evidence.
        """
        old = self.element(name)
        new = QualificationElement(name, status, evidence=evidence)
        return attrs.evolve(self, elements=tuple(new if e is old else e for e in self.elements))

    @property
    def counts(self) -> dict[str, int]:
        """How many elements have each status, by status value."""
        return {
            s.value: sum(1 for e in self.elements if e.status is s) for s in QualificationStatus
        }

    @property
    def validated(self) -> tuple[str, ...]:
        """The validated elements' names, in order."""
        return tuple(e.name for e in self.elements if e.status is QualificationStatus.VALIDATED)

    @property
    def gaps(self) -> tuple[str, ...]:
        """The names of the elements that are not validated yet, in order."""
        return tuple(
            e.name for e in self.elements if e.status is not QualificationStatus.VALIDATED
        )


def check_scorecard(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: a :class:`Scorecard` or ``None``.

    Raises:
        ValidationError: Anything else.
    """
    if value is not None and not isinstance(value, Scorecard):
        raise ValidationError(
            [
                Problem(
                    f"expected a Scorecard or none, got {type(value).__name__}",
                    f"$.{attribute.name}",
                )
            ],
            subject=type(instance).__name__,
        )
