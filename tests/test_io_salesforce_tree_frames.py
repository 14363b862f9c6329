"""The columnar tree-JSON import takes, refuses and tabulates as read_salesforce_json."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.io import (
    CloseDatePolicy,
    read_salesforce_json,
    read_salesforce_json_frames,
    salesforce_tree_frames,
)
from salesflow.io._columnar import tabulated
from tests._same_import import assert_same_import
from tests.strategies import SF_CELLS, SF_GOOD, SF_HISTORY_COLUMNS, SF_OPPORTUNITY_COLUMNS

pl = pytest.importorskip("polars")

PROCESS = sf.presets.salesforce_standard()
T0 = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
_NUMBERS = {"amount", "prevamount", "probability", "pushcount"}
_FLAGS = {"isclosed", "iswon"}
_REFS = ["@AccRef0", "@AccRef1", "@AccRef9", "@OppRef0", "@OppRef1", "@OppRef7", "@HistRef0"]


def _json(value: Any) -> str:
    """A JSON value as written: a decimal's digits as they are."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    return json.dumps(value)


def _cell(column: str, wild: bool) -> st.SearchStrategy[Any]:
    key = column.casefold()
    text = SF_GOOD.get(key, st.just(""))
    if key in ("accountid", "opportunityid", "id"):
        refs = st.sampled_from(_REFS[:2] if key == "accountid" else _REFS[3:5])
        text = text | refs | refs | (st.sampled_from(_REFS) if wild else refs)
    if key in _NUMBERS:
        good = text | st.sampled_from([100, 0, 55, Decimal("2500.125"), Decimal("1E+3")])
    elif key in _FLAGS:
        good = text | st.booleans()
    else:
        good = text
    odd = SF_CELLS | st.just(7) if wild else SF_CELLS
    return st.integers(0, 7).flatmap(lambda i: good if i > 1 else (st.none() if i else odd))


@st.composite
def _records(draw: st.DrawFn, kind: str, columns: list[str], prefix: str) -> list[dict[str, Any]]:
    header = draw(st.lists(st.sampled_from(columns), min_size=1, max_size=8, unique=True))
    if draw(st.integers(0, 3)):
        header = [c for c in columns[:3] if c not in header] + header
    with_refs = draw(st.sampled_from(["all", "all", "none", "some"]))
    wild = draw(st.integers(0, 3)) == 0  # a number in a text column, a reference to nothing
    records = []
    for i in range(draw(st.integers(0, 5) | st.integers(1, 5))):
        attributes: dict[str, Any] = {"type": kind}
        if with_refs == "all" or (with_refs == "some" and draw(st.booleans())):
            attributes["referenceId"] = f"{prefix}{i}"
        row = {"attributes": attributes, **{c: draw(_cell(c, wild)) for c in header}}
        records.append(row)
    return records


@st.composite
def tree_files(draw: st.DrawFn) -> list[bytes]:
    """Tree files: accounts, opportunities and history rows, mostly regular, some not."""
    accounts = [
        {
            "attributes": {"type": "Account", "referenceId": f"AccRef{i}"},
            "Name": draw(st.sampled_from(["Acme", "", None, "Globex"])),
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    leading = ["StageName", "CloseDate", "AccountId"]  # a reference on most records
    rest = [c for c in SF_OPPORTUNITY_COLUMNS if c not in ("id", "AMOUNT", *leading)]
    opportunity_columns = leading + rest
    opps = draw(_records("Opportunity", opportunity_columns, "OppRef"))
    history = draw(_records("OpportunityHistory", SF_HISTORY_COLUMNS, "HistRef"))
    odd = draw(st.integers(0, 17))
    if odd == 1 and opps:
        opps[0]["Extra"] = "x"  # a key only one record has
    elif odd == 2:
        accounts.append({"attributes": {"type": "Contact", "referenceId": "C0"}, "LastName": "X"})
    elif odd == 7:
        history.append(
            {
                "attributes": {"type": "Task", "referenceId": "TaskRef0"},  # its id
                "WhatId": draw(st.sampled_from(["@OppRef0", "@OppRef1", "006A"])),
                "Subject": "Call",
                "CreatedDate": "2026-05-05T10:00:00Z",
            }
        )
    elif odd == 3 and opps:
        opps[-1]["Name"] = [1]  # a value no column holds
    elif odd == 4:
        opps.append({"attributes": {"type": "Lead"}, "Name": "A lead"})
    elif odd == 5 and opps:
        del opps[0]["attributes"]
    elif odd == 6 and history:
        history[0]["attributes"]["type"] = "Opportunity"  # another kind's fields
    everything = accounts + opps + history
    layout = draw(st.sampled_from(["one", "by kind", "shuffled"]))
    if layout == "shuffled":
        everything = draw(st.permutations(everything))
    groups = [everything] if layout != "by kind" else [accounts, opps, history]
    return [
        ('{"records": [' + ", ".join(_json(r) for r in group) + "]}").encode() for group in groups
    ]


def _both(files: list[bytes], **options: Any) -> tuple[Any, Any, bool]:
    objects = read_salesforce_json(
        *(io.BytesIO(f) for f in files), process=PROCESS, imported_at=T0, **options
    )
    with mock.patch.object(
        salesforce_tree_frames, "assembled", wraps=salesforce_tree_frames.assembled
    ) as loop:
        columns = read_salesforce_json_frames(
            *(io.BytesIO(f) for f in files), process=PROCESS, imported_at=T0, **options
        )
    return objects, columns, loop.called


@settings(max_examples=max(300, settings().max_examples))
@given(
    tree_files(),
    st.sampled_from([None, CloseDatePolicy.fixed(date(2026, 6, 30))]),
    st.sampled_from([None, "USD"]),
)
def test_the_columnar_path_takes_and_refuses_what_read_salesforce_json_does(
    files: list[bytes], policy: CloseDatePolicy | None, currency: str | None
) -> None:
    objects, columns, looped = _both(files, close_dates=policy, currency=currency)
    event("the record loop" if looped else "in columns")
    assert_same_import(objects, columns)
    # the counts in the loop's order (its summary's); refusals: accounts, deals, history rows
    assert list(columns.read.items()) == list(tabulated(objects, PROCESS).read.items())
    assert [str(r) for r in sorted(columns.refused, key=lambda r: (r.kind, r.record))] == [
        str(r) for r in sorted(objects.refused, key=lambda r: (r.kind, r.record))
    ]


_TREE = {
    "records": [
        {"attributes": {"type": "Account", "referenceId": "AccRef1"}, "Name": "Get Cloudy"},
        {"attributes": {"type": "Account", "referenceId": "AccRef2"}, "Name": ""},
        *(
            {
                "attributes": {"type": "Opportunity", "referenceId": f"OppRef{i}"},
                "Name": f"Deal {i}",
                "AccountId": "@AccRef1",
                "Amount": Decimal("1000.50") * i,
                "CloseDate": "2026-07-01",
                "StageName": stage,
                "CreatedDate": "2026-05-04T09:30:00.000+0000",
            }
            for i, stage in enumerate(
                ["Prospecting", "Needs Analysis", "Closed Won", "Closed/Won"]
            )
        ),
        *(
            {
                "attributes": {"type": "OpportunityHistory", "referenceId": f"HistRef{i}"},
                "OpportunityId": opp,
                "StageName": stage,
                "CreatedDate": f"2026-05-0{4 + i}T10:00:00.000+0000",
                "Amount": 1000,
                "CloseDate": "2026-07-01",
            }
            for i, (opp, stage) in enumerate(
                [
                    ("@OppRef1", "Prospecting"),
                    ("@OppRef1", "Needs Analysis"),
                    ("@OppRef2", "Prospecting"),
                    ("@OppRef3", "Prospecting"),
                    ("006Z", "Prospecting"),
                ]
            )
        ),
    ]
}


def _text(tree: dict[str, Any]) -> str:
    return _json(tree)


def test_a_clean_export_with_history_is_ruled_in_columns_as_the_loop_reads_it() -> None:
    objects, columns, looped = _both([_text(_TREE).encode()], currency="USD")
    assert not looped
    assert_same_import(objects, columns)
    assert columns.read == {"Account": 2, "Opportunity": 4, "OpportunityHistory": 5}
    assert columns.taken == {"Account": 1, "Opportunity": 3, "OpportunityHistory": 3}
    assert columns.frames.snapshot["account_id"].to_list() == ["AccRef1"] * 3
    assert columns.frames.history["opportunity_id"].to_list() == ["OppRef1", "OppRef1", "OppRef2"]
    said = sorted(str(r) for r in columns.refused)
    assert said == sorted(str(r) for r in objects.refused)
    assert any("record 6 (OppRef3)" in s and "Closed/Won" in s for s in said)
    assert any("(HistRef3)" in s and "its opportunity OppRef3 was refused" in s for s in said)


def test_a_data_plan_reads_the_files_it_lists(tmp_path: Path) -> None:
    records = _TREE["records"]
    kinds = {"Account": [], "Opportunity": [], "OpportunityHistory": []}
    for record in records:
        kinds[record["attributes"]["type"]].append(record)
    plan = []
    for kind, found in kinds.items():
        (tmp_path / f"{kind}.json").write_text(_text({"records": found}))
        plan.append({"sobject": kind, "files": [f"{kind}.json"]})
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    path = tmp_path / "plan.json"
    objects = read_salesforce_json(path, process=PROCESS, imported_at=T0, currency="USD")
    with mock.patch.object(
        salesforce_tree_frames, "assembled", wraps=salesforce_tree_frames.assembled
    ) as loop:
        columns = read_salesforce_json_frames(
            path, process=PROCESS, imported_at=T0, currency="USD"
        )
    assert not loop.called
    assert_same_import(objects, columns)
    assert any(str(tmp_path / "Opportunity.json") in str(r) for r in columns.refused)


def test_a_reference_to_a_refused_account_goes_the_loops_way() -> None:
    tree = json.loads(_text(_TREE), parse_float=Decimal)
    tree["records"][2]["AccountId"] = "@AccRef2"  # refused: no name
    objects, columns, looped = _both([_text(tree).encode()], currency="USD")
    assert looped
    assert_same_import(objects, columns)
    assert any("names a record that was refused" in str(r) for r in columns.refused)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"[1, 2]", "expected a tree-import file"),
        (b'{"records": 1}', "expected a tree-import file"),
        (b"{", "not JSON"),
    ],
)
def test_a_file_that_is_no_tree_raises_what_the_loop_raises(text: bytes, message: str) -> None:
    with pytest.raises(sf.FileFormatError) as loop:
        read_salesforce_json(io.BytesIO(text), process=PROCESS)
    with pytest.raises(sf.FileFormatError) as columns:
        read_salesforce_json_frames(io.BytesIO(text), process=PROCESS)
    assert str(columns.value) == str(loop.value)


def test_a_tree_with_tasks_keeps_them_in_the_activity_table() -> None:
    tree = json.loads(_text(_TREE), parse_float=Decimal)
    tree["records"].append(
        {
            "attributes": {"type": "Task", "referenceId": "TaskRef1"},
            "WhatId": "@OppRef1",
            "Subject": "Call",
            "CreatedDate": "2026-05-05T10:00:00Z",
        }
    )
    objects, columns, looped = _both([_text(tree).encode()], currency="USD")
    assert looped  # tasks are the loop's to read
    assert_same_import(objects, columns)
    assert columns.taken["Task"] == 1
    assert columns.frames.activities.select("opportunity_id", "subject").rows() == [
        ("OppRef1", "Call")
    ]
