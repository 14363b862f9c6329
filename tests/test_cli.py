from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import salesflow as sf
from salesflow.cli import main


def test_demo_prints_the_opportunity_readably(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Get Cloudy West - 35 Custom Sneakers" in out
    assert "stage        Closed Won  (Closed, closed, won)" in out
    assert "probability  100 %  (stage)" in out
    assert "expected     5,100.00 USD" in out
    assert "(pushed 1x)" in out
    assert "Proposal/Price Quote      75 %" in out
    assert "after the win: refused, 'Closed Won' is closed and reopening is off" in out
    assert "Round trip through JSON: equal" in out
    assert "Negotiation/Review     buyer in Commitment             concerned most with risk" in out


def test_python_dash_m_runs_the_demo() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "salesflow", "demo"], capture_output=True, text=True, check=True
    )
    assert "Needs Analysis" in done.stdout


def test_process_lists_the_stages_of_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.json"
    sf.presets.hubspot_default().to_file(path)
    assert main(["process", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Contract sent" in out
    assert "moves to: Qualified to buy, Closed won, Closed lost" in out


def test_process_summarises_gates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["process", "docs/processes/enterprise.yaml"]) == 0
    out = capsys.readouterr().out
    assert "gate: amount; next_step; a primary contact" in out
    assert "gate: role Economic Buyer; role Champion; at least 50,000 EUR;" in out
    assert "Enterprise: 6 stages; policy forward_only, skipping allowed, no backward moves" in out


def test_process_can_draw_the_allowed_moves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.yaml"
    sf.presets.hubspot_default().to_file(path)
    assert main(["process", str(path), "--mermaid"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("stateDiagram-v2\n") and "s0 --> s1" in out and "s0 --> s2" not in out


class _ClosedPipe:
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_ends_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["demo"]) == 0
    replacement = sys.stdout
    assert not isinstance(replacement, _ClosedPipe)  # later writes go to devnull
    replacement.close()


def test_a_bad_file_is_one_clear_line_and_exit_status_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"name": "X", "stages": []}', encoding="utf-8")
    assert main(["process", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("salesflow: error: invalid sales process file")
    assert "Traceback" not in err


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out
