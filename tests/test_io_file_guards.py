"""Every reader reads only regular files of bounded size: no hang on a FIFO, no endless device."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
import salesflow.io as sio
from salesflow.cli import main

SFDC = sf.presets.salesforce_standard()
MAVEN = sf.presets.maven()
SRC = Path(sf.__file__).parent

Reader = Callable[[Path], object]


def _parquet() -> io.BytesIO:
    """A valid Parquet snapshot of one deal, as an open binary file."""
    data = sf.datasets.synthetic(SFDC, 1, seed=1)
    buffer = io.BytesIO()
    sio.write_parquet(buffer, data.opportunities)
    buffer.seek(0)
    return buffer


READERS: dict[str, Reader] = {
    "read_csv": lambda p: sio.read_csv(p, process=SFDC),
    "read_csv history=": lambda p: sio.read_csv(io.StringIO("id\n"), history=p, process=SFDC),
    "read_jsonl": lambda p: sio.read_jsonl(p, process=SFDC),
    "read_parquet": lambda p: sio.read_parquet(p, process=SFDC),
    "read_parquet activities=": lambda p: sio.read_parquet(_parquet(), activities=p, process=SFDC),
    "read_salesforce_csv": lambda p: sio.read_salesforce_csv(p, process=SFDC),
    "read_salesforce_csv tasks=": lambda p: sio.read_salesforce_csv(
        io.StringIO("Id\n"), tasks=p, process=SFDC
    ),
    "read_salesforce_json": lambda p: sio.read_salesforce_json(p, process=SFDC),
    "read_hubspot_csv": lambda p: sio.read_hubspot_csv(p, process=SFDC),
    "read_json": lambda p: sio.read_json(p),
    "read_stage_dates": lambda p: sio.read_stage_dates(
        p, sf.presets.maven_stage_dates(), process=MAVEN
    ),
    "read_versions": lambda p: sio.read_versions(p, process=SFDC),
    "read_field_history": lambda p: sio.read_field_history(p, process=SFDC),
    "read_field_history opportunities=": lambda p: sio.read_field_history(
        io.StringIO("OpportunityId,Field,CreatedDate\n"), opportunities=p, process=SFDC
    ),
}
"""Every reader of salesflow.io, and every file argument that is not the first."""


def _finishes(call: Callable[[], Any], *, seconds: float, fifo: Path | None = None) -> Any:
    """``call()``'s result or exception, failing if it takes longer than ``seconds``.

    If it hangs on ``fifo``, a writer is opened and closed there so the thread
    gets end-of-file and the test run goes on.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        if fifo is not None:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
        pytest.fail(f"still reading after {seconds} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_every_reader_refuses_a_fifo_at_once_without_waiting_for_a_writer(
    tmp_path: Path, reader: Reader
) -> None:
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    with pytest.raises(sf.FileFormatError, match=r"not a regular file \(a FIFO\)") as caught:
        _finishes(lambda: reader(fifo), seconds=2, fifo=fifo)
    assert caught.value.path == str(fifo)


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_every_reader_refuses_a_device_and_a_directory_naming_what_it_is(
    tmp_path: Path, reader: Reader
) -> None:
    device = tmp_path / "export.csv"
    device.symlink_to(os.devnull)  # a character device; reading it would give nothing
    with pytest.raises(sf.FileFormatError, match=r"not a regular file \(a character device\)"):
        reader(device)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(sf.FileFormatError, match=r"not a regular file \(a directory\)"):
        reader(folder)


@pytest.mark.parametrize("name", ["read_csv", "read_parquet", "read_json", "read_stage_dates"])
def test_a_file_over_max_bytes_is_refused_before_it_is_read(tmp_path: Path, name: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"x" * 100)
    readers: dict[str, Callable[[int], object]] = {
        "read_csv": lambda n: sio.read_csv(path, process=SFDC, max_bytes=n),
        "read_parquet": lambda n: sio.read_parquet(path, process=SFDC, max_bytes=n),
        "read_json": lambda n: sio.read_json(path, max_bytes=n),
        "read_stage_dates": lambda n: sio.read_stage_dates(
            path, sf.presets.maven_stage_dates(), process=MAVEN, max_bytes=n
        ),
    }
    with pytest.raises(
        sf.FileFormatError,
        match="100 bytes is more than the limit of 99 bytes; raise it with max_bytes=",
    ) as caught:
        readers[name](99)
    assert caught.value.path == str(path)


def test_a_file_of_exactly_max_bytes_is_read(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.csv"
    path.write_text("id,name,stage,close_date\nA,Deal,Qualification,2026-03-01\n")
    size = path.stat().st_size
    result = sio.read_csv(path, process=SFDC, max_bytes=size)
    assert [o.id for o in result.opportunities] == ["A"]
    with pytest.raises(sf.FileFormatError, match="more than the limit"):
        sio.read_csv(path, process=SFDC, max_bytes=size - 1)


def test_the_default_limit_is_two_gib_and_a_larger_file_is_refused_unread(tmp_path: Path) -> None:
    assert sio.MAX_IMPORT_BYTES == 2 * 1024**3
    sparse = tmp_path / "huge.csv"
    with sparse.open("wb") as handle:  # no data written: only the size
        handle.truncate(sio.MAX_IMPORT_BYTES + 1)
    for reader in (READERS["read_csv"], READERS["read_parquet"], READERS["read_json"]):
        with pytest.raises(sf.FileFormatError, match=f"{sio.MAX_IMPORT_BYTES + 1} bytes is more"):
            _finishes(lambda reader=reader: reader(sparse), seconds=5)


def test_a_huge_limit_costs_nothing_for_a_small_file(tmp_path: Path) -> None:
    # A read that asked for the whole limit at once would need 2**62 bytes of memory.
    path = tmp_path / "snapshot.csv"
    path.write_text("id,name,stage,close_date\nA,Deal,Qualification,2026-03-01\n")
    assert len(sio.read_csv(path, process=SFDC, max_bytes=2**62).opportunities) == 1
    with path.open("rb") as handle:
        assert len(sio.read_csv(handle, process=SFDC, max_bytes=2**62).opportunities) == 1


@pytest.mark.parametrize("mode", ["text", "binary"])
def test_an_open_file_gives_at_most_max_bytes_or_is_refused(mode: str) -> None:
    text = "id,name,stage,close_date\nA,Deal,Qualification,2026-03-01\n"
    stream: Any = io.StringIO(text) if mode == "text" else io.BytesIO(text.encode())
    assert len(sio.read_csv(stream, process=SFDC, max_bytes=len(text)).opportunities) == 1
    stream.seek(0)
    with pytest.raises(sf.FileFormatError, match="more than the limit of 10 bytes") as caught:
        sio.read_csv(stream, process=SFDC, max_bytes=10)
    assert caught.value.path == "<stream>"


def test_a_parquet_reader_needs_a_binary_stream() -> None:
    with pytest.raises(sf.FileFormatError, match=r"open in binary mode \(.rb.\), got text"):
        sio.read_parquet(io.StringIO("PAR1"), process=SFDC)


@given(
    st.one_of(
        st.integers(max_value=0),
        st.booleans(),
        st.floats(allow_nan=True),
        st.text(max_size=5),
        st.none(),
        st.just(-(10**5000)),
    )
)
def test_a_max_bytes_that_is_not_a_positive_whole_number_is_refused_naming_it(
    bad: object,
) -> None:
    for call in (
        lambda: sio.read_csv(io.StringIO("id\n"), process=SFDC, max_bytes=bad),  # type: ignore[arg-type]
        lambda: sio.read_stage_dates([], {"Won": "x"}, process=MAVEN, max_bytes=bad),  # type: ignore[arg-type]
        lambda: sio.read_salesforce_json(process=SFDC, max_bytes=bad),  # type: ignore[arg-type]
    ):
        with pytest.raises(sf.ValidationError) as caught:
            call()
        assert [p.path for p in caught.value.problems] == ["$.max_bytes"]


def test_a_data_plan_that_lists_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "Opportunity.json")
    plan = tmp_path / "data-plan.json"
    plan.write_text('[{"sobject": "Opportunity", "files": ["Opportunity.json"]}]')
    with pytest.raises(sf.FileFormatError, match=r"Opportunity\.json.*\n.*not a regular file"):
        _finishes(
            lambda: sio.read_salesforce_json(plan, process=SFDC),
            seconds=2,
            fifo=tmp_path / "Opportunity.json",
        )


def test_a_process_file_keeps_its_own_small_limit(tmp_path: Path) -> None:
    assert sf.files.MAX_FILE_BYTES == 16 * 1024 * 1024
    path = tmp_path / "p.json"
    SFDC.to_file(path)
    with pytest.raises(sf.FileFormatError, match=r"raise it with max_bytes=$|max_bytes= @"):
        sf.files.read_document(path, max_bytes=10)


# ------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    "args",
    [
        ["import", "csv", "{fifo}", "--out", "{out}"],
        ["import", "hubspot", "{fifo}", "--out", "{out}"],
        ["import", "salesforce", "{fifo}", "--out", "{out}"],
        ["report", "{fifo}"],
        ["report", "{fifo}", "--preset", "maven"],
        ["import", "csv", "{ok}", "--history", "{fifo}", "--out", "{out}"],
    ],
    ids=lambda a: " ".join(a[:3]),
)
def test_the_command_line_refuses_a_fifo_with_exit_status_1_and_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    suffix = ".json" if args[1] == "salesforce" else ".csv"
    fifo = tmp_path / f"export{suffix}"
    os.mkfifo(fifo)
    ok = tmp_path / "ok.csv"
    ok.write_text("id\n")
    argv = [a.format(fifo=fifo, out=tmp_path / "out.json", ok=ok) for a in args]
    assert _finishes(lambda: main(argv), seconds=10, fifo=fifo) == 1
    err = capsys.readouterr().err
    assert f"invalid file {fifo}" in err and "not a regular file (a FIFO)" in err
    assert "internal error" not in err


def test_max_bytes_on_the_command_line_sets_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = sf.datasets.synthetic(SFDC, 5, seed=1)
    path = tmp_path / "deals.json"
    sio.write_json(path, sio.DataSet(opportunities=data.opportunities))
    size = path.stat().st_size
    assert main(["report", str(path), "--max-bytes", str(size - 1), "--format", "json"]) == 1
    assert f"{size} bytes is more than the limit of {size - 1} bytes" in capsys.readouterr().err
    assert main(["report", str(path), "--max-bytes", str(size), "--format", "json"]) == 0


def test_the_command_line_refuses_dev_zero_instead_of_reading_until_memory_runs_out(
    tmp_path: Path,
) -> None:
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30)); "
        "from salesflow.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "import",
            "csv",
            str(zero),
            "--out",
            str(tmp_path / "o.json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(SRC.parent)},
    )
    assert done.returncode == 1, done.stderr
    assert "not a regular file (a character device)" in done.stderr


# ------------------------------------------------------------- one door for every path


def test_no_module_reads_a_path_except_through_the_regular_file_guard() -> None:
    """``Path.read_bytes``/``read_text``, ``open(path)`` or a path handed to Polars bypass it."""
    bypass = re.compile(
        r"\.read_bytes\(\)|\.read_text\(|(?<![.\w])(?<!def )open\(|\bpl\.(read|scan)_\w+\((?!handle)"
    )
    allowed = {
        "_document.py": "package data (the JSON schemas) via importlib.resources",
        "cli/_page/_html.py": "package data (the page's script and style) via importlib.resources",
        "io/export.py": "writers open their targets",
        "cli/_app.py": "os.devnull for output",
    }
    found = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC).as_posix()
        if relative == "_regular_file.py" or relative in allowed:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            code = line.split("#", 1)[0]
            if bypass.search(code) and not code.lstrip().startswith((">>>", "...")):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []
