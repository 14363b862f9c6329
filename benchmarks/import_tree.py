"""Importing Salesforce tree-import JSON: the record loop against the columnar reader.

    python benchmarks/import_tree.py [RECORDS ...]

For each size (default 4,000, 40,000 and 400,000 records: Salesforce's tree
export gives at most 2,000 records a query, so the first is a typical file
pair), writes one tree file of accounts (a quarter of the deals' count),
opportunities referring to them (``"AccountId": "@A7"``) and as many history
rows as the size's half, referring to the opportunities. Then times, best of
three in this one process, ``tabulated(read_salesforce_json(...))`` (the loop
and its frames) against ``read_salesforce_json_frames``, after checking that
both give the same refusals and frames.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import salesflow as sf
from salesflow.io import read_salesforce_json, read_salesforce_json_frames
from salesflow.io._columnar import tabulated

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PROCESS = sf.presets.salesforce_standard()
STAGES = PROCESS.stage_names


def tree(records: int) -> str:
    """A tree file of ``records`` records: accounts, opportunities, history rows."""
    half = records // 2
    accounts = max(1, half // 4)
    deals = half - accounts
    rows: list[dict[str, Any]] = [
        {"attributes": {"type": "Account", "referenceId": f"A{i}"}, "Name": f"Account {i}"}
        for i in range(accounts)
    ]
    rows += [
        {
            "attributes": {"type": "Opportunity", "referenceId": f"O{i}"},
            "AccountId": f"@A{i % accounts}",
            "Name": f"Deal {i}",
            "Amount": 1000 + i,
            "CurrencyIsoCode": "USD",
            "CloseDate": "2026-07-01",
            "StageName": STAGES[i % len(STAGES)],
            "CreatedDate": "2026-05-04T09:30:00.000+0000",
        }
        for i in range(deals)
    ]
    rows += [
        {
            "attributes": {"type": "OpportunityHistory", "referenceId": f"H{i}"},
            "OpportunityId": f"@O{i % deals}",
            "StageName": STAGES[0],
            "CreatedDate": f"2026-05-04T09:{i % 60:02d}:00.000+0000",
            "Amount": 1000,
            "CloseDate": "2026-07-01",
        }
        for i in range(records - len(rows))
    ]
    return json.dumps({"records": rows})


def best(call: Any) -> tuple[Any, float]:
    """The result of ``call`` and its best wall time of three."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return result, min(times)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [4_000, 40_000, 400_000]
    read_salesforce_json_frames(io.StringIO(tree(100)), process=PROCESS)  # imports, warm
    for size in sizes:
        text = tree(size)
        loop, loop_s = best(
            lambda t=text: tabulated(
                read_salesforce_json(io.StringIO(t), process=PROCESS), PROCESS
            )
        )
        columns, columns_s = best(
            lambda t=text: read_salesforce_json_frames(io.StringIO(t), process=PROCESS)
        )
        assert sorted(map(str, loop.refused)) == sorted(map(str, columns.refused))
        assert loop.frames.snapshot.equals(columns.frames.snapshot)
        assert loop.frames.history.equals(columns.frames.history)
        print(
            f"{size:>9,} records  loop {loop_s:7.3f} s ({size / loop_s:>9,.0f}/s)  "
            f"columns {columns_s:7.3f} s ({size / columns_s:>9,.0f}/s)  "
            f"{loop_s / columns_s:4.1f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
