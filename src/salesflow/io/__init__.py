"""Importers and exporters: real CRM data in, the three tables out.

Every importer returns an :class:`ImportResult`: the records it took (leads
too: :func:`read_salesforce_leads`, :func:`read_hubspot_leads`), and
every record it refused with its number, the field and the reason; nothing is
dropped silently and nothing is guessed. Exporters write lossless JSON
(:func:`write_json`) and the three tables of :mod:`salesflow.columns`
(snapshot, history, activities) as CSV, JSON Lines or Parquet. The guide is
``docs/import-export.md``.

Parquet (both ways) needs the ``analytics`` extra (Polars); everything else
uses only the standard library. Every reader reads only regular files (a FIFO
or a device is refused at once, never waited on) of at most
:data:`MAX_IMPORT_BYTES` (2 GiB); its ``max_bytes=`` keyword raises the limit.
"""

from __future__ import annotations

from salesflow.io._source import MAX_IMPORT_BYTES
from salesflow.io.export import (
    DataSet,
    read_json,
    write_csv,
    write_json,
    write_jsonl,
    write_parquet,
)
from salesflow.io.field_history import FIELD_NAMES, read_field_history
from salesflow.io.hubspot import HUBSPOT_FIELDS, HUBSPOT_STAGE_IDS, read_hubspot_csv
from salesflow.io.hubspot_frames import read_hubspot_frames
from salesflow.io.hubspot_line_items import (
    HUBSPOT_DEAL_COLUMNS,
    HUBSPOT_LINE_ITEM_FIELDS,
    read_hubspot_line_items,
)
from salesflow.io.leads import (
    HUBSPOT_LEAD_FIELDS,
    SALESFORCE_LEAD_FIELDS,
    read_hubspot_leads,
    read_salesforce_leads,
)
from salesflow.io.line_items import read_salesforce_line_items
from salesflow.io.plans import read_calendar, read_hierarchy, read_targets
from salesflow.io.policy import CloseDatePolicy
from salesflow.io.result import ImportedFrames, ImportResult, Note, Refusal
from salesflow.io.salesforce import SALESFORCE_FIELDS, read_salesforce_csv, read_salesforce_json
from salesflow.io.salesforce_frames import read_salesforce_frames
from salesflow.io.salesforce_tree_frames import read_salesforce_json_frames
from salesflow.io.stage_dates import HistoryTable, hubspot_stage_dates, read_stage_dates
from salesflow.io.table import read_csv, read_jsonl, read_parquet
from salesflow.io.table_frames import read_csv_frames, read_jsonl_frames, read_parquet_frames
from salesflow.io.versions import VALID_FROM, read_versions
from salesflow.lead_rows import LEAD_COLUMNS, LEAD_HISTORY_COLUMNS, lead_rows, leads_from_rows
from salesflow.line_item_rows import (
    LINE_ITEM_COLUMNS,
    LINE_ITEM_SCHEDULE_COLUMNS,
    line_item_rows,
    line_items_from_rows,
)
from salesflow.rows import COLUMNS, rows

__all__ = [
    "COLUMNS",
    "FIELD_NAMES",
    "HUBSPOT_DEAL_COLUMNS",
    "HUBSPOT_FIELDS",
    "HUBSPOT_LEAD_FIELDS",
    "HUBSPOT_LINE_ITEM_FIELDS",
    "HUBSPOT_STAGE_IDS",
    "LEAD_COLUMNS",
    "LEAD_HISTORY_COLUMNS",
    "LINE_ITEM_COLUMNS",
    "LINE_ITEM_SCHEDULE_COLUMNS",
    "MAX_IMPORT_BYTES",
    "SALESFORCE_FIELDS",
    "SALESFORCE_LEAD_FIELDS",
    "VALID_FROM",
    "CloseDatePolicy",
    "DataSet",
    "HistoryTable",
    "ImportResult",
    "ImportedFrames",
    "Note",
    "Refusal",
    "hubspot_stage_dates",
    "lead_rows",
    "leads_from_rows",
    "line_item_rows",
    "line_items_from_rows",
    "read_calendar",
    "read_csv",
    "read_csv_frames",
    "read_field_history",
    "read_hierarchy",
    "read_hubspot_csv",
    "read_hubspot_frames",
    "read_hubspot_leads",
    "read_hubspot_line_items",
    "read_json",
    "read_jsonl",
    "read_jsonl_frames",
    "read_parquet",
    "read_parquet_frames",
    "read_salesforce_csv",
    "read_salesforce_frames",
    "read_salesforce_json",
    "read_salesforce_json_frames",
    "read_salesforce_leads",
    "read_salesforce_line_items",
    "read_stage_dates",
    "read_targets",
    "read_versions",
    "rows",
    "write_csv",
    "write_json",
    "write_jsonl",
    "write_parquet",
]
