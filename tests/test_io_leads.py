"""Importing leads from Salesforce and HubSpot exports."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.io import read_hubspot_leads, read_salesforce_leads
from tests.strategies import leads

IMPORTED = datetime(2026, 4, 1, tzinfo=timezone.utc)
SF_HEADER = (
    "Id,Name,Company,Status,LeadSource,OwnerId,IsConverted,CreatedDate,ConvertedDate,"
    "ConvertedAccountId,ConvertedContactId,ConvertedOpportunityId\n"
)


def _salesforce(*rows: str, **options: object) -> sf.io.ImportResult:
    return read_salesforce_leads(io.StringIO(SF_HEADER + "".join(rows)), **options)  # type: ignore[arg-type]


def test_a_salesforce_export_gives_leads_with_their_conversion() -> None:
    result = _salesforce(
        "00Q1,Lars Johnson,Get Cloudy,Closed - Converted,Web,005A,true,"
        "2026-03-02T09:00:00.000+0000,2026-03-09,001A,003A,006A\n",
        "00Q2,Aparna,Get Cloudy,Working - Contacted,Partner,005B,false,2026-03-03T09:00:00Z,,,,\n",
    )
    assert result.ok and result.read == {"Lead": 2} and result.taken == {"Lead": 2}
    lars, aparna = result.leads
    assert (lars.status, lars.source, lars.owner, lars.converted_at) == (
        "Closed - Converted",
        "Web",
        "005A",
        datetime(2026, 3, 9, tzinfo=timezone.utc),
    )
    assert (lars.converted_account_id, lars.converted_contact_id) == ("001A", "003A")
    assert lars.converted_opportunity_id == "006A"
    assert not aparna.is_converted and aparna.history == ()


def test_each_refused_row_names_its_record_and_field() -> None:
    result = _salesforce(
        "00Q1,A,Acme,Closed - Converted,Web,005A,true,2026-03-02T09:00:00Z,,001A,003A,\n",
        "00Q2,B,Acme,Working - Contacted,Web,005A,true,2026-03-02T09:00:00Z,2026-03-05,,,\n",
        "00Q3,,Acme,Nope,Web,005A,false,2026-03-02T09:00:00Z,,,,\n",
        "00Q4,D,Acme,Closed - Converted,Web,005A,true,2026-03-02T09:00:00Z,2026-03-01,001A,003A,\n",
    )
    assert result.leads == ()
    assert result.read == {"Lead": 4} and result.taken == {"Lead": 0}
    assert [str(r) for r in result.refused] == [
        "<stream> record 1 (00Q1), Lead: a converted lead without the time it was converted "
        "@ $.ConvertedDate",
        "<stream> record 2 (00Q2), Lead: 'Working - Contacted' is not a converted status, but "
        "the lead is converted @ $.Status; a converted lead names the account it became "
        "@ $.ConvertedAccountId; a converted lead names the contact it became "
        "@ $.ConvertedContactId",
        "<stream> record 3 (00Q3), Lead: unknown status 'Nope' in lead process "
        "'Salesforce leads' (pass an alias to map it) @ $.Status; no name @ $.Name",
        "<stream> record 4 (00Q4), Lead: converted at 2026-03-01T00:00:00+00:00, before it was "
        "created (2026-03-02T09:00:00+00:00) @ $.ConvertedDate",
    ]


def test_aliases_map_an_orgs_own_statuses_and_repeated_ids_refuse_every_copy() -> None:
    process = sf.LeadProcess(
        name="Org",
        statuses=[
            sf.LeadStatus(name="New"),
            sf.LeadStatus(name="Qualified", qualified=True),
            sf.LeadStatus(name="Converted", is_closed=True, converted=True),
        ],
    )
    result = read_salesforce_leads(
        io.StringIO(
            "Id,FirstName,LastName,Status,CreatedDate\n"
            "1,Lars,Johnson,Open,2026-03-02T09:00:00Z\n"
            "2,Ana,Lee,New,\n"
            "2,Ana,Lee,New,2026-03-02T09:00:00Z\n"
        ),
        process=process,
        aliases={"Open": "New"},
        imported_at=IMPORTED,
    )
    assert [(lead.id, lead.name, lead.status) for lead in result.leads] == [
        ("1", "Lars Johnson", "New")
    ]
    assert len(result.refused) == 2
    assert "is also on record 3" in str(result.refused[0])
    with pytest.raises(sf.ValidationError, match="names 'Qualifed', which lead process 'Org'"):
        read_salesforce_leads(io.StringIO(SF_HEADER), process=process, aliases={"x": "Qualifed"})


def test_a_missing_creation_time_is_filled_in_and_noted() -> None:
    result = read_salesforce_leads(
        io.StringIO("Id,Name,Status\n1,Lars,Open - Not Contacted\n"), imported_at=IMPORTED
    )
    assert result.leads[0].created_at == IMPORTED
    assert [n.field for n in result.notes] == ["created_at"]


HUBSPOT = (
    "Record ID,First Name,Last Name,Company Name,Lifecycle Stage,Lead Status,Original Source,"
    "Contact owner,Create Date,Became an Opportunity Date,Became a Customer Date,"
    "Associated Company IDs (Primary),Associated Deal IDs\n"
    "101,Lars,Johnson,Get Cloudy,customer,,ORGANIC_SEARCH,7,2026-03-02T09:00:00Z,"
    "2026-03-10T00:00:00Z,2026-04-01T00:00:00Z,9001,7001;7002\n"
    "102,Ana,Lee,Beta,lead,UNQUALIFIED,PAID_SOCIAL,7,2026-03-03T09:00:00Z,,,,\n"
    "103,Bo,Kim,Cee,opportunity,,DIRECT_TRAFFIC,8,2026-03-03T09:00:00Z,,,,\n"
    "104,Di,Park,Dee,Sales Qualified Lead,OPEN,DIRECT_TRAFFIC,8,2026-03-04T09:00:00Z,,,,\n"
)


def test_a_hubspot_contacts_export_gives_leads_by_lifecycle_stage() -> None:
    result = read_hubspot_leads(io.StringIO(HUBSPOT))
    assert result.read == {"Contact": 4} and result.taken == {"Contact": 3}
    lars, ana, di = result.leads
    assert (lars.status, lars.converted_at) == (
        "Customer",
        datetime(2026, 3, 10, tzinfo=timezone.utc),
    )
    assert (lars.converted_account_id, lars.converted_contact_id) == ("9001", "101")
    assert lars.converted_opportunity_id == "7001"
    assert [n.message for n in result.notes] == ["2 deals listed: linked the first, '7001'"]
    assert (ana.status, ana.is_converted, ana.source) == ("Unqualified", False, "PAID_SOCIAL")
    assert di.status == "Sales Qualified Lead"
    assert [str(r) for r in result.refused] == [
        "<stream> record 3 (103), Contact: a converted lead without the time it was converted "
        "@ $.Became an Opportunity Date; a converted lead names the account it became "
        "@ $.Associated Company IDs (Primary)"
    ]


def test_imported_leads_feed_the_lead_analytics() -> None:
    pytest.importorskip("narwhals")
    from salesflow import analytics

    leads_ = read_hubspot_leads(io.StringIO(HUBSPOT)).leads
    rows = analytics.lead_conversion(list(leads_), by="cohort").rows()
    assert [(r["cohort"], r["leads"], r["converted"]) for r in rows] == [("2026-03", 3, 1)]


def _export(items: list[sf.Lead]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    columns = ["Id", "Name", "Company", "Status", "LeadSource", "OwnerId", "IsConverted"]
    columns += ["CreatedDate", "ConvertedDate", "ConvertedAccountId", "ConvertedContactId"]
    columns += ["ConvertedOpportunityId"]
    writer.writerow(columns)
    for lead in items:
        writer.writerow(
            [
                lead.id,
                lead.name,
                lead.company or "",
                lead.status,
                lead.source or "",
                lead.owner or "",
                str(lead.is_converted).lower(),
                lead.created_at.isoformat(),
                "" if lead.converted_at is None else lead.converted_at.isoformat(),
                lead.converted_account_id or "",
                lead.converted_contact_id or "",
                lead.converted_opportunity_id or "",
            ]
        )
    return out.getvalue()


@given(
    st.lists(
        leads(sf.presets.salesforce_leads()), max_size=6, unique_by=lambda lead: lead.id
    ).filter(lambda items: all(PLAIN_OK(lead) for lead in items)),
    st.lists(st.text(max_size=8), max_size=3),
)
def test_every_row_is_either_taken_or_refused(items: list[sf.Lead], junk: list[str]) -> None:
    text = _export(items) + "".join(f"{j},,,,,,,,,,,\n" for j in junk if "\n" not in j)
    result = read_salesforce_leads(io.StringIO(text), imported_at=IMPORTED)
    assert result.read["Lead"] == result.taken.get("Lead", 0) + len(result.refused)
    taken = {lead.id: lead for lead in result.leads}
    for lead in items:  # a lead exported whole comes back equal (no history in an export)
        if lead.id in taken:
            back = taken[lead.id]
            assert (back.status, back.converted_at, back.converted_account_id) == (
                lead.status,
                lead.converted_at,
                lead.converted_account_id,
            )
            assert back.created_at == lead.created_at
    for refusal in result.refused:
        assert refusal.problems and all(p.path.startswith("$") for p in refusal.problems)


def PLAIN_OK(lead: sf.Lead) -> bool:
    """Names a CSV keeps as written (no surrounding spaces, no line breaks)."""
    texts = [lead.id, lead.name, lead.company or "x", lead.owner or "x"]
    return all(t == t.strip() and "\n" not in t and "\r" not in t for t in texts)


def test_a_converted_lead_without_a_conversion_day_in_the_export_is_refused_not_guessed() -> None:
    result = _salesforce(
        "00Q1,A,Acme,Closed - Converted,Web,005A,,2026-03-02T09:00:00Z,,001A,003A,\n"
    )
    assert result.refused and "without the time it was converted" in result.refused[0].reason
