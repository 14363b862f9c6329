"""No write can lose a file: the target holds its old content or the new, never a mix."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.cli import main
from salesflow.io import DataSet, read_json, write_csv, write_json, write_jsonl, write_parquet

PROCESS = sf.presets.salesforce_standard()
DEALS = sf.datasets.synthetic(PROCESS, 40, seed=3).opportunities


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("writer", [write_csv, write_jsonl, write_parquet])
def test_a_writer_that_fails_leaves_the_old_file_and_no_temporary_one(
    tmp_path: Path, writer: object
) -> None:
    target = tmp_path / "deals.out"
    target.write_bytes(b"PRECIOUS")
    with pytest.raises(sf.SalesflowError):
        writer(target, [*DEALS, "not a deal"])  # type: ignore[operator]
    assert target.read_bytes() == b"PRECIOUS"
    assert _leftovers(tmp_path) == []


def test_a_json_write_replaces_the_file_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "deals.json"
    target.write_text("PRECIOUS", encoding="utf-8")
    inode = target.stat().st_ino
    write_json(target, DataSet(opportunities=DEALS))
    assert target.stat().st_ino != inode  # a new file renamed over the old, not rewritten
    assert len(read_json(target).opportunities) == len(DEALS)
    assert _leftovers(tmp_path) == []


_WRITER = """
import sys, salesflow as sf
from salesflow.io import DataSet, write_csv, write_json, write_jsonl, write_parquet
process = sf.presets.salesforce_standard()
deals = sf.datasets.synthetic(process, 3000, seed=1).opportunities
kind, target = sys.argv[2], sys.argv[1]
write = {
    "csv": lambda: write_csv(target, deals, table="history"),
    "jsonl": lambda: write_jsonl(target, deals, table="history"),
    "parquet": lambda: write_parquet(target, deals, table="history"),
    "json": lambda: write_json(target, DataSet(opportunities=deals)),
    "process": lambda: process.to_file(target),
}[kind]
print("ready", flush=True)
while True:
    write()
"""
KINDS = {"csv": "csv", "jsonl": "jsonl", "parquet": "parquet", "json": "json", "process": "yaml"}


def _whole(kind: str, target: Path) -> None:
    """Assert ``target`` holds one complete write of ``kind``."""
    if kind == "parquet":
        pl = pytest.importorskip("polars")
        assert pl.read_parquet(target).height > 3000
        return
    text = target.read_text(encoding="utf-8")
    if kind == "json":
        assert len(json.loads(text)["opportunities"]) == 3000
    elif kind == "process":
        assert sf.SalesProcess.from_file(target) == PROCESS
    else:
        lines = text.split("\n")
        assert lines[-1] == ""
        if kind == "jsonl":
            assert all(json.loads(line) for line in lines[:-1])
        else:
            assert len(lines) > 3000


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(  # each example starts a Python: ci 3 kills per writer, thorough 40
    max_examples=max(3, settings.default.max_examples // 50), deadline=None
)
@given(delay=st.floats(0.0, 1.5))
def test_a_writer_killed_at_any_moment_leaves_old_or_new_content(
    tmp_path_factory: pytest.TempPathFactory, kind: str, delay: float
) -> None:
    folder = tmp_path_factory.mktemp("kill")
    target = folder / f"target.{KINDS[kind]}"
    target.write_bytes(b"OLD")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(target), kind], stdout=subprocess.PIPE, env=env
    )
    assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    if target.read_bytes() != b"OLD":  # the whole new content, never a part of it
        _whole(kind, target)
    # A SIGKILL can leave the temporary file of the write it stopped; never more than one.
    assert len(_leftovers(folder)) <= 1


def test_the_cli_does_not_replace_an_existing_out_without_force(
    tmp_path: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keep = tmp_path / "keep.json"
    keep.write_text("PRECIOUS", encoding="utf-8")
    source = str(shared_data / "salesforce-lwc-recipes" / "Opportunities.json")
    assert main(["import", "salesforce", source, "--out", str(keep)]) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    # Records refused (no currency, no accounts): even --force keeps the file.
    assert main(["import", "salesforce", source, "--out", str(keep), "--force"]) == 1
    assert "never replaces an existing file" in capsys.readouterr().err
    assert keep.read_text(encoding="utf-8") == "PRECIOUS"
    folder = shared_data / "salesforce-lwc-recipes"
    args = ["import", "salesforce", str(folder / "Accounts.json"), source, "--currency", "USD"]
    assert main([*args, "--out", str(keep), "--force"]) == 0
    assert len(read_json(keep).opportunities) == 20


def test_the_report_does_not_replace_an_existing_html_page_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "report.html"
    page.write_text("PRECIOUS", encoding="utf-8")
    assert main(["demo", "--deals", "30", "--html", str(page)]) == 2
    assert page.read_text(encoding="utf-8") == "PRECIOUS"
    capsys.readouterr()
    assert main(["demo", "--deals", "30", "--html", str(page), "--force"]) == 0
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
