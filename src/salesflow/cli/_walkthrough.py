"""One deal walked through its life: the audit trail the first ``salesflow demo`` showed."""

from __future__ import annotations

from datetime import date, datetime, timezone

import salesflow as sf

__all__ = ["walkthrough"]


def _describe(opp: sf.Opportunity) -> str:
    lines = [
        f"Opportunity  {opp.name}",
        f"  stage        {opp.stage}  ({opp.forecast_category.value}"
        f"{', closed' if opp.is_closed else ''}{', won' if opp.is_won else ''})",
        f"  amount       {opp.amount if opp.amount is not None else '-'}",
        f"  probability  {opp.probability} %  ({opp.probability_source.value})",
        f"  expected     {opp.expected_revenue if opp.expected_revenue is not None else '-'}",
        f"  close date   {opp.close_date.isoformat()}  (pushed {opp.push_count}x)",
        "  contacts",
    ]
    for role in opp.contact_roles:
        star = " (primary)" if role.primary else ""
        lines.append(f"    {role.contact_id}  {role.label}{star}")
    lines.append("  history")
    for entry in opp.history:
        amount = entry.amount if entry.amount is not None else "-"
        lines.append(
            f"    {entry.at:%Y-%m-%d %H:%M}  {entry.stage:<22} {entry.probability:>5} %  "
            f"{amount}  close {entry.close_date.isoformat()}"
        )
    return "\n".join(lines)


def walkthrough() -> str:
    """Walk the quick-start scenario and return what it prints."""
    process = sf.presets.salesforce_standard()
    start = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    account = sf.Account(name="Get Cloudy West")
    lars = sf.Contact(name="Lars Johnson", account_id=account.id, id=sf.ContactId("lars"))
    aparna = sf.Contact(name="Aparna", account_id=account.id, id=sf.ContactId("aparna"))
    opp = process.open(
        name="Get Cloudy West - 35 Custom Sneakers",
        account_id=account.id,
        amount=sf.Money("4200.00", "USD"),
        close_date=date(2026, 12, 15),
        stage="Needs Analysis",
        at=start,
        by="rep-7",
    )
    opp.add_contact_role(lars.id, role=sf.Role.DECISION_MAKER, primary=True)
    opp.add_contact_role(aparna.id, role=sf.Role.INFLUENCER)
    opp.set_probability(35, at=start.replace(day=5), by="rep-7")
    opp.change_amount(sf.Money("5100.00", "USD"), at=start.replace(day=9), by="rep-7")
    opp.change_close_date(date(2027, 1, 20), at=start.replace(day=16), by="rep-7")
    process.move(opp, "Proposal/Price Quote", at=start.replace(day=23), by="rep-7")
    refused = process.check_move(opp, "Prospecting")
    process.move(opp, "Negotiation/Review", at=start.replace(day=30), by="rep-7")
    process.move(opp, "Closed Won", at=datetime(2027, 1, 18, 15, tzinfo=timezone.utc), by="rep-7")
    after_close = process.check_move(opp, "Prospecting")
    mapping = sf.presets.salesforce_liferay_mapping()
    buyer = []
    for name in ("Needs Analysis", "Proposal/Price Quote", "Negotiation/Review"):
        phase = mapping.phase_of(name)
        concern = phase.dominant_concern.value if phase.dominant_concern else "-"
        buyer.append(f"  {name:<22} buyer in {phase.name:<22} concerned most with {concern}")
    out = [
        f"Process: {process.name} ({len(process.stages)} stages)",
        "",
        _describe(opp),
        "",
        f"Moving back to Prospecting from Proposal/Price Quote: {refused if refused else 'allowed'}",
        f"Moving back to Prospecting after the win: refused, {after_close[0]}",
        "",
        "The buyer's side (salesflow's mapping of Salesforce stages to Liferay's buying phases):",
        *buyer,
        "",
        "Round trip through JSON: "
        + ("equal" if sf.loads(sf.dumps(opp), sf.Opportunity) == opp else "DIFFERENT"),
    ]
    return "\n".join(out)
