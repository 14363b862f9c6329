"""The command line under a hostile terminal: odd locales, bad bytes, closed or full stdout."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.cli import main
from salesflow.cli._terminal import safe_text
from salesflow.engine.mermaid import mermaid_label

WON = sf.Stage("Won", 100, is_closed=True, is_won=True)
HOSTILE = ["\x1b[31mRed\x1b[0m", "two\nlines", 'quote " and ]', "bidi \u202eevil", "tab\there"]


def _hostile_process(path: Path) -> sf.SalesProcess:
    stages = [sf.Stage(name, 10 * (i + 1)) for i, name in enumerate(HOSTILE)]
    process = sf.SalesProcess(name="Evil \x1b]0;title\x07", stages=[*stages, WON])
    process.to_file(path)
    return process


def _run(*args: Any, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, **kwargs.pop("env", {})}
    return subprocess.run(
        [sys.executable, "-m", "salesflow", *args], capture_output=True, env=env, **kwargs
    )


def test_user_text_reaches_the_terminal_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "evil.json"
    _hostile_process(path)
    assert main(["process", "show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b[31mRed" in out


def test_mermaid_output_escapes_line_breaks_quotes_and_brackets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "evil.yaml"
    process = _hostile_process(path)
    assert main(["process", "diagram", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    states = [line for line in lines if line.startswith('    state "')]
    assert len(states) == len(process.stages)
    for line in states:
        label = re.sub(r"#[0-9]+;", "", line[len('    state "') : line.rindex('" as s')])
        assert not set(label) & set('"[]\n\x1b{}<>;:#')


@given(st.text(max_size=30))
def test_a_mermaid_label_is_one_line_without_quotes_or_brackets(text: str) -> None:
    label = mermaid_label(text)
    assert label.isprintable() and not set(label) & set('"[]{}<>:')
    assert all(part.isdigit() for part in label.split("#")[1:] for part in [part.split(";")[0]])


@example("line\u2028separator\u2029\u061c")
@given(st.text(max_size=40))
def test_safe_text_leaves_nothing_a_terminal_acts_on(text: str) -> None:
    shown = safe_text(text)
    acting = {"Cc", "Cs", "Zl", "Zp"}
    assert not [ch for ch in shown if unicodedata.category(ch) in acting]
    assert not set(shown) & set(
        "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )
    shown.encode("utf-8")  # no lone surrogate left


def test_an_unknown_policy_lists_the_allowed_ones(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "name: P\nsettings: {policy: forward-only}\nstages:\n  - {name: A, probability: 10}\n"
        "  - {name: W, probability: 100, is_closed: true, is_won: true}\n"
    )
    done = _run("process", "validate", str(path))
    assert done.returncode != 0
    assert b"expected one of 'any', 'forward_only', 'adjacent_only', 'explicit'" in done.stderr
    assert b"Traceback" not in done.stderr


def test_a_non_utf8_locale_gets_escapes_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "korean.json"
    sf.SalesProcess(name="영업", stages=[sf.Stage("상담", 10), WON]).to_file(path)
    done = _run("process", "show", str(path), env={"PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"})
    assert done.returncode == 0, done.stderr
    assert b"\\uc601\\uc5c5" in done.stdout and b"Traceback" not in done.stderr


def test_an_undecodable_argument_is_reported_without_a_traceback(tmp_path: Path) -> None:
    bad = os.fsencode(tmp_path) + b"/\xff\xfe.json"
    done = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"salesflow", b"process", b"show", bad],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )
    assert done.returncode != 0
    assert b"\\udcff" in done.stderr
    assert b"Traceback" not in done.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_stdout_exits_non_zero_without_a_traceback() -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "salesflow", "demo"], stdout=full, stderr=subprocess.PIPE
        )
    assert done.returncode != 0
    assert b"Traceback" not in done.stderr


def test_a_closed_stdout_exits_non_zero_without_a_traceback() -> None:
    done = subprocess.run(
        f"'{sys.executable}' -m salesflow demo >&-", shell=True, stderr=subprocess.PIPE
    )
    assert done.returncode != 0
    assert b"Traceback" not in done.stderr


def test_a_reader_that_goes_away_gives_the_broken_pipe_status() -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "salesflow", "demo"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # before the child has written anything
    error = child.stderr.read()
    child.stderr.close()
    assert child.wait() != 0, error
    assert b"Traceback" not in error and b"Exception ignored" not in error
