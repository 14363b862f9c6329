"""The buyer's side of an enterprise deal: buying phases, concerns, gates, a walk-away.

One deal goes through Liferay's three buying phases (Solution Development,
Evaluation, Commitment) on a seller process whose gates require each phase's
exit criterion; the buyer's dominant concern shifts from needs to proof to
risk. A second deal, an unexpected RFP with early price demands, is assessed
and walked away from early: "bad news early is good news".

Run: python examples/buyer_seller.py
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import salesflow as sf

EUR = "EUR"
START = datetime(2026, 1, 12, 9, tzinfo=timezone.utc)


def week(n: int) -> datetime:
    return START + timedelta(weeks=n)


def effort(person: str, role: str, hours: str, rate: str, travel: str = "0") -> sf.Effort:
    return sf.Effort(person, hours, sf.Money(rate, EUR), role=role, travel=sf.Money(travel, EUR))


def show(mapping: sf.ProcessMapping, opp: sf.Opportunity) -> None:
    phase = mapping.phase_of(opp)
    now, later = mapping.dominant_concern(opp), mapping.next_concern(opp)
    shift = f"{now} now, {later} next" if later else f"{now} now"
    print(f"  {opp.stage:<30} {phase.name:<22} {int(opp.probability):>3} %   concern: {shift}")


def confirm_exit(mapping: sf.ProcessMapping, opp: sf.Opportunity) -> None:
    """The buyer met the exit criterion of its current phase."""
    criterion = mapping.exit_criterion(opp)
    if criterion is not None:
        opp.confirm_fact(criterion)


def advance(
    process: sf.SalesProcess,
    mapping: sf.ProcessMapping,
    opp: sf.Opportunity,
    stage: str,
    at: datetime,
) -> None:
    process.move(opp, stage, at=at, by="ae-anna")
    show(mapping, opp)


def won_deal(process: sf.SalesProcess, mapping: sf.ProcessMapping) -> None:
    print("Deal 1: seller-initiated portal for a bank (150,000 EUR a year)")
    opp = process.open(
        name="Northwind Bank - customer portal",
        amount=sf.Money("150000", EUR),
        close_date=date(2026, 11, 30),
        at=START,
        by="ae-anna",
    )
    opp.record_initiation(sf.Initiation.SELLER_INITIATED)
    opp.set_qualification(sf.Scorecard.meddpicc())
    print(f"  guidance: {sf.Initiation.SELLER_INITIATED.guidance}")
    show(mapping, opp)

    advance(process, mapping, opp, "Goal Confirmation", week(2))
    refused = process.check_move(opp, "Solution Development")
    print(f"  refused: {refused[0]}")
    for fact in process.stage("Solution Development").gate.confirmed:
        opp.confirm_fact(fact)  # the goal is shared and confirmed solvable
    opp.qualify("Identify pain", "validated", evidence="call-centre cost up 30 % a year")
    opp.record_effort(effort("Anna", "account executive", "24", "110"))
    advance(process, mapping, opp, "Solution Development", week(6))
    opp.record_effort(effort("Sam", "sales engineer", "40", "95", travel="1200"))
    advance(process, mapping, opp, "Establishing Business Value", week(14))

    # Leaving Solution Development needs its exit criterion and a validated champion.
    print("  needed for Evaluation:", "; ".join(process.check_move(opp, "Proving Business Value")))
    confirm_exit(mapping, opp)
    opp.qualify("Champion", "validated", evidence="the COO sponsored the proof of concept")
    opp.record_effort(effort("Kim", "architect", "60", "120", travel="2400"))
    advance(process, mapping, opp, "Proving Business Value", week(26))
    advance(process, mapping, opp, "Confirming Value and Process", week(30))
    confirm_exit(mapping, opp)
    opp.record_effort(effort("Lee", "legal counsel", "16", "180"))
    advance(process, mapping, opp, "Negotiation", week(34))
    assessment = sf.assess_pursuit(opp, mapping=mapping)
    print(
        f"  spent {assessment.cost_to_date}, still to spend ~{assessment.remaining_cost}, "
        f"expected value {assessment.expected_value}: walk away? {assessment.walk_away}"
    )
    advance(process, mapping, opp, "Contracts", week(38))
    confirm_exit(mapping, opp)
    advance(process, mapping, opp, "Closed Won", week(42))
    print()


def walked_away(process: sf.SalesProcess, mapping: sf.ProcessMapping) -> None:
    print("Deal 2: an unexpected RFP from an insurer")
    opp = process.open(
        name="Contoso Insurance - portal RFP",
        amount=sf.Money("150000", EUR),
        close_date=date(2026, 4, 30),
        stage="Goal Confirmation",
        at=START,
        by="ae-anna",
    )
    opp.record_initiation("buyer_other_vendor_preferred")
    print(f"  guidance: {sf.Initiation.BUYER_OTHER_VENDOR_PREFERRED.guidance}")
    opp.record_effort(effort("Anna", "account executive", "30", "110"))
    opp.record_effort(effort("Sam", "sales engineer", "50", "95", travel="900"))
    for sign in (
        sf.WarningSign.UNEXPECTED_RFP,
        sf.WarningSign.STRICT_SCHEDULE,
        sf.WarningSign.EARLY_PRICE_DEMANDS,
    ):
        opp.flag_warning(sign)
    show(mapping, opp)
    assessment = sf.assess_pursuit(opp, mapping=mapping)
    print(
        f"  spent {assessment.cost_to_date}, still to spend ~{assessment.remaining_cost}, "
        f"expected value {assessment.expected_value}"
    )
    for reason in assessment.reasons:
        print(f"  walk away: {reason}")
    if assessment.walk_away:
        process.move(opp, "Walked Away", at=week(3), by="ae-anna")
        print(
            f"  -> {opp.stage} in {mapping.phase_of(opp).name}, "
            f"saving ~{assessment.remaining_cost} for deals that can be won"
        )


def main() -> None:
    mapping = sf.presets.liferay_mapping()
    process = mapping.with_exit_gates(qualified={"Evaluation": ["Champion", "Identify pain"]})
    won_deal(process, mapping)
    walked_away(process, mapping)


if __name__ == "__main__":
    main()
