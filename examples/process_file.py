"""Define a sales process in a file, check it, and run a deal through it.

Run: python examples/process_file.py [FILE]

Reads ``docs/processes/enterprise.yaml`` (a commented file using every key) unless
another file is given, registers the custom check the file names, opens a deal,
meets the gates one by one, and shows what a refused move says. Every problem in
a file is reported at once, each with its path: the end of the script reads a
broken copy to show it.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timezone
from pathlib import Path

import salesflow as sf

DEFAULT = Path(__file__).resolve().parent.parent / "docs" / "processes" / "enterprise.yaml"


def main(argv: list[str]) -> int:
    """Load the file, move a deal through its gates; 1 if the file is invalid."""
    path = Path(argv[0]) if argv else DEFAULT
    try:
        process = sf.SalesProcess.from_file(path)
    except sf.SalesflowError as exc:
        print(exc)
        return 1
    print(process)
    # The file names a check ("discount approved"); its logic lives in code.
    process.register_check(
        "discount approved", lambda opp: None if opp.next_step else "no approved discount yet"
    )
    t = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    opp = process.open(name="Initech - platform", close_date=date(2027, 3, 31), at=t, owner="ana")
    print("to Solution Design:", process.check_move(opp, "Solution Design"))
    opp.next_step = "Workshop with IT"
    opp.change_amount(sf.Money("80000", "EUR"), at=t)
    opp.add_contact_role("c-1", role=sf.Role.ECONOMIC_BUYER, primary=True)
    process.move(opp, "Solution Design", at=t)
    print("to Proposal:", process.check_move(opp, "Proposal"))
    opp.add_contact_role("c-2", role="Champion")
    opp.confirm_fact("requirements are clear and the budget is known")
    process.move(opp, "Proposal", at=t)
    process.move(opp, "Won", at=t)
    print(
        f"{opp.name}: {opp.stage}, closed on {opp.closed_on}, {len(opp.history)} history entries"
    )

    broken = path.read_text(encoding="utf-8").replace("probability: 25", "probability: 125")
    try:
        sf.SalesProcess.from_yaml(broken)
    except sf.SalesflowError as exc:
        print("a broken copy:", str(exc).splitlines()[-1].strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
