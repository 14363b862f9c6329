from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

import salesflow as sf
from salesflow.io import CloseDatePolicy, read_salesforce_csv, read_salesforce_json

SFDC = sf.presets.salesforce_standard()
IMPORTED_AT = datetime(2026, 1, 1, tzinfo=timezone.utc)
STANDARD = set(SFDC.stage_names)


def _tree(*records: dict[str, object]) -> io.StringIO:
    return io.StringIO(json.dumps({"records": list(records)}))


def _opp(ref: str = "O1", **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "attributes": {"type": "Opportunity", "referenceId": ref},
        "Name": "Deal",
        "CloseDate": "2026-03-01",
        "StageName": "Qualification",
    }
    base.update(fields)
    return base


def _counts_add_up(result: sf.io.ImportResult) -> None:
    for kind, read in result.read.items():
        assert read == result.taken.get(kind, 0) + result.refused_count(kind), kind


# ----------------------------------------------------------------- real data


def test_all_twenty_lwc_recipe_opportunities_import_cleanly(shared_data: Path) -> None:
    plan = shared_data / "salesforce-lwc-recipes" / "data-plan.json"
    result = read_salesforce_json(plan, process=SFDC, currency="USD", imported_at=IMPORTED_AT)
    assert result.refused == ()
    assert (len(result.opportunities), len(result.accounts), len(result.contacts)) == (20, 10, 6)
    assert {o.stage for o in result.opportunities} == STANDARD
    accounts = {a.id for a in result.accounts}
    assert all(o.account_id in accounts for o in result.opportunities)
    source = json.loads((plan.parent / "Opportunities.json").read_text(encoding="utf-8"))
    for record, opp in zip(source["records"], result.opportunities, strict=True):
        assert opp.amount == sf.Money(Decimal(record["Amount"]), "USD")
        assert opp.close_date == date.fromisoformat(record["CloseDate"])
        assert opp.name == record["Name"]
    _counts_add_up(result)


def _apex(shared_data: Path) -> Path:
    return shared_data / "salesforce-apex-recipes"


def test_apex_recipe_json_keeps_every_hostile_string_and_reports_every_odd_stage(
    shared_data: Path,
) -> None:
    folder = _apex(shared_data)
    result = read_salesforce_json(
        folder / "Opportunities.json", folder / "Accounts.json", process=SFDC, currency="USD"
    )
    records = json.loads((folder / "Opportunities.json").read_text(encoding="utf-8"))["records"]
    odd = {r["attributes"]["referenceId"] for r in records if r["StageName"] not in STANDARD}
    assert {r.id for r in result.refused} == odd
    assert len(odd) == 11
    for refusal in result.refused:
        assert refusal.problems[0].path == "$.StageName"
        assert "unknown stage" in refusal.reason
    taken = {o.id: o for o in result.opportunities}
    for record in records:
        opp = taken.get(record["attributes"]["referenceId"])
        if opp is not None:
            assert opp.description == record["description"]
            assert opp.name == record["name"]
            assert opp.amount is not None
            assert str(opp.amount.amount) == record["amount"]
    assert len(result.opportunities) + len(result.refused) == len(records) == 50
    _counts_add_up(result)


def test_apex_recipe_csv_keeps_every_hostile_string_and_reports_every_odd_stage(
    shared_data: Path,
) -> None:
    path = _apex(shared_data) / "Opportunities.csv"
    result = read_salesforce_csv(path, process=SFDC, currency="USD")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    odd = [n for n, r in enumerate(rows, start=1) if r["StageName"] not in STANDARD]
    assert [r.record for r in result.refused] == odd
    assert [o.description for o in result.opportunities] == [
        r["description"] for r in rows if r["StageName"] in STANDARD
    ]
    assert result.opportunities[0].account_id == "@AccountRef32"  # literal text in a CSV
    _counts_add_up(result)


def test_closed_slash_won_gets_a_did_you_mean_and_an_alias_maps_it() -> None:
    records = [_opp("O1", StageName="Closed/Won"), _opp("O2", StageName="Assigned dynamically")]
    result = read_salesforce_json(_tree(*records), process=SFDC)
    assert "did you mean 'Closed Won'?" in result.refused[0].reason
    assert "did you mean" not in result.refused[1].reason
    aliased = read_salesforce_json(
        _tree(*records),
        process=SFDC,
        aliases={"Closed/Won": "Closed Won", "Assigned dynamically": "Prospecting"},
    )
    assert [o.stage for o in aliased.opportunities] == ["Closed Won", "Prospecting"]
    assert aliased.opportunities[0].is_won


def test_an_alias_to_a_stage_the_process_lacks_is_refused_up_front() -> None:
    with pytest.raises(sf.ValidationError, match="not a stage"):
        read_salesforce_json(_tree(_opp()), process=SFDC, aliases={"Won": "Victory"})


# ------------------------------------------------------------------ fields


def test_field_names_are_matched_ignoring_case() -> None:
    record = {
        "attributes": {"type": "Opportunity", "referenceId": "O1"},
        "name": "Deal",
        "closedate": "2020-12-22T21:16:01Z",
        "stagename": "Qualification",
        "AMOUNT": "10.50",
        "createddate": "2020-01-01T10:00:00.000+0000",
    }
    result = read_salesforce_json(_tree(record), process=SFDC, currency="EUR")
    (opp,) = result.opportunities
    assert opp.close_date == date(2020, 12, 22)
    assert opp.amount == sf.Money("10.50", "EUR")
    assert opp.created_at == datetime(2020, 1, 1, 10, tzinfo=timezone.utc)


def test_a_json_float_amount_is_read_as_the_decimal_text_written() -> None:
    text = '{"records": [{"attributes": {"type": "Opportunity", "referenceId": "O1"}, "Name": "D", "CloseDate": "2026-01-01", "StageName": "Qualification", "Amount": 0.10}]}'
    (opp,) = read_salesforce_json(io.StringIO(text), process=SFDC, currency="USD").opportunities
    assert opp.amount is not None
    assert str(opp.amount.amount) == "0.10"


def test_an_amount_without_any_currency_is_refused_not_guessed() -> None:
    result = read_salesforce_json(_tree(_opp(Amount=10)), process=SFDC)
    assert "pass currency=" in result.refused[0].reason


def test_two_spellings_of_one_field_are_refused_as_ambiguous() -> None:
    result = read_salesforce_json(
        _tree(_opp(Amount="1", amount="2")), process=SFDC, currency="USD"
    )
    assert "which one is meant" in result.refused[0].reason


def test_a_dangling_reference_is_refused() -> None:
    result = read_salesforce_json(_tree(_opp(AccountId="@Nowhere")), process=SFDC)
    assert result.refused[0].problems[0].path == "$.AccountId"


def test_an_unknown_object_type_is_refused_and_counted() -> None:
    lead = {"attributes": {"type": "Lead", "referenceId": "L1"}, "Name": "x"}
    result = read_salesforce_json(_tree(lead, _opp()), process=SFDC)
    assert len(result.opportunities) == 1
    assert "does not import Lead" in result.refused[0].reason
    _counts_add_up(result)


def test_an_open_deal_without_a_close_date_follows_the_chosen_policy() -> None:
    record = _opp(CloseDate="", CreatedDate="2026-01-10T00:00:00Z")
    refused = read_salesforce_json(_tree(record), process=SFDC)
    assert "needs a close date" in refused.refused[0].reason
    fixed = read_salesforce_json(
        _tree(record), process=SFDC, close_dates=CloseDatePolicy.fixed(date(2026, 3, 31))
    )
    assert fixed.opportunities[0].close_date == date(2026, 3, 31)
    later = read_salesforce_json(
        _tree(record), process=SFDC, close_dates=CloseDatePolicy.after_created(days=30)
    )
    assert later.opportunities[0].close_date == date(2026, 2, 9)
    assert [n.field for n in later.notes] == ["close_date"]
    assert "after_created(days=30)" in later.summary()


def test_a_naive_timestamp_needs_a_time_zone() -> None:
    record = _opp(CreatedDate="2026-01-10 09:00:00")
    assert "no UTC offset" in read_salesforce_json(_tree(record), process=SFDC).refused[0].reason
    (opp,) = read_salesforce_json(_tree(record), process=SFDC, timezone=timezone.utc).opportunities
    assert opp.created_at == datetime(2026, 1, 10, 9, tzinfo=timezone.utc)


def test_a_probability_other_than_the_stages_is_a_manual_override() -> None:
    (opp,) = read_salesforce_json(_tree(_opp(Probability=35)), process=SFDC).opportunities
    assert opp.probability == 35
    assert opp.probability_source is sf.ProbabilitySource.MANUAL


def test_flags_that_contradict_the_stage_are_refused() -> None:
    result = read_salesforce_json(_tree(_opp(IsWon=True)), process=SFDC)
    assert result.refused[0].problems[0].path == "$.IsWon"


def test_a_file_that_is_not_a_tree_file_raises_a_file_format_error() -> None:
    with pytest.raises(sf.FileFormatError, match="tree-import"):
        read_salesforce_json(io.StringIO("[1, 2]"), process=SFDC)
    with pytest.raises(sf.FileFormatError, match="not JSON"):
        read_salesforce_json(io.StringIO("{"), process=SFDC)


# --------------------------------------------------------------------- CSV


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def test_csv_exports_with_history_and_contact_roles_are_attached() -> None:
    opps = _csv(
        "Id,Name,StageName,Amount,CurrencyIsoCode,CloseDate,CreatedDate\r\n"
        "006A,Deal A,Negotiation/Review,100,EUR,2026-03-01,2026-01-01T00:00:00Z\r\n"
    )
    history = _csv(
        "OpportunityId,CreatedDate,StageName,Amount,CloseDate,Probability\n"
        "006A,2026-02-01T00:00:00Z,Negotiation/Review,100,2026-03-01,90\n"
        "006A,2026-01-01T00:00:00Z,Prospecting,80,2026-03-01,10\n"
        "006B,2026-01-01T00:00:00Z,Prospecting,80,2026-03-01,10\n"
    )
    roles = _csv(
        "OpportunityId,ContactId,Role,IsPrimary\n"
        "006A,003X,Economic Buyer,true\n"
        "006A,003Y,Champion,false\n"
        "006A,003Z,,false\n"
    )
    result = read_salesforce_csv(opps, history=history, contact_roles=roles, process=SFDC)
    (opp,) = result.opportunities
    assert [h.stage for h in opp.history] == ["Prospecting", "Negotiation/Review"]
    assert opp.history[0].amount == sf.Money("80", "EUR")
    assert opp.last_stage_change_at == datetime(2026, 2, 1, tzinfo=timezone.utc)
    # A contact role without a role is legal in Salesforce: kept, with role None.
    assert [(r.contact_id, r.role, r.primary) for r in opp.contact_roles] == [
        ("003X", sf.Role.ECONOMIC_BUYER, True),
        ("003Z", None, False),
    ]
    reasons = {(r.kind, r.record): r.reason for r in result.refused}
    assert "no opportunity 006B" in reasons["OpportunityHistory", 3]
    assert "Champion" in reasons["OpportunityContactRole", 2]
    assert ("OpportunityContactRole", 3) not in reasons
    _counts_add_up(result)


def test_csv_with_a_bom_crlf_and_a_bad_byte_reports_the_row() -> None:
    data = (
        b"\xef\xbb\xbfName,StageName,CloseDate\r\n"
        b"Caf\xc3\xa9,Qualification,2026-01-01\r\n"
        b"Caf\xe9,Qualification,2026-01-01\r\n"
        b"Short,Qualification\r\n"
    )
    result = read_salesforce_csv(io.BytesIO(data), process=SFDC)
    assert [o.name for o in result.opportunities] == ["Café"]
    assert [r.record for r in result.refused] == [2, 3]
    assert "byte 0xE9" in result.refused[0].reason
    assert "2 cells" in result.refused[1].reason


def test_an_empty_csv_or_a_repeated_column_raises_a_file_format_error() -> None:
    with pytest.raises(sf.FileFormatError, match="empty"):
        read_salesforce_csv(_csv(""), process=SFDC)
    with pytest.raises(sf.FileFormatError, match="twice"):
        read_salesforce_csv(_csv("Name,Name\n"), process=SFDC)
    with pytest.raises(sf.FileFormatError, match="cannot read"):
        read_salesforce_csv("/nonexistent/opportunities.csv", process=SFDC)


def test_tasks_and_events_become_activities_of_imported_opportunities() -> None:
    opps = _csv("Id,Name,StageName,CloseDate\n006A,Deal,Qualification,2026-03-01\n")
    tasks = _csv(
        "Id,WhatId,WhoId,TaskSubtype,CreatedDate,Subject,IsClosed,ActivityDate\n"
        "00T1,006A,003X,Call,2026-01-02T10:00:00Z,Discovery call,true,\n"
        "00T2,006A,,Task,2026-01-03T10:00:00Z,Send deck,false,2026-01-10\n"
        "00T3,001Q,,Call,2026-01-03T10:00:00Z,Account call,true,\n"
    )
    events = _csv("Id,WhatId,StartDateTime,Subject\n00U1,006A,2026-01-05T15:00:00Z,Demo\n")
    result = read_salesforce_csv(opps, tasks=tasks, events=events, process=SFDC)
    kinds = [(a.id, a.kind_name, a.done) for a in result.activities]
    assert kinds == [("00T1", "call", True), ("00T2", "task", False), ("00U1", "meeting", True)]
    assert result.activities[1].due_date == date(2026, 1, 10)
    assert [(r.kind, r.id) for r in result.refused] == [("Task", "00T3")]
    assert "no opportunity 001Q" in result.refused[0].reason
    _counts_add_up(result)


def test_a_closed_deal_closed_on_the_day_its_history_entered_the_closed_stage() -> None:
    opps = _csv("Id,Name,StageName,CloseDate\n006A,Deal,Closed Won,2026-03-31\n")
    history = _csv(
        "OpportunityId,CreatedDate,StageName,CloseDate\n"
        "006A,2026-01-01T00:00:00Z,Prospecting,2026-03-31\n"
        "006A,2026-03-20T23:30:00-05:00,Closed Won,2026-03-31\n"
    )
    (opp,) = read_salesforce_csv(opps, history=history, process=SFDC).opportunities
    assert opp.closed_on == date(2026, 3, 21)  # the UTC day
    assert opp.close_date == date(2026, 3, 31)
    (alone,) = read_salesforce_csv(
        _csv("Id,Name,StageName,CloseDate\n006A,Deal,Closed Won,2026-03-31\n"), process=SFDC
    ).opportunities
    assert alone.closed_on is None  # not guessed from the forecast close date


def test_a_reference_to_a_refused_account_refuses_the_opportunity_too() -> None:
    account = {"attributes": {"type": "Account", "referenceId": "A1"}, "Name": ""}
    result = read_salesforce_json(_tree(account, _opp(AccountId="@A1")), process=SFDC)
    assert [(r.kind, r.id) for r in result.refused] == [("Account", "A1"), ("Opportunity", "O1")]
    assert "names a record that was refused" in result.refused[1].reason
    _counts_add_up(result)
