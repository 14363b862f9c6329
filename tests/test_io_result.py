from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import pytest

import salesflow as sf
from salesflow.io import CloseDatePolicy, read_parquet, read_salesforce_json, write_parquet


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
