"""Records that repeat an id or a JSON key are refused at import, naming each other."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow._json import RepeatedKeyError, load_unique
from salesflow.io import (
    read_csv,
    read_hubspot_csv,
    read_json,
    read_jsonl,
    read_parquet,
    read_salesforce_csv,
    read_salesforce_json,
    read_stage_dates,
)
from tests.strategies import JSON_KEYS, JSON_VALUES

SFDC = sf.presets.salesforce_standard()
HUBSPOT = sf.presets.hubspot_default()
IDS = st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=8)
# A deal: its id (blank ones are "no id", " a" is "a") and whether its stage is known.
DEALS = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", " a", "006X", "", "  "]), st.booleans()),
    max_size=8,
)
Deals = list[tuple[str, bool]]


def _csv(ids: list[str]) -> str:
    lines = ["id,name,stage,close_date,amount,currency"]
    lines += [f"{i},Deal {n},Prospecting,2026-03-31,{n}00,USD" for n, i in enumerate(ids)]
    return "\n".join(lines) + "\n"


def _jsonl(ids: list[str]) -> str:
    return "".join(
        json.dumps(
            {"id": i, "name": f"Deal {n}", "stage": "Prospecting", "close_date": "2026-03-31"}
        )
        + "\n"
        for n, i in enumerate(ids)
    )


def _rows(deals: Deals) -> list[dict[str, str]]:
    return [
        {
            "id": i,
            "name": f"Deal {n}",
            "stage": "Prospecting" if known else "Nowhere",
            "close_date": "2026-03-31",
            "amount": f"{n}00",
            "currency": "USD",
        }
        for n, (i, known) in enumerate(deals)
    ]


def _table(deals: Deals, header: dict[str, str] | None = None) -> io.StringIO:
    rows = _rows(deals)
    names = header or {k: k for k in _rows([("x", True)])[0]}
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(names.values()), lineterminator="\n")
    writer.writeheader()
    writer.writerows({names[k]: v for k, v in row.items()} for row in rows)
    text.seek(0)
    return text


def _parquet(deals: Deals) -> sf.io.ImportResult:
    buffer = io.BytesIO()
    frame = pl.DataFrame(_rows(deals), schema=dict.fromkeys(_rows([("x", True)])[0], pl.String))
    frame.write_parquet(buffer)
    buffer.seek(0)
    return read_parquet(buffer, process=SFDC)


def _tree(deals: Deals) -> sf.io.ImportResult:
    records = [
        {
            "attributes": {"type": "Opportunity", "referenceId": f"ref{n}"},
            "Id": row["id"],
            "Name": row["name"],
            "StageName": row["stage"],
            "CloseDate": row["close_date"],
            "Amount": int(row["amount"]),
        }
        for n, row in enumerate(_rows(deals))
    ]
    text = io.StringIO(json.dumps({"records": records}))
    return read_salesforce_json(text, process=SFDC, currency="USD")


def _hubspot(deals: Deals) -> sf.io.ImportResult:
    rows = [
        {
            "hs_object_id": i,
            "dealname": f"Deal {n}",
            "dealstage": "appointmentscheduled" if known else "nowhere",
            "amount": "10",
            "deal_currency_code": "USD",
            "closedate": "2026-06-30",
            "createdate": "2026-01-01T00:00:00Z",
        }
        for n, (i, known) in enumerate(deals)
    ]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]) if rows else ["hs_object_id"])
    writer.writeheader()
    writer.writerows(rows)
    text.seek(0)
    return read_hubspot_csv(text, process=HUBSPOT)


SALESFORCE_HEADER = {
    "id": "Id",
    "name": "Name",
    "stage": "StageName",
    "close_date": "CloseDate",
    "amount": "Amount",
    "currency": "CurrencyIsoCode",
}
READERS: dict[str, Callable[[Deals], sf.io.ImportResult]] = {
    "csv": lambda deals: read_csv(_table(deals), process=SFDC),
    "jsonl": lambda deals: read_jsonl(
        io.StringIO("".join(json.dumps(row) + "\n" for row in _rows(deals))), process=SFDC
    ),
    "parquet": _parquet,
    "salesforce_csv": lambda deals: read_salesforce_csv(
        _table(deals, SALESFORCE_HEADER), process=SFDC
    ),
    "salesforce_json": _tree,
    "hubspot_csv": _hubspot,
}


@pytest.mark.parametrize("reader", sorted(READERS))
@given(deals=DEALS)
def test_every_record_of_a_repeated_id_is_refused_naming_the_others_and_the_rest_taken(
    reader: str, deals: Deals
) -> None:
    result = READERS[reader](deals)
    kind = "Deal" if reader == "hubspot_csv" else "Opportunity"
    keys = [i.strip() or None for i, _ in deals]
    counts = Counter(k for k in keys if k is not None)
    assert result.read.get(kind, 0) == len(deals)
    assert result.taken.get(kind, 0) + result.refused_count(kind) == len(deals)
    taken = [
        k for k, (_, known) in zip(keys, deals, strict=True) if k and counts[k] == 1 and known
    ]
    assert sorted(o.id.strip() for o in result.opportunities) == sorted(taken)
    assert len({o.id.strip() for o in result.opportunities}) == len(result.opportunities)
    by_record = {r.record: r for r in result.refused}
    assert sorted(by_record) == [
        n
        for n, (k, (_, known)) in enumerate(zip(keys, deals, strict=True), start=1)
        if k is None or counts[k] > 1 or not known
    ]
    for n, (k, (_, known)) in enumerate(zip(keys, deals, strict=True), start=1):
        if n not in by_record:
            continue
        messages = [p.message for p in by_record[n].problems]
        if k is not None and counts[k] > 1:
            others = ", ".join(
                f"record {m}" for m, o in enumerate(keys, start=1) if o == k and m != n
            )
            assert messages[0] == (
                f"the id {k!r} is also on {others}: "
                "which record is right is unknown, so none of them is taken"
            )
        else:
            assert not any("is also on" in m for m in messages)
        assert (k is None) == ("no id" in messages)
        assert known != any("stage" in m for m in messages)


@given(ids=st.lists(st.sampled_from(["A1", "A2", " A1", "", "A3"]), max_size=8))
def test_read_stage_dates_refuses_every_row_of_a_repeated_id(ids: list[str]) -> None:
    lines = ["opportunity_id,deal_stage,engage_date,close_date,close_value"]
    lines += [f"{i},Won,2016-10-20,2017-03-01,10" for i in ids]
    history = read_stage_dates(
        io.StringIO("\n".join(lines) + "\n"),
        sf.presets.maven_stage_dates(),
        process=sf.presets.maven(),
        columns=sf.Columns.maven(),
        currency="USD",
    )
    keys = [i.strip() or None for i in ids]
    counts = Counter(k for k in keys if k is not None)
    assert history.read == len(ids) == history.taken + len(history.refused)
    assert sorted({r["opportunity_id"].strip() for r in history.rows}) == sorted(
        k for k in counts if counts[k] == 1
    )
    for refusal in history.refused:
        k = keys[refusal.record - 1]
        if k is None:
            assert [p.message for p in refusal.problems] == ["no id"]
        else:
            others = [m for m, o in enumerate(keys, start=1) if o == k and m != refusal.record]
            assert refusal.problems[0].message.startswith(
                f"the id {k!r} is also on " + ", ".join(f"record {m}" for m in others) + ":"
            )
            assert refusal.problems[0].path == "$.opportunity_id"


def test_history_rows_of_a_repeated_id_are_refused_with_it() -> None:
    history = (
        "opportunity_id,at,stage,close_date\n"
        "a,2026-01-05T09:00:00Z,Prospecting,2026-03-31\n"
        "b,2026-01-05T09:00:00Z,Prospecting,2026-03-31\n"
    )
    result = read_csv(
        io.StringIO(_csv(["a", "b", "a"])), history=io.StringIO(history), process=SFDC
    )
    assert [o.id for o in result.opportunities] == ["b"]
    assert result.taken["OpportunityHistory"] == 1
    [row] = [r for r in result.refused if r.kind == "OpportunityHistory"]
    assert "its opportunity a is on more than one record" in str(row)


def test_a_repeated_hubspot_deal_id_is_refused_naming_both_rows() -> None:
    header = "hs_object_id,dealname,dealstage,amount,deal_currency_code,closedate,createdate\n"
    row = "{},{},appointmentscheduled,10,USD,2026-06-30,2026-01-01T00:00:00Z\n"
    export = header + row.format(7, "A") + row.format(8, "B") + row.format(7, "C")
    result = read_hubspot_csv(io.StringIO(export), process=sf.presets.hubspot_default())
    assert [o.id for o in result.opportunities] == ["8"]
    assert [(r.record, r.id) for r in result.refused] == [(1, "7"), (3, "7")]
    assert "also on record 3" in str(result.refused[0])
    assert result.taken == {"Deal": 1}


TREE = {
    "records": [
        {
            "attributes": {"type": "Opportunity", "referenceId": f"o{n}"},
            "Name": f"Deal {n}",
            "StageName": "Prospecting",
            "CloseDate": "2026-03-01",
            "Amount": 100,
        }
        for n in (1, 2)
    ]
}


def test_a_tree_record_with_a_key_twice_is_refused_and_the_others_taken() -> None:
    text = json.dumps(TREE).replace('"Amount": 100}', '"Amount": 100, "Amount": 200}', 1)
    result = read_salesforce_json(io.StringIO(text), process=SFDC, currency="USD")
    assert [o.name for o in result.opportunities] == ["Deal 2"]
    [refusal] = result.refused
    assert refusal.record == 1 and "the key 'Amount' is written twice" in str(refusal)


def test_a_key_twice_in_an_object_inside_a_record_is_refused_too() -> None:
    text = json.dumps(TREE).replace(
        '"referenceId": "o2"}', '"referenceId": "o2", "referenceId": "o3"}', 1
    )
    result = read_salesforce_json(io.StringIO(text), process=SFDC, currency="USD")
    assert [o.name for o in result.opportunities] == ["Deal 1"]
    assert "$.attributes.referenceId" in str(result.refused[0])


def test_a_json_lines_record_with_a_key_twice_is_refused() -> None:
    text = _jsonl(["a", "b"]).replace('"name": "Deal 0"', '"name": "Deal 0", "name": "X"', 1)
    result = read_jsonl(io.StringIO(text), process=SFDC)
    assert [o.id for o in result.opportunities] == ["b"]
    assert "the key 'name' is written twice" in str(result.refused[0])


def test_a_tree_record_with_a_key_twice_in_a_list_inside_it_is_refused() -> None:
    tree = json.loads(json.dumps(TREE))
    tree["records"][0]["Tags"] = [{"k": 1}]
    text = json.dumps(tree).replace('{"k": 1}', '{"k": 1, "k": 2}')
    result = read_salesforce_json(io.StringIO(text), process=SFDC, currency="USD")
    assert [o.name for o in result.opportunities] == ["Deal 2"]
    assert result.refused[0].problems[0].path == "$.Tags[0].k"


def test_whole_documents_with_a_key_twice_are_refused() -> None:
    with pytest.raises(sf.ValidationError, match="found the key 'name' twice"):
        sf.loads('{"id": "a", "name": "x", "name": "y"}', sf.Account)
    with pytest.raises(sf.FileFormatError, match="found the key 'accounts' twice"):
        read_json(io.StringIO('{"schema_version": 1, "accounts": [], "accounts": []}'))


def test_loads_names_every_repeated_key_with_its_path() -> None:
    text = sf.dumps([sf.Account(name="A", id="a"), sf.Account(name="B", id="b")])
    text = text.replace('"name": "B"', '"name": "B", "name": "C", "id": "c"')
    with pytest.raises(sf.ValidationError) as caught:
        sf.loads(text, list[sf.Account])
    assert [(p.message, p.path) for p in caught.value.problems] == [
        ("found the key 'name' twice in one object", "$[1].name"),
        ("found the key 'id' twice in one object", "$[1].id"),
    ]


def test_read_json_and_process_files_name_the_repeated_key_s_path(tmp_path: Path) -> None:
    document = '{"schema_version": 1, "accounts": [{"id": "a", "name": "A", "id": "b"}]}'
    with pytest.raises(sf.FileFormatError, match=r"twice in one object at \$\.accounts\[0\]\.id"):
        read_json(io.StringIO(document))
    process = tmp_path / "p.json"
    process.write_text('{"name": "P", "stages": [{"name": "A", "order": 1, "order": 2}]}')
    with pytest.raises(
        sf.FileFormatError, match=r"'order' twice in one object at \$\.stages\[0\]"
    ):
        sf.SalesProcess.from_file(process)


@given(document=JSON_VALUES)
def test_a_json_document_without_repeated_keys_reads_as_json_reads_it(document: object) -> None:
    assert load_unique(json.dumps(document)) == document


@given(document=st.dictionaries(JSON_KEYS, JSON_VALUES, max_size=3), inside=st.booleans())
def test_a_key_written_twice_is_named_with_its_path_wherever_it_is(
    document: dict[str, object], inside: bool
) -> None:
    body = json.dumps(document)[1:]
    text = '{"dup": 1, "dup": 2' + (", " + body if document else "}")
    if inside:
        text = '{"deals": [0, ' + text + "]}"
    with pytest.raises(RepeatedKeyError) as caught:
        load_unique(text)
    assert caught.value.found == (("dup", "$.deals[1].dup" if inside else "$.dup"),)
    with pytest.raises(sf.ValidationError, match="found the key 'dup' twice"):
        sf.loads(text, sf.Account)


def test_a_null_id_is_no_id_not_the_id_none() -> None:
    rows = [dict(_rows([("x", True)])[0], id=None), dict(_rows([("x", True)])[0], id="None")]
    text = "".join(json.dumps(row) + "\n" for row in rows)
    result = read_jsonl(io.StringIO(text), process=SFDC)
    assert [o.id for o in result.opportunities] == ["None"]
    assert [str(p) for p in result.refused[0].problems] == ["no id @ $.id"]


def test_a_repeated_id_is_named_at_the_source_s_id_column() -> None:
    result = read_salesforce_csv(_table([("006X", True)] * 2, SALESFORCE_HEADER), process=SFDC)
    assert [p.path for r in result.refused for p in r.problems] == ["$.Id", "$.Id"]
    result = _hubspot([("7", True), ("7", False)])
    assert [p.path for p in result.refused[1].problems] == ["$.hs_object_id", "$.dealstage"]


def test_a_refused_hubspot_deal_leaves_no_note() -> None:
    header = "hs_object_id,dealname,dealstage,amount,deal_currency_code,closedate\n"
    row = "{},{},appointmentscheduled,10,USD,2026-06-30\n"
    export = header + row.format(7, "A") + row.format(8, "B") + row.format(7, "C")
    result = read_hubspot_csv(io.StringIO(export), process=HUBSPOT)
    assert [o.id for o in result.opportunities] == ["8"]
    assert [(n.record, n.field) for n in result.notes] == [(2, "created_at")]


@pytest.mark.parametrize(
    ("kind", "header"), [("accounts", "Id,Name"), ("contacts", "Id,LastName")]
)
@given(ids=st.lists(st.sampled_from(["001A", "001B", " 001A", ""]), max_size=6))
def test_every_account_or_contact_of_a_repeated_id_is_refused(
    kind: str, header: str, ids: list[str]
) -> None:
    table = io.StringIO("\n".join([header, *(f"{i},Name {n}" for n, i in enumerate(ids))]) + "\n")
    result = read_salesforce_csv(_table([]), process=SFDC, **{kind: table})
    made = result.accounts if kind == "accounts" else result.contacts
    counts = Counter(i.strip() for i in ids)
    name = "Account" if kind == "accounts" else "Contact"
    assert result.read.get(name, 0) == len(ids) == len(made) + result.refused_count(name)
    written = [i.strip() for i in ids if i.strip()]
    kept = [str(m.id).strip() for m in made if str(m.id).strip() in written]
    assert sorted(kept) == sorted(i for i in written if counts[i] == 1)
    assert len(made) == sum(1 for i in ids if not i.strip() or counts[i.strip()] == 1)
    for refusal in result.refused:
        assert "is also on record" in refusal.problems[0].message


def test_an_opportunity_of_a_refused_repeated_tree_account_is_refused_saying_so() -> None:
    records = [
        {"attributes": {"type": "Account", "referenceId": "A1"}, "Name": "One"},
        {"attributes": {"type": "Account", "referenceId": "A1"}, "Name": "Two"},
        dict(TREE["records"][0], AccountId="@A1"),
        TREE["records"][1],
    ]
    text = io.StringIO(json.dumps({"records": records}))
    result = read_salesforce_json(text, process=SFDC, currency="USD")
    assert ([a.name for a in result.accounts], [o.name for o in result.opportunities]) == (
        [],
        ["Deal 2"],
    )
    assert [(r.record, r.problems[0].path) for r in result.refused] == [
        (1, "$.attributes.referenceId"),
        (2, "$.attributes.referenceId"),
        (3, "$.AccountId"),
    ]
    assert "names a record that was refused" in str(result.refused[2])
