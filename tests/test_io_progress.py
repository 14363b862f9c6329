"""A long read tells a listener (the CLI's progress display) how far it has come."""

from __future__ import annotations

from pathlib import Path

import salesflow as sf
from salesflow.io import read_csv
from salesflow.io._progress import EVERY, reading


def _export(path: Path, rows: int) -> Path:
    lines = ["id,name,stage,amount,currency,close_date"]
    lines += [f"D{i},Deal {i},Prospecting,100,USD,2026-03-31" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reading_and_building_are_told_every_few_thousand_records(tmp_path: Path) -> None:
    rows = 2 * EVERY + 123
    path = _export(tmp_path / "deals.csv", rows)
    seen: list[tuple[str, int, int]] = []
    with reading(lambda name, done, total: seen.append((name, done, total))):
        result = read_csv(path, process=sf.presets.salesforce_standard())
    assert len(result.opportunities) == rows
    read = [(done, total) for name, done, total in seen if name == str(path)]
    assert read[0] == (0, rows)
    assert read[-1] == (rows, rows)
    assert [d for d, _ in read[1:-1]] == [EVERY, 2 * EVERY]
    built = [(done, total) for name, done, total in seen if name == "building opportunities"]
    assert built[0] == (0, rows) and built[-1] == (rows, rows)
    assert all(done <= total for _, done, total in seen)


def test_without_a_listener_nothing_is_told_and_nothing_changes(tmp_path: Path) -> None:
    path = _export(tmp_path / "deals.csv", 10)
    assert len(read_csv(path, process=sf.presets.salesforce_standard()).opportunities) == 10


def test_a_history_read_beside_the_deals_tells_the_same_listener(tmp_path: Path) -> None:
    from salesflow.io import read_salesforce_frames

    deals = tmp_path / "Opportunity.csv"
    deals.write_text("Id,StageName,CloseDate\n006A,Prospecting,2026-03-31\n", encoding="utf-8")
    history = tmp_path / "OpportunityHistory.csv"
    rows = EVERY + 5  # a stray quote: the exact reader, which tells, reads it
    lines = ['OpportunityId,StageName,CreatedDate\n006A,Pros"pecting,2026-01-01T00:00:00Z']
    lines += ["006A,Prospecting,2026-01-01T00:00:00Z"] * (rows - 1)
    history.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen: list[tuple[str, int, int]] = []
    with reading(lambda name, done, total: seen.append((name, done, total))):
        result = read_salesforce_frames(
            deals, history=history, process=sf.presets.salesforce_standard()
        )
    assert result.read == {"OpportunityHistory": rows, "Opportunity": 1}
    told = [(done, total) for name, done, total in seen if name == str(history)]
    assert told[0] == (0, rows) and told[-1] == (rows, rows)
