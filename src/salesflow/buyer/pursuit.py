"""Pursuit economics: is a deal still worth its remaining cost?

Finishing second costs almost as much as winning, and "in every deal there are
two winners: the one awarded the deal and the one who walked away first". The
cost already spent is sunk, so the decision weighs only what is still to come:
expected value = probability × amount − remaining cost.
"""

from __future__ import annotations

from decimal import Context, Decimal, localcontext
from typing import TYPE_CHECKING

import attrs

from salesflow.buyer.effort import Effort
from salesflow.buyer.fit import FitAssessment
from salesflow.buyer.signal import RiskSignal, risk_signals
from salesflow.errors import CurrencyMismatchError, Problem, ValidationError
from salesflow.money import MAX_MAGNITUDE, MAX_PLACES, Money

if TYPE_CHECKING:
    from salesflow.buyer.mapping import ProcessMapping
    from salesflow.opportunity import Opportunity

__all__ = ["PursuitAssessment", "assess_pursuit"]


@attrs.frozen(kw_only=True)
class PursuitAssessment:
    """What pursuing a deal has cost, will cost, is worth, and whether to walk away.

    Attributes:
        cost_to_date: The recorded effort's cost, or ``None`` if none is recorded.
        remaining_cost: The estimated cost still to come, or ``None`` when it
            cannot be estimated.
        expected_value: ``amount × probability / 100 − remaining_cost``, or
            ``None`` without an amount or a remaining cost.
        signals: The opportunity's risk signals.
        walk_away: Whether walking away should be considered now.
        reasons: Why, one sentence each (empty when ``walk_away`` is false).
        fit: The deal's fit assessment, when one was given.
    """

    cost_to_date: Money | None
    remaining_cost: Money | None
    expected_value: Money | None
    signals: tuple[RiskSignal, ...]
    walk_away: bool
    reasons: tuple[str, ...]
    fit: FitAssessment | None = None


def _estimate(cost: Money, progress: Decimal) -> Money:
    """Extrapolate ``cost`` over the journey still ahead, at the same rate."""
    places = Decimal(1).scaleb(min(cost.amount.as_tuple().exponent, 0))  # type: ignore[arg-type]
    # An estimate, rounded on purpose to the cost's places, with room for any amount.
    with localcontext(Context(prec=4 * (MAX_MAGNITUDE + MAX_PLACES))):
        remaining = (cost.amount * (1 - progress) / progress).quantize(places)
    return Money(remaining, cost.currency)


def assess_pursuit(
    opportunity: Opportunity,
    *,
    mapping: ProcessMapping | None = None,
    remaining_cost: Money | None = None,
    warning_limit: int = 3,
    fit: FitAssessment | None = None,
    fit_floor: float = 0.25,
) -> PursuitAssessment:
    """Weigh a deal's expected value against its remaining cost and its risks.

    The remaining cost is ``remaining_cost`` when given; otherwise, with a
    ``mapping``, the cost to date extrapolated at the same rate over the
    buying journey still ahead (:meth:`ProcessMapping.progress`, weighted by
    the phases' relative durations): ``cost × (1 − progress) / progress``.
    Without either (or with no effort recorded, or no progress yet) it is
    ``None``. Closed deals have nothing left to spend.

    Walking away is advised when the expected value is negative, when a
    signal says so (another vendor's deal with a strict schedule and early
    price demands), or when ``warning_limit`` or more warning signs are
    flagged. The last rule, and its default of three, are salesflow's
    judgement, not the material's: it names the signs but sets no count. A
    closed deal is never advised to walk away.

    A ``fit`` (:func:`~salesflow.buyer.assess_fit`) informs the decision, not
    the expected value: a fit score below ``fit_floor`` is one more reason to
    consider walking away ("focus on your strengths"). The probability is
    left as it is: on synthetic data with a known fit effect, the deal score
    learns how much fit moves the odds (``fit_deal_score(..., fit=...)``);
    counting it here as well would count it twice. The floor, 0.25 (the
    ``weak`` grade), is salesflow's judgement.

    Args:
        opportunity: The deal.
        mapping: Its process's mapping onto a buyer process.
        remaining_cost: An explicit estimate of the cost still to come.
        warning_limit: How many flagged warning signs are too many
            (salesflow's judgement; the default is 3).
        fit: The deal's fit to the seller's strengths.
        fit_floor: A fit score below it argues for walking away (0..1;
            salesflow's judgement, default 0.25).

    Returns:
        The assessment.

    Raises:
        CurrencyMismatchError: Costs and the amount are in different currencies.
        ValidationError: A negative ``remaining_cost``, a ``warning_limit``
            below 1, a ``fit`` that is not a FitAssessment or a ``fit_floor``
            outside 0..1.

    >>> import salesflow as sf
    >>> from datetime import date
    >>> mapping = sf.presets.liferay_mapping()
    >>> opp = mapping.seller_process.open(name="Portal", close_date=date(2027, 6, 30),
    ...     amount=sf.Money("150000", "EUR"), stage="Proving Business Value")
    >>> opp.record_effort(sf.buyer.Effort("Ana", "40", sf.Money("150.00", "EUR")))
    >>> a = assess_pursuit(opp, mapping=mapping)
    >>> a.cost_to_date, a.remaining_cost, a.expected_value, a.walk_away
    (Money('6000.00', 'EUR'), Money('3230.77', 'EUR'), Money('71769.23', 'EUR'), False)
    """
    if isinstance(warning_limit, bool) or not isinstance(warning_limit, int) or warning_limit < 1:
        raise ValidationError(
            [Problem(f"expected a whole number >= 1, got {warning_limit!r}", "$.warning_limit")],
            subject="pursuit assessment",
        )
    if remaining_cost is not None and (
        not isinstance(remaining_cost, Money) or remaining_cost.amount < 0
    ):
        raise ValidationError(
            [Problem(f"expected Money >= 0, got {remaining_cost!r}", "$.remaining_cost")],
            subject="pursuit assessment",
        )
    if fit is not None and not isinstance(fit, FitAssessment):
        raise ValidationError(
            [Problem(f"expected a FitAssessment, got {type(fit).__name__}", "$.fit")],
            subject="pursuit assessment",
        )
    if (
        isinstance(fit_floor, bool)
        or not isinstance(fit_floor, (int, float))
        or not 0 <= fit_floor <= 1
    ):
        raise ValidationError(
            [Problem(f"expected a score in 0..1, got {fit_floor!r}", "$.fit_floor")],
            subject="pursuit assessment",
        )
    cost = Effort.total(opportunity.pursuit)
    amount = opportunity.amount
    for other in (remaining_cost, amount):
        if cost is not None and other is not None and other.currency != cost.currency:
            raise CurrencyMismatchError(cost.currency, other.currency, "compare")
    remaining = remaining_cost
    if remaining is None and opportunity.is_closed:
        currency = cost.currency if cost is not None else amount.currency if amount else None
        remaining = None if currency is None else Money.zero(currency)
    elif remaining is None and cost is not None and mapping is not None:
        progress = mapping.progress(opportunity)
        remaining = _estimate(cost, progress) if progress > 0 else None
    value = None
    if amount is not None and remaining is not None:
        value = amount * opportunity.probability / 100 - remaining
    signals = risk_signals(opportunity, mapping=mapping)
    reasons: list[str] = []
    if opportunity.is_open:
        if value is not None and value.amount < 0:
            reasons.append(
                f"the expected value {value} is negative: the remaining cost exceeds "
                "probability × amount"
            )
        reasons.extend(s.message for s in signals if s.walk_away)
        count = len(opportunity.warning_signs)
        if count >= warning_limit:
            reasons.append(
                f"{count} warning signs are flagged ({warning_limit} or more is too many: "
                "salesflow's judgement, not the material's)"
            )
        if fit is not None and fit.score < fit_floor:
            reasons.append(
                f"the fit to {fit.profile} is {fit.grade} ({fit.score:.0%}, below "
                f"{fit_floor:.0%}): the deal is far from the seller's strengths"
            )
    return PursuitAssessment(
        cost_to_date=cost,
        remaining_cost=remaining,
        expected_value=value,
        signals=signals,
        walk_away=bool(reasons),
        reasons=tuple(reasons),
        fit=fit,
    )
