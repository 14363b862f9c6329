"""Benchmark: bulk replay vs python-statemachine machines vs a bare legality loop.

Generates 100,000 opportunities and 1,000,000 stage changes on the Salesforce
standard preset, then measures, each part in a fresh subprocess so peak memory
is its own:

- ``replay``: ``process.replay(moves)``, full history kept;
- ``machine``: one python-statemachine machine per opportunity on a 1/100 sample
  (instance creation included, and also reported apart);
- ``bare``: a dictionary loop over the same moves that only checks legality
  against the compiled table (the floor).

Run: ``python benchmarks/replay.py`` (about a minute on 2 cores); ``--small``
runs a 1/10 scale for a quick look. Figures go in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from typing import Any

import salesflow as sf

PROCESS = sf.presets.salesforce_standard()
OPEN = [s.name for s in PROCESS.open_stages]
AMOUNTS = [sf.Money(f"{n}000.00", "USD") for n in range(1, 50)]


def generate(opportunities: int, per_opportunity: int, seed: int = 7) -> list[sf.Move]:
    """Moves for ``opportunities`` deals, ``per_opportunity`` each, interleaved by time.

    Each deal opens in Prospecting, wanders mostly forward (sometimes back,
    sometimes changing amount or close date), and closes won or lost; about 1 %
    of the moves come after the close and are refused.
    """
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    moves: list[sf.Move] = []
    for n in range(opportunities):
        oid = sf.OpportunityId(f"opp-{n:06d}")
        at = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
        close = date(2026, rng.randrange(1, 13), 1)
        moves.append(sf.Move(oid, at, OPEN[0], amount=rng.choice(AMOUNTS), close_date=close))
        position = 0
        for k in range(1, per_opportunity):
            at = at + timedelta(hours=rng.randrange(1, 400))
            if k == per_opportunity - 1 or (k == per_opportunity - 2 and rng.random() < 0.1):
                target = "Closed Won" if rng.random() < 0.3 else "Closed Lost"
            else:
                step = rng.choice((-1, 1, 1, 1, 2))
                moved = max(0, min(len(OPEN) - 1, position + step))
                position = moved if moved != position else position + (1 if position == 0 else -1)
                target = OPEN[position]
            extra: dict[str, Any] = {}
            roll = rng.random()
            if roll < 0.15:
                extra["amount"] = rng.choice(AMOUNTS)
            elif roll < 0.25:
                close = date(close.year + (close.month == 12), close.month % 12 + 1, 1)
                extra["close_date"] = close
            moves.append(sf.Move(oid, at, target, by="rep", **extra))
    moves.sort(key=lambda m: m.at)
    return moves


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_replay(moves: list[sf.Move]) -> dict[str, Any]:
    before = _peak_mb()
    t0 = time.perf_counter()
    result = PROCESS.replay(moves)
    seconds = time.perf_counter() - t0
    entries = sum(len(o.history) for o in result.opportunities.values())
    return {
        "seconds": seconds,
        "events": len(moves),
        "applied": result.applied,
        "refused": len(result.refused),
        "history_entries": entries,
        "peak_mb": _peak_mb(),
        "peak_mb_before": before,
    }


def run_bare(moves: list[sf.Move]) -> dict[str, Any]:
    table = PROCESS.transition_table
    index, allowed = table.index, table.allowed
    t0 = time.perf_counter()
    state: dict[str, int] = {}
    refused = 0
    for mv in moves:
        target = index[mv.to_stage]
        source = state.get(mv.opportunity_id)
        if source is None or target in allowed[source]:
            state[mv.opportunity_id] = target
        else:
            refused += 1
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "events": len(moves), "refused": refused, "peak_mb": _peak_mb()}


def run_machine(moves: list[sf.Move]) -> dict[str, Any]:
    machines: dict[str, sf.OpportunityMachine] = {}
    create = 0.0
    t0 = time.perf_counter()
    refused = 0
    for mv in moves:
        sm = machines.get(mv.opportunity_id)
        if sm is None:
            c0 = time.perf_counter()
            opp = PROCESS.open(
                name=mv.opportunity_id,
                id=mv.opportunity_id,
                close_date=mv.close_date or date(2026, 1, 1),
                stage=mv.to_stage,
                amount=mv.amount,
                at=mv.at,
            )
            machines[mv.opportunity_id] = PROCESS.machine(opp)
            create += time.perf_counter() - c0
            continue
        try:
            sm.move_to(mv.to_stage, at=mv.at, by=mv.by, amount=mv.amount, close_date=mv.close_date)
        except sf.StageTransitionError:
            refused += 1
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "events": len(moves),
        "instances": len(machines),
        "instance_seconds": create,
        "refused": refused,
        "peak_mb": _peak_mb(),
    }


def child(part: str, opportunities: int, per: int) -> None:
    if part == "machine":
        opportunities //= 100
    moves = generate(opportunities, per)
    runner = {"replay": run_replay, "bare": run_bare, "machine": run_machine}[part]
    print(json.dumps(runner(moves)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="1/10 scale")
    parser.add_argument("--part", choices=["replay", "bare", "machine"], help=argparse.SUPPRESS)
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--per", type=int, default=10, help="moves per opportunity")
    args = parser.parse_args()
    opportunities = args.opportunities // (10 if args.small else 1)
    if args.part:
        child(args.part, opportunities, args.per)
        return
    results: dict[str, dict[str, Any]] = {}
    for part in ("bare", "replay", "machine"):
        cmd = [
            sys.executable,
            __file__,
            "--part",
            part,
            "--opportunities",
            str(opportunities),
            "--per",
            str(args.per),
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        results[part] = json.loads(out)
    per_event = {k: v["seconds"] / v["events"] * 1e6 for k, v in results.items()}
    machine_events = results["machine"]["events"] - results["machine"]["instances"]
    machine_send = (
        (results["machine"]["seconds"] - results["machine"]["instance_seconds"])
        / machine_events
        * 1e6
    )
    print(
        f"python {sys.version.split()[0]}, salesflow {sf.__version__}, {opportunities:,} opportunities"
    )
    for part, r in results.items():
        print(
            f"{part:8} {r['events']:>9,} events  {r['seconds']:8.2f} s  {per_event[part]:8.2f} µs/event  "
            f"{r['events'] / r['seconds']:>12,.0f} events/s  peak {r['peak_mb']:7.1f} MB"
        )
    r = results["replay"]
    print(
        f"replay: {r['applied']:,} applied, {r['refused']:,} refused, {r['history_entries']:,} history entries; "
        f"input alone peaked at {r['peak_mb_before']:.1f} MB"
    )
    m = results["machine"]
    print(
        f"machine: {m['instance_seconds'] / m['instances'] * 1e6:.0f} µs per instance, {machine_send:.1f} µs per event sent"
    )
    print(f"replay µs per move      {per_event['replay']:6.2f}   (target <= 2.5, issue 17)")
    print(
        f"replay / bare loop      {per_event['replay'] / per_event['bare']:6.1f}x  (target <= 6x)"
    )
    print(
        f"machine / replay        {per_event['machine'] / per_event['replay']:6.1f}x  (target >= 100x)"
    )


if __name__ == "__main__":
    main()
