"""The Salesforce objects and fields the importers read, by API name and report label."""

from __future__ import annotations

from collections.abc import Mapping

from salesflow.io._assemble import Table

__all__ = ["KINDS", "SALESFORCE_FIELDS"]

SALESFORCE_FIELDS: Mapping[str, Table] = {
    "Opportunity": {
        "id": ("Id", "Opportunity ID"),
        "name": ("Name", "Opportunity Name"),
        "account_id": ("AccountId", "Account ID"),
        "owner": ("Owner.Name", "Opportunity Owner", "OwnerId"),
        "stage": ("StageName", "Stage"),
        "amount": ("Amount",),
        "currency": ("CurrencyIsoCode", "Opportunity Currency", "Amount Currency"),
        "probability": ("Probability", "Probability (%)"),
        "forecast_category": ("ForecastCategoryName", "ForecastCategory", "Forecast Category"),
        "is_closed": ("IsClosed", "Closed"),
        "is_won": ("IsWon", "Won"),
        "close_date": ("CloseDate", "Close Date"),
        "created_at": ("CreatedDate", "Created Date"),
        "last_stage_change_at": ("LastStageChangeDate", "Last Stage Change Date"),
        "push_count": ("PushCount", "Push Count"),
        "type": ("Type",),
        "lead_source": ("LeadSource", "Lead Source"),
        "next_step": ("NextStep", "Next Step"),
        "description": ("Description",),
    },
    "OpportunityHistory": {
        "opportunity_id": ("OpportunityId", "Opportunity ID"),
        "at": ("CreatedDate", "Edit Date", "Last Modified"),
        "by": ("CreatedBy.Name", "CreatedById", "Edited By"),
        "stage": ("StageName", "Stage", "To Stage"),
        "amount": ("Amount",),
        "currency": ("CurrencyIsoCode",),
        "probability": ("Probability", "Probability (%)"),
        "forecast_category": ("ForecastCategory", "ForecastCategoryName", "Forecast Category"),
        "close_date": ("CloseDate", "Close Date"),
        "previous_amount": ("PrevAmount",),
        "previous_close_date": ("PrevCloseDate",),
    },
    "OpportunityContactRole": {
        "opportunity_id": ("OpportunityId", "Opportunity ID"),
        "contact_id": ("ContactId", "Contact ID"),
        "role": ("Role",),
        "primary": ("IsPrimary", "Primary"),
    },
    "Task": {
        "id": ("Id", "Activity ID"),
        "opportunity_id": ("WhatId",),
        "contact_id": ("WhoId",),
        "kind": ("TaskSubtype", "Task Subtype"),
        "at": ("CompletedDateTime", "CreatedDate", "Created Date"),
        "owner": ("Owner.Name", "OwnerId", "Assigned"),
        "subject": ("Subject",),
        "done": ("IsClosed", "Closed"),
        "due_date": ("ActivityDate", "Due Date"),
    },
    "Event": {
        "id": ("Id", "Activity ID"),
        "opportunity_id": ("WhatId",),
        "contact_id": ("WhoId",),
        "kind": ("EventSubtype", "Event Subtype"),
        "at": ("StartDateTime", "ActivityDateTime", "CreatedDate", "Start"),
        "owner": ("Owner.Name", "OwnerId", "Assigned"),
        "subject": ("Subject",),
    },
    "Account": {
        "id": ("Id", "Account ID"),
        "name": ("Name", "Account Name"),
        "industry": ("Industry",),
        "website": ("Website",),
        "description": ("Description",),
    },
    "Contact": {
        "id": ("Id", "Contact ID"),
        "name": ("Name", "Full Name"),
        "first_name": ("FirstName", "First Name"),
        "last_name": ("LastName", "Last Name"),
        "account_id": ("AccountId", "Account ID"),
        "title": ("Title",),
        "email": ("Email",),
        "phone": ("Phone",),
    },
}
"""The Salesforce fields each importer reads, per object: salesflow field → names, preferred first."""

KINDS = (
    "Opportunity",
    "OpportunityHistory",
    "OpportunityContactRole",
    "Account",
    "Contact",
    "Task",
    "Event",
)
