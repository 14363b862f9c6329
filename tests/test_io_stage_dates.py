"""History from "date entered stage" columns: Maven, HubSpot, any such sheet."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.cli import main
from salesflow.io import hubspot_stage_dates, read_stage_dates

MAVEN = sf.presets.maven()
DATES = sf.presets.maven_stage_dates()


def _read(text: str, **options: Any) -> sf.io.HistoryTable:
    return read_stage_dates(
        io.StringIO(text), DATES, process=MAVEN, columns=sf.Columns.maven(), **options
    )


HEADER = "opportunity_id,deal_stage,engage_date,close_date,close_value\n"


def test_each_dated_stage_is_one_history_row_in_time_order() -> None:
    table = _read(HEADER + "A,Won,2017-01-05,2017-02-01,100\nB,Engaging,2017-01-09,,\n")
    assert [(r["opportunity_id"], r["stage"], r["at"]) for r in table.rows] == [
        ("A", "Engaging", datetime(2017, 1, 5, tzinfo=timezone.utc)),
        ("A", "Won", datetime(2017, 2, 1, tzinfo=timezone.utc)),
        ("B", "Engaging", datetime(2017, 1, 9, tzinfo=timezone.utc)),
    ]
    assert table.rows[1]["close_date"] == date(2017, 2, 1) and table.rows[0]["close_date"] is None
    assert table.rows[0]["amount"] == Decimal("100")


def test_a_shared_column_dates_only_the_stage_the_deal_is_in() -> None:
    table = _read(HEADER + "L,Lost,2017-01-05,2017-01-20,0\n")
    assert [r["stage"] for r in table.rows] == ["Engaging", "Lost"]


def test_bad_rows_are_refused_with_every_reason_and_counted() -> None:
    text = HEADER + (
        "A,Won,2017-01-05,2017-02-01,100\n"
        ",Won,2017-01-05,2017-02-01,100\n"  # no id
        "C,Closed,2017-01-05,,\n"  # unknown stage
        "D,Won,05/01/2017,2017-02-01,100\n"  # not ISO
        "E,Won,2017-03-05,2017-02-01,100\n"  # closed before engaged
        "F,Won,2017-01-05,2017-02-01,lots\n"  # not an amount
    )
    table = _read(text)
    assert (table.read, table.taken, len(table.refused)) == (6, 1, 5)
    reasons = [r.reason for r in table.refused]
    assert "no id" in reasons[0]
    assert "unknown stage 'Closed'" in reasons[1]
    assert "not a date: '05/01/2017'" in reasons[2]
    assert "entered Won on 2017-02-01 (close_date), before Engaging" in reasons[3]
    assert "not an amount" in reasons[4]
    assert [r.record for r in table.refused] == [2, 3, 4, 5, 6]


def test_other_date_formats_are_read_only_when_named() -> None:
    text = HEADER + "A,Won,1/5/2017,2/1/2017,100\n"
    assert not _read(text).ok
    table = _read(text, date_formats=["%m/%d/%Y"])
    assert [r["at"].date() for r in table.rows] == [date(2017, 1, 5), date(2017, 2, 1)]


@pytest.mark.parametrize(
    "cell", ["20170105", "2017-W01-4", "2017-01-05T10:00:00,5", "2017-01-05T10:00+05"]
)
def test_iso_forms_only_newer_pythons_read_are_refused_on_every_python(cell: str) -> None:
    # Python 3.11's fromisoformat reads these, 3.10's does not: one verdict everywhere
    table = _read(HEADER + f'A,Won,"{cell}",2017-02-01,100\n')
    assert not table.ok
    assert "not a date" in str(table.refused[0])
    assert _read(HEADER + "A,Won,2017-01-05T10:00+05:00,2017-02-01,100\n").ok


def test_rows_from_a_dataframe_are_read_like_a_file() -> None:
    rows = [
        {
            "opportunity_id": "A",
            "deal_stage": "Won",
            "engage_date": date(2017, 1, 5),
            "close_date": "2017-02-01T10:00:00+02:00",
            "close_value": 100,
        },
    ]
    table = read_stage_dates(rows, DATES, process=MAVEN, columns=sf.Columns.maven())
    assert [r["at"] for r in table.rows] == [
        datetime(2017, 1, 5, tzinfo=timezone.utc),
        datetime(2017, 2, 1, 8, tzinfo=timezone.utc),
    ]


def test_a_stage_the_process_lacks_is_a_usage_error() -> None:
    with pytest.raises(sf.ValidationError, match="no stage 'Engaged'"):
        _read(HEADER) if False else read_stage_dates(
            io.StringIO(HEADER), {"Engaged": "engage_date"}, process=MAVEN
        )


def test_hubspot_headers_of_both_spellings_map_to_stages() -> None:
    header = [
        "Record ID",
        'Date entered "Appointment scheduled (Sales Pipeline)"',
        'Date entered "Closed won (Sales Pipeline)"',
        'Date entered "Closed won (Partners)"',
        "hs_date_entered_closedlost",
    ]
    assert hubspot_stage_dates(header, pipeline="Sales Pipeline") == {
        "Appointment scheduled": header[1],
        "Closed won": header[2],
        "Closed lost": header[4],
    }


STAGES = st.sampled_from(["Prospecting", "Engaging", "Won", "Lost", "Nope", ""])
CELLS = st.one_of(
    st.just(""), st.dates(date(2016, 1, 1), date(2018, 1, 1)).map(str), st.text(max_size=8)
)


@given(st.lists(st.tuples(STAGES, CELLS, CELLS), max_size=20))
def test_every_record_read_is_taken_or_refused_and_no_row_is_out_of_order(
    records: list[tuple[str, str, str]],
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER.strip().split(","))
    for number, (stage, engaged, closed) in enumerate(records):
        writer.writerow([f"d{number}", stage, engaged, closed, ""])
    table = _read(buffer.getvalue())
    assert table.read == len(records) == table.taken + len(table.refused)
    by_deal: dict[str, list[dict[str, Any]]] = {}
    for row in table.rows:
        by_deal.setdefault(row["opportunity_id"], []).append(row)
    for rows in by_deal.values():
        assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)


def test_the_maven_preset_report_matches_a_plain_reading_of_the_file(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_data / "maven-crm" / "sales_pipeline.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        plain = list(csv.DictReader(handle))
    stages = Counter(r["deal_stage"] for r in plain)
    won_revenue = sum(Decimal(r["close_value"]) for r in plain if r["deal_stage"] == "Won")
    engaged = sum(1 for r in plain if r["engage_date"])
    assert main(["report", str(path), "--preset", "maven", "--format", "json"]) == 0
    sections = json.loads(capsys.readouterr().out)["sections"]
    win = sections["win_rate"]["rows"][0]
    assert (win["won"], win["lost"], win["open"]) == (stages["Won"], stages["Lost"], 2089)
    won_line = next(r for r in sections["summary"]["rows"] if r["line"] == "Closed Won")
    assert Decimal(won_line["amount"]) == won_revenue
    reached = {r["stage"]: r["reached"] for r in sections["funnel"]["rows"]}
    assert reached == {"Prospecting": len(plain), "Engaging": engaged, "Won": stages["Won"]}
    assert any(r["deals"] for r in sections["bridge"]["rows"] if r["movement"] == "won")
    forecast = {r["figure"]: Decimal(str(r["amount"])) for r in sections["forecast"]["rows"]}
    assert forecast["won so far"] > 0


def test_the_maven_preset_report_as_of_mid_2017_has_a_moving_pipeline(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_data / "maven-crm" / "sales_pipeline.csv"
    args = ["report", str(path), "--preset", "maven", "--format", "json", "--as-of", "2017-06-30"]
    assert main(args) == 0
    sections = json.loads(capsys.readouterr().out)["sections"]
    movements = {r["movement"]: r for r in sections["bridge"]["rows"]}
    assert movements["new"]["deals"] > 0 and movements["won"]["deals"] > 0
    assert sections["bridge"]["empty"] is False
    forecast = {r["figure"].split()[0]: r["amount"] for r in sections["forecast"]["rows"]}
    # The quarter ends on the report's day: what is won is the whole forecast.
    assert Decimal(str(forecast["P90"])) == Decimal(str(forecast["won"])) > 0
    assert sections["forecast"]["empty"] is False


def test_the_spreadsheet_preset_reads_m_d_y_dates_to_the_iso_files_report(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the same deals saved from a spreadsheet (dates 3/1/2017): with --preset maven the
    # snapshot's dates are text the analytics refuse; the spreadsheet preset reads them
    iso = shared_data / "maven-crm" / "sales_pipeline.csv"
    saved = shared_data / "maven-crm" / "variants" / "sales_pipeline_excel_mdy_dates.csv"
    assert main(["report", str(saved), "--preset", "maven", "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "its close_date column holds dates like '3/1/2017'" in err
    assert "--preset maven-spreadsheet reads them as %m/%d/%Y" in err
    reports = []
    for path, preset in ((iso, "maven"), (saved, "maven-spreadsheet")):
        assert main(["report", str(path), "--preset", preset, "--format", "json"]) == 0
        reports.append(json.loads(capsys.readouterr().out))
    assert reports[0]["as_of"] == reports[1]["as_of"]
    assert reports[0]["sections"] == reports[1]["sections"]
