"""Embed the stage engine in an application: ask, move, react, store.

The application owns its deals (here a dict standing in for a database); the
engine says which moves are allowed, applies them with history, and listeners
write an outbox of events for the rest of the system.

Run: python examples/embed_engine.py
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import salesflow as sf


class Outbox:
    """Collects one event per move, after the move was made and recorded."""

    def __init__(self, deal_id: str) -> None:
        self.deal_id = deal_id
        self.events: list[tuple[str, str, str]] = []

    def after_transition(self, source: Any, target: Any) -> None:
        self.events.append((self.deal_id, source.value, target.value))


def main() -> None:
    process = sf.presets.hubspot_default(strict=True)
    start = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    store: dict[str, str] = {}  # deal id -> JSON, as a database would hold it

    deal = process.open(name="Initech", id="deal-42", close_date=date(2027, 2, 1), at=start)
    store[deal.id] = sf.dumps(deal)
    print("allowed from the start:", ", ".join(process.allowed_moves(deal)))

    outbox = Outbox(deal.id)
    requests = ["Qualified to buy", "Contract sent", "Presentation scheduled", "Closed Won"]
    for step, wanted in enumerate(requests, start=1):
        deal = sf.loads(store[deal.id], sf.Opportunity)  # load, act, store
        machine = process.machine(deal, listeners=[outbox])
        try:
            machine.move_to(wanted, at=start + timedelta(days=step), by="rep-7")
        except sf.UnknownStageError as exc:
            print(f"refused {wanted!r}: {str(exc).split('?')[0]}?")
            continue
        except sf.StageTransitionError as exc:
            print(f"refused {wanted!r}: {'; '.join(exc.reasons)}")
            continue
        store[deal.id] = sf.dumps(deal)
        print(f"moved to {deal.stage!r} ({deal.probability} %)")

    final = sf.loads(store["deal-42"], sf.Opportunity)
    print("outbox:", outbox.events)
    print("history:", " -> ".join(entry.stage for entry in final.history))


if __name__ == "__main__":
    main()
