"""Open an opportunity, give it contacts, change it, and save it as JSON.

Run: python examples/quickstart.py
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import salesflow as sf


def main() -> None:
    process = sf.presets.salesforce_standard()
    account = sf.Account(name="Get Cloudy West")
    lars = sf.Contact(name="Lars Johnson", account_id=account.id)

    day = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    opp = process.open(
        name="Get Cloudy West - 35 Custom Sneakers",
        account_id=account.id,
        amount=sf.Money("4200.00", "USD"),
        close_date=date(2026, 12, 15),
        stage="Needs Analysis",
        at=day,
    )
    opp.add_contact_role(lars.id, role=sf.Role.DECISION_MAKER, primary=True)
    opp.set_probability(35, at=day.replace(day=5), by="rep-7")
    opp.change_close_date(date(2027, 1, 15), at=day.replace(day=9), by="rep-7")

    print(opp)
    print(f"expected revenue {opp.expected_revenue}, pushed {opp.push_count}x")
    text = sf.dumps(opp)
    assert sf.loads(text, sf.Opportunity) == opp
    print(f"{len(text)} characters of JSON, {len(opp.history)} history entries")


if __name__ == "__main__":
    main()
