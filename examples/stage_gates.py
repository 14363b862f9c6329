"""A gated process: no Proposal/Price Quote without an amount and a primary contact.

Shows rules and gates written as data (a process file), a custom check registered
in code, a refused move with every unmet requirement, and a Mermaid diagram.

Run: python examples/stage_gates.py
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

import salesflow as sf

PROCESS_FILE = """
name: Gated enterprise
settings:
  policy: forward_only
  allow_skip: false
stages:
  - {name: Prospecting, probability: 10}
  - {name: Needs Analysis, probability: 20, rot_days: 30}
  - name: Proposal/Price Quote
    probability: 75
    gate:
      required_fields: [amount]
      primary_contact: true
      roles: [Economic Buyer]
      checks: [discount approved]
  - {name: Negotiation/Review, probability: 90}
  - {name: Closed Won, probability: 100, is_closed: true, is_won: true}
  - {name: Closed Lost, probability: 0, is_closed: true}
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gated.yaml"
        path.write_text(PROCESS_FILE, encoding="utf-8")
        process = sf.SalesProcess.from_file(path)

    # The file names the check; code supplies it. Nothing from the file is evaluated.
    process.register_check(
        "discount approved",
        lambda opp: (
            None if "discount approved" in opp.confirmed_facts else "the discount is not approved"
        ),
    )

    t = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    opp = process.open(name="Acme - 200 seats", close_date=date(2027, 2, 26), at=t)
    process.move(opp, "Needs Analysis", at=t)

    try:
        process.move(opp, "Proposal/Price Quote", at=t)
    except sf.StageGateError as exc:
        print(exc)

    opp.change_amount(sf.Money("84000.00", "EUR"), at=t)
    opp.add_contact_role("cfo", role=sf.Role.ECONOMIC_BUYER, primary=True)
    opp.confirm_fact("discount approved")
    print("now allowed:", process.allowed_moves(opp))
    process.move(opp, "Proposal/Price Quote", at=t, by="rep-7")
    print(f"{opp.stage}: {opp.probability} %, expected {opp.expected_revenue}")
    print()
    print(process.to_mermaid())


if __name__ == "__main__":
    main()
