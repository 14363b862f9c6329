from __future__ import annotations

import csv
import io
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.io import read_csv, read_hubspot_csv, read_salesforce_csv, read_salesforce_json
from tests.strategies import JSON_VALUES

SFDC = sf.presets.salesforce_standard()
ANY_TEXT = st.text(max_size=12) | st.sampled_from(
    ["Closed Won", "Qualification", "2026-01-01", "2026-01-01T00:00:00Z", "10.5", "true", "@x", ""]
)
SF_COLUMNS = [
    "Id",
    "Name",
    "StageName",
    "Amount",
    "CloseDate",
    "CreatedDate",
    "Probability",
    "IsWon",
    "OwnerId",
    "ForecastCategoryName",
    "PushCount",
]


def _csv(header: list[str], rows: list[list[str]]) -> io.StringIO:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return io.StringIO(out.getvalue(), newline="")


def _adds_up(result: sf.io.ImportResult, kind: str, count: int) -> None:
    assert result.read.get(kind, 0) == count
    assert result.taken.get(kind, 0) + result.refused_count(kind) == count
    assert len(result.opportunities) == result.taken.get(kind, 0)


@given(
    st.lists(st.lists(ANY_TEXT, min_size=len(SF_COLUMNS), max_size=len(SF_COLUMNS)), max_size=4)
)
def test_any_text_in_a_salesforce_csv_is_imported_or_refused(rows: list[list[str]]) -> None:
    result = read_salesforce_csv(_csv(SF_COLUMNS, rows), process=SFDC, currency="USD")
    _adds_up(result, "Opportunity", len(rows))


HS_COLUMNS = [
    "hs_object_id",
    "dealname",
    "dealstage",
    "amount",
    "closedate",
    "createdate",
    "hs_deal_stage_probability",
    "hs_date_entered_closedwon",
    "pipeline",
]


@given(
    st.lists(st.lists(ANY_TEXT, min_size=len(HS_COLUMNS), max_size=len(HS_COLUMNS)), max_size=4)
)
def test_any_text_in_a_hubspot_csv_is_imported_or_refused(rows: list[list[str]]) -> None:
    result = read_hubspot_csv(
        _csv(HS_COLUMNS, rows), process=sf.presets.hubspot_default(), currency="USD"
    )
    _adds_up(result, "Deal", len(rows))


@given(st.lists(st.lists(ANY_TEXT, min_size=5, max_size=5), max_size=4))
def test_any_text_in_a_generic_csv_is_imported_or_refused(rows: list[list[str]]) -> None:
    header = ["id", "name", "stage", "close_date", "amount"]
    result = read_csv(_csv(header, rows), process=SFDC, currency="EUR")
    _adds_up(result, "Opportunity", len(rows))


RECORD = st.dictionaries(
    st.sampled_from(
        ["Name", "name", "StageName", "Amount", "CloseDate", "AccountId", "attributes"]
    ),
    JSON_VALUES | ANY_TEXT,
)


@given(st.lists(RECORD, max_size=4))
def test_any_json_values_in_a_tree_file_are_imported_or_refused(
    records: list[dict[str, Any]],
) -> None:
    typed = [
        {**r, "attributes": {"type": "Opportunity", "referenceId": f"R{i}"}} if i % 2 else r
        for i, r in enumerate(records)
    ]
    text = json.dumps({"records": typed})
    result = read_salesforce_json(io.StringIO(text), process=SFDC, currency="USD")
    assert sum(result.read.values()) == len(records)
    assert sum(result.taken.values()) + len(result.refused) == len(records)
