"""Risk signals: what an opportunity's initiation and warning signs say about it.

"Bad news early is good news": the signals name what is known to go wrong,
so that a seller can change course, or walk away, before the cost is sunk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from salesflow.buyer.initiation import Initiation, WarningSign

if TYPE_CHECKING:
    from salesflow.buyer.mapping import ProcessMapping
    from salesflow.opportunity import Opportunity

__all__ = ["RiskSignal", "risk_signals"]


@attrs.frozen
class RiskSignal:
    """One risk an opportunity shows, and whether it argues for walking away.

    Attributes:
        code: A stable identifier: a :class:`WarningSign` value, or one of
            ``another_vendor_preferred``, ``walk_away``,
            ``stage_ahead_of_buyer``, ``exit_not_confirmed``.
        message: What it means, in one sentence.
        walk_away: Whether the material advises considering walking away.
    """

    code: str
    message: str
    walk_away: bool = attrs.field(default=False, kw_only=True)


def risk_signals(
    opportunity: Opportunity, *, mapping: ProcessMapping | None = None
) -> tuple[RiskSignal, ...]:
    """The risks an opportunity shows, from its initiation and warning signs.

    - Another vendor preferred: low odds unless the requirements can be reshaped.
    - Every flagged :class:`WarningSign`, with what it usually means.
    - Another vendor's deal (that initiation, an unexpected RFP, or
      requirements written with another vendor) with a strict schedule *and*
      early price demands: a walk-away warning, as the initiation guidance
      says (the buyer wants a price on a schedule that leaves no time to
      reshape requirements it does not share). Either sign alone is only a
      warning.
    - With a ``mapping`` and an open opportunity: two vendors "in negotiation"
      while the stage is in the final phase means the seller is ahead of the
      buyer; and each passed phase whose exit criterion is not confirmed on the
      opportunity is a signal too.

    Args:
        opportunity: The opportunity.
        mapping: Its process's mapping onto a buyer process, if any.

    Returns:
        The signals, most specific last; empty when nothing is wrong.

    >>> import salesflow as sf
    >>> from datetime import date
    >>> opp = sf.presets.liferay_enterprise().open(name="Portal RFP", close_date=date(2027, 6, 30))
    >>> opp.flag_warning("unexpected_rfp")
    >>> opp.flag_warning("early_price_demands")
    >>> [s.code for s in risk_signals(opp) if s.walk_away]
    []
    >>> opp.flag_warning("strict_schedule")
    >>> [s.code for s in risk_signals(opp) if s.walk_away]
    ['walk_away']
    """
    signs = set(opportunity.warning_signs)
    initiation = opportunity.initiation
    signals: list[RiskSignal] = []
    if initiation is Initiation.BUYER_OTHER_VENDOR_PREFERRED:
        signals.append(RiskSignal("another_vendor_preferred", initiation.guidance))
    signals.extend(RiskSignal(sign.value, sign.meaning) for sign in opportunity.warning_signs)
    others_deal = initiation is Initiation.BUYER_OTHER_VENDOR_PREFERRED or bool(
        signs & {WarningSign.UNEXPECTED_RFP, WarningSign.REQUIREMENTS_FROM_ANOTHER_VENDOR}
    )
    walk_signs = {WarningSign.STRICT_SCHEDULE, WarningSign.EARLY_PRICE_DEMANDS}
    if others_deal and walk_signs <= signs:
        signals.append(
            RiskSignal(
                "walk_away",
                "the requirements favour another vendor and the buyer demands a price early "
                "on a strict schedule: consider walking away",
                walk_away=True,
            )
        )
    if mapping is not None and opportunity.is_open:
        signals.extend(_phase_signals(opportunity, mapping, signs))
    return tuple(signals)


def _phase_signals(
    opportunity: Opportunity, mapping: ProcessMapping, signs: set[WarningSign]
) -> list[RiskSignal]:
    phase = mapping.phase_of(opportunity)
    signals: list[RiskSignal] = []
    if WarningSign.TWO_VENDORS_IN_NEGOTIATION in signs and mapping.next_phase(opportunity) is None:
        signals.append(
            RiskSignal(
                "stage_ahead_of_buyer",
                f"the deal is staged in {phase.name!r}, but with two vendors in negotiation "
                "the buyer has probably not reached it",
            )
        )
    for passed in mapping.passed_phases(opportunity):
        criterion = passed.exit_criterion
        if criterion is not None and criterion not in opportunity.confirmed_facts:
            signals.append(
                RiskSignal(
                    "exit_not_confirmed",
                    f"the deal is in {phase.name!r}, but the exit of {passed.name!r} is not "
                    f"confirmed: {criterion!r}",
                )
            )
    return signals
