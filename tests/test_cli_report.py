from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import salesflow as sf
from salesflow.analytics import bridge, frames, pipeline_summary
from salesflow.cli import main
from salesflow.io import DataSet, write_csv, write_json

DEALS = "150"
SECTIONS = [
    "summary",
    "bridge",
    "bridge_deals",
    "over_time",
    "funnel",
    "win_rate",
    "at_risk",
    "priorities",
    "buying_phases",
    "forecast",
    "attainment",
]


@pytest.fixture(autouse=True)
def _wide_plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(list(args)) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def _data() -> sf.datasets.SyntheticData:
    return sf.datasets.synthetic(sf.presets.salesforce_standard(), int(DEALS), seed=2026)


def _rows(section: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = section["rows"]
    return rows


def test_demo_shows_every_part_of_the_pipeline_inspection(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--deals", DEALS]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Pipeline inspection: 150 synthetic deals on Salesforce standard")
    for title in (
        "Pipeline summary (cumulative, USD)",
        "Pipeline bridge 2025-12-25 → 2026-01-01",
        "Stage funnel (Salesforce standard",
        "Win rate (won / closed",
        "At-risk deals as of 2026-01-01",
        "Open pipeline by the buyer's phase (Liferay buying phases)",
        "Closed-won revenue forecast FY2026 Q1, 2026-01-01 to 2026-03-31 (USD)",
    ):
        assert title in out
    assert "the totals add up." in out
    assert "Monte Carlo: 10,000 draws (seed 2026)" in out


def test_demo_is_reproducible_and_its_numbers_are_the_analytics_own(
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = _json(capsys, "demo", "--deals", DEALS, "--format", "json")
    again = _json(capsys, "demo", "--deals", DEALS, "--format", "json")
    assert first == again
    assert list(first["sections"]) == SECTIONS
    data = _data()
    tables = frames(data.opportunities, data.activities, process=data.process)
    summary = pipeline_summary(tables)
    assert [(r["line"], r["count"], r["amount"]) for r in _rows(first["sections"]["summary"])] == [
        (r["line"], r["count"], str(r["amount"])) for r in summary.rows()
    ]
    totals = bridge(tables, data.as_of - timedelta(days=7), data.as_of).totals()
    shown = {r["movement"]: r for r in _rows(first["sections"]["bridge"])}
    assert shown["start"]["amount"]["amount"] == str(totals.start.amount)
    assert shown["end"]["amount"]["amount"] == str(totals.end.amount)
    assert {m: shown[m]["deals"] for m in totals.counts} == totals.counts


def test_a_different_seed_gives_a_different_pipeline(capsys: pytest.CaptureFixture[str]) -> None:
    one = _json(capsys, "demo", "--deals", "60", "--format", "json", "--seed", "1")
    two = _json(capsys, "demo", "--deals", "60", "--format", "json", "--seed", "2")
    assert one["sections"]["summary"] != two["sections"]["summary"]


def test_demo_as_csv_is_one_long_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--deals", "60", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert set(rows[0]) == {"section", "row", "column", "value"}
    assert {r["section"] for r in rows} >= {"summary", "funnel", "forecast"}
    funnel = [r for r in rows if r["section"] == "funnel" and r["column"] == "stage"]
    assert funnel[0]["value"] == "Prospecting"


def test_demo_writes_a_static_html_document_with_plots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "report.html"
    assert main(["demo", "--deals", "60", "--html-static", str(page), "--format", "json"]) == 0
    json.loads(capsys.readouterr().out)  # stdout still carries the report
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert len(re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]+"', text)) == 3
    assert "http" not in text.replace("http-equiv", "")  # nothing fetched from elsewhere
    assert "Stage funnel" in text


def test_demo_on_another_preset_uses_its_buyer_mapping(capsys: pytest.CaptureFixture[str]) -> None:
    document = _json(capsys, "demo", "--deals", "60", "--process", "hubspot", "--format", "json")
    assert "Liferay" in document["sections"]["buying_phases"]["title"]


def test_demo_on_a_process_without_a_lost_stage_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--deals", "20", "--process", "odoo"]) == 2
    err = capsys.readouterr().err
    assert "'Odoo classic' has no lost stage" in err and "--process salesforce" in err


def test_report_on_salesflow_json_matches_the_analytics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data()
    path = tmp_path / "deals.json"
    write_json(path, DataSet(opportunities=data.opportunities, activities=data.activities))
    document = _json(capsys, "report", str(path), "--format", "json")
    summary = pipeline_summary(frames(data.opportunities, data.activities, process=data.process))
    assert [r["count"] for r in _rows(document["sections"]["summary"])] == [
        r["count"] for r in summary.rows()
    ]
    assert document["title"] == "Pipeline inspection: deals.json on Salesforce standard"


def _tables(tmp_path: Path, data: sf.datasets.SyntheticData) -> list[str]:
    names = []
    for table in ("snapshot", "history", "activities"):
        items = data.activities if table == "activities" else data.opportunities
        path = tmp_path / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            write_csv(handle, items, table=table)
        names.append(str(path))
    return names


def test_report_on_csv_tables_rebuilds_the_pipeline_as_of_a_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data()
    snapshot, history, activities = _tables(tmp_path, data)
    args = ["report", snapshot, "--history", history, "--activities", activities]
    document = _json(capsys, *args, "--as-of", "2025-12-31", "--format", "json")
    assert document["as_of"] == "2025-12-31T23:59:59.999999+00:00"
    total = _rows(document["sections"]["summary"])[0]
    assert total["line"] == "Total" and total["count"] == len(data.opportunities)


def test_a_csv_report_without_activities_reads_its_tables_in_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read in columns, the report is the one the objects give, but for the gates it cannot check."""
    data = _data()
    snapshot, history, activities = _tables(tmp_path, data)
    none = tmp_path / "no_activities.csv"  # any activities file sends the tables through objects
    none.write_text(Path(activities).read_text(encoding="utf-8").splitlines()[0] + "\n")
    for moment in (["--as-of", "2025-12-31"], []):  # the history rebuilt, and the snapshot as read
        common = ["--history", history, *moment, "--format", "json"]
        columns = _json(capsys, "report", snapshot, *common)
        objects = _json(capsys, "report", snapshot, "--activities", str(none), *common)
        assert columns["sections"].keys() == objects["sections"].keys()
        for key, section in columns["sections"].items():
            if key != "at_risk" or moment:
                assert section == objects["sections"][key], key
    notes = " ".join(columns["sections"]["at_risk"]["notes"])
    assert "Not checked: flag gate_not_met" in notes and "read in columns" in notes
    assert columns["sections"]["at_risk"]["rows"] == objects["sections"]["at_risk"]["rows"]


def test_report_lists_refused_rows_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data()
    snapshot, history, _ = _tables(tmp_path, data)
    lines = Path(snapshot).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace("Prospecting", "Prospektion").replace("Closed Lost", "Closed/Lost")
    Path(snapshot).write_text("".join(lines), encoding="utf-8")
    assert main(["report", snapshot, "--history", history, "--format", "json"]) == 1
    captured = capsys.readouterr()
    json.loads(captured.out)
    assert "1 refused" in captured.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "last week"], "expected YYYY-MM-DD or an ISO timestamp"),
        (["--format", "xml"], "'xml' is not one of 'table', 'json', 'csv'"),
        (["--mapping", "nope"], "not a mapping preset"),
        (["--columns", "sap"], "'sap' is not one of"),
    ],
)
def test_report_usage_errors_exit_2(
    tmp_path: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deals.json"
    write_json(path, DataSet())
    assert main(["report", str(path), *args]) == 2
    assert message in capsys.readouterr().err


def test_report_refuses_a_mix_of_json_and_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one, two = tmp_path / "a.json", tmp_path / "b.csv"
    write_json(one, DataSet())
    two.write_text("id\n", encoding="utf-8")
    assert main(["report", str(one), str(two)]) == 2
    assert "give salesflow JSON files" in capsys.readouterr().err


def test_report_reads_the_maven_csv_through_its_column_preset(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    process = tmp_path / "maven.yaml"
    process.write_text(
        "name: Maven CRM\nstages:\n"
        "  - {name: Prospecting, probability: 10}\n"
        "  - {name: Engaging, probability: 50}\n"
        "  - {name: Won, probability: 100, is_closed: true, is_won: true}\n"
        "  - {name: Lost, probability: 0, is_closed: true}\n",
        encoding="utf-8",
    )
    pipeline = shared_data / "maven-crm" / "sales_pipeline.csv"
    args = ["report", str(pipeline), "--columns", "maven", "--process", str(process)]
    args += ["--currency", "USD", "--close-dates", "after-created:90", "--format", "json"]
    document = _json(capsys, *args)
    lines = {r["line"]: r for r in _rows(document["sections"]["summary"])}
    assert lines["Total"]["count"] == 8800
    won, lost, still_open = (
        lines[k]["count"] for k in ("Closed Won", "Closed Lost", "Open Pipeline")
    )
    assert won + lost + still_open == 8800 and won > 0 and lost > 0 and still_open > 0


def test_several_currencies_need_rates_and_are_converted_with_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    process = sf.presets.salesforce_standard()
    data = sf.datasets.synthetic(process, 60, seed=4, currencies={"USD": 3, "EUR": 1})
    path = tmp_path / "deals.json"
    write_json(path, DataSet(opportunities=data.opportunities, activities=data.activities))
    assert main(["report", str(path), "--format", "json"]) == 1
    assert "EUR" in capsys.readouterr().err
    args = ["report", str(path), "--convert-to", "USD", "--rate", "EUR=1.08", "--format", "json"]
    document = _json(capsys, *args)
    rates = sf.analytics.Rates("USD", {"EUR": "1.08"})
    expected = pipeline_summary(frames(data.opportunities, process=process), rates=rates)
    assert [r["amount"] for r in _rows(document["sections"]["summary"])] == [
        str(r["amount"]) for r in expected.rows()
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate", "EUR=1.08"], "--rate needs --convert-to"),
        (["--convert-to", "USD", "--rate", "EUR"], "expected CURRENCY=RATE"),
        (["--convert-to", "USD", "--rate", "EUR=-1"], "a rate must be positive"),
    ],
)
def test_bad_rates_are_usage_errors(
    tmp_path: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deals.json"
    write_json(path, DataSet())
    assert main(["report", str(path), *args]) == 2
    assert message in capsys.readouterr().err


_MAVEN_PROCESS = (
    "name: Maven CRM\nstages:\n"
    "  - {name: Prospecting, probability: 10}\n"
    "  - {name: Engaging, probability: 50}\n"
    "  - {name: Won, probability: 100, is_closed: true, is_won: true}\n"
    "  - {name: Lost, probability: 0, is_closed: true}\n"
)
_MAVEN_ROWS = (
    "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
    "A1,Ann,GTX Pro,Acme,Prospecting,,,\n"
    "A2,Ann,GTX Pro,Acme,Engaging,2017-03-01,,\n"
    "A3,Bob,MG Special,Beta,Won,2017-02-01,2017-03-10,1200\n"
    "A4,Bob,MG Special,Beta,Lost,2017-02-05,2017-03-15,0\n"
)


def _maven_report_args(tmp_path: Path) -> list[str]:
    process, deals = tmp_path / "maven.yaml", tmp_path / "deals.csv"
    process.write_text(_MAVEN_PROCESS, encoding="utf-8")
    deals.write_text(_MAVEN_ROWS, encoding="utf-8")
    return [
        "report",
        str(deals),
        "--columns",
        "maven",
        "--process",
        str(process),
        "--currency",
        "USD",
        "--close-dates",
        "after-created:90",
    ]


def test_a_report_says_under_each_section_what_it_could_not_compute(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _json(capsys, *_maven_report_args(tmp_path), "--format", "json")
    sections = document["sections"]
    # Two open deals without an amount: counted, not summed; and it says so.
    assert (
        "Left out 2 deals from the amounts: no amount (they are in the counts)."
        in (sections["summary"]["notes"])
    )
    assert sections["summary"]["complete"] is False
    # No deal has history: the bridge and the past pipeline rest on nothing, and say so.
    assert sections["bridge"]["empty"] is True
    assert any("no history" in note for note in sections["over_time"]["notes"])
    # No contact roles and no activities in a CSV: those flags are not checked, not raised.
    risk = sections["at_risk"]
    # A2 engaged on 2017-03-01 (its created_at): --close-dates after-created:90 makes it overdue.
    assert [r["id"] for r in risk["rows"]] == ["A2"]
    assert risk["rows"][0]["reasons"].startswith("past its close date 2017-05-30 by ")
    assert any("flag no_primary_contact for 2 open deals" in n for n in risk["notes"])
    assert any("flag no_activity" in n for n in risk["notes"])
    # The funnel counts each deal's current stage; the lost deal has no step to count in.
    reached = {r["stage"]: r["reached"] for r in sections["funnel"]["rows"]}
    assert reached == {"Prospecting": 3, "Engaging": 2, "Won": 1}
    assert any(n.startswith("Left out 1 deals") for n in sections["funnel"]["notes"])
    assert sections["win_rate"]["complete"] is True


def test_strict_makes_an_empty_or_partial_report_exit_1_after_printing_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _maven_report_args(tmp_path)
    assert main([*args, "--format", "json"]) == 0
    capsys.readouterr()
    assert main([*args, "--format", "json", "--strict"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["sections"]["summary"]["rows"]
    assert "--strict: " in captured.err and "bridge" in captured.err


def test_strict_passes_a_report_that_computed_every_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    process = sf.presets.salesforce_standard()
    data = sf.datasets.synthetic(process, 60, seed=4)
    path = tmp_path / "deals.json"
    write_json(path, DataSet(opportunities=data.opportunities, activities=data.activities))
    document = _json(capsys, "report", str(path), "--format", "json", "--strict")
    assert all(s["complete"] and not s["empty"] for s in document["sections"].values())


def test_a_report_as_of_a_date_before_the_data_says_it_rests_on_no_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    process = sf.presets.salesforce_standard()
    data = sf.datasets.synthetic(process, 30, seed=4)
    path = tmp_path / "deals.json"
    write_json(path, DataSet(opportunities=data.opportunities, activities=data.activities))
    args = ["report", str(path), "--format", "json", "--as-of", "2001-01-01"]
    sections = _json(capsys, *args)["sections"]
    assert sections["summary"]["empty"] is True
    assert any("before the first history row" in n for n in sections["summary"]["notes"])
    assert sections["forecast"]["empty"] is True


def test_the_forecast_covers_the_fiscal_quarter_of_the_reports_moment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    gallery = Path(__file__).parent / "gallery"
    args = ["report", str(gallery / "Opportunity.csv"), "--columns", "salesforce"]
    args += ["--history", str(gallery / "OpportunityHistory.csv"), "--currency", "USD"]
    args += ["--as-of", "2026-02-28", "--fiscal-year-start", "2", "--format", "json"]
    assert main(args) == 0
    forecast = json.loads(capsys.readouterr().out)["sections"]["forecast"]
    assert forecast["title"].startswith(
        "Closed-won revenue forecast FY2027 Q1, 2026-02-01 to 2026-04-30 (USD)"
    )
    won = {r["figure"]: r["amount"] for r in forecast["rows"]}["won so far"]
    assert won == 1500.0  # deal A, won on 10 February, is inside the fiscal quarter


def test_report_rolls_maven_up_its_sales_teams_and_checks_targets(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline = shared_data / "maven-crm" / "sales_pipeline.csv"
    teams = shared_data / "maven-crm" / "sales_teams.csv"
    targets = tmp_path / "targets.csv"
    targets.write_text(
        "node,period,value,currency\nCentral,FY2017 Q4,900000,USD\nNobody,FY2017 Q4,5,USD\n",
        encoding="utf-8",
    )
    args = ["report", str(pipeline), "--preset", "maven", "--format", "json"]
    args += ["--teams", str(teams), "--team-levels", "sales_agent,manager,regional_office"]
    args += ["--team-top", "Company", "--targets", str(targets)]
    section = _json(capsys, *args)["sections"]["attainment"]
    rows = {r["node"].strip(): r for r in _rows(section)}
    # Q4 2017's won revenue, split by office, adds up to the company's.
    offices = [Decimal(rows[o]["closed"]) for o in ("Central", "East", "West")]
    assert Decimal(rows["Company"]["closed"]) == sum(offices) == Decimal("2802496")
    assert Decimal(rows["Central"]["target"]) == 900000 and Decimal(rows["Nobody"]["target"]) == 5
    assert rows["Anna Snelling"]["node"].startswith("      ")  # three levels deep
    assert any("Nobody" in n for n in section["notes"])


def test_bad_targets_and_teams_files_are_named_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = sf.datasets.synthetic(sf.presets.salesforce_standard(), 40, seed=4)
    path = tmp_path / "deals.json"
    write_json(path, DataSet(opportunities=data.opportunities, activities=data.activities))
    targets = tmp_path / "targets.csv"
    targets.write_text("node,period,value,currency\nrep-01,FY2026 Q5,1,USD\n", encoding="utf-8")
    assert main(["report", str(path), "--targets", str(targets)]) == 1
    assert "line 2, column period" in capsys.readouterr().err
    teams = tmp_path / "teams.csv"
    teams.write_text("node,parent\na,b\nb,a\n", encoding="utf-8")
    assert main(["report", str(path), "--teams", str(teams)]) == 1
    assert "a cycle: " in capsys.readouterr().err
    assert main(["report", str(path), "--period", "FY2026 Q9"]) == 2
    assert "is not a period of" in capsys.readouterr().err
    document = _json(capsys, "report", str(path), "--period", "FY2026 P02", "--format", "json")
    assert "FY2026 P02, 2026-02-01 to 2026-02-28" in document["sections"]["forecast"]["title"]


def test_forecast_command_shows_the_forecast_and_attainment_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = sf.datasets.synthetic(sf.presets.salesforce_standard(), 120, seed=4)
    path = tmp_path / "deals.json"
    write_json(path, DataSet(opportunities=data.opportunities, activities=data.activities))
    teams = tmp_path / "teams.csv"
    teams.write_text(
        "node,parent\nall,\n" + "".join(f"rep-0{i},all\n" for i in range(1, 9)), encoding="utf-8"
    )
    document = _json(capsys, "forecast", str(path), "--teams", str(teams), "--format", "json")
    assert list(document["sections"]) == ["forecast", "attainment"]
    assert document["title"].startswith("Forecast against targets: ")
    assert main(["forecast", str(path)]) == 2
    assert "needs --targets or --teams" in capsys.readouterr().err


def test_a_calendar_file_sets_the_forecast_quarter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calendar = tmp_path / "calendar.yaml"
    calendar.write_text(
        "kind: weeks\npattern: 4-4-5\nend_month: 12\nweek_start: Sunday\n", encoding="utf-8"
    )
    document = _json(
        capsys, "demo", "--deals", DEALS, "--calendar", str(calendar), "--format", "json"
    )
    assert "FY2026 Q1, 2025-12-28 to 2026-03-28" in document["sections"]["forecast"]["title"]
    assert main(["demo", "--calendar", str(calendar), "--fiscal-year-start", "2"]) == 2
    assert "not both" in capsys.readouterr().err


# The prioritised pipeline: amount × win chance × fit, the fit from the data or said missing.


def _value(row: dict[str, Any]) -> Decimal:
    return Decimal(row["value"])


def _check_ranked(rows: list[dict[str, Any]], *, with_fit: bool) -> None:
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    values = [_value(r) for r in rows]
    assert values == sorted(values, reverse=True)
    for r in rows:
        fit = Decimal(str(r["fit"])) if with_fit else Decimal(1)
        exact = Decimal(r["amount"]) * Decimal(str(r["win_chance"])) * fit
        assert abs(_value(r) - exact) <= Decimal("0.01")


def test_demo_ranks_the_open_deals_by_amount_times_win_chance_times_the_synthetic_fit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = _json(capsys, "demo", "--deals", DEALS, "--format", "json", "--top", "5")
    section = document["sections"]["priorities"]
    rows = _rows(section)
    assert len(rows) == 5
    assert section["title"].startswith("Prioritised pipeline: the top 5 of ")
    _check_ranked(rows, with_fit=True)
    truth = sf.datasets.synthetic(
        sf.presets.salesforce_standard(), int(DEALS), seed=2026, fit_effect=0
    ).fit
    assert all(r["fit"] == pytest.approx(truth[r["id"]]) for r in rows)
    assert any("its stage's for every open deal" in n for n in section["notes"])
    assert any(n.startswith("Fit: the synthetic data's own") for n in section["notes"])
    assert main(["demo", "--deals", DEALS, "--top", "3"]) == 0
    assert "Prioritised pipeline: the top 3 of " in capsys.readouterr().out


def _snapshot_with(tmp_path: Path, data: sf.datasets.SyntheticData, **extra: list[str]) -> str:
    snapshot, _, _ = _tables(tmp_path, data)
    with open(snapshot, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for name, cells in extra.items():
        for row, cell in zip(rows, cells, strict=True):
            row[name] = cell
    path = tmp_path / "with_fit.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def test_a_report_on_a_csv_with_a_fit_column_ranks_by_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data()
    fits = [f"{(i * 37 % 100) / 100:.2f}" for i in range(len(data.opportunities))]
    path = _snapshot_with(tmp_path, data, fit=fits)
    document = _json(capsys, "report", path, "--format", "json", "--top", "50")
    section = document["sections"]["priorities"]
    given = {o.id: float(f) for o, f in zip(data.opportunities, fits, strict=True)}
    rows = _rows(section)
    assert len(rows) == sum(1 for o in data.opportunities if o.is_open)
    _check_ranked(rows, with_fit=True)
    assert all(r["fit"] == given[r["id"]] for r in rows)
    assert "Fit: the snapshot's fit column, a score in 0..1 per deal." in section["notes"]


def test_a_bad_fit_cell_refuses_the_report_naming_its_line_and_deal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data()
    fits = ["0.5"] * len(data.opportunities)
    fits[3], fits[7], fits[8] = "1.5", "high", ""  # an empty cell is an unknown fit, not an error
    path = _snapshot_with(tmp_path, data, fit=fits)
    assert main(["report", path, "--format", "json"]) == 1
    err = capsys.readouterr().err
    assert f"got '1.5' @ line 5, column fit (deal '{data.opportunities[3].id}')" in err
    assert f"got 'high' @ line 9, column fit (deal '{data.opportunities[7].id}')" in err
    assert "line 10" not in err


def test_without_a_fit_the_deals_rank_by_expected_value_and_a_note_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data()
    path = tmp_path / "deals.json"
    write_json(path, DataSet(opportunities=data.opportunities, activities=data.activities))
    section = _json(capsys, "report", str(path), "--format", "json")["sections"]["priorities"]
    rows = _rows(section)
    assert len(rows) == min(20, sum(1 for o in data.opportunities if o.is_open))
    assert all(r["fit"] is None and r["grade"] is None for r in rows)
    _check_ranked(rows, with_fit=False)
    assert section["title"].endswith("open deals by amount × win chance (USD)")
    assert any(n.startswith("No fit was given: ") for n in section["notes"])


def test_a_fit_profile_assesses_each_deal_from_its_evidence_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data()
    levels = ["confirmed", "claimed", "", "none", "2"]
    count = len(data.opportunities)
    complexity = [levels[i % 5] for i in range(count)]
    security = [levels[(i * 3) % 5] for i in range(count)]
    path = _snapshot_with(tmp_path, data, fit_complexity=complexity, fit_security=security)
    profile = tmp_path / "fit.yaml"
    profile.write_text(
        "name: Ours\ncriteria:\n  - {name: complexity, weight: 2}\n  - {name: security}\n",
        encoding="utf-8",
    )
    args = ["report", path, "--fit-profile", str(profile), "--format", "json", "--top", "50"]
    section = _json(capsys, *args)["sections"]["priorities"]
    ours = sf.FitProfile(
        name="Ours", criteria=[sf.FitCriterion("complexity", 2), sf.FitCriterion("security")]
    )

    def level(cell: str) -> str | int | None:
        return int(cell) if cell.isdigit() else cell or None

    expected = {
        o.id: sf.assess_fit(ours, {"complexity": level(c), "security": level(s)}).score
        for o, c, s in zip(data.opportunities, complexity, security, strict=True)
    }
    rows = _rows(section)
    _check_ranked(rows, with_fit=True)
    assert all(r["fit"] == pytest.approx(expected[r["id"]]) for r in rows)
    assert "complexity: confirmed" in " ".join(r["reasons"] for r in rows)
    security[2] = "maybe"
    bad = _snapshot_with(tmp_path, data, fit_complexity=complexity, fit_security=security)
    assert main(["report", bad, "--fit-profile", str(profile)]) == 1
    assert "unknown level 'maybe'" in capsys.readouterr().err
    json_file = tmp_path / "deals.json"
    write_json(json_file, DataSet(opportunities=data.opportunities))
    assert main(["report", str(json_file), "--fit-profile", str(profile)]) == 2
    assert "--fit-profile reads fit_<criterion> columns" in capsys.readouterr().err


def test_open_deals_without_amounts_are_not_ranked_and_the_section_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Maven's open deals carry no amount: a list in some order would pass for a ranking."""
    data = _data()
    no_amounts = [attrs.evolve(o, amount=None) if o.is_open else o for o in data.opportunities]
    path = tmp_path / "deals.json"
    write_json(path, DataSet(opportunities=no_amounts, activities=data.activities))
    section = _json(capsys, "report", str(path), "--format", "json")["sections"]["priorities"]
    assert _rows(section) == []
    assert section["title"] == "Prioritised pipeline: no open deal has an amount"
    assert any("has an amount, so none has a value to rank by" in n for n in section["notes"])
