"""The buyer's side of an opportunity: initiation, warning signs, qualification, pursuit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from salesflow._locks import locked
from salesflow.buyer.effort import Effort
from salesflow.buyer.initiation import Initiation, WarningSign, to_initiation, to_warning_signs
from salesflow.buyer.qualification import QualificationStatus, Scorecard
from salesflow.errors import CurrencyMismatchError, Problem, ValidationError
from salesflow.money import Money

if TYPE_CHECKING:
    from salesflow.ids import OpportunityId

__all__ = ["BuyerSide"]

_set = object.__setattr__


class BuyerSide:
    """What an opportunity records of the buyer's side, and the verbs that change it.

    A mixin of :class:`~salesflow.Opportunity`.
    """

    __slots__ = ()

    if TYPE_CHECKING:
        id: OpportunityId
        initiation: Initiation | None
        warning_signs: tuple[WarningSign, ...]
        qualification: Scorecard | None
        pursuit: tuple[Effort, ...]

    @locked
    def record_initiation(self, initiation: Initiation | str | None) -> None:
        """Record who started the buying (``None`` clears it).

        Args:
            initiation: An :class:`~salesflow.buyer.Initiation` or its value,
                e.g. ``"buyer_other_vendor_preferred"``.

        Raises:
            ValidationError: ``initiation`` names no initiation.
        """
        _set(self, "initiation", to_initiation(initiation))

    @locked
    def flag_warning(self, sign: WarningSign | str) -> None:
        """Record an observed warning sign; flagging one twice is harmless.

        Raises:
            ValidationError: ``sign`` names no :class:`~salesflow.buyer.WarningSign`.
        """
        (flagged,) = to_warning_signs((sign,))
        if flagged not in self.warning_signs:
            _set(self, "warning_signs", (*self.warning_signs, flagged))

    def clear_warning(self, sign: WarningSign | str) -> None:
        """Withdraw a warning sign that no longer holds.

        Raises:
            ValidationError: ``sign`` is unknown or not flagged.
        """
        (flagged,) = to_warning_signs((sign,))
        if flagged not in self.warning_signs:
            raise ValidationError(
                [Problem(f"{flagged.value!r} is not flagged", "$.sign")],
                subject=f"opportunity {self.id}",
            )
        _set(self, "warning_signs", tuple(s for s in self.warning_signs if s is not flagged))

    @locked
    def set_qualification(self, scorecard: Scorecard | None) -> None:
        """Attach a qualification scorecard (``None`` removes it).

        Raises:
            ValidationError: ``scorecard`` is not a :class:`~salesflow.buyer.Scorecard`.
        """
        if scorecard is not None and not isinstance(scorecard, Scorecard):
            raise ValidationError(
                [
                    Problem(
                        f"expected a Scorecard or none, got {type(scorecard).__name__}",
                        "$.qualification",
                    )
                ],
                subject=f"opportunity {self.id}",
            )
        _set(self, "qualification", scorecard)

    @locked
    def qualify(
        self,
        element: str,
        status: QualificationStatus | str,
        *,
        evidence: str | None = None,
    ) -> Scorecard:
        """Set one element of the scorecard, e.g. ``qualify("Champion", "validated", evidence=...)``.

        Returns:
            The new scorecard (also on ``qualification``).

        Raises:
            ValidationError: No scorecard is attached, the element or status is
                unknown, or a validated element lacks evidence.
        """
        if self.qualification is None:
            raise ValidationError(
                [Problem("no scorecard is attached; call set_qualification() first", "$")],
                subject=f"opportunity {self.id}",
            )
        scorecard = self.qualification.with_status(element, status, evidence=evidence)
        _set(self, "qualification", scorecard)
        return scorecard

    @locked
    def record_effort(self, effort: Effort) -> None:
        """Record effort spent pursuing the deal (people's time, travel).

        Raises:
            ValidationError: ``effort`` is not an :class:`~salesflow.buyer.Effort`.
            CurrencyMismatchError: It is in another currency than the effort
                already recorded.
        """
        if not isinstance(effort, Effort):
            raise ValidationError(
                [Problem(f"expected an Effort, got {type(effort).__name__}", "$.effort")],
                subject=f"opportunity {self.id}",
            )
        if self.pursuit and effort.currency != self.pursuit[0].currency:
            raise CurrencyMismatchError(self.pursuit[0].currency, effort.currency, "add")
        _set(self, "pursuit", (*self.pursuit, effort))

    @property
    def pursuit_cost(self) -> Money | None:
        """The cost of the recorded pursuit effort, or ``None`` if none is recorded."""
        return Effort.total(self.pursuit)
