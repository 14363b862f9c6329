"""Importers and exporters: real CRM data in, the three tables out.

Every importer returns an :class:`ImportResult`: the records it took, and
every record it refused with its number, the field and the reason.
"""

from __future__ import annotations

from salesflow.io.hubspot import HUBSPOT_FIELDS, HUBSPOT_STAGE_IDS, read_hubspot_csv
from salesflow.io.policy import CloseDatePolicy
from salesflow.io.result import ImportResult, Note, Refusal
from salesflow.io.salesforce import SALESFORCE_FIELDS, read_salesforce_csv, read_salesforce_json

__all__ = [
    "HUBSPOT_FIELDS",
    "HUBSPOT_STAGE_IDS",
    "SALESFORCE_FIELDS",
    "CloseDatePolicy",
    "ImportResult",
    "Note",
    "Refusal",
    "read_hubspot_csv",
    "read_salesforce_csv",
    "read_salesforce_json",
]
