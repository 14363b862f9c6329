from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import salesflow as sf
from salesflow.cli import main

ENTERPRISE = "docs/processes/enterprise.yaml"


@pytest.fixture(autouse=True)
def _wide_plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "salesflow", *args],
        capture_output=True,
        check=False,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def test_version_names_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"salesflow {sf.__version__}\n"


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    captured = capsys.readouterr()
    assert "demo" in captured.out + captured.err
    assert "Traceback" not in captured.err


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bogus"]) == 2
    assert "No such command 'bogus'" in capsys.readouterr().err


def test_python_dash_m_runs_the_command_line() -> None:
    done = _run("--version")
    assert done.returncode == 0
    assert done.stdout.decode() == f"salesflow {sf.__version__}\n"


# -- process validate / show / diagram ------------------------------------------------------


def test_process_show_lists_the_stages_of_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.json"
    sf.presets.hubspot_default(strict=True).to_file(path)  # no skipping, no going back
    assert main(["process", "show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Contract sent" in out
    assert "Qualified to buy, Closed won, Closed lost" in out


def test_process_show_summarises_rules_and_gates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["process", "show", ENTERPRISE]) == 0
    out = capsys.readouterr().out
    assert "Enterprise: 6 stages; policy forward_only, skipping allowed, no backward moves" in out
    assert "amount; next_step; a primary contact" in out
    assert "role Economic Buyer; role Champion; at least 50,000 EUR;" in out


@pytest.mark.parametrize(
    ("name", "process"),
    [
        ("salesforce", "Salesforce standard"),
        ("salesforce_standard", "Salesforce standard"),
        ("hubspot", "HubSpot default"),
        ("Odoo", sf.presets.odoo_classic().name),
    ],
)
def test_process_show_takes_a_preset_by_name_or_its_start(
    name: str, process: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["process", "show", name]) == 0
    assert capsys.readouterr().out.startswith(f"{process}: ")


def test_process_show_says_any_other_stage_when_every_move_is_allowed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["process", "show", "salesforce"]) == 0
    assert "any other stage" in capsys.readouterr().out


def test_an_unknown_preset_is_a_usage_error_listing_the_presets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["process", "show", "salesfarce"]) == 2
    err = capsys.readouterr().err
    assert "'salesfarce' is not a file and not a process preset" in err
    assert "hubspot_default, liferay_enterprise, odoo_classic, salesforce_standard" in err


def test_a_missing_process_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["process", "show", "nowhere.yaml"]) == 2
    assert "no such file: nowhere.yaml" in capsys.readouterr().err


def test_process_validate_says_ok_for_a_valid_process(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["process", "validate", ENTERPRISE]) == 0
    assert capsys.readouterr().out.startswith("ok: Enterprise: 6 stages")


def test_an_invalid_file_is_every_problem_one_per_line_and_exit_status_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.json"
    path.write_text(
        '{"name": "X", "stages": [{"name": "a", "probability": 120}, {"name": "b"}]}',
        encoding="utf-8",
    )
    assert main(["process", "validate", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("salesflow: error: invalid sales process file")
    assert "expected a percentage in 0..100, got 120 @ $.stages[0].probability" in err[1]
    assert "required field missing @ $.stages[1].probability" in err[2]
    assert len(err) == 3


def test_process_diagram_draws_the_allowed_moves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.yaml"
    sf.presets.hubspot_default().to_file(path)
    assert main(["process", "diagram", str(path)]) == 0
    out = capsys.readouterr().out
    assert out == sf.presets.hubspot_default().to_mermaid().rstrip("\n") + "\n"
    assert out.startswith("stateDiagram-v2\n")


def test_the_debug_flag_shows_the_traceback(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"name": "X", "stages": []}', encoding="utf-8")
    plain = _run("process", "validate", str(path))
    debug = _run("--debug", "process", "validate", str(path))
    assert plain.returncode == 1 and b"Traceback" not in plain.stderr
    assert b"Traceback" in debug.stderr and b"ValidationError" in debug.stderr


# -- the hostile terminal -------------------------------------------------------------------


def _hostile_process(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.json"
    stages = [
        {"name": "Won\x1b[2J\u202e€", "probability": 100, "is_closed": True, "is_won": True},
        {"name": "Lost", "probability": 0, "is_closed": True},
    ]
    stages.insert(0, {"name": "Open [bold]x[/bold]", "probability": 10})
    path.write_text(json.dumps({"name": "Hostile", "stages": stages}), encoding="utf-8")
    return path


def test_control_characters_in_user_data_are_escaped_not_sent_to_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["process", "show", str(_hostile_process(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out
    assert "Won\\x1b[2J\\u202e€" in out
    assert "Open [bold]x[/bold]" in out  # text from data is never read as markup


def test_a_non_utf8_terminal_gets_escapes_not_a_traceback(tmp_path: Path) -> None:
    done = _run(
        "process", "show", str(_hostile_process(tmp_path)), env={"PYTHONIOENCODING": "ascii"}
    )
    assert done.returncode == 0, done.stderr
    assert b"Won\\x1b[2J\\u202e\\u20ac" in done.stdout
    assert not done.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_on_stdout_is_one_line_and_exit_status_1() -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "salesflow", "process", "show", "salesforce"],
            stdout=full,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == [
        "salesflow: error: cannot write: No space left on device"
    ]


def test_a_pipe_closed_early_ends_quietly_with_a_non_zero_status() -> None:
    command = [sys.executable, "-m", "salesflow", "process", "show", "salesforce"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()  # the reader leaves before anything was written
        err = child.stderr.read()
    assert child.returncode == 1
    assert err == b""


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_leaves_stdout_writable_for_the_final_flush(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["process", "show", "hubspot"]) == 1
    replacement = sys.stdout
    assert not isinstance(replacement, _ClosedPipe)  # later writes go to devnull
    replacement.close()


def test_without_the_cli_extra_main_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "click", None)
    assert main(["demo"]) == 2
    assert capsys.readouterr().err == (
        "salesflow: error: click is not installed; this needs salesflow's 'cli' extra: "
        "pip install 'salesflow[cli]'\n"
    )


@pytest.mark.parametrize(
    ("env", "flags", "drawn"),
    [
        ({"FORCE_COLOR": "1"}, [], True),  # as on a terminal
        ({"FORCE_COLOR": "1"}, ["--quiet"], False),
        ({}, [], False),  # stderr is a pipe: no progress display
    ],
)
def test_progress_shows_on_a_terminal_only_and_not_when_quiet(
    env: dict[str, str], flags: list[str], drawn: bool
) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    done = subprocess.run(
        [sys.executable, "-m", "salesflow", *flags, "demo", "--deals", "30", "--format", "json"],
        capture_output=True,
        check=False,
        env={**clean, **env},
    )
    assert done.returncode == 0
    json.loads(done.stdout)  # JSON on stdout stays clean either way
    assert (b"\x1b[?25l" in done.stderr) is drawn  # a live display hides the cursor
    assert (done.stderr == b"") is not drawn


def test_a_diagram_of_hostile_stage_names_sends_no_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["process", "diagram", str(_hostile_process(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert out.startswith("stateDiagram-v2\n")
    assert "\x1b" not in out and "\u202e" not in out
    # to_mermaid() writes what Mermaid reads as syntax or control as entity codes
    assert "Won#27;#91;2J#8238;#8364;" in out
