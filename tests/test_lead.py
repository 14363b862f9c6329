"""Leads, lead processes and conversion (issue 18, item 1)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.lead_rows import LEAD_COLUMNS, lead_rows, leads_from_rows
from tests.strategies import LEAD_PRESETS, NAMES, lead_processes, leads

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
LATER = T0 + timedelta(days=7)


def _lead(**attributes: Any) -> tuple[sf.LeadProcess, sf.Lead]:
    process = sf.presets.salesforce_leads(qualified=["Working - Contacted"])
    values: dict[str, Any] = {
        "name": "Lars Johnson",
        "company": "Get Cloudy West",
        "source": "Trade Show",
        "owner": "ana",
        "id": "l-1",
        "at": T0,
    }
    values.update(attributes)
    return process, process.open(**values)


def _state(*objects: object) -> list[object]:
    return [None if o is None else sf.to_dict(o) for o in objects]


# ------------------------------------------------------------------ processes


def test_the_salesforce_preset_has_salesforces_four_default_lead_statuses() -> None:
    process = sf.presets.salesforce_leads()
    assert process.status_names == (
        "Open - Not Contacted",
        "Working - Contacted",
        "Closed - Converted",
        "Closed - Not Converted",
    )
    assert [s.name for s in process.converted_statuses] == ["Closed - Converted"]
    assert not process.status("Closed - Not Converted").qualified


def test_the_hubspot_preset_converts_sales_qualified_leads_into_opportunities() -> None:
    process = sf.presets.hubspot_lifecycle()
    assert [s.name for s in process.statuses if s.qualified] == ["Sales Qualified Lead"]
    assert {s.name for s in process.converted_statuses} == {
        "Opportunity",
        "Customer",
        "Evangelist",
    }


def test_a_lead_process_lists_every_problem_at_once() -> None:
    with pytest.raises(sf.ValidationError) as caught:
        sf.LeadProcess(
            name="Bad",
            statuses=[
                sf.LeadStatus(name="New"),
                sf.LeadStatus(name="New", is_closed=True),
            ],
        )
    assert caught.value.messages == [
        "duplicate status name 'New' @ $.statuses[1].name",
        "at least one status must be qualified (a lead is converted from it) @ $.statuses",
        "at least one status must be converted (a converted lead is in it) @ $.statuses",
    ]


def test_a_converted_status_must_be_closed_and_a_qualified_one_open() -> None:
    with pytest.raises(sf.ValidationError, match="a converted status must be closed"):
        sf.LeadStatus(name="Converted", converted=True)
    with pytest.raises(sf.ValidationError, match="a closed status cannot be qualified"):
        sf.LeadStatus(name="Done", is_closed=True, qualified=True)


def test_an_unknown_status_suggests_the_closest_one() -> None:
    process = sf.presets.salesforce_leads()
    with pytest.raises(sf.UnknownStatusError, match="did you mean 'Working - Contacted'"):
        process.status("working - contacted")
    with pytest.raises(KeyError):
        process.status("Nope")


@given(lead_processes() | LEAD_PRESETS)
def test_every_lead_process_document_conforms_to_its_json_schema_and_reads_back(
    process: sf.LeadProcess,
) -> None:
    document = process.to_dict()
    jsonschema.validate(document, sf.LeadProcess.json_schema())
    assert sf.LeadProcess.from_dict(document) == process


def test_the_lead_schemas_name_exactly_the_fields_of_each_type() -> None:
    for schema, pointer, cls in (
        (sf.LeadProcess.json_schema(), ("properties",), sf.LeadProcess),
        (sf.LeadProcess.json_schema(), ("$defs", "status", "properties"), sf.LeadStatus),
        (sf.Lead.json_schema(), ("properties",), sf.Lead),
        (sf.Lead.json_schema(), ("$defs", "status_change", "properties"), sf.LeadStatusChange),
    ):
        node: Any = schema
        for key in pointer:
            node = node[key]
        assert set(node) - {"schema_version"} == {a.alias for a in attrs.fields(cls) if a.init}


def test_a_lead_process_reads_from_yaml() -> None:
    process = sf.LeadProcess.from_yaml(
        """
name: Inbound
statuses:
  - {name: New}
  - {name: Qualified, qualified: true}
  - {name: Converted, is_closed: true, converted: true}
  - {name: Disqualified, is_closed: true}
"""
    )
    assert process.converted_status.name == "Converted"
    assert [s.order for s in process.statuses] == [1, 2, 3, 4]


# ------------------------------------------------------------------ the entity


def test_a_new_lead_starts_in_the_first_open_status_with_one_history_entry() -> None:
    _, lead = _lead()
    assert lead.status == "Open - Not Contacted"
    assert lead.process_name == "Salesforce leads"
    assert [(h.status, h.previous_status, h.at) for h in lead.history] == [
        ("Open - Not Contacted", None, T0)
    ]
    assert (lead.is_converted, lead.cohort, lead.days_to_convert) == (False, "2026-03", None)


def test_opening_a_lead_refuses_a_closed_status_conversion_fields_and_unknown_attributes() -> None:
    process = sf.presets.salesforce_leads()
    with pytest.raises(sf.ValidationError) as caught:
        process.open(
            name="X",
            status="Closed - Converted",
            converted_account_id="a",
            colour="red",
        )
    assert caught.value.messages == [
        "converted_account_id is set by the verbs, not when a lead is opened "
        "@ $.converted_account_id",
        "a lead has no attribute 'colour' @ $.colour",
        "a new lead starts in an open status, not 'Closed - Converted' @ $.status",
    ]


def test_status_and_conversion_fields_cannot_be_assigned_or_deleted() -> None:
    _, lead = _lead()
    for field, value in (
        ("status", "Closed - Converted"),
        ("converted_at", LATER),
        ("converted_account_id", "a"),
        ("history", ()),
    ):
        with pytest.raises(sf.ReadOnlyFieldError):
            setattr(lead, field, value)
    with pytest.raises(sf.ReadOnlyFieldError):
        del lead.owner
    lead.owner = "ben"  # an ordinary attribute
    assert lead.owner == "ben"


def test_a_lead_converted_without_an_account_or_before_it_was_created_is_refused() -> None:
    with pytest.raises(sf.ValidationError) as caught:
        sf.Lead(name="X", status="New", created_at=LATER, converted_at=T0)
    assert caught.value.messages == [
        "a converted lead names the account it became @ $.converted_account_id",
        "a converted lead names the contact it became @ $.converted_contact_id",
        "converted at 2026-03-02T09:00:00+00:00, before it was created "
        "(2026-03-09T09:00:00+00:00) @ $.converted_at",
    ]
    with pytest.raises(sf.ValidationError, match="a lead not converted"):
        sf.Lead(name="X", status="New", created_at=T0, converted_opportunity_id="o")


def test_set_status_writes_history_and_refuses_converted_statuses() -> None:
    process, lead = _lead()
    entry = process.set_status(lead, "Working - Contacted", at=LATER, by="ana")
    assert entry is not None
    assert (entry.status, entry.previous_status, entry.by) == (
        "Working - Contacted",
        "Open - Not Contacted",
        "ana",
    )
    assert process.set_status(lead, "Working - Contacted", at=LATER) is None
    before = _state(lead)
    with pytest.raises(sf.LeadConversionError, match=r"use salesflow\.convert"):
        process.set_status(lead, "Closed - Converted", at=LATER)
    with pytest.raises(sf.LeadConversionError, match="before the lead was created"):
        process.set_status(lead, "Closed - Not Converted", at=T0 - timedelta(days=1))
    assert _state(lead) == before


def test_the_html_view_escapes_what_it_shows() -> None:
    _, lead = _lead(name="<b>Lars</b>")
    assert "&lt;b&gt;Lars&lt;/b&gt;" in lead._repr_html_()
    assert "<caption>Lead process Salesforce leads</caption>" in (
        sf.presets.salesforce_leads()._repr_html_()
    )


# ------------------------------------------------------------------ conversion


def test_converting_a_qualified_lead_creates_an_account_a_contact_and_an_opportunity() -> None:
    process, lead = _lead(email="lars@example.com", title="Buyer")
    process.set_status(lead, "Working - Contacted", at=T0)
    done = sf.convert(
        lead,
        process,
        opportunity="create",
        sales_process=sf.presets.salesforce_standard(),
        close_date=date(2026, 6, 30),
        amount=sf.Money("4200", "USD"),
        at=LATER,
        by="ana",
    )
    assert done.created == ("account", "contact", "opportunity")
    account, contact, opp = done.account, done.contact, done.opportunity
    assert opp is not None
    assert account.name == "Get Cloudy West"
    assert (contact.name, contact.email, contact.title, contact.account_id) == (
        "Lars Johnson",
        "lars@example.com",
        "Buyer",
        account.id,
    )
    assert (opp.account_id, opp.lead_source, opp.owner, opp.primary_contact_id) == (
        account.id,
        "Trade Show",
        "ana",
        contact.id,
    )
    assert (lead.converted_account_id, lead.converted_contact_id) == (account.id, contact.id)
    assert lead.converted_opportunity_id == opp.id
    assert (lead.status, lead.converted_at, lead.days_to_convert) == (
        "Closed - Converted",
        LATER,
        7.0,
    )
    assert lead.history[-1].previous_status == "Working - Contacted"
    assert "<td>opportunity</td>" in done._repr_html_()


def test_converting_links_an_existing_account_contact_and_opportunity() -> None:
    process, lead = _lead(status="Working - Contacted")
    account = sf.Account(name="Get Cloudy", id=sf.AccountId("acc-1"))
    contact = sf.Contact(name="Lars J.", id=sf.ContactId("c-1"))
    opp = sf.presets.salesforce_standard().open(
        name="Sneakers", close_date=date(2026, 6, 30), id="o-1", at=T0
    )
    opp.add_contact_role("c-0", role="Decision Maker", primary=True)
    done = sf.convert(lead, process, account=account, contact=contact, opportunity=opp, at=LATER)
    assert done.created == ()
    assert contact.account_id == "acc-1"
    assert opp.account_id == "acc-1"
    assert [(r.contact_id, r.primary) for r in opp.contact_roles] == [
        ("c-0", True),
        ("c-1", False),
    ]
    assert (lead.converted_account_id, lead.converted_opportunity_id) == ("acc-1", "o-1")


def test_the_opportunity_is_optional_as_in_salesforce() -> None:
    process, lead = _lead(status="Working - Contacted")
    done = sf.convert(lead, process, at=LATER)
    assert done.opportunity is None and lead.converted_opportunity_id is None
    assert lead.is_converted


def test_an_unqualified_lead_is_refused_with_the_statuses_that_would_do() -> None:
    process, lead = _lead()
    with pytest.raises(sf.LeadConversionError) as caught:
        sf.convert(lead, process, at=LATER)
    assert str(caught.value) == (
        "cannot convert lead l-1: its status 'Open - Not Contacted' is not qualified; "
        "qualify it first ('Working - Contacted')"
    )
    assert caught.value.lead_id == "l-1"
    assert isinstance(caught.value, ValueError)


def test_a_refusal_lists_every_reason_and_changes_nothing() -> None:
    process, lead = _lead(company=None)
    contact = sf.Contact(name="C", id=sf.ContactId("c-1"), account_id=sf.AccountId("other"))
    opp = sf.presets.salesforce_standard().open(
        name="Deal", close_date=date(2026, 6, 30), account_id="elsewhere", at=T0
    )
    before = _state(lead, contact, opp)
    with pytest.raises(sf.LeadConversionError) as caught:
        sf.convert(lead, process, contact=contact, opportunity=opp, at=T0 - timedelta(days=1))
    assert len(caught.value.reasons) == 5
    assert _state(lead, contact, opp) == before


def test_a_refused_opportunity_opening_refuses_the_conversion_and_creates_nothing() -> None:
    process, lead = _lead(status="Working - Contacted")
    contact = sf.Contact(name="C", id=sf.ContactId("c-1"))
    before = _state(lead, contact)
    with pytest.raises(sf.LeadConversionError, match="has no stage 'Nope'"):
        sf.convert(
            lead,
            process,
            contact=contact,
            opportunity="create",
            sales_process=sf.presets.salesforce_standard(),
            close_date=date(2026, 6, 30),
            stage="Nope",
            at=LATER,
        )
    assert _state(lead, contact) == before


def test_create_needs_a_sales_process_and_a_close_date() -> None:
    process, lead = _lead(status="Working - Contacted")
    with pytest.raises(sf.LeadConversionError) as caught:
        sf.convert(lead, process, opportunity="create", at=LATER)
    assert caught.value.reasons == (
        "opportunity='create' needs sales_process=SalesProcess",
        "opportunity='create' needs close_date= (a date)",
    )


def test_a_lead_of_another_process_is_refused() -> None:
    _, lead = _lead(status="Working - Contacted")
    with pytest.raises(sf.LeadConversionError, match="follows lead process 'Salesforce leads'"):
        sf.convert(lead, sf.presets.hubspot_lifecycle(), at=LATER)


# ------------------------------------------------------------------ properties


@given(lead_processes() | LEAD_PRESETS, st.data())
def test_converting_twice_refuses_and_changes_nothing(
    process: sf.LeadProcess, data: st.DataObject
) -> None:
    lead = data.draw(leads(process, convert=True))
    contact = sf.Contact(name="Someone")
    before = _state(lead, contact)
    with pytest.raises(sf.LeadConversionError, match="already converted"):
        sf.convert(lead, process, contact=contact, at=lead.converted_at)
    assert _state(lead, contact) == before


@given(lead_processes() | LEAD_PRESETS, st.data())
def test_a_refused_conversion_leaves_lead_account_contact_and_opportunity_unchanged(
    process: sf.LeadProcess, data: st.DataObject
) -> None:
    lead = data.draw(leads(process, convert=False))
    account = data.draw(st.none() | st.builds(sf.Account, name=NAMES))
    contact = data.draw(
        st.none()
        | st.builds(sf.Contact, name=NAMES, account_id=st.none() | st.just(sf.AccountId("x")))
    )
    opp = data.draw(
        st.none()
        | st.builds(
            lambda account_id: sf.presets.trailhead_simple().open(
                name="Deal", close_date=date(2026, 6, 30), account_id=account_id, at=T0
            ),
            st.none() | st.just("y"),
        )
    )
    at = data.draw(st.sampled_from([lead.created_at, lead.created_at - timedelta(seconds=1)]))
    before = _state(lead, account, contact, opp)
    try:
        done = sf.convert(lead, process, account=account, contact=contact, opportunity=opp, at=at)
    except sf.LeadConversionError:
        assert _state(lead, account, contact, opp) == before
    else:
        assert process.status(before[0]["status"]).qualified  # type: ignore[index]
        assert lead.converted_account_id == done.account.id
        assert done.contact.account_id == done.account.id
        if opp is not None:
            assert opp.account_id == done.account.id


@given(st.lists(leads(), max_size=4, unique_by=lambda lead: lead.id))
def test_leads_survive_the_table_form_and_json(items: list[sf.Lead]) -> None:
    rows = lead_rows(items)
    assert all(tuple(row) == LEAD_COLUMNS for row in rows)
    assert leads_from_rows(rows, lead_rows(items, table="history")) == items
    assert sf.loads(sf.dumps(items), list[sf.Lead]) == items
    for lead in items:
        jsonschema.validate(sf.to_dict(lead), sf.Lead.json_schema())


def test_the_table_form_refuses_rows_that_contradict_themselves() -> None:
    _, lead = _lead()
    row = lead_rows([lead])[0] | {"is_converted": True}
    orphan = {"lead_id": "nobody", "at": T0, "sequence": 1, "status": "New"}
    with pytest.raises(sf.ValidationError) as caught:
        leads_from_rows([row, row], [orphan])
    assert caught.value.messages == [
        "is_converted is True but converted_at is None @ $.leads[0].is_converted",
        "is_converted is True but converted_at is None @ $.leads[1].is_converted",
        "lead 'l-1' given twice @ $.leads[1].id",
        "status changes of lead 'nobody', which is not in the leads table @ $.history",
    ]
