from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import salesflow as sf
from salesflow.io import (
    CloseDatePolicy,
    read_csv,
    read_hubspot_csv,
    read_json,
    read_jsonl,
    read_parquet,
    read_salesforce_csv,
    read_salesforce_json,
    rows,
    write_csv,
    write_json,
    write_jsonl,
    write_parquet,
)


def test_importing_salesflow_io_loads_no_dataframe_library() -> None:
    code = "import sys, salesflow.io; print(sorted({'polars', 'narwhals', 'pandas'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_parquet_without_polars_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(sf.MissingExtraError, match=r"salesflow\[analytics\]"):
        write_parquet(io.BytesIO(), [])
    with pytest.raises(sf.MissingExtraError):
        read_parquet(io.BytesIO(), process=sf.presets.salesforce_standard())


def test_a_close_date_policy_is_built_by_its_named_constructors() -> None:
    with pytest.raises(sf.ValidationError, match="refuse, fixed or after_created"):
        CloseDatePolicy("guess")  # type: ignore[arg-type]
    with pytest.raises(sf.ValidationError, match=r"CloseDatePolicy\.fixed\(\)"):
        CloseDatePolicy("fixed")
    with pytest.raises(sf.ValidationError, match="whole number of days"):
        CloseDatePolicy.after_created(days=-1)
    with pytest.raises(sf.ValidationError, match="expected a date"):
        CloseDatePolicy.fixed("2026-01-01")  # type: ignore[arg-type]
    assert (
        repr(CloseDatePolicy.fixed(date(2026, 1, 1)))
        == "CloseDatePolicy.fixed(datetime.date(2026, 1, 1))"
    )


def test_a_refusal_reads_as_one_line_and_the_summary_groups_reasons() -> None:
    records = ",".join(
        f'{{"attributes": {{"type": "Opportunity", "referenceId": "R{i}"}}, "Name": "D", '
        f'"CloseDate": "2026-01-01", "StageName": "Stage {i}"}}'
        for i in range(15)
    )
    result = read_salesforce_json(
        io.StringIO(f'{{"records": [{records}]}}'), process=sf.presets.salesforce_standard()
    )
    assert not result.ok
    assert str(result.refused[0]).startswith(
        "<stream> record 1 (R0), Opportunity: unknown stage 'Stage 0'"
    )
    summary = result.summary(reasons=3).splitlines()
    assert summary[0] == "Opportunity: 15 read, 0 imported, 15 refused"
    assert len(summary) == 5
    assert summary[-1] == "  ... and 12 other reasons (see .refused)"
    assert result.dataset.opportunities == ()


GARBAGE: list[Any] = [
    None,
    1.5,
    -1,
    True,
    "",
    "x",
    [],
    {},
    b"b",
    object(),
    date(2026, 1, 1),
    datetime(2026, 1, 1),  # noqa: DTZ001 - a naive datetime is part of the garbage
    sf.Money("1", "USD"),
]
SFDC = sf.presets.salesforce_standard()
TREE = '{"records": [{"attributes": {"type": "Opportunity"}, "Name": "x", "StageName": "Prospecting"}]}'
CSV = "Name,StageName,CloseDate\nx,Prospecting,2026-01-01\n"


CALLS: list[tuple[str, Callable[[Any], object]]] = [
    ("read_salesforce_json(file)", lambda v: read_salesforce_json(v, process=SFDC)),
    *[
        (
            f"read_salesforce_json({k}=)",
            lambda v, k=k: read_salesforce_json(io.StringIO(TREE), **{"process": SFDC, k: v}),
        )
        for k in ("process", "aliases", "close_dates", "currency", "timezone", "imported_at")
    ],
    *[
        (
            f"read_salesforce_csv({k}=)",
            lambda v, k=k: read_salesforce_csv(io.StringIO(CSV), **{"process": SFDC, k: v}),
        )
        for k in (
            "history",
            "contact_roles",
            "accounts",
            "contacts",
            "tasks",
            "events",
            "encoding",
        )
    ],
    (
        "read_hubspot_csv(pipeline=)",
        lambda v: read_hubspot_csv(io.StringIO(CSV), process=SFDC, pipeline=v),
    ),
    ("read_csv(columns=)", lambda v: read_csv(io.StringIO(CSV), process=SFDC, columns=v)),
    ("read_json", lambda v: read_json(v)),
    ("read_jsonl", lambda v: read_jsonl(v, process=SFDC)),
    ("write_json(data)", lambda v: write_json(io.StringIO(), v)),
    ("write_json(target)", lambda v: write_json(v, [])),
    ("write_csv(items)", lambda v: write_csv(io.StringIO(), v)),
    ("write_csv(table=)", lambda v: write_csv(io.StringIO(), [], table=v)),
    ("write_csv(target)", lambda v: write_csv(v, [])),
    ("write_jsonl(items)", lambda v: write_jsonl(io.StringIO(), v)),
    ("rows(table=)", lambda v: rows([], table=v)),
]


@pytest.mark.parametrize(("label", "call"), CALLS, ids=[label for label, _ in CALLS])
def test_garbage_arguments_raise_only_salesflow_errors(
    label: str, call: Callable[[Any], object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # "x" is a path some writers may create
    for value in GARBAGE:
        with contextlib.suppress(sf.SalesflowError):
            call(value)
