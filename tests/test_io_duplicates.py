"""Records that repeat an id or a JSON key are refused at import, naming each other."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

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
    read_salesforce_csv,
    read_salesforce_json,
)
from tests.strategies import JSON_KEYS, JSON_VALUES

SFDC = sf.presets.salesforce_standard()
IDS = st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=8)


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


READERS = {
    "csv": lambda ids: read_csv(io.StringIO(_csv(ids)), process=SFDC),
    "jsonl": lambda ids: read_jsonl(io.StringIO(_jsonl(ids)), process=SFDC),
    "salesforce_csv": lambda ids: read_salesforce_csv(
        io.StringIO(
            _csv(ids).replace(
                "id,name,stage,close_date,amount,currency",
                "Id,Name,StageName,CloseDate,Amount,CurrencyIsoCode",
            )
        ),
        process=SFDC,
    ),
}


@pytest.mark.parametrize("reader", sorted(READERS))
@given(ids=IDS)
def test_every_record_of_a_repeated_id_is_refused_and_the_rest_taken(
    reader: str, ids: list[str]
) -> None:
    result = READERS[reader](ids)
    counts = Counter(ids)
    assert result.read.get("Opportunity", 0) == len(ids)
    assert result.taken.get("Opportunity", 0) + result.refused_count("Opportunity") == len(ids)
    assert sorted(o.id for o in result.opportunities) == sorted(i for i in ids if counts[i] == 1)
    refused = {(r.record, r.id) for r in result.refused}
    repeated = {(n, i) for n, i in enumerate(ids, start=1) if counts[i] > 1}
    assert refused == repeated
    for refusal in result.refused:
        others = [n for n, i in enumerate(ids, start=1) if i == refusal.id and n != refusal.record]
        assert f"the id {refusal.id!r} is also on" in str(refusal)
        assert all(f"record {n}" in str(refusal) for n in others)


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
