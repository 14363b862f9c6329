"""Lead processes of well-known systems: Salesforce's lead statuses, HubSpot's lifecycle stages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from salesflow.lead_process import LeadProcess, LeadStatus

__all__ = ["HUBSPOT_LIFECYCLE_STAGES", "LEAD_PRESETS", "hubspot_lifecycle", "salesforce_leads"]

_SALESFORCE_OPEN = ("Open - Not Contacted", "Working - Contacted")


def salesforce_leads(*, qualified: Iterable[str] = _SALESFORCE_OPEN) -> LeadProcess:
    """Salesforce's default lead statuses.

    Open - Not Contacted, Working - Contacted (open), Closed - Converted (the
    converted status), Closed - Not Converted (closed). Salesforce lets a user
    convert any lead that is not converted yet; salesflow converts only from a
    *qualified* status, and by default both open statuses are (a lead closed
    as not converted must be reopened first). Pass ``qualified=`` to allow
    conversion only from some, e.g. ``("Working - Contacted",)``.

    Args:
        qualified: The open statuses a lead may be converted from.

    >>> [s.name for s in salesforce_leads().statuses if s.qualified]
    ['Open - Not Contacted', 'Working - Contacted']
    >>> salesforce_leads(qualified=["Working - Contacted"]).status("Open - Not Contacted").qualified
    False
    """
    chosen = set(qualified)
    return LeadProcess(
        name="Salesforce leads",
        statuses=[
            *(LeadStatus(name=n, qualified=n in chosen) for n in _SALESFORCE_OPEN),
            LeadStatus(name="Closed - Converted", is_closed=True, converted=True),
            LeadStatus(name="Closed - Not Converted", is_closed=True),
        ],
        description="Salesforce's default lead statuses (LeadStatus picklist).",
    )


HUBSPOT_LIFECYCLE_STAGES: Mapping[str, str] = {
    "subscriber": "Subscriber",
    "lead": "Lead",
    "marketingqualifiedlead": "Marketing Qualified Lead",
    "salesqualifiedlead": "Sales Qualified Lead",
    "opportunity": "Opportunity",
    "customer": "Customer",
    "evangelist": "Evangelist",
    "other": "Other",
}
"""HubSpot's default lifecycle stages: internal value (``lifecyclestage``) → label."""


def hubspot_lifecycle() -> LeadProcess:
    """HubSpot's contact lifecycle stages as a lead process.

    Subscriber, Lead, Marketing Qualified Lead, Sales Qualified Lead (open;
    a sales-qualified lead may be converted), then Opportunity, Customer and
    Evangelist (converted: a contact becomes an opportunity when a deal is
    created for it), Other, and Unqualified (closed, not converted: HubSpot's
    lead status ``UNQUALIFIED`` on a contact not yet converted). HubSpot keeps
    the lead and the contact on one record, so a converted HubSpot lead's
    contact is the record itself.

    >>> p = hubspot_lifecycle()
    >>> [s.name for s in p.statuses if s.qualified], p.converted_status.name
    (['Sales Qualified Lead'], 'Opportunity')
    """
    labels = HUBSPOT_LIFECYCLE_STAGES
    return LeadProcess(
        name="HubSpot lifecycle",
        statuses=[
            LeadStatus(name=labels["subscriber"]),
            LeadStatus(name=labels["lead"]),
            LeadStatus(name=labels["marketingqualifiedlead"]),
            LeadStatus(name=labels["salesqualifiedlead"], qualified=True),
            LeadStatus(name=labels["opportunity"], is_closed=True, converted=True),
            LeadStatus(name=labels["customer"], is_closed=True, converted=True),
            LeadStatus(name=labels["evangelist"], is_closed=True, converted=True),
            LeadStatus(name=labels["other"], is_closed=True),
            LeadStatus(name="Unqualified", is_closed=True),
        ],
        description="HubSpot's default contact lifecycle stages (lifecyclestage).",
    )


LEAD_PRESETS: Mapping[str, Callable[[], LeadProcess]] = {
    "salesforce_leads": salesforce_leads,
    "hubspot_lifecycle": hubspot_lifecycle,
}
"""Every lead-process preset by name."""
