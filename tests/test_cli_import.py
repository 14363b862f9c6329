from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import salesflow as sf
from salesflow.cli import main
from salesflow.io import read_json, read_parquet, write_csv


@pytest.fixture(autouse=True)
def _wide_plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")


def _counted(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[str]:
    """Replace ``module.name`` (a columnar reader) by itself, noting each call."""
    calls: list[str] = []
    reader = getattr(sf.io, name)

    def columnar(*args: object, **kwargs: object) -> object:
        calls.append("frames")
        return reader(*args, **kwargs)

    monkeypatch.setattr(module, name, columnar)
    return calls


def _assert_written_as(
    objects: sf.io.ImportResult, out: Path, *, drop: tuple[str, ...] = ()
) -> None:
    """``out`` and its ``.history`` sibling hold the tables the object path's deals make."""
    import polars as pl
    from polars.testing import assert_frame_equal

    from salesflow.io import write_parquet

    folder = out.parent
    for table, name in (("snapshot", out.name), ("history", f"{out.stem}.history.parquet")):
        want = folder / f"want-{table}.parquet"
        write_parquet(want, objects.opportunities, table=table)
        got = pl.read_parquet(folder / name)
        assert_frame_equal(
            got.drop(*drop, strict=False), pl.read_parquet(want).drop(*drop, strict=False)
        )


def _tree(tmp_path: Path, *stages: str) -> Path:
    records = [
        {
            "attributes": {"type": "Opportunity", "referenceId": f"Ref{i}"},
            "Name": f"Deal {i}",
            "StageName": stage,
            "CloseDate": "2026-03-31",
            "Amount": 1000 * i,
        }
        for i, stage in enumerate(stages, start=1)
    ]
    path = tmp_path / "Opportunities.json"
    path.write_text(json.dumps({"records": records}), encoding="utf-8")
    return path


def test_a_clean_import_writes_salesflow_json_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _tree(tmp_path, "Prospecting", "Closed Won")
    out = tmp_path / "deals.json"
    status = main(["import", "salesforce", str(source), "--currency", "USD", "--out", str(out)])
    assert status == 0
    opportunities = read_json(out).opportunities
    assert [o.name for o in opportunities] == ["Deal 1", "Deal 2"]
    assert opportunities[1].amount == sf.Money("2000", "USD")
    assert "Opportunity │    2 │        2 │       0" in capsys.readouterr().out


def test_refused_records_are_reported_by_reason_and_exit_status_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _tree(tmp_path, "Prospecting", "Closed/Won", "Closed/Won")
    out = tmp_path / "deals.json"
    status = main(["import", "salesforce", str(source), "--currency", "USD", "--out", str(out)])
    assert status == 1
    text = capsys.readouterr().out
    assert "did you mean 'Closed Won'?" in text
    assert "Opportunities.json #2 (Ref2), Opportunities.json #3 (Ref3)" in text
    taken = read_json(out).opportunities
    assert [o.name for o in taken] == ["Deal 1"]  # what could be taken is still written


def test_an_alias_maps_a_source_stage(tmp_path: Path) -> None:
    source = _tree(tmp_path, "Closed/Won")
    out = tmp_path / "deals.json"
    args = ["import", "salesforce", str(source), "--currency", "USD", "--out", str(out)]
    assert main([*args, "--alias", "Closed/Won=Closed Won"]) == 0
    assert read_json(out).opportunities[0].is_won


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--alias", "Closed/Won"], "expected SOURCE=STAGE"),
        (["--close-dates", "sometime"], "expected refuse, fixed:YYYY-MM-DD or after-created"),
        (["--timezone", "Mars/Olympus"], "is not a time zone"),
        (["--process", "nope"], "not a process preset"),
    ],
)
def test_bad_options_are_usage_errors(
    tmp_path: Path, option: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _tree(tmp_path, "Prospecting")
    args = ["import", "salesforce", str(source), "--out", str(tmp_path / "o.json"), *option]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_a_missing_input_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["import", "salesforce", str(tmp_path / "nope.json"), "--out", str(tmp_path / "o.json")]
    assert main(args) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_file_that_is_not_a_tree_file_is_a_data_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "x.json"
    source.write_bytes(b"\xff\xfe not json")
    assert main(["import", "salesforce", str(source), "--out", str(tmp_path / "o.json")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("salesflow: error: ") and "Traceback" not in err


def test_the_twenty_lwc_recipe_opportunities_import_through_the_command(
    shared_data: Path, tmp_path: Path
) -> None:
    plan = shared_data / "salesforce-lwc-recipes" / "data-plan.json"
    out = tmp_path / "lwc.json"
    assert main(["import", "salesforce", str(plan), "--currency", "USD", "--out", str(out)]) == 0
    assert len(read_json(out).opportunities) == 20


def test_the_apex_recipe_csv_reports_its_odd_stages(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_data / "salesforce-apex-recipes" / "Opportunities.csv"
    args = [
        "import",
        "salesforce",
        str(path),
        "--currency",
        "USD",
        "--out",
        str(tmp_path / "o.json"),
    ]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "unknown stage 'Assigned dynamically'" in out
    assert "did you mean 'Closed" in out


HUBSPOT_HEADER = (
    "hs_object_id,dealname,dealstage,amount,deal_currency_code,closedate,pipeline,createdate,"
    "hs_date_entered_appointmentscheduled,hs_date_entered_closedwon\n"
)


def _hubspot_export(folder: Path) -> Path:
    """A deals export of a won deal with its history and a deal in an unknown stage."""
    source = folder / "deals.csv"
    source.write_text(
        HUBSPOT_HEADER
        + "7,Won deal,closedwon,500.50,EUR,2026-03-31T00:00:00Z,default,2026-01-01T08:00:00Z,"
        "2026-01-01T08:00:00Z,2026-03-15T17:30:00Z\n"
        + "8,Odd deal,somewhere,10,EUR,2026-03-31T00:00:00Z,default,2026-01-01T08:00:00Z,,\n",
        encoding="utf-8",
    )
    return source


def test_a_hubspot_export_imports_on_the_hubspot_preset_by_default(tmp_path: Path) -> None:
    source = _hubspot_export(tmp_path)
    out = tmp_path / "deals.json"
    assert main(["import", "hubspot", str(source), "--out", str(out)]) == 1
    (deal,) = read_json(out).opportunities
    assert deal.is_won and [h.stage for h in deal.history][-1] == "Closed won"


def test_csv_tables_round_trip_through_import_csv_to_parquet(tmp_path: Path) -> None:
    data = sf.datasets.synthetic(sf.presets.salesforce_standard(), 30, seed=5)
    paths = {}
    for table in ("snapshot", "history", "activities"):
        items = data.activities if table == "activities" else data.opportunities
        paths[table] = tmp_path / f"{table}.csv"
        with paths[table].open("w", encoding="utf-8", newline="") as handle:
            write_csv(handle, items, table=table)
    out = tmp_path / "deals.parquet"
    args = ["import", "csv", str(paths["snapshot"]), "--history", str(paths["history"])]
    args += ["--activities", str(paths["activities"]), "--out", str(out)]
    assert main(args) == 0
    assert {p.name for p in tmp_path.glob("deals*.parquet")} == {
        "deals.parquet",
        "deals.history.parquet",
        "deals.activities.parquet",
        "deals.contact_roles.parquet",
    }
    back = read_parquet(
        out,
        process=data.process,
        history=tmp_path / "deals.history.parquet",
        activities=tmp_path / "deals.activities.parquet",
        contact_roles=tmp_path / "deals.contact_roles.parquet",
    )
    assert back.ok
    assert [o.id for o in back.opportunities] == [o.id for o in data.opportunities]
    assert len(back.activities) == len(data.activities)


def test_an_output_that_is_not_json_or_parquet_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _tree(tmp_path, "Prospecting")
    assert main(["import", "salesforce", str(source), "--out", str(tmp_path / "o.xlsx")]) == 2
    assert "expected a .json or .parquet file" in capsys.readouterr().err


def test_an_opportunity_csv_into_parquet_is_read_in_columns_with_the_same_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The columnar route writes what the object path's write_parquet writes, refusals alike."""
    pl = pytest.importorskip("polars")

    import salesflow.cli._imports as imports
    from salesflow.io import read_salesforce_csv

    calls = _counted(monkeypatch, imports, "read_salesforce_frames")

    gallery = Path(__file__).parent / "gallery"
    source, history = gallery / "Opportunity.csv", gallery / "OpportunityHistory.csv"
    out = tmp_path / "deals.parquet"
    args = ["import", "salesforce", str(source), "--history", str(history)]
    status = main([*args, "--currency", "USD", "--out", str(out)])
    printed = capsys.readouterr().out
    assert calls == ["frames"]
    objects = read_salesforce_csv(
        source, history=history, currency="USD", process=sf.presets.salesforce_standard()
    )
    assert status == (1 if objects.refused else 0)
    for kind, count in objects.read.items():
        taken = objects.taken.get(kind, 0)
        assert re.search(rf"{kind}\s+│\s+{count}\s+│\s+{taken}\s+│", printed), kind
    # created_at of records without one is the moment of import: the two runs differ there
    _assert_written_as(objects, out, drop=("created_at",))
    assert pl.read_parquet(tmp_path / "deals.activities.parquet").height == 0


def test_a_csv_snapshot_into_parquet_is_read_in_columns_with_the_same_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``import csv`` without activities takes the columnar route: the object path's tables."""
    pytest.importorskip("polars")

    import salesflow.cli._load as load
    from salesflow.io import read_csv

    calls = _counted(monkeypatch, load, "read_csv_frames")

    data = sf.datasets.synthetic(sf.presets.salesforce_standard(), 30, seed=5)
    paths = {}
    for table in ("snapshot", "history"):
        paths[table] = tmp_path / f"{table}.csv"
        with paths[table].open("w", encoding="utf-8", newline="") as handle:
            write_csv(handle, data.opportunities, table=table)
    lines = paths["snapshot"].read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace("Prospecting", "Prospektion").replace("Closed Lost", "Closed/Lost")
    paths["snapshot"].write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "deals.parquet"
    args = ["import", "csv", str(paths["snapshot"]), "--history", str(paths["history"])]
    assert main([*args, "--out", str(out)]) == 1  # the spoiled record is refused
    assert calls == ["frames"]
    objects = read_csv(
        paths["snapshot"], history=paths["history"], process=sf.presets.salesforce_standard()
    )
    printed = capsys.readouterr().out
    for kind, count in objects.read.items():
        taken = objects.taken.get(kind, 0)
        assert count > taken or kind == "OpportunityHistory"
        assert re.search(rf"{kind}\s+│\s+{count}\s+│\s+{taken}\s+│", printed), kind
    _assert_written_as(objects, out)


def test_a_hubspot_export_into_parquet_is_read_in_columns_with_the_same_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("polars")

    import salesflow.cli._imports as imports
    from salesflow.io import read_hubspot_csv

    calls = _counted(monkeypatch, imports, "read_hubspot_frames")
    source = _hubspot_export(tmp_path)
    out = tmp_path / "deals.parquet"
    assert main(["import", "hubspot", str(source), "--out", str(out)]) == 1
    assert calls == ["frames"]
    objects = read_hubspot_csv(source, process=sf.presets.hubspot_default())
    _assert_written_as(objects, out)


def test_a_parquet_snapshot_into_parquet_is_read_in_columns_with_the_same_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``import csv`` of typed Parquet tables takes the columnar route: the object path's tables."""
    pl = pytest.importorskip("polars")

    import salesflow.cli._load as load
    from salesflow.io import write_parquet

    calls = _counted(monkeypatch, load, "read_parquet_frames")
    data = sf.datasets.synthetic(sf.presets.salesforce_standard(), 30, seed=5)
    paths = {table: tmp_path / f"{table}.parquet" for table in ("snapshot", "history")}
    for table, path in paths.items():
        write_parquet(path, data.opportunities, table=table)
    spoiled = pl.read_parquet(paths["snapshot"])
    spoiled = spoiled.with_columns(
        stage=pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("Prospektion")).otherwise("stage")
    )
    spoiled.write_parquet(paths["snapshot"])
    out = tmp_path / "deals.parquet"
    args = ["import", "csv", str(paths["snapshot"]), "--history", str(paths["history"])]
    assert main([*args, "--out", str(out)]) == 1  # the spoiled record is refused
    assert calls == ["frames"]
    assert "Prospektion" in capsys.readouterr().out
    objects = read_parquet(
        paths["snapshot"], history=paths["history"], process=sf.presets.salesforce_standard()
    )
    assert objects.taken["Opportunity"] == 29
    _assert_written_as(objects, out)


def test_a_jsonl_snapshot_is_read_in_columns_by_import_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``import csv`` and ``report`` take JSON Lines too, in columns: the object path's tables."""
    pytest.importorskip("polars")

    import salesflow.cli._load as load
    from salesflow.io import read_jsonl, write_jsonl

    calls = _counted(monkeypatch, load, "read_jsonl_frames")
    data = sf.datasets.synthetic(sf.presets.salesforce_standard(), 30, seed=5)
    paths = {table: tmp_path / f"{table}.jsonl" for table in ("snapshot", "history")}
    for table, path in paths.items():
        with path.open("w", encoding="utf-8") as handle:
            write_jsonl(handle, data.opportunities, table=table)
    out = tmp_path / "deals.parquet"
    args = ["import", "csv", str(paths["snapshot"]), "--history", str(paths["history"])]
    assert main([*args, "--out", str(out)]) == 0
    objects = read_jsonl(
        paths["snapshot"], history=paths["history"], process=sf.presets.salesforce_standard()
    )
    _assert_written_as(objects, out)
    capsys.readouterr()
    report = ["report", str(paths["snapshot"]), "--history", str(paths["history"])]
    assert main([*report, "--format", "json"]) == 0
    assert calls == ["frames", "frames"]
    sections = json.loads(capsys.readouterr().out)["sections"]
    assert sections["summary"]["rows"][0]["count"] == 30


def test_tree_files_into_parquet_are_read_in_columns_with_the_same_tables(
    shared_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The LWC recipes' data plan into Parquet: the columnar reader, the object path's tables."""
    pl = pytest.importorskip("polars")

    import salesflow.cli._imports as imports
    from salesflow.io import read_salesforce_json

    calls = _counted(monkeypatch, imports, "read_salesforce_json_frames")
    plan = shared_data / "salesforce-lwc-recipes" / "data-plan.json"
    out = tmp_path / "lwc.parquet"
    status = main(["import", "salesforce", str(plan), "--currency", "USD", "--out", str(out)])
    printed = capsys.readouterr().out
    assert calls == ["frames"]
    objects = read_salesforce_json(plan, currency="USD", process=sf.presets.salesforce_standard())
    assert status == (1 if objects.refused else 0)
    for kind, count in objects.read.items():
        assert re.search(rf"{kind}\s+│\s+{count}\s+│\s+{objects.taken.get(kind, 0)}\s+│", printed)
    _assert_written_as(objects, out, drop=("created_at",))
    activities = pl.read_parquet(tmp_path / "lwc.activities.parquet")
    assert activities.height == len(objects.activities)
